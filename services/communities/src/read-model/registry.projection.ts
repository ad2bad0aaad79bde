import {
  COMMUNITIES_EVENT_TYPES,
  COMMUNITY_STREAM_PREFIX,
  type CommunitiesEvent,
  type CommunityRegisteredData,
  type FrontlineStatusChangedData,
  type HostilitiesPeriodRecordedData,
  ORGANISATION_STREAM_PREFIX,
  type OrganisationRegisteredData,
} from '@aid/contracts';
import { type RecordedEvent } from '@aid/event-store';
import { type Projection } from '@aid/projections';
import { type EntityManager } from 'typeorm';
import {
  CommunityRow,
  FrontlineChangeRow,
  HostilitiesPeriodRow,
  OrganisationRow,
  REGISTRY_ENTITIES,
  SettlementRow,
} from './registry.entities';
import { tableOf } from './query-support';
import { searchTextOf } from './search-text';

export const REGISTRY_PROJECTION_NAME = 'communities';

/*
 * Plain SQL, one statement per event (a data-modifying WITH where an event touches two tables):
 * rebuilding the read model replays every event of the registry, 5,358 of them after the official
 * imports, and a round trip or an entity mapping per row would make that a matter of minutes.
 */

async function registerCommunity(
  manager: EntityManager,
  data: CommunityRegisteredData,
  event: RecordedEvent,
): Promise<void> {
  const settlements = data.settlements ?? [];
  await manager.query(
    `WITH community AS (
       INSERT INTO ${tableOf(manager.dataSource, CommunityRow)}
         (id, kind, name_uk, name_en, search_text, country_code, oblast, katottg, revision, registered_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10))
     INSERT INTO ${tableOf(manager.dataSource, SettlementRow)} (community_id, katottg, name, category)
     SELECT $1, * FROM unnest($11::text[], $12::text[], $13::text[])`,
    [
      data.communityId,
      data.kind,
      data.name.uk,
      data.name.en ?? null,
      searchTextOf(data.name, data.katottg),
      data.countryCode,
      data.oblast ?? null,
      data.katottg ?? null,
      event.revision,
      event.metadata.recordedAt,
      settlements.map((settlement) => settlement.katottg),
      settlements.map((settlement) => settlement.name),
      settlements.map((settlement) => settlement.category),
    ],
  );
}

async function changeFrontlineStatus(
  manager: EntityManager,
  data: FrontlineStatusChangedData,
  event: RecordedEvent,
): Promise<void> {
  await manager.query(
    `WITH change AS (
       INSERT INTO ${tableOf(manager.dataSource, FrontlineChangeRow)}
         (community_id, revision, status, effective_from, basis)
       VALUES ($1, $2, $3, $4, $5))
     UPDATE ${tableOf(manager.dataSource, CommunityRow)} SET revision = $2 WHERE id = $1`,
    [data.communityId, event.revision, data.status, data.effectiveFrom, data.basis ?? null],
  );
}

async function recordHostilitiesPeriod(
  manager: EntityManager,
  data: HostilitiesPeriodRecordedData,
  event: RecordedEvent,
): Promise<void> {
  // The same period recorded again (a later edition of the list) replaces the row: the decider
  // knows a period by community, category, area and start too.
  await manager.query(
    `WITH period AS (
       INSERT INTO ${tableOf(manager.dataSource, HostilitiesPeriodRow)}
         (community_id, category, area_katottg, start, "end", partial, area_name, source, revision)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (community_id, category, area_katottg, start) DO UPDATE
         SET "end" = EXCLUDED."end", partial = EXCLUDED.partial, area_name = EXCLUDED.area_name,
             source = EXCLUDED.source, revision = EXCLUDED.revision)
     UPDATE ${tableOf(manager.dataSource, CommunityRow)} SET revision = $9 WHERE id = $1`,
    [
      data.communityId,
      data.category,
      data.areaKatottg,
      data.start,
      data.end ?? null,
      data.partial,
      data.areaName ?? null,
      data.source,
      event.revision,
    ],
  );
}

async function registerOrganisation(
  manager: EntityManager,
  data: OrganisationRegisteredData,
  event: RecordedEvent,
): Promise<void> {
  await manager.query(
    `INSERT INTO ${tableOf(manager.dataSource, OrganisationRow)}
       (id, name, search_text, kind, country_code, iati_ref, parent_community_id, revision, registered_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [
      data.organisationId,
      data.name,
      searchTextOf({ uk: data.name }),
      data.kind,
      data.countryCode ?? null,
      data.iatiRef ?? null,
      data.parentCommunityId ?? null,
      event.revision,
      event.metadata.recordedAt,
    ],
  );
}

async function apply(manager: EntityManager, event: RecordedEvent): Promise<void> {
  const domainEvent = { type: event.type, data: event.data } as unknown as CommunitiesEvent;
  switch (domainEvent.type) {
    case 'CommunityRegistered':
      return registerCommunity(manager, domainEvent.data, event);
    case 'FrontlineStatusChanged':
      return changeFrontlineStatus(manager, domainEvent.data, event);
    case 'HostilitiesPeriodRecorded':
      return recordHostilitiesPeriod(manager, domainEvent.data, event);
    case 'OrganisationRegistered':
      return registerOrganisation(manager, domainEvent.data, event);
  }
}

/** Communities with their settlements, frontline changes and hostilities periods; organisations. */
export const registryProjection: Projection = {
  name: REGISTRY_PROJECTION_NAME,
  entities: REGISTRY_ENTITIES,
  filter: {
    streamPrefixes: [COMMUNITY_STREAM_PREFIX, ORGANISATION_STREAM_PREFIX],
    types: [...COMMUNITIES_EVENT_TYPES],
  },
  handle: (event, { manager }) => apply(manager, event),
};
