import { Injectable } from '@nestjs/common';
import {
  type CommunityKind,
  CommunityParams,
  type CommunityStatusOnDate,
  type FrontlineStatus,
  ListCommunitiesParams,
  NotFoundError,
  type Page,
  type Settlement,
  StatusOnParams,
  validateInput,
} from '@aid/contracts';
import { type OrganisationSummary, organisationSummaryOf } from '../organisation/organisation.queries';
import {
  CommunityRow,
  FrontlineChangeRow,
  HostilitiesPeriodRow,
  OrganisationRow,
  SettlementRow,
} from '../read-model/registry.entities';
import { RegistryReadModel } from '../read-model/registry-read-model';
import {
  DEFAULT_PAGE_SIZE,
  decodeCursor,
  pageOf,
  tableOf,
  todayInUkraine,
} from '../read-model/query-support';
import { containsPattern } from '../read-model/search-text';
import { type FrontlineChange, type HostilitiesPeriod, statusOnDate } from './status-on-date';

export interface FrontlineInEffect {
  status: FrontlineStatus;
  effectiveFrom: string;
  basis?: string;
}

export interface CommunitySummary {
  id: string;
  kind: CommunityKind;
  name: { uk: string; en?: string };
  countryCode: string;
  oblast?: string;
  katottg?: string;
  /** The frontline status in effect today, or null when none has been recorded. */
  status: FrontlineStatus | null;
  revision: number;
}

export interface CommunityDetail extends CommunitySummary {
  frontline: FrontlineInEffect | null;
  registeredAt: string;
  settlements: Settlement[];
  organisations: OrganisationSummary[];
}

interface CommunityListRow {
  id: string;
  kind: CommunityKind;
  name_uk: string;
  name_en: string | null;
  country_code: string;
  oblast: string | null;
  katottg: string | null;
  revision: number;
  registered_at: Date;
  status: FrontlineStatus | null;
  effective_from: string | null;
  basis: string | null;
}

function summaryOf(row: CommunityListRow): CommunitySummary {
  return {
    id: row.id,
    kind: row.kind,
    name: row.name_en === null ? { uk: row.name_uk } : { uk: row.name_uk, en: row.name_en },
    countryCode: row.country_code,
    ...(row.oblast !== null && { oblast: row.oblast }),
    ...(row.katottg !== null && { katottg: row.katottg }),
    status: row.status,
    revision: row.revision,
  };
}

/** Queries of communities, answered from the registry read model. */
@Injectable()
export class CommunityQueries {
  constructor(private readonly readModel: RegistryReadModel) {}

  async list(payload: unknown): Promise<Page<CommunitySummary>> {
    const params = validateInput(ListCommunitiesParams, payload);
    const limit = params.limit ?? DEFAULT_PAGE_SIZE;
    const after = params.after === undefined ? null : decodeCursor(params.after);
    const collation = this.readModel.nameCollation;
    const rows = await this.selectCommunities(
      `WHERE ($2::text IS NULL OR c.oblast = $2)
         AND ($3::text IS NULL OR c.kind = $3)
         AND ($4::text IS NULL OR c.search_text LIKE $4)
         AND ($5::text IS NULL OR f.status = $5)
         AND ($6::text IS NULL OR (c.name_uk COLLATE ${collation}, c.id) > ($6 COLLATE ${collation}, $7::uuid))
         AND ($9::uuid[] IS NULL OR c.id = ANY($9::uuid[]))
       ORDER BY c.name_uk COLLATE ${collation}, c.id
       LIMIT $8`,
      [
        params.oblast ?? null,
        params.kind ?? null,
        params.q === undefined ? null : containsPattern(params.q),
        params.status ?? null,
        after?.name ?? null,
        after?.id ?? null,
        limit + 1,
        // A partner key's scope (set by the gateway): only its communities.
        params.scopeCommunityIds ?? null,
      ],
    );
    return pageOf(rows, limit, summaryOf, (row) => ({ name: row.name_uk, id: row.id }));
  }

