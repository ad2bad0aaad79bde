import { Type } from 'class-transformer';
import { IsIn, IsInt, IsString, IsUUID, Max, MaxLength, Min, ValidateBy, ValidateIf } from 'class-validator';
import { isIsoDate } from '../communities/dates';
import { SHIPMENT_STATUSES, type ShipmentStatus } from './events';

/*
 * Parameters of the logistics queries, the same for an HTTP query string and the NATS request
 * (the service takes the partner scope from the request's actor). Unknown parameters are refused,
 * so a misspelt filter is an error instead of a silently wider answer. Values may arrive as
 * strings; `limit` is converted to a number.
 */

export const SHIPMENTS_DEFAULT_PAGE_SIZE = 50;
export const SHIPMENTS_MAX_PAGE_SIZE = 500;

/** How the tonnage can be grouped: GET /v1/tonnage?groupBy=<one of these>. */
export const TONNAGE_DIMENSIONS = ['destination', 'origin', 'partnership', 'month', 'category'] as const;
export type TonnageDimension = (typeof TONNAGE_DIMENSIONS)[number];

const CALENDAR_MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

/** A bound of a sent-date filter: a calendar month (YYYY-MM) or day (YYYY-MM-DD), in UTC. */
export function isPeriodBoundText(value: unknown): value is string {
  return typeof value === 'string' && (CALENDAR_MONTH.test(value) || isIsoDate(value));
}

/** Absent is fine; null or an empty value is not. */
function Optional(): PropertyDecorator {
  return ValidateIf((_object, value) => value !== undefined);
}

function IsPeriodBound(): PropertyDecorator {
  return ValidateBy({
    name: 'isPeriodBound',
    validator: {
      validate: isPeriodBoundText,
      defaultMessage: (args) =>
        `${args?.property ?? 'bound'} must be a month (YYYY-MM) or a day (YYYY-MM-DD), in UTC`,
    },
  });
}

/** `logistics.query.shipment`: GET /v1/shipments/:id. */
export class ShipmentQueryParams {
  @IsUUID() id: string;
}

/** Filters shared by the lists and the tonnage: from/to are over the day a shipment was sent. */
export class ShipmentFilterParams {
  @Optional() @IsUUID() destinationCommunityId?: string;
  @Optional() @IsUUID() originPartyId?: string;
  @Optional() @IsUUID() partnershipId?: string;
  @Optional() @IsPeriodBound() from?: string;
  @Optional() @IsPeriodBound() to?: string;
}

export class PagedFilterParams extends ShipmentFilterParams {
  @Optional() @Type(() => Number) @IsInt() @Min(1) @Max(SHIPMENTS_MAX_PAGE_SIZE) limit?: number;
  @Optional() @IsString() @MaxLength(200) cursor?: string;
}

/** `logistics.query.shipments`: GET /v1/shipments. */
export class ShipmentsQueryParams extends PagedFilterParams {
  @Optional() @IsIn(SHIPMENT_STATUSES) status?: ShipmentStatus;
}

/** `logistics.query.shortfalls`: GET /v1/shortfalls. */
export class ShortfallsQueryParams extends PagedFilterParams {}

/** `logistics.query.tonnage`: GET /v1/tonnage. */
export class TonnageQueryParams extends ShipmentFilterParams {
  @IsIn(TONNAGE_DIMENSIONS) groupBy: TonnageDimension;
}
