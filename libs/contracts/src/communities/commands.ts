import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsISO31661Alpha2,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  ValidateBy,
  ValidateNested,
  buildMessage,
} from 'class-validator';
import { isIsoDate } from './dates';
import {
  COMMUNITY_KINDS,
  FRONTLINE_STATUSES,
  HOSTILITIES_CATEGORIES,
  ORGANISATION_KINDS,
  SETTLEMENT_CATEGORIES,
  type CommunityKind,
  type FrontlineStatus,
  type HostilitiesCategory,
  type OrganisationKind,
  type SettlementCategory,
} from './events';
import { ISO_3166_2_UA_CODES, KATOTTG_CODE_PATTERN } from './katottg';

/*
 * Commands as they arrive from outside (gateway, importers), validated with `validateInput`:
 * unknown fields are refused and every string has an upper bound, so a hostile payload cannot
 * smuggle fields into an event or grow it without limit. Rules that span fields (a hromada needs
 * its KATOTTG code, an institution its parent community) belong to the deciders.
 */

/**
 * Loose shape of an IATI identifier: a registration agency prefix starting with a country or
 * `XM`/`XI` code, then the identifier, without spaces (US-EIN-135660870, XM-DAC-41114, DE-1).
 */
export const IATI_REF_PATTERN = /^[A-Z]{2}-[A-Za-z0-9][A-Za-z0-9._:/-]*$/;

const NOT_BLANK = /\S/;
const UPPER_CASE_COUNTRY = /^[A-Z]{2}$/;

export function IsIsoDate(): PropertyDecorator {
  return ValidateBy({
    name: 'isIsoDate',
    validator: {
      validate: (value: unknown) => isIsoDate(value),
      defaultMessage: buildMessage((each) => `${each}$property must be a calendar date written YYYY-MM-DD`),
    },
  });
}

export class CommunityNameInput {
  @IsString() @Length(1, 200) @Matches(NOT_BLANK) uk: string;
  @IsOptional() @IsString() @Length(1, 200) @Matches(NOT_BLANK) en?: string;
}

export class SettlementInput {
  @IsString() @Matches(KATOTTG_CODE_PATTERN) katottg: string;
  @IsString() @Length(1, 200) @Matches(NOT_BLANK) name: string;
  @IsIn(SETTLEMENT_CATEGORIES) category: SettlementCategory;
}

/** `communities.cmd.register-community`. The service makes the id (see communityIdForKatottg). */
export class RegisterCommunity {
  @IsObject() @ValidateNested() @Type(() => CommunityNameInput) name: CommunityNameInput;
  @IsIn(COMMUNITY_KINDS) kind: CommunityKind;
  @IsString() @Matches(UPPER_CASE_COUNTRY) @IsISO31661Alpha2() countryCode: string;
  @IsOptional() @IsIn(ISO_3166_2_UA_CODES) oblast?: string;
  @IsOptional() @IsString() @Matches(KATOTTG_CODE_PATTERN) katottg?: string;
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(1000)
  @ValidateNested({ each: true })
  @Type(() => SettlementInput)
  settlements?: SettlementInput[];
}

/** `communities.cmd.change-frontline-status`. */
export class ChangeFrontlineStatus {
  @IsUUID() communityId: string;
  @IsIn(FRONTLINE_STATUSES) status: FrontlineStatus;
  @IsIsoDate() effectiveFrom: string;
  @IsOptional() @IsString() @Length(1, 500) @Matches(NOT_BLANK) basis?: string;
}

/** `communities.cmd.record-hostilities-period`. */
export class RecordHostilitiesPeriod {
  @IsUUID() communityId: string;
  @IsIn(HOSTILITIES_CATEGORIES) category: HostilitiesCategory;
  @IsIsoDate() start: string;
  @IsOptional() @IsIsoDate() end?: string;
  @IsString() @Length(1, 300) @Matches(NOT_BLANK) source: string;
  @IsBoolean() partial: boolean;
  @IsString() @Matches(KATOTTG_CODE_PATTERN) areaKatottg: string;
  @IsOptional() @IsString() @Length(1, 2000) @Matches(NOT_BLANK) areaName?: string;
}

/** `communities.cmd.register-organisation`. The service makes the id (newOrganisationId). */
export class RegisterOrganisation {
  @IsString() @Length(1, 300) @Matches(NOT_BLANK) name: string;
  @IsIn(ORGANISATION_KINDS) kind: OrganisationKind;
  @IsOptional() @IsString() @Matches(UPPER_CASE_COUNTRY) @IsISO31661Alpha2() countryCode?: string;
  @IsOptional() @IsString() @Length(1, 150) @Matches(IATI_REF_PATTERN) iatiRef?: string;
  @IsOptional() @IsUUID() parentCommunityId?: string;
}
