import {
  PARTNERSHIP_STREAM_PREFIX,
  type PartnershipEvent,
  type PartnershipProposedData,
} from '@aid/contracts';
import { type RecordedEvent } from '@aid/event-store';
import { type Projection } from '@aid/projections';
import { type EntityManager } from 'typeorm';
import {
  PARTNERSHIP_READ_MODEL_ENTITIES,
  PartnershipActivityRow,
  PartnershipPartyRow,
  PartnershipRow,
} from './partnership.read-model.entities';

/** Projection name: its checkpoint, its lock and the schema of its tables. */
export const PARTNERSHIPS_PROJECTION = 'partnerships';

/**
 * Keeps the partnerships read model from the service's own events. Timestamps come from the
 * events' metadata, never the clock, so a rebuild reproduces the tables exactly (the audit's
 * replay compares them).
 */
export const partnershipsProjection: Projection = {
  name: PARTNERSHIPS_PROJECTION,
  entities: PARTNERSHIP_READ_MODEL_ENTITIES,
  filter: { streamPrefixes: [PARTNERSHIP_STREAM_PREFIX] },
  handle: (event, { manager }) => applyPartnershipEvent(event, manager),
};

async function applyPartnershipEvent(recorded: RecordedEvent, manager: EntityManager): Promise<void> {
  const event = { type: recorded.type, data: recorded.data } as unknown as PartnershipEvent;
  const partnershipId = recorded.stream.slice(PARTNERSHIP_STREAM_PREFIX.length);
  const recordedAt = new Date(recorded.metadata.recordedAt);

  if (event.type === 'PartnershipProposed') {
    await insertProposal(partnershipId, event.data, recorded, manager);
    return;
  }

  const changes: Partial<PartnershipRow> = { revision: recorded.revision, updatedAt: recordedAt };
  switch (event.type) {
    case 'PartnershipApproved':
      Object.assign(changes, { status: 'approved', approval: event.data.decision });
      break;
    case 'MemorandumSigned':
      Object.assign(changes, { status: 'active', memorandum: event.data, areas: event.data.areas });
      break;
    case 'PartnershipActivityRecorded': {
      const { type, date, summary, participants, indicators, planned } = event.data;
      await manager.insert(PartnershipActivityRow, {
        partnershipId,
        revision: recorded.revision,
        type,
        date,
        summary,
        participants,
        indicators: indicators ?? null,
        planned: planned === true,
        recordedAt,
      });
      break;
    }
    case 'PartnershipTerminated':
      Object.assign(changes, { status: 'terminated', termination: event.data });
      break;
  }
  await manager.update(PartnershipRow, { id: partnershipId }, changes);
}

async function insertProposal(
  partnershipId: string,
  data: PartnershipProposedData,
  recorded: RecordedEvent,
  manager: EntityManager,
): Promise<void> {
  const recordedAt = new Date(recorded.metadata.recordedAt);
  await manager.insert(PartnershipRow, {
    id: partnershipId,
    kind: data.kind,
    status: 'proposed',
    parties: data.parties,
    programmeId: data.programmeId ?? null,
    areas: data.areas,
    term: data.term ?? null,
    channel: data.channel ?? null,
    approval: null,
    memorandum: null,
    termination: null,
    revision: recorded.revision,
    proposedPosition: recorded.position,
    proposedAt: recordedAt,
    updatedAt: recordedAt,
  });
  await manager.insert(
    PartnershipPartyRow,
    data.parties.map(({ partyId, role }) => ({ partnershipId, partyId, role })),
  );
}
