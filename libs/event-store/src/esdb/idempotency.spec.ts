import { firstDuplicateId, judgeRetry, type StoredEventRef } from './idempotency';

function storedStream(...ids: string[]): StoredEventRef[] {
  return ids.map((id, revision) => ({ id, revision, position: 1000 + revision * 100, hash: `hash-${id}` }));
}

describe('judgeRetry', () => {
  it('lets an append through when none of its ids is stored', () => {
    expect(judgeRetry(['x', 'y'], storedStream('a', 'b'))).toEqual({ kind: 'new' });
    expect(judgeRetry(['x'], [])).toEqual({ kind: 'new' });
  });

  it('recognises a repeat at the end of the stream and answers with its first and last event', () => {
    const stream = storedStream('a', 'b', 'c');
    expect(judgeRetry(['b', 'c'], stream)).toEqual({ kind: 'repeat', first: stream[1], last: stream[2] });
  });

  it('recognises a repeat followed by later events of other commands', () => {
    const stream = storedStream('a', 'b', 'c', 'd');
    const verdict = judgeRetry(['b', 'c'], stream);
    expect(verdict).toEqual({ kind: 'repeat', first: stream[1], last: stream[2] });
  });

  it('calls it a mismatch when the first id is stored but the next one differs', () => {
    const verdict = judgeRetry(['a', 'x'], storedStream('a', 'b'));
    expect(verdict.kind).toBe('mismatch');
    expect(verdict.kind === 'mismatch' && verdict.detail).toMatch(/revision 1 holds event b instead of x/);
  });

  it('calls it a mismatch when the retry is longer than what was stored', () => {
    const verdict = judgeRetry(['a', 'x'], storedStream('a'));
    expect(verdict.kind).toBe('mismatch');
    expect(verdict.kind === 'mismatch' && verdict.detail).toMatch(/revision 1 holds nothing instead of x/);
  });

  it('calls it a mismatch when a later id is stored but the first is not', () => {
    const verdict = judgeRetry(['x', 'b'], storedStream('a', 'b'));
    expect(verdict.kind).toBe('mismatch');
    expect(verdict.kind === 'mismatch' && verdict.detail).toMatch(/event b is already stored at revision 1/);
  });

  it('calls it a mismatch when the ids are stored out of order', () => {
    expect(judgeRetry(['b', 'a'], storedStream('a', 'b')).kind).toBe('mismatch');
  });
});

describe('firstDuplicateId', () => {
  it('finds an id that appears twice in one append', () => {
    expect(firstDuplicateId(['a', 'b', 'a'])).toBe('a');
    expect(firstDuplicateId(['a', 'b', 'c'])).toBeUndefined();
  });
});
