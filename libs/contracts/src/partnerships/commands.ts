import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsDefined,
  IsIn,
  IsUUID,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import {
  COOPERATION_AREAS,
  PARTNERSHIP_ACTIVITY_TYPES,
  PARTNERSHIP_CHANNELS,
  PARTNERSHIP_KINDS,
  PARTNERSHIP_PARTY_ROLES,
  type CooperationArea,
  type PartnershipActivityType,
  type PartnershipChannel,
  type PartnershipKind,
  type PartnershipPartyRole,
} from './vocabulary';
import { IsCalendarDate, IsDayOrMonth, IsIndicatorMap, IsNotBlank, IsOmittable } from './validators';

/*
 * Commands as they arrive from untrusted callers, checked with `validateInput(Dto, payload)`:
 * shape, vocabularies and bounds. Rules that need the partnership's history or the registry
 * (term order, roles, who is a party, statuses) are the Partnership decider's.
 *
 * Every command but the proposal names its partnership: the gateway fills `partnershipId`
 * from the URL. The proposal's id is made by the service.
 */

export const MAX_PARTNERSHIP_PARTIES = 50;
export const MAX_ACTIVITY_PARTICIPANTS = 50;
export const MAX_MEMORANDUM_SIGNATORIES = 20;
const MAX_NAME_LENGTH = 200;
const MAX_TEXT_LENGTH = 2000;

export class PartnershipParty {
  @IsUUID()
  partyId: string;

  @IsIn(PARTNERSHIP_PARTY_ROLES)
  role: PartnershipPartyRole;
}

export class PartnershipTerm {
  @IsCalendarDate()
  from: string;

  @IsCalendarDate()
  to: string;
}

export class ProposePartnership {
  @IsIn(PARTNERSHIP_KINDS)
  kind: PartnershipKind;

  @IsArray()
  @ArrayMaxSize(MAX_PARTNERSHIP_PARTIES)
  @ValidateNested({ each: true })
  @Type(() => PartnershipParty)
  parties: PartnershipParty[];

  @IsOmittable()
  @IsUUID()
  programmeId?: string;

  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(COOPERATION_AREAS.length)
  @ArrayUnique()
  @IsIn(COOPERATION_AREAS, { each: true })
  areas: CooperationArea[];

  @IsOmittable()
  @ValidateNested()
  @Type(() => PartnershipTerm)
  term?: PartnershipTerm;

  @IsOmittable()
  @IsIn(PARTNERSHIP_CHANNELS)
  channel?: PartnershipChannel;
}

export class PartnershipDecision {
  /** Who decided, e.g. "Executive committee of the Zhytomyr City Council". */
  @IsNotBlank()
  @MaxLength(MAX_NAME_LENGTH)
  body: string;

  @IsOmittable()
  @IsNotBlank()
  @MaxLength(50)
  number?: string;

  @IsCalendarDate()
  date: string;
}

export class ApprovePartnership {
  @IsUUID()
  partnershipId: string;

  @IsDefined()
  @ValidateNested()
  @Type(() => PartnershipDecision)
  decision: PartnershipDecision;
}

export class MemorandumSignatory {
  @IsUUID()
  partyId: string;

  @IsNotBlank()
  @MaxLength(MAX_NAME_LENGTH)
  name: string;

  @IsNotBlank()
  @MaxLength(MAX_NAME_LENGTH)
  title: string;
}

export class SignMemorandum {
  @IsUUID()
  partnershipId: string;

  @IsCalendarDate()
  signedOn: string;

  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_MEMORANDUM_SIGNATORIES)
  @ValidateNested({ each: true })
  @Type(() => MemorandumSignatory)
  signatories: MemorandumSignatory[];

  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(COOPERATION_AREAS.length)
  @ArrayUnique()
  @IsIn(COOPERATION_AREAS, { each: true })
  areas: CooperationArea[];
}

export class RecordActivity {
  @IsUUID()
  partnershipId: string;

  @IsIn(PARTNERSHIP_ACTIVITY_TYPES)
  type: PartnershipActivityType;

  /** A day; a month only when `planned` (the decider enforces that). */
  @IsDayOrMonth()
  date: string;

  @IsNotBlank()
  @MaxLength(MAX_TEXT_LENGTH)
  summary: string;

  /** Ids of the partnership's parties that took part. */
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_ACTIVITY_PARTICIPANTS)
  @ArrayUnique()
  @IsUUID(undefined, { each: true })
  participants: string[];

  @IsOmittable()
  @IsIndicatorMap()
  indicators?: Record<string, number>;

  @IsOmittable()
  @IsBoolean()
  planned?: boolean;
}

export class TerminatePartnership {
  @IsUUID()
  partnershipId: string;

  @IsCalendarDate()
  effectiveOn: string;

  @IsNotBlank()
  @MaxLength(MAX_TEXT_LENGTH)
  reason: string;
}
