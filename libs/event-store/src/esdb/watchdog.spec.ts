import { AccessDeniedError, UnavailableError, UnsupportedError, type Position } from '@eventstore/db-client';
import {
  isFatalSubscriptionError,
  judgeProbe,
  msUntilProbe,
  resubscribeDelayMs,
  seenBeforeCheckpoint,
  type ProbeEntry,
} from './watchdog';

const at = (n: number): Position => ({ commit: BigInt(n), prepare: BigInt(n) });
const entry = (n: number, deliverable: boolean): ProbeEntry => ({ position: at(n), deliverable });

describe('judgeProbe', () => {
  const marks = { lastDelivered: at(500), lastSeen: at(500) };

  it('calls a subscription stale when $all holds an event for it that it did not deliver', () => {
    const verdict = judgeProbe([entry(900, false), entry(800, true), entry(500, true)], marks, false);
    expect(verdict).toEqual({ kind: 'stale', reason: 'event at 800/800 was written but not delivered' });
  });

  it('calls it healthy when everything newer is for others, and remembers how far it looked', () => {
    const verdict = judgeProbe([entry(900, false), entry(700, false), entry(500, true)], marks, false);
    expect(verdict).toEqual({ kind: 'healthy', seenUpTo: at(900) });
  });

  it('does not count events at or before what was already seen', () => {
    const verdict = judgeProbe(
      [entry(600, false), entry(400, true)],
      { lastDelivered: at(300), lastSeen: at(500) },
      false,
    );
    expect(verdict).toEqual({ kind: 'healthy', seenUpTo: at(600) });
  });

  it('calls it healthy on a quiet store: nothing newer than the last delivered event', () => {
    expect(judgeProbe([entry(500, true)], marks, false)).toEqual({ kind: 'healthy', seenUpTo: at(500) });
  });

  it('calls a subscription from the start healthy when all of $all was read and none of it is for it', () => {
    const fromStart = { lastDelivered: null, lastSeen: null };
    expect(judgeProbe([entry(300, false), entry(200, false)], fromStart, true)).toEqual({
      kind: 'healthy',
      seenUpTo: at(300),
    });
    expect(judgeProbe([], fromStart, true)).toEqual({ kind: 'healthy', seenUpTo: null });
  });

  it('lets the server rescan when the probe could not reach the last known position', () => {
    const verdict = judgeProbe([entry(900, false), entry(800, false)], marks, false);
    expect(verdict).toEqual({ kind: 'stale', reason: 'more than 2 events since the last known position' });
  });
});

describe('seenBeforeCheckpoint', () => {
  it('counts everything before the checkpoint as scanned and leaves the checkpoint position itself open', () => {
    const seen = seenBeforeCheckpoint({ commit: 800n, prepare: 0n });
    expect(seen).toEqual(at(799));
    expect(judgeProbe([entry(800, true)], { lastDelivered: at(500), lastSeen: seen }, false).kind).toBe(
      'stale',
    );
    expect(judgeProbe([entry(799, false)], { lastDelivered: at(500), lastSeen: seen }, false).kind).toBe(
      'healthy',
    );
    expect(seenBeforeCheckpoint({ commit: 0n, prepare: 0n })).toEqual(at(0));
  });
});

describe('watchdog timing', () => {
  it('probes once the subscription has been silent for watchdogMs', () => {
    expect(msUntilProbe(1_000, 1_000, 500)).toBe(500);
    expect(msUntilProbe(1_000, 1_400, 500)).toBe(100);
    expect(msUntilProbe(1_000, 1_600, 500)).toBeLessThanOrEqual(0);
  });

  it('backs off between failed resubscriptions, doubling up to a cap', () => {
    expect([0, 1, 2, 3, 4, 7, 20].map(resubscribeDelayMs)).toEqual([0, 100, 200, 400, 800, 5_000, 5_000]);
  });

  it('gives up only on errors a new subscription cannot cure', () => {
    expect(isFatalSubscriptionError(new AccessDeniedError())).toBe(true);
    expect(isFatalSubscriptionError(new UnsupportedError('filtered subscriptions', '20.6'))).toBe(true);
    expect(isFatalSubscriptionError(new UnavailableError())).toBe(false);
    expect(isFatalSubscriptionError(new Error('socket hang up'))).toBe(false);
    expect(isFatalSubscriptionError(undefined)).toBe(false);
  });
});
