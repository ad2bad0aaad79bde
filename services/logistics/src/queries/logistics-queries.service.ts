import { Injectable } from '@nestjs/common';
import {
  NotFoundError,
  ValidationError,
  validateInput,
  type Page,
  type QueryRequest,
  type RequestActor,
} from '@aid/contracts';
import type { SelectQueryBuilder } from 'typeorm';
import { ShipmentRecord, TonnageLineRecord } from '../read-model/read-model.entities';
import { ShipmentsReadModel } from '../read-model/shipments-read-model.service';
import { ReferencesService } from '../references/references.service';
import { gramsToKg } from '../shipment/weight';
import type { TonnageDimension } from '../tonnage/tonnage';
import { cursorAfter, positionBefore } from './page-cursor';
import {
  DEFAULT_PAGE_SIZE,
  ShipmentQueryParams,
  ShipmentsQueryParams,
  ShortfallsQueryParams,
  TonnageQueryParams,
  type PagedFilterParams,
  type ShipmentFilterParams,
} from './query-params';
import { sentPeriod } from './sent-period';
import {
  shipmentView,
  shortfallView,
  type ShipmentView,
  type ShortfallView,
  type TonnageAnswer,
  type TonnageFigures,
  type TonnageRowView,
} from './views';

/** The tonnage line column each grouping sums by. */
const GROUP_COLUMN: Record<TonnageDimension, keyof TonnageLineRecord> = {
  destination: 'destination',
  origin: 'origin',
  partnership: 'partnership',
  month: 'month',
  category: 'category',
};

interface SummedRow {
  key?: string | null;
  shipments: string;
  dispatched: string | null;
  received: string | null;
  inTransit: string | null;
  shortfall: string | null;
}

/** A SQL sum of bigint grams arrives as numeric text: exact, and converted only while exact. */
function kgOfSum(sum: string | null): number {
  const grams = Number(sum ?? 0);
  if (!Number.isSafeInteger(grams)) throw new RangeError(`sum of grams ${sum} is beyond 2^53`);
  return gramsToKg(grams);
}

function figuresOf(row: SummedRow): TonnageFigures {
  return {
    shipments: Number(row.shipments),
    dispatchedKg: kgOfSum(row.dispatched),
    receivedKg: kgOfSum(row.received),
    inTransitKg: kgOfSum(row.inTransit),
    shortfallKg: kgOfSum(row.shortfall),
  };
}

function actorOf(request: unknown): RequestActor {
  const actor = (request as Partial<QueryRequest> | null)?.meta?.actor;
  if (
    typeof actor !== 'object' ||
    actor === null ||
    typeof actor.id !== 'string' ||
    typeof actor.role !== 'string'
  ) {
    throw new ValidationError('meta.actor must be {id, role} of the caller', [
      { field: 'meta.actor', message: 'must be {id, role} of the caller' },
    ]);
  }
  return actor;
}

/**
 * A partner key sees only the shipments to its communities (DESIGN: partner keys are scoped to
 * listed communities); the gateway checks too, and this keeps a mistake there from leaking.
 * Null: no restriction.
 */
function visibleDestinations(actor: RequestActor): string[] | null {
  return actor.role === 'partner' ? (actor.communityIds ?? []) : null;
}

function paramsOf(request: unknown): unknown {
  return (request as Partial<QueryRequest> | null)?.params ?? {};
}

@Injectable()
export class LogisticsQueries {
  constructor(
    private readonly readModel: ShipmentsReadModel,
    private readonly references: ReferencesService,
  ) {}

  async shipment(request: QueryRequest): Promise<ShipmentView> {
    const actor = actorOf(request);
    const { id } = validateInput(ShipmentQueryParams, paramsOf(request));
    const record = await this.readModel.dataSource
      .getRepository(ShipmentRecord)
      .findOneBy({ shipmentId: id });
    const visible = visibleDestinations(actor);
    // Out of a partner's scope reads as unknown, so its existence is not revealed either.
    if (!record || (visible && !visible.includes(record.destinationCommunityId))) {
      throw new NotFoundError(`shipment ${id} not found`);
    }
    return shipmentView(record);
  }

  async shipments(request: QueryRequest): Promise<Page<ShipmentView>> {
    const actor = actorOf(request);
    const params = validateInput(ShipmentsQueryParams, paramsOf(request));
    const query = this.filteredShipments(params, actor);
    if (params.status !== undefined) query.andWhere('s.status = :status', { status: params.status });
    return this.page(query, params, shipmentView);
  }

  async shortfalls(request: QueryRequest): Promise<Page<ShortfallView>> {
    const actor = actorOf(request);
    const params = validateInput(ShortfallsQueryParams, paramsOf(request));
    const query = this.filteredShipments(params, actor).andWhere('s.shortfallGrams > 0');
    return this.page(query, params, shortfallView);
  }

