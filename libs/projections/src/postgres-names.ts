import { createHash } from 'node:crypto';

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Schema names are interpolated into DDL (`ALTER SCHEMA ... RENAME`), which takes no bind
 * parameters, so only plain lowercase identifiers are accepted.
 */
export function assertIdentifier(name: string, what: string): string {
  if (!IDENTIFIER.test(name)) {
    throw new Error(
      `${what} "${name}" must be a lowercase PostgreSQL identifier ([a-z_][a-z0-9_]*, at most 63)`,
    );
  }
  return name;
}

export function quoteIdentifier(name: string): string {
  return `"${assertIdentifier(name, 'identifier')}"`;
}

/** Any name PostgreSQL itself reported (a table, column or index from its catalog), quoted. */
export function quoteCatalogName(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * Advisory locks share one key space per database with anyone else who takes them (the event
 * store adapter may too), so ours use the two-key form with a fixed first key: "aid" in ASCII.
 */
export const ADVISORY_LOCK_NAMESPACE = 0x616964;

/** A stable 32-bit key for a follower's name; a collision only makes two followers take turns. */
export function advisoryLockKey(name: string): number {
  return createHash('sha256').update(name).digest().readInt32BE(0);
}
