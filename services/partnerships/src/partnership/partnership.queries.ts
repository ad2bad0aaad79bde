import { Injectable } from '@nestjs/common';
import { isUUID } from 'class-validator';
import {
  GetPartnershipParams,
  ListPartnershipsParams,
  NotFoundError,
  PARTNERSHIPS_DEFAULT_PAGE_SIZE,
  PARTNERSHIPS_MAX_PAGE_SIZE,
  validateInput,
  ValidationError,
  type CooperationArea,
  type MemorandumSignedData,
  type Page,
  type PartnershipActivityType,
  type PartnershipChannel,
  type PartnershipDecisionData,
  type PartnershipKind,
  type PartnershipPartyData,
  type PartnershipStatus,
  type PartnershipTermData,
  type PartnershipTerminatedData,
  type QueryRequest,
  type RequestActor,
} from '@aid/contracts';
import { type SelectQueryBuilder } from 'typeorm';
import { PartiesReadModel } from '../parties/parties.read-model';
import { PartnershipsReadModel } from './partnerships.read-model';
import {
  PartnershipActivityRow,
  PartnershipPartyRow,
  PartnershipRow,
} from './partnership.read-model.entities';
import { requestMeta } from './request-meta';

export const DEFAULT_PAGE_SIZE = PARTNERSHIPS_DEFAULT_PAGE_SIZE;
export const MAX_PAGE_SIZE = PARTNERSHIPS_MAX_PAGE_SIZE;

export interface PartnershipView {
  id: string;
  kind: PartnershipKind;
  status: PartnershipStatus;
  parties: PartnershipPartyData[];
  programmeId?: string;
  areas: CooperationArea[];
  term?: PartnershipTermData;
  channel?: PartnershipChannel;
  approval?: PartnershipDecisionData;
  memorandum?: MemorandumSignedData;
  termination?: PartnershipTerminatedData;
  revision: number;
  proposedAt: string;
  updatedAt: string;
}

export interface PartnershipActivityView {
  /** The activity's revision in the partnership's stream. */
  revision: number;
  type: PartnershipActivityType;
  date: string;
  summary: string;
  participants: string[];
  indicators?: Record<string, number>;
  planned: boolean;
  recordedAt: string;
}

export interface PartnershipDetails extends PartnershipView {
  /** In the order they were recorded. */
  activities: PartnershipActivityView[];
}

/**
 * Answers from the partnerships read model, which lags the event store by the projection delay.
 * A partner key sees only the partnerships of its communities (directly or through their
 * organisations); any other partnership does not exist for it.
 */
@Injectable()
export class PartnershipQueries {
  constructor(
    private readonly readModel: PartnershipsReadModel,
    private readonly parties: PartiesReadModel,
  ) {}

  async list(request: QueryRequest): Promise<Page<PartnershipView>> {
    const { actor } = requestMeta(request?.meta);
    const params = validateInput(ListPartnershipsParams, request?.params ?? {});
    const limit = params.limit ?? DEFAULT_PAGE_SIZE;

    const query = this.readModel.dataSource.getRepository(PartnershipRow).createQueryBuilder('partnership');
    if (params.status !== undefined)
      query.andWhere('partnership.status = :status', { status: params.status });
    if (params.kind !== undefined) query.andWhere('partnership.kind = :kind', { kind: params.kind });
    if (params.communityId !== undefined) {
      withPartyAmong(query, 'community', await this.parties.partiesWithin([params.communityId]));
    }
    const scope = await this.partnerScope(actor);
    if (scope !== null) withPartyAmong(query, 'scope', scope);
    if (params.cursor !== undefined) {
      query.andWhere('partnership.proposedPosition < :before', { before: decodeCursor(params.cursor) });
    }
    // Newest proposals first; the proposal's global position is unique, so pages never overlap.
    const rows = await query
      .orderBy('partnership.proposedPosition', 'DESC')
      .limit(limit + 1)
      .getMany();

    const items = rows.slice(0, limit).map(toView);
    const last = rows.length > limit ? rows[limit - 1] : undefined;
    return last === undefined ? { items } : { items, next: encodeCursor(last.proposedPosition) };
  }

  async get(request: QueryRequest): Promise<PartnershipDetails> {
    const { actor } = requestMeta(request?.meta);
    const { id } = validateInput(GetPartnershipParams, request?.params ?? {});
    const manager = this.readModel.dataSource.manager;
    const row = await manager.findOneBy(PartnershipRow, { id });
    const scope = await this.partnerScope(actor);
    const visible =
      row !== null && (scope === null || row.parties.some(({ partyId }) => scope.includes(partyId)));
    if (!visible) throw new NotFoundError(`partnership ${id} does not exist`);
    const activities = await manager.find(PartnershipActivityRow, {
      where: { partnershipId: id },
      order: { revision: 'ASC' },
    });
    return { ...toView(row), activities: activities.map(toActivityView) };
  }

  /** The parties a partner key may see partnerships of; null for every other role (no limit). */
  private async partnerScope(actor: RequestActor): Promise<string[] | null> {
    if (actor.role !== 'partner') return null;
    // Anything but a community id names no community, so it widens nothing.
    return this.parties.partiesWithin((actor.communityIds ?? []).filter((id) => isUUID(id)));
  }
}

/** Keeps the partnerships with at least one of these parties (none at all for an empty list). */
function withPartyAmong(query: SelectQueryBuilder<PartnershipRow>, label: string, partyIds: string[]): void {
  if (partyIds.length === 0) {
    query.andWhere('1 = 0');
    return;
  }
  const parties = query
    .subQuery()
    .select('1')
    .from(PartnershipPartyRow, label)
    .where(`${label}.partnershipId = partnership.id`)
    .andWhere(`${label}.partyId IN (:...${label}PartyIds)`)
    .getQuery();
  query.andWhere(`EXISTS ${parties}`, { [`${label}PartyIds`]: partyIds });
}

/** Opaque to callers, so the order behind it may change without breaking them. */
function encodeCursor(proposedPosition: number): string {
  return Buffer.from(`p:${proposedPosition}`).toString('base64url');
}

function decodeCursor(cursor: string): number {
  const match = /^p:(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString());
  if (match === null) {
    const message = 'is not the next cursor of an earlier page';
    throw new ValidationError(`cursor ${message}`, [{ field: 'cursor', message }]);
  }
  return Number(match[1]);
}

function toView(row: PartnershipRow): PartnershipView {
  return {
    id: row.id,
    kind: row.kind,
    status: row.status,
    parties: row.parties,
    ...(row.programmeId !== null && { programmeId: row.programmeId }),
    areas: row.areas,
    ...(row.term !== null && { term: row.term }),
    ...(row.channel !== null && { channel: row.channel }),
    ...(row.approval !== null && { approval: row.approval }),
    ...(row.memorandum !== null && { memorandum: row.memorandum }),
    ...(row.termination !== null && { termination: row.termination }),
    revision: row.revision,
    proposedAt: row.proposedAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

function toActivityView(row: PartnershipActivityRow): PartnershipActivityView {
  return {
    revision: row.revision,
    type: row.type,
    date: row.date,
    summary: row.summary,
    participants: row.participants,
    ...(row.indicators !== null && { indicators: row.indicators }),
    planned: row.planned,
    recordedAt: row.recordedAt.toISOString(),
  };
}
