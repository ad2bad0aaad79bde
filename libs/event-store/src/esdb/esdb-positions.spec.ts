import { NO_STREAM } from '@eventstore/db-client';
import {
  comparePositions,
  describeExpected,
  esdbExpectedRevision,
  formatCheckpoint,
  fromCurrentRevision,
  globalPositionOf,
  isAfter,
  laterOf,
  parseCheckpoint,
  satisfiesExpected,
  toBigInt,
  toSafeNumber,
} from './esdb-positions';

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

describe('revision and position conversion', () => {
  it('turns bigints in the safe range into exact numbers', () => {
    expect(toSafeNumber(0n, 'revision')).toBe(0);
    expect(toSafeNumber(42n, 'revision')).toBe(42);
    expect(toSafeNumber(MAX_SAFE, 'position')).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('refuses bigints a number cannot hold exactly, naming the value', () => {
    expect(() => toSafeNumber(MAX_SAFE + 1n, 'global position')).toThrow(RangeError);
    expect(() => toSafeNumber(MAX_SAFE + 1n, 'global position')).toThrow(/global position 9007199254740992/);
    expect(() => toSafeNumber(2n ** 64n - 1n, 'stream revision')).toThrow(RangeError);
    expect(() => toSafeNumber(-(MAX_SAFE + 2n), 'revision')).toThrow(RangeError);
  });

  it('turns port numbers into bigints and refuses what is not a non-negative safe integer', () => {
    expect(toBigInt(0, 'revision')).toBe(0n);
    expect(toBigInt(Number.MAX_SAFE_INTEGER, 'revision')).toBe(MAX_SAFE);
    expect(() => toBigInt(-1, 'fromRevision')).toThrow(/fromRevision must be a non-negative safe integer/);
    expect(() => toBigInt(1.5, 'revision')).toThrow(RangeError);
    expect(() => toBigInt(2 ** 53, 'revision')).toThrow(RangeError);
    expect(() => toBigInt(Number.NaN, 'revision')).toThrow(RangeError);
  });

  it('uses the commit position as the global position', () => {
    expect(globalPositionOf({ commit: 1234n, prepare: 1234n })).toBe(1234);
    expect(() => globalPositionOf({ commit: 2n ** 63n, prepare: 0n })).toThrow(RangeError);
  });
});

describe('expected revisions', () => {
  it('appends to a missing stream with NO_STREAM and to an existing one with its exact revision', () => {
    expect(esdbExpectedRevision(null)).toBe(NO_STREAM);
    expect(esdbExpectedRevision(0)).toBe(0n);
    expect(esdbExpectedRevision(17)).toBe(17n);
  });

  it("reads the server's current revision back into the port's terms", () => {
    expect(fromCurrentRevision(NO_STREAM)).toBeNull();
    expect(fromCurrentRevision(5n)).toBe(5);
    expect(() => fromCurrentRevision(MAX_SAFE + 1n)).toThrow(RangeError);
  });

  it.each([
    ['any', null, true],
    ['any', 3, true],
    ['no-stream', null, true],
    ['no-stream', 0, false],
    [0, 0, true],
    [0, null, false],
    [2, 3, false],
    [3, 2, false],
  ] as const)('expected %p with the stream at %p is satisfied: %p', (expected, current, satisfied) => {
    expect(satisfiesExpected(expected, current)).toBe(satisfied);
  });

  it('describes the expectation the way the conflict error reports it', () => {
    expect(describeExpected('no-stream')).toBe('no-stream');
    expect(describeExpected('any')).toBe('any');
    expect(describeExpected(0)).toBe('0');
    expect(describeExpected(12)).toBe('12');
  });
});

describe('checkpoints', () => {
  it('formats commit and prepare positions and parses them back', () => {
    const position = { commit: 2n ** 63n + 5n, prepare: 2n ** 63n + 1n };
    const text = formatCheckpoint(position);
    expect(text).toBe('9223372036854775813/9223372036854775809');
    expect(parseCheckpoint(text)).toEqual(position);
    expect(parseCheckpoint('0/0')).toEqual({ commit: 0n, prepare: 0n });
  });

  it.each(['', '12', '12:34', '-1/2', '1/2/3', 'a/b', ' 1/2', '1/2 '])('refuses %p', (text) => {
    expect(() => parseCheckpoint(text)).toThrow(RangeError);
  });

  it('orders positions by commit, then prepare', () => {
    expect(comparePositions({ commit: 1n, prepare: 9n }, { commit: 2n, prepare: 0n })).toBeLessThan(0);
    expect(comparePositions({ commit: 2n, prepare: 0n }, { commit: 2n, prepare: 2n })).toBeLessThan(0);
    expect(comparePositions({ commit: 2n, prepare: 2n }, { commit: 2n, prepare: 2n })).toBe(0);
    expect(comparePositions({ commit: 3n, prepare: 3n }, { commit: 2n, prepare: 9n })).toBeGreaterThan(0);
  });

  it('puts every position after "no mark" and keeps the later mark', () => {
    const early = { commit: 10n, prepare: 10n };
    const late = { commit: 20n, prepare: 20n };
    expect(isAfter(early, null)).toBe(true);
    expect(isAfter(late, early)).toBe(true);
    expect(isAfter(early, early)).toBe(false);
    expect(isAfter(early, late)).toBe(false);
    expect(laterOf(null, early)).toBe(early);
    expect(laterOf(late, null)).toBe(late);
    expect(laterOf(early, late)).toBe(late);
    expect(laterOf(late, early)).toBe(late);
  });
});
