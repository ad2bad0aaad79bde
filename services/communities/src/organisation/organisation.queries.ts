import { Injectable } from '@nestjs/common';
import {
  ListOrganisationsParams,
  NotFoundError,
  OrganisationParams,
  type OrganisationKind,
  type Page,
  validateInput,
} from '@aid/contracts';
import { OrganisationRow } from '../read-model/registry.entities';
import { RegistryReadModel } from '../read-model/registry-read-model';
import { DEFAULT_PAGE_SIZE, decodeCursor, pageOf, tableOf } from '../read-model/query-support';
import { containsPattern } from '../read-model/search-text';

export interface OrganisationSummary {
  id: string;
  name: string;
  kind: OrganisationKind;
  countryCode?: string;
  iatiRef?: string;
  parentCommunityId?: string;
  revision: number;
}

export interface OrganisationDetail extends OrganisationSummary {
  registeredAt: string;
}

export function organisationSummaryOf(
  row: Pick<
    OrganisationRow,
    'id' | 'name' | 'kind' | 'countryCode' | 'iatiRef' | 'parentCommunityId' | 'revision'
  >,
): OrganisationSummary {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind,
    ...(row.countryCode !== null && { countryCode: row.countryCode }),
    ...(row.iatiRef !== null && { iatiRef: row.iatiRef }),
    ...(row.parentCommunityId !== null && { parentCommunityId: row.parentCommunityId }),
    revision: row.revision,
  };
}

interface OrganisationListRow {
  id: string;
  name: string;
  kind: OrganisationKind;
  country_code: string | null;
  iati_ref: string | null;
  parent_community_id: string | null;
  revision: number;
}

/** Queries of organisations, answered from the registry read model. */
@Injectable()
export class OrganisationQueries {
  constructor(private readonly readModel: RegistryReadModel) {}

  async list(payload: unknown): Promise<Page<OrganisationSummary>> {
    const params = validateInput(ListOrganisationsParams, payload);
    const limit = params.limit ?? DEFAULT_PAGE_SIZE;
    const after = params.after === undefined ? null : decodeCursor(params.after);
    const { dataSource, nameCollation: collation } = this.readModel;
    const rows = await dataSource.query<OrganisationListRow[]>(
      `SELECT id, name, kind, country_code, iati_ref, parent_community_id, revision
         FROM ${tableOf(dataSource, OrganisationRow)} o
        WHERE ($1::text IS NULL OR o.kind = $1)
          AND ($2::uuid IS NULL OR o.parent_community_id = $2)
          AND ($3::text IS NULL OR o.search_text LIKE $3)
          AND ($4::text IS NULL OR (o.name COLLATE ${collation}, o.id) > ($4 COLLATE ${collation}, $5::uuid))
          AND ($7::uuid[] IS NULL OR o.parent_community_id IS NULL OR o.parent_community_id = ANY($7::uuid[]))
        ORDER BY o.name COLLATE ${collation}, o.id
        LIMIT $6`,
      [
        params.kind ?? null,
        params.parentCommunityId ?? null,
        params.q === undefined ? null : containsPattern(params.q),
        after?.name ?? null,
        after?.id ?? null,
        limit + 1,
        // A partner key's scope (set by the gateway): organisations inside no community, or inside its own.
        params.scopeCommunityIds ?? null,
      ],
    );
    return pageOf(
      rows,
      limit,
      (row) =>
        organisationSummaryOf({
          id: row.id,
          name: row.name,
          kind: row.kind,
          countryCode: row.country_code,
          iatiRef: row.iati_ref,
          parentCommunityId: row.parent_community_id,
          revision: row.revision,
        }),
      (row) => ({ name: row.name, id: row.id }),
    );
  }

  async get(payload: unknown): Promise<OrganisationDetail> {
    const { id } = validateInput(OrganisationParams, payload);
    const row = await this.readModel.dataSource.getRepository(OrganisationRow).findOneBy({ id });
    if (row === null) throw new NotFoundError(`organisation ${id} is not registered`);
    return { ...organisationSummaryOf(row), registeredAt: row.registeredAt.toISOString() };
  }
}
