import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
} from 'class-validator';

/** The roles an API key can hold (DESIGN.md, HTTP). `partner` keys are read-only and scoped. */
export const API_KEY_ROLES = ['admin', 'coordinator', 'partnerships', 'auditor', 'partner'] as const;
export type ApiKeyRole = (typeof API_KEY_ROLES)[number];

/** A partner serving more communities than this should get several keys, or a role without scope. */
export const MAX_KEY_COMMUNITIES = 1000;

/**
 * POST /v1/api-keys. Whether the communities fit the role (a partner key needs at least one; the
 * other roles see everything, so a list would be misleading) is checked by the gateway.
 */
export class CreateApiKey {
  /** Who holds the key, e.g. "IRC Ukraine data team": shown in key lists and audit trails. */
  @IsString() @Length(1, 200) @Matches(/\S/) name: string;
  @IsIn(API_KEY_ROLES) role: ApiKeyRole;
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_KEY_COMMUNITIES)
  @ArrayUnique()
  @IsUUID(undefined, { each: true })
  communityIds?: string[];
  /** The organisation the key belongs to (e.g. the IRC), if any. */
  @IsOptional() @IsUUID() organisationId?: string;
}
