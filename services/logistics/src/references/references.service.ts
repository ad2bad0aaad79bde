import { Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { PlanShipment } from '@aid/contracts';
import { ConsumedReadModel, ServiceContext } from '@aid/messaging';
import { DataSource, In } from 'typeorm';
import type { PlanShipmentContext } from '../shipment/shipment.commands';
import { applyReferenceEvent } from './reference-events';
import {
  REFERENCE_ENTITIES,
  ReferenceCommunity,
  type ReferenceParty,
  ReferenceOrganisation,
  ReferencePartnership,
} from './reference.entities';

export const REFERENCES_SCHEMA = 'logistics_references';
/** Every event of the communities and partnerships contexts (the audit rebuilds the same ones). */
export const REFERENCES_SUBJECTS = ['aid.communities.>', 'aid.partnerships.>'];

/**
 * JetStream delivers another service's event within milliseconds, not instantly: a community
 * registered (or a memorandum signed) a moment before a plan may not be applied yet. Before a
 * plan is refused for what the references say, they are caught up with what the stream already
 * holds, for at most this long (well inside a caller's 5 s request timeout).
 */
const CATCH_UP_BEFORE_REFUSING_MS = 3000;

/**
 * The references read model: communities, organisations and partnerships, consumed from
 * JetStream (AID_EVENTS) by a durable consumer into this service's own tables.
 */
@Injectable()
export class ReferencesService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly readModel: ConsumedReadModel;

  constructor(private readonly service: ServiceContext) {
    this.readModel = new ConsumedReadModel(service, {
      name: REFERENCES_SCHEMA,
      entities: REFERENCE_ENTITIES,
      filterSubjects: REFERENCES_SUBJECTS,
      handle: applyReferenceEvent,
    });
  }

  private get dataSource(): DataSource {
    return this.readModel.dataSource;
  }

  onApplicationBootstrap(): Promise<void> {
    return this.readModel.start();
  }

  onModuleDestroy(): Promise<void> {
    return this.readModel.stop();
  }

  /** Resolves once every reference event already in JetStream is applied. */
  caughtUp(timeoutMs?: number): Promise<void> {
    return this.readModel.caughtUp(timeoutMs);
  }

  /** What PlanShipment needs to know from the other contexts, for the pure decider. */
  async planContext(
    plan: Pick<PlanShipment, 'destinationCommunityId' | 'partnershipId'>,
  ): Promise<PlanShipmentContext> {
    const known = await this.lookUp(plan);
    if (!wouldBeRefused(known, plan)) return known;
    try {
      await this.caughtUp(CATCH_UP_BEFORE_REFUSING_MS);
    } catch (error) {
      // Refusing on what we know is right when JetStream is slow; a caller can retry.
      this.service.logger.warn({ err: error }, 'references not caught up before refusing a plan');
    }
    return this.lookUp(plan);
  }

  /** Display names of communities and organisations by id; ids not known are left out. */
  async partyNames(ids: string[]): Promise<Map<string, string>> {
    const names = new Map<string, string>();
    if (ids.length === 0) return names;
    const [communities, organisations] = await Promise.all([
      this.dataSource.getRepository(ReferenceCommunity).findBy({ communityId: In(ids) }),
      this.dataSource.getRepository(ReferenceOrganisation).findBy({ organisationId: In(ids) }),
    ]);
    for (const organisation of organisations) names.set(organisation.organisationId, organisation.name);
    for (const community of communities)
      names.set(community.communityId, community.nameEn ?? community.nameUk);
    return names;
  }

  /** A partnership is named by its parties, e.g. "Rawicz – Zhytomyr". */
  async partnershipNames(ids: string[]): Promise<Map<string, string>> {
    const labels = new Map<string, string>();
    if (ids.length === 0) return labels;
    const partnerships = await this.dataSource
      .getRepository(ReferencePartnership)
      .findBy({ partnershipId: In(ids) });
    const names = await this.partyNames(partnerships.flatMap((p) => p.parties.map((party) => party.partyId)));
    for (const { partnershipId, parties } of partnerships) {
      labels.set(partnershipId, parties.map(({ partyId }) => names.get(partyId) ?? partyId).join(' – '));
    }
    return labels;
  }

  /**
   * One round trip, on every plan: the destination's kind, the partnership's status and parties,
   * and the communities that organisation parties belong to (Ochakiv's centre for social
   * services brings Ochakiv in).
   */
  private async lookUp(
    plan: Pick<PlanShipment, 'destinationCommunityId' | 'partnershipId'>,
  ): Promise<PlanShipmentContext> {
    const [row] = await this.dataSource.query<PlanLookupRow[]>(
      `SELECT
         (SELECT kind FROM ${REFERENCES_SCHEMA}.communities WHERE community_id = $1) AS destination_kind,
         p.status,
         p.parties,
         (SELECT coalesce(array_agg(o.parent_community_id::text), '{}')
            FROM ${REFERENCES_SCHEMA}.organisations o
           WHERE o.parent_community_id IS NOT NULL
             AND o.organisation_id::text IN (SELECT party ->> 'partyId' FROM jsonb_array_elements(p.parties) party)
         ) AS parents
       FROM (SELECT 1) AS one
       LEFT JOIN ${REFERENCES_SCHEMA}.partnerships p ON p.partnership_id = $2`,
      [plan.destinationCommunityId, plan.partnershipId ?? null],
    );
    const context: PlanShipmentContext = {
      destination: row.destination_kind
        ? { registered: true, kind: row.destination_kind }
        : { registered: false },
    };
    if (plan.partnershipId === undefined) return context;
    if (row.status === null) return { ...context, partnership: null };
    const partyIds = row.parties.map(({ partyId }) => partyId);
    return {
      ...context,
      partnership: { status: row.status, partyIds: [...new Set([...partyIds, ...row.parents])] },
    };
  }

  /** Read models are disposable, so synchronize makes the tables; the lock keeps replicas from racing. */
}

interface PlanLookupRow {
  destination_kind: ReferenceCommunity['kind'] | null;
  status: ReferencePartnership['status'] | null;
  parties: ReferenceParty[];
  parents: string[];
}

/** Whether the decider would refuse the plan for what the references say (see decide's plan). */
function wouldBeRefused(
  context: PlanShipmentContext,
  plan: Pick<PlanShipment, 'destinationCommunityId' | 'partnershipId'>,
): boolean {
  if (!context.destination.registered || context.destination.kind !== 'hromada') return true;
  if (plan.partnershipId === undefined) return false;
  const partnership = context.partnership;
  return (
    !partnership ||
    partnership.status !== 'active' ||
    !partnership.partyIds.includes(plan.destinationCommunityId)
  );
}