  async get(payload: unknown): Promise<CommunityDetail> {
    const { id } = validateInput(CommunityParams, payload);
    const [row] = await this.selectCommunities('WHERE c.id = $2', [id]);
    if (row === undefined) throw new NotFoundError(`community ${id} is not registered`);
    const dataSource = this.readModel.dataSource;
    const [settlements, organisations] = await Promise.all([
      dataSource.query<Settlement[]>(
        `SELECT katottg, name, category FROM ${tableOf(dataSource, SettlementRow)}
         WHERE community_id = $1 ORDER BY katottg`,
        [id],
      ),
      dataSource
        .getRepository(OrganisationRow)
        .createQueryBuilder('o')
        .where('o.parent_community_id = :id', { id })
        .orderBy(`o.name COLLATE ${this.readModel.nameCollation}`)
        .getMany(),
    ]);
    return {
      ...summaryOf(row),
      frontline:
        row.status === null || row.effective_from === null
          ? null
          : {
              status: row.status,
              effectiveFrom: row.effective_from,
              ...(row.basis !== null && { basis: row.basis }),
            },
      registeredAt: row.registered_at.toISOString(),
      settlements,
      organisations: organisations.map(organisationSummaryOf),
    };
  }

  /**
   * The community's status on a day, from every frontline change and the hostilities periods
   * that may cover the day, in one round trip; statusOnDate applies the rules.
   */
  async statusOn(payload: unknown): Promise<CommunityStatusOnDate> {
    const { communityId, date = todayInUkraine() } = validateInput(StatusOnParams, payload);
    const dataSource = this.readModel.dataSource;
    const rows = await dataSource.query<{ frontline: FrontlineChange[]; periods: HostilitiesPeriod[] }[]>(
      `SELECT
         (SELECT coalesce(json_agg(json_strip_nulls(json_build_object(
                   'status', f.status, 'effectiveFrom', f.effective_from::text, 'basis', f.basis))
                 ORDER BY f.revision), '[]')
            FROM ${tableOf(dataSource, FrontlineChangeRow)} f
           WHERE f.community_id = c.id AND f.effective_from <= $2::date) AS frontline,
         (SELECT coalesce(json_agg(json_strip_nulls(json_build_object(
                   'category', p.category, 'start', p.start::text, 'end', p."end"::text,
                   'partial', p.partial, 'areaKatottg', p.area_katottg))), '[]')
            FROM ${tableOf(dataSource, HostilitiesPeriodRow)} p
           WHERE p.community_id = c.id AND p.start <= $2::date
             AND (p."end" IS NULL OR p."end" >= $2::date)) AS periods
       FROM ${tableOf(dataSource, CommunityRow)} c
       WHERE c.id = $1`,
      [communityId, date],
    );
    if (rows.length === 0) throw new NotFoundError(`community ${communityId} is not registered`);
    // The SQL only narrows the rows down; statusOnDate decides (a period ending on the day does
    // not cover it, unless it is a one-day period).
    return statusOnDate({ frontlineChanges: rows[0].frontline, hostilitiesPeriods: rows[0].periods }, date);
  }

  /** Communities with the frontline change in effect today (the latest effective, then recorded). */
  private selectCommunities(where: string, parameters: unknown[]): Promise<CommunityListRow[]> {
    const dataSource = this.readModel.dataSource;
    return dataSource.query<CommunityListRow[]>(
      `SELECT c.id, c.kind, c.name_uk, c.name_en, c.country_code, c.oblast, c.katottg, c.revision,
              c.registered_at, f.status, f.effective_from::text AS effective_from, f.basis
         FROM ${tableOf(dataSource, CommunityRow)} c
         LEFT JOIN LATERAL (
           SELECT fc.status, fc.effective_from, fc.basis
             FROM ${tableOf(dataSource, FrontlineChangeRow)} fc
            WHERE fc.community_id = c.id AND fc.effective_from <= $1::date
            ORDER BY fc.effective_from DESC, fc.revision DESC
            LIMIT 1) f ON true
       ${where}`,
      [todayInUkraine(), ...parameters],
    );
  }
}
