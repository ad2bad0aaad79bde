import {
  NO_STREAM,
  type AppendExpectedRevision,
  type CurrentRevision,
  type Position,
} from '@eventstore/db-client';
import type { ExpectedRevision } from '../port';

/**
 * Conversions between the port's numbers and the client's bigints. The port promises exact
 * numbers, so a value outside the safe integer range is refused rather than rounded.
 */
export function toSafeNumber(value: bigint, what: string): number {
  const number = Number(value);
  if (!Number.isSafeInteger(number)) {
    throw new RangeError(
      `${what} ${value} is not a safe integer; the EventStore port cannot represent it exactly`,
    );
  }
  return number;
}

/** A revision or position from the port, as the bigint the client wants. */
export function toBigInt(value: number, what: string): bigint {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${what} must be a non-negative safe integer, got ${value}`);
  }
  return BigInt(value);
}

/** What we tell EventStoreDB to expect, given the stream's last revision as we read it (null: no stream). */
export function esdbExpectedRevision(current: number | null): AppendExpectedRevision {
  return current === null ? NO_STREAM : toBigInt(current, 'expected revision');
}

/** The revision a WrongExpectedVersion error reports, in the port's terms (null: no stream). */
export function fromCurrentRevision(current: CurrentRevision): number | null {
  return current === NO_STREAM ? null : toSafeNumber(current, 'stream revision');
}

/** Whether a stream whose last revision is `current` (null: no stream) satisfies the caller's expectation. */
export function satisfiesExpected(expected: ExpectedRevision, current: number | null): boolean {
  if (expected === 'any') return true;
  if (expected === 'no-stream') return current === null;
  return current === expected;
}

/** How the expectation reads in a WrongExpectedRevisionError. */
export function describeExpected(expected: ExpectedRevision): string {
  return typeof expected === 'number' ? String(expected) : expected;
}

/**
 * The global position the port exposes is the event's commit position. Events appended through
 * gRPC are implicit transactions, and EventStoreDB gives each such event its own log position as
 * both commit and prepare position, so the commit position alone is unique and ordered.
 */
export function globalPositionOf(position: Position): number {
  return toSafeNumber(position.commit, 'global position');
}

/** Checkpoint text: "<commit>/<prepare>", enough to resume a subscription exactly. */
export function formatCheckpoint(position: Position): string {
  return `${position.commit}/${position.prepare}`;
}

const CHECKPOINT = /^(\d{1,20})\/(\d{1,20})$/;

export function parseCheckpoint(checkpoint: string): Position {
  const match = CHECKPOINT.exec(checkpoint);
  if (!match) {
    throw new RangeError(`"${checkpoint}" is not an EventStoreDB checkpoint ("<commit>/<prepare>")`);
  }
  return { commit: BigInt(match[1]), prepare: BigInt(match[2]) };
}

/** Negative when a is before b in $all, zero when equal, positive when after. */
export function comparePositions(a: Position, b: Position): number {
  if (a.commit !== b.commit) return a.commit < b.commit ? -1 : 1;
  if (a.prepare !== b.prepare) return a.prepare < b.prepare ? -1 : 1;
  return 0;
}

/** Whether `position` lies after `mark`; everything lies after no mark at all. */
export function isAfter(position: Position, mark: Position | null): boolean {
  return mark === null || comparePositions(position, mark) > 0;
}

/** The later of two marks (null counts as "before everything"). */
export function laterOf(a: Position | null, b: Position | null): Position | null {
  if (a === null) return b;
  if (b === null) return a;
  return comparePositions(a, b) >= 0 ? a : b;
}