  async tonnage(request: QueryRequest): Promise<TonnageAnswer> {
    const actor = actorOf(request);
    const params = validateInput(TonnageQueryParams, paramsOf(request));
    const column = `t.${GROUP_COLUMN[params.groupBy]}`;
    const grouped = await this.filteredLines(params, actor)
      .addSelect(column, 'key')
      .groupBy(column)
      .orderBy(column, 'ASC', 'NULLS LAST')
      .getRawMany<SummedRow>();
    const [totals] = await this.filteredLines(params, actor).getRawMany<SummedRow>();
    const labels = await this.labels(
      params.groupBy,
      grouped.map((row) => row.key ?? null),
    );
    const items: TonnageRowView[] = grouped.map((row) => ({
      key: row.key ?? null,
      label: labels(row.key ?? null),
      ...figuresOf(row),
    }));
    return {
      groupBy: params.groupBy,
      from: params.from ?? null,
      to: params.to ?? null,
      items,
      totals: figuresOf(totals),
    };
  }

  /** Sums of the tonnage lines that pass the filters; the caller adds the grouping. */
  private filteredLines(
    params: ShipmentFilterParams,
    actor: RequestActor,
  ): SelectQueryBuilder<TonnageLineRecord> {
    const query = this.readModel.dataSource
      .getRepository(TonnageLineRecord)
      .createQueryBuilder('t')
      .select('COUNT(DISTINCT t.shipmentId)', 'shipments')
      .addSelect('SUM(t.dispatchedGrams)', 'dispatched')
      .addSelect('SUM(t.receivedGrams)', 'received')
      .addSelect('SUM(t.inTransitGrams)', 'inTransit')
      .addSelect('SUM(t.shortfallGrams)', 'shortfall');
    return applyFilters(query, 't', params, actor, {
      destination: 'destination',
      origin: 'origin',
      partnership: 'partnership',
    });
  }

  private filteredShipments(
    params: ShipmentFilterParams,
    actor: RequestActor,
  ): SelectQueryBuilder<ShipmentRecord> {
    const query = this.readModel.dataSource.getRepository(ShipmentRecord).createQueryBuilder('s');
    return applyFilters(query, 's', params, actor, {
      destination: 'destinationCommunityId',
      origin: 'originPartyId',
      partnership: 'partnershipId',
    });
  }

  private async page<T>(
    query: SelectQueryBuilder<ShipmentRecord>,
    params: PagedFilterParams,
    view: (record: ShipmentRecord) => T,
  ): Promise<Page<T>> {
    const limit = params.limit ?? DEFAULT_PAGE_SIZE;
    if (params.cursor !== undefined) {
      query.andWhere('s.plannedPosition < :before', { before: positionBefore(params.cursor) });
    }
    const records = await query
      .orderBy('s.plannedPosition', 'DESC')
      .limit(limit + 1)
      .getMany();
    const items = records.slice(0, limit);
    return records.length > limit
      ? { items: items.map(view), next: cursorAfter(items[items.length - 1].plannedPosition) }
      : { items: items.map(view) };
  }

  /** Names for the rows: communities and partners by name, months and categories as they are. */
  private async labels(
    groupBy: TonnageDimension,
    keys: (string | null)[],
  ): Promise<(key: string | null) => string> {
    const ids = keys.filter((key): key is string => key !== null);
    const names =
      groupBy === 'destination' || groupBy === 'origin'
        ? await this.references.partyNames(ids)
        : groupBy === 'partnership'
          ? await this.references.partnershipNames(ids)
          : new Map<string, string>();
    return (key) => (key === null ? 'no partnership' : (names.get(key) ?? key));
  }
}

/** The filters lists and tonnage share, on the columns each table names them by. */
function applyFilters<T extends object>(
  query: SelectQueryBuilder<T>,
  alias: string,
  params: ShipmentFilterParams,
  actor: RequestActor,
  columns: { destination: string; origin: string; partnership: string },
): SelectQueryBuilder<T> {
  const period = sentPeriod(params);
  query.where('TRUE');
  if (params.destinationCommunityId !== undefined) {
    query.andWhere(`${alias}.${columns.destination} = :destination`, {
      destination: params.destinationCommunityId,
    });
  }
  if (params.originPartyId !== undefined) {
    query.andWhere(`${alias}.${columns.origin} = :origin`, { origin: params.originPartyId });
  }
  if (params.partnershipId !== undefined) {
    query.andWhere(`${alias}.${columns.partnership} = :partnership`, { partnership: params.partnershipId });
  }
  if (period.from) query.andWhere(`${alias}.sentAt >= :from`, { from: period.from });
  if (period.until) query.andWhere(`${alias}.sentAt < :until`, { until: period.until });
  const visible = visibleDestinations(actor);
  if (visible) {
    // ANY of an empty array matches nothing, where IN () would be a syntax error.
    query.andWhere(`${alias}.${columns.destination} = ANY(CAST(:visible AS uuid[]))`, { visible });
  }
  return query;
}
