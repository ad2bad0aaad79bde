import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, IsUUID, Max, MaxLength, Min } from 'class-validator';
import {
  PARTNERSHIP_KINDS,
  PARTNERSHIP_STATUSES,
  type PartnershipKind,
  type PartnershipStatus,
} from './vocabulary';

/*
 * Parameters of the partnerships service's queries, the same for an HTTP query string and the
 * NATS request: the service takes the partner scope from the request's actor.
 */

export const PARTNERSHIPS_DEFAULT_PAGE_SIZE = 50;
export const PARTNERSHIPS_MAX_PAGE_SIZE = 200;

/** `partnerships.query.partnerships`: the filters of GET /v1/partnerships, and paging. */
export class ListPartnershipsParams {
  /** Partnerships this community is a party to, directly or through an organisation inside it. */
  @IsOptional()
  @IsUUID()
  communityId?: string;

  @IsOptional()
  @IsIn(PARTNERSHIP_STATUSES)
  status?: PartnershipStatus;

  @IsOptional()
  @IsIn(PARTNERSHIP_KINDS)
  kind?: PartnershipKind;

  /** Query strings carry numbers as text. */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(PARTNERSHIPS_MAX_PAGE_SIZE)
  limit?: number;

  /** The `next` of the previous page. */
  @IsOptional()
  @IsString()
  @MaxLength(64)
  cursor?: string;
}

/** `partnerships.query.partnership`: GET /v1/partnerships/:id. */
export class GetPartnershipParams {
  @IsUUID()
  id: string;
}
