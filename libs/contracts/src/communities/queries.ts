import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Max,
  Min,
} from 'class-validator';
import { IsIsoDate } from './commands';
import {
  COMMUNITY_KINDS,
  FRONTLINE_STATUSES,
  ORGANISATION_KINDS,
  type CommunityKind,
  type FrontlineStatus,
  type OrganisationKind,
} from './events';
import { ISO_3166_2_UA_CODES } from './katottg';

/*
 * Parameters of the communities service's queries. The `...Query` classes are what an HTTP client
 * may send (the gateway validates the query string with them); the `...Params` classes are what
 * the gateway sends on to the service, which validates them again. Values may arrive as strings
 * (a query string): `limit` is converted to a number.
 */

export const REGISTRY_DEFAULT_PAGE_SIZE = 50;
export const REGISTRY_MAX_PAGE_SIZE = 500;
/** More communities than one partner key can sensibly be scoped to. */
export const MAX_SCOPE_COMMUNITIES = 1000;

/** Paging of the registry's lists: `limit`, and `after`, the `next` cursor of the page before. */
export class RegistryPageQuery {
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(REGISTRY_MAX_PAGE_SIZE) limit?: number;
  @IsOptional() @IsString() @Length(1, 1000) after?: string;
}

/** GET /v1/communities */
export class ListCommunitiesQuery extends RegistryPageQuery {
  @IsOptional() @IsIn(ISO_3166_2_UA_CODES) oblast?: string;
  /** The frontline status in effect today. */
  @IsOptional() @IsIn(FRONTLINE_STATUSES) status?: FrontlineStatus;
  @IsOptional() @IsIn(COMMUNITY_KINDS) kind?: CommunityKind;
  /** Part of a name, Ukrainian or English (or romanised Ukrainian), or of a KATOTTG code; any case. */
  @IsOptional() @IsString() @Length(1, 100) q?: string;
}

/**
 * Who a partner key may see, set by the gateway (never by the HTTP client): only these communities,
 * and of the organisations only those inside them or inside none (see docs/gateway.md).
 */
function IsPartnerScope(): PropertyDecorator {
  const rules = [
    IsOptional(),
    IsArray(),
    ArrayMaxSize(MAX_SCOPE_COMMUNITIES),
    IsUUID(undefined, { each: true }),
  ];
  return (target, property) => rules.forEach((rule) => rule(target, property));
}

/** `communities.query.communities` */
export class ListCommunitiesParams extends ListCommunitiesQuery {
  @IsPartnerScope() scopeCommunityIds?: string[];
}

/** `communities.query.community` */
export class CommunityParams {
  @IsUUID() id: string;
}

/** GET /v1/communities/:id/status */
export class StatusOnQuery {
  /** Default: today in Ukraine. */
  @IsOptional() @IsIsoDate() date?: string;
}

/** `communities.query.status-on` */
export class StatusOnParams extends StatusOnQuery {
  @IsUUID() communityId: string;
}

/** GET /v1/organisations */
export class ListOrganisationsQuery extends RegistryPageQuery {
  @IsOptional() @IsIn(ORGANISATION_KINDS) kind?: OrganisationKind;
  /** The institutions of one community. */
  @IsOptional() @IsUUID() parentCommunityId?: string;
  @IsOptional() @IsString() @Length(1, 100) q?: string;
}

/** `communities.query.organisations` */
export class ListOrganisationsParams extends ListOrganisationsQuery {
  @IsPartnerScope() scopeCommunityIds?: string[];
}

/** `communities.query.organisation` */
export class OrganisationParams {
  @IsUUID() id: string;
}
