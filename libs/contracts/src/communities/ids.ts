import { v5 as uuidv5, v7 as uuidv7 } from 'uuid';
import { isKatottgCode } from './katottg';

/**
 * Namespace of the UUIDv5 ids derived from KATOTTG codes. Fixed for good: changing it would give
 * every hromada a new id and orphan its stream.
 */
export const KATOTTG_ID_NAMESPACE = '7b0c5479-0fc5-4d07-a1af-cc839746a726';

/**
 * Identity of a hromada: its communityId is derived from its KATOTTG code (UUIDv5 in a fixed
 * namespace), not drawn at random. Registering the same code twice therefore lands on the same
 * `community-<id>` stream, and the append with expected revision 'no-stream' refuses the second
 * one: the event store itself enforces one community per code, with no read-model lookup that
 * could race, and the KATOTTG importer can be re-run without creating duplicates.
 *
 * Foreign municipalities and organisations have no such official code; the service gives them
 * UUIDv7 ids (time-ordered, see newCommunityId and newOrganisationId).
 */
export function communityIdForKatottg(katottg: string): string {
  if (!isKatottgCode(katottg)) throw new RangeError(`${JSON.stringify(katottg)} is not a KATOTTG code`);
  return uuidv5(katottg, KATOTTG_ID_NAMESPACE);
}

/** A fresh id for a community without a KATOTTG code (a foreign municipality). */
export function newCommunityId(): string {
  return uuidv7();
}

export function newOrganisationId(): string {
  return uuidv7();
}

export const COMMUNITY_STREAM_PREFIX = 'community-';
export const ORGANISATION_STREAM_PREFIX = 'organisation-';

export function communityStream(communityId: string): string {
  return `${COMMUNITY_STREAM_PREFIX}${communityId}`;
}

export function organisationStream(organisationId: string): string {
  return `${ORGANISATION_STREAM_PREFIX}${organisationId}`;
}
