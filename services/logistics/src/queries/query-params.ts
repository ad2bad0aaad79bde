import { SHIPMENT_STATUSES, type ShipmentStatus } from '@aid/contracts';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsString, IsUUID, Max, MaxLength, Min, ValidateBy, ValidateIf } from 'class-validator';
import { TONNAGE_DIMENSIONS, type TonnageDimension } from '../tonnage/tonnage';
import { isPeriodBound } from './sent-period';

/**
 * Parameters of the logistics queries, validated with validateInput like commands: unknown
 * parameters are refused, so a misspelt filter is an error instead of a silently wider answer.
 * Values may arrive as strings (an HTTP query string); limit is converted to a number.
 */

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 500;

/** Absent is fine; null or an empty value is not. */
function Optional(): PropertyDecorator {
  return ValidateIf((_object, value) => value !== undefined);
}

function IsPeriodBound(): PropertyDecorator {
  return ValidateBy({
    name: 'isPeriodBound',
    validator: {
      validate: isPeriodBound,
      defaultMessage: (args) =>
        `${args?.property ?? 'bound'} must be a month (YYYY-MM) or a day (YYYY-MM-DD), in UTC`,
    },
  });
}

export class ShipmentQueryParams {
  @IsUUID() id: string;
}

/** Filters shared by the lists and the tonnage. from/to: see sent-period.ts. */
export class ShipmentFilterParams {
  @Optional() @IsUUID() destinationCommunityId?: string;
  @Optional() @IsUUID() originPartyId?: string;
  @Optional() @IsUUID() partnershipId?: string;
  @Optional() @IsPeriodBound() from?: string;
  @Optional() @IsPeriodBound() to?: string;
}

export class PagedFilterParams extends ShipmentFilterParams {
  @Optional() @Type(() => Number) @IsInt() @Min(1) @Max(MAX_PAGE_SIZE) limit?: number;
  @Optional() @IsString() @MaxLength(200) cursor?: string;
}

export class ShipmentsQueryParams extends PagedFilterParams {
  @Optional() @IsIn(SHIPMENT_STATUSES) status?: ShipmentStatus;
}

export class ShortfallsQueryParams extends PagedFilterParams {}

export class TonnageQueryParams extends ShipmentFilterParams {
  @IsIn(TONNAGE_DIMENSIONS) groupBy: TonnageDimension;
}
