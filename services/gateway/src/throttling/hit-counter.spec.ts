import { PerSecondHitCounter } from './hit-counter';

const MINUTE = 60_000;

describe('PerSecondHitCounter', () => {
  let now: number;
  beforeEach(() => {
    now = Date.UTC(2026, 0, 1, 12, 0, 0, 250);
    jest.spyOn(Date, 'now').mockImplementation(() => now);
  });
  afterEach(() => jest.restoreAllMocks());

  const hit = (counter: PerSecondHitCounter, key = 'key:a', limit = 3) =>
    counter.increment(key, MINUTE, limit, MINUTE);

  it('counts hits per key and blocks past the limit, with the time left', async () => {
    const counter = new PerSecondHitCounter();
    const first = await hit(counter);
    await hit(counter);
    now += 10_000;
    const third = await hit(counter);
    const fourth = await hit(counter);
    const otherKey = await hit(counter, 'key:b');

    expect(first).toMatchObject({ totalHits: 1, isBlocked: false, timeToBlockExpire: 0 });
    expect(third).toMatchObject({ totalHits: 3, isBlocked: false });
    expect(fourth).toMatchObject({ totalHits: 4, isBlocked: true, timeToBlockExpire: 60 });
    expect(otherKey).toMatchObject({ totalHits: 1, isBlocked: false });
  });

  it('lets hits leave the window a minute after their second, never sooner', async () => {
    const counter = new PerSecondHitCounter();
    await hit(counter);
    await hit(counter);
    now += 30_000;
    await hit(counter);

    now += 30_000 - 250; // a minute after the first hits' second began: they may still count
    expect(await hit(counter, 'key:a', 4)).toMatchObject({ totalHits: 4, isBlocked: false });
    now += 1000; // past the end of their second plus a minute
    expect(await hit(counter, 'key:a', 4)).toMatchObject({ totalHits: 3, isBlocked: false });
  });

  it('starts a blocked key afresh once its block is over', async () => {
    const counter = new PerSecondHitCounter();
    for (let call = 0; call < 4; call++) await hit(counter);
    now += 30_000;
    expect(await hit(counter)).toMatchObject({ isBlocked: true, timeToBlockExpire: 30 });
    now += 30_000;
    expect(await hit(counter)).toMatchObject({ totalHits: 1, isBlocked: false });
  });
});
