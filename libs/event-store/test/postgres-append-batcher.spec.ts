import { AppendBatcher } from '../src/postgres/append-batcher';

/** A call that finishes when the test says so. */
interface Call {
  items: number[];
  finish(results?: string[]): void;
  fail(error: Error): void;
}

function harness(options: {
  lanes: number;
  heavyLanes?: number;
  heavyWeight?: number;
  maxItems?: number;
  maxWeight?: number;
}) {
  const calls: Call[] = [];
  const alone: number[] = [];
  const batcher = new AppendBatcher<number, string>({
    lanes: options.lanes,
    heavyLanes: options.heavyLanes ?? options.lanes,
    heavyWeight: options.heavyWeight ?? Number.POSITIVE_INFINITY,
    maxItems: options.maxItems ?? 100,
    maxWeight: options.maxWeight ?? 1000,
    // An item's weight is its value.
    weight: (item) => item,
    runInLane: (items) =>
      new Promise<string[]>((resolve, reject) => {
        calls.push({
          items,
          finish: (results) => resolve(results ?? items.map((item) => `lane:${item}`)),
          fail: reject,
        });
      }),
    runAlone: (item) => {
      alone.push(item);
      return item === 13 ? Promise.reject(new Error('unlucky')) : Promise.resolve(`alone:${item}`);
    },
  });
  return { batcher, calls, alone };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('AppendBatcher (PostgreSQL adapter)', () => {
  it('sends a lone item at once, and groups the items that arrive while the lanes are busy', async () => {
    const { batcher, calls } = harness({ lanes: 1 });
    const first = batcher.submit(1);
    expect(calls.map((call) => call.items)).toEqual([[1]]);
    const rest = [2, 3, 4].map((item) => batcher.submit(item));
    expect(calls).toHaveLength(1);
    calls[0].finish();
    await expect(first).resolves.toBe('lane:1');
    await settle();
    expect(calls.map((call) => call.items)).toEqual([[1], [2, 3, 4]]);
    calls[1].finish();
    await expect(Promise.all(rest)).resolves.toEqual(['lane:2', 'lane:3', 'lane:4']);
  });

  it('keeps to the lanes, the item cap and the weight cap (a heavier item goes alone)', async () => {
    const { batcher, calls } = harness({ lanes: 2, maxItems: 3, maxWeight: 10 });
    const all = [1, 1, 1, 1, 1, 1, 1, 4, 4, 4, 20, 1].map((item) => batcher.submit(item));
    expect(calls.map((call) => call.items)).toEqual([[1], [1]]);
    calls[0].finish();
    calls[1].finish();
    await settle();
    expect(calls.slice(2).map((call) => call.items)).toEqual([
      [1, 1, 1],
      [1, 1, 4],
    ]);
    calls[2].finish();
    calls[3].finish();
    await settle();
    expect(calls.slice(4).map((call) => call.items)).toEqual([[4, 4], [20]]);
    calls[4].finish();
    calls[5].finish();
    await settle();
    expect(calls.slice(6).map((call) => call.items)).toEqual([[1]]);
    calls[6].finish();
    await expect(Promise.all(all)).resolves.toHaveLength(12);
  });

  it('opens more lanes for heavy items only', async () => {
    const { batcher, calls } = harness({ lanes: 1, heavyLanes: 3, heavyWeight: 50 });
    void batcher.submit(1);
    void batcher.submit(1);
    expect(calls).toHaveLength(1);
    void batcher.submit(60);
    void batcher.submit(70);
    // The light item waits, and holds up the heavy ones behind it.
    expect(calls).toHaveLength(1);
    calls[0].finish();
    await settle();
    expect(calls.slice(1).map((call) => call.items)).toEqual([[1, 60, 70]]);
    void batcher.submit(80);
    void batcher.submit(90);
    expect(calls.slice(2).map((call) => call.items)).toEqual([[80], [90]]);
    void batcher.submit(100);
    expect(calls).toHaveLength(4);
    for (const call of calls) call.finish();
  });

  it('runs each item of a failed call on its own, outside the lanes, and frees the lane first', async () => {
    const { batcher, calls, alone } = harness({ lanes: 1 });
    const first = batcher.submit(1);
    const group = Promise.allSettled([12, 13, 14].map((item) => batcher.submit(item)));
    calls[0].finish();
    await first;
    await settle();
    const next = batcher.submit(5);
    calls[1].fail(new Error('lock timeout'));
    await settle();
    // The lane went to the next item while the failed group's items run alone.
    expect(calls.map((call) => call.items)).toEqual([[1], [12, 13, 14], [5]]);
    expect(alone).toEqual([12, 13, 14]);
    const outcomes = await group;
    expect(outcomes.map((outcome) => (outcome.status === 'fulfilled' ? outcome.value : 'rejected'))).toEqual([
      'alone:12',
      'rejected',
      'alone:14',
    ]);
    calls[2].finish();
    await expect(next).resolves.toBe('lane:5');
  });
});
