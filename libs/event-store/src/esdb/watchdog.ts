import {
  AccessDeniedError,
  InvalidArgumentError,
  UnsupportedError,
  type Position,
} from '@eventstore/db-client';
import { isAfter } from './esdb-positions';

/**
 * The decisions of the subscription watchdog, kept apart from the I/O so they can be tested.
 *
 * Why a watchdog at all: a catch-up subscription over gRPC can stop delivering without any error
 * when a proxy or load balancer drops HTTP/2 keep-alive pings (EventStore-Client-NodeJS#112); the
 * maintainers' workaround is to read $all now and then. So when a subscription has been silent for
 * watchdogMs, we look at the newest events of $all: if one of them should have reached us and did
 * not, the subscription is dead and is replaced, resuming after the last delivered event.
 */

/** One event read back from the head of $all during a probe, newest first. */
export interface ProbeEntry {
  position: Position;
  /** Whether the subscription would deliver it (not a system event, matches the filter). */
  deliverable: boolean;
}

export interface WatchMarks {
  /** The last event the subscription delivered (null: none yet, subscribed from the start). */
  lastDelivered: Position | null;
  /**
   * Up to where we know there is nothing more for us: the last delivered event, the server's
   * filter checkpoints, earlier probes. Always at or after lastDelivered.
   */
  lastSeen: Position | null;
}

export type ProbeVerdict = { kind: 'healthy'; seenUpTo: Position | null } | { kind: 'stale'; reason: string };

/**
 * Judges a probe of $all read newest first. `reachedLogStart` says the read returned every event
 * back to the beginning of $all (it asked for more than there were).
 */
export function judgeProbe(
  newestFirst: readonly ProbeEntry[],
  marks: WatchMarks,
  reachedLogStart: boolean,
): ProbeVerdict {
  let reachedMark = reachedLogStart;
  for (const entry of newestFirst) {
    if (!isAfter(entry.position, marks.lastSeen)) {
      reachedMark = true;
      break;
    }
    if (entry.deliverable && isAfter(entry.position, marks.lastDelivered)) {
      return {
        kind: 'stale',
        reason: `event at ${entry.position.commit}/${entry.position.prepare} was written but not delivered`,
      };
    }
  }
  if (!reachedMark) {
    // Too many newer events to check here; a fresh subscription lets the server do the scan.
    return { kind: 'stale', reason: `more than ${newestFirst.length} events since the last known position` };
  }
  return { kind: 'healthy', seenUpTo: newestFirst.length > 0 ? newestFirst[0].position : marks.lastSeen };
}

/**
 * What a filter checkpoint from the server proves: every event before its commit position has been
 * scanned, so the ones for us are already queued. Whether the checkpoint's own position was scanned
 * too is not documented, so that one event is left for the probe to look at; its prepare half may
 * be 0 (EventStore/EventStore#3989) and is not used.
 */
export function seenBeforeCheckpoint(checkpoint: Position): Position {
  const before = checkpoint.commit > 0n ? checkpoint.commit - 1n : 0n;
  return { commit: before, prepare: before };
}

/** Milliseconds until the next probe is due; zero or less means now. */
export function msUntilProbe(lastActivityAt: number, now: number, watchdogMs: number): number {
  return lastActivityAt + watchdogMs - now;
}

const FIRST_RETRY_DELAY_MS = 100;
const MAX_RETRY_DELAY_MS = 5_000;

/** Wait before the n-th consecutive resubscription after a failure: doubling, capped. */
export function resubscribeDelayMs(consecutiveFailures: number): number {
  if (consecutiveFailures <= 0) return 0;
  return Math.min(FIRST_RETRY_DELAY_MS * 2 ** (consecutiveFailures - 1), MAX_RETRY_DELAY_MS);
}

/**
 * Errors that resubscribing cannot cure: the caller must hear about them. Everything else
 * (unavailable, cancelled by the server, deadline, not leader, unknown) is a dropped connection and
 * is retried; on NotLeaderError the client itself reconnects to the leader it names.
 */
export function isFatalSubscriptionError(error: unknown): boolean {
  return (
    error instanceof AccessDeniedError ||
    error instanceof InvalidArgumentError ||
    error instanceof UnsupportedError
  );
}
