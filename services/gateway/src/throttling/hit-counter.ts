import { type ThrottlerStorage } from '@nestjs/throttler';

/** What @nestjs/throttler expects back from its storage. */
interface HitCount {
  totalHits: number;
  timeToExpire: number;
  isBlocked: boolean;
  timeToBlockExpire: number;
}

interface KeyHits {
  /** Hits per whole second, oldest first: [second, hits] pairs. */
  seconds: Array<[number, number]>;
  total: number;
  blockedUntil: number;
}

/**
 * The rate limiter's counts: a sliding window kept as hits per second, for each key. The
 * throttler's own storage keeps one timestamp per hit and filters them all on every request, so
 * at the limits the gateway allows (thousands a minute per key) it cost more CPU than any other
 * step of a request. Counting per second keeps at most one entry per second of the window, and
 * lets a hit expire at most a second late, never early: no key gets more than its limit.
 *
 * Past the limit a key is blocked for blockDuration (the window, as the throttler's default),
 * with Retry-After the time left; then its count starts again from zero, as the throttler's does.
 */
export class PerSecondHitCounter implements ThrottlerStorage {
  private readonly keys = new Map<string, KeyHits>();
  private lastSweep = Date.now();

  increment(key: string, ttl: number, limit: number, blockDuration: number): Promise<HitCount> {
    const now = Date.now();
    this.sweepOccasionally(now, ttl);
    let hits = this.keys.get(key);
    if (!hits) {
      hits = { seconds: [], total: 0, blockedUntil: 0 };
      this.keys.set(key, hits);
    }
    if (hits.blockedUntil > now) {
      return Promise.resolve(this.count(hits, now, ttl, true));
    }
    if (hits.blockedUntil > 0) {
      // The block is over: the key starts afresh.
      hits.seconds = [];
      hits.total = 0;
      hits.blockedUntil = 0;
    }
    expire(hits, now, ttl);
    const second = Math.floor(now / 1000);
    const last = hits.seconds.at(-1);
    if (last && last[0] === second) last[1]++;
    else hits.seconds.push([second, 1]);
    hits.total++;
    if (hits.total > limit) hits.blockedUntil = now + blockDuration;
    return Promise.resolve(this.count(hits, now, ttl, hits.blockedUntil > now));
  }

  private count(hits: KeyHits, now: number, ttl: number, isBlocked: boolean): HitCount {
    const oldest = hits.seconds[0];
    const nextExpiry = oldest ? expiryOf(oldest[0], ttl) : now + ttl;
    return {
      totalHits: hits.total,
      timeToExpire: Math.ceil((nextExpiry - now) / 1000),
      isBlocked,
      timeToBlockExpire: isBlocked ? Math.ceil((hits.blockedUntil - now) / 1000) : 0,
    };
  }

  /** Forgets keys idle for a whole window (addresses of one-off callers of the public routes). */
  private sweepOccasionally(now: number, ttl: number): void {
    if (now - this.lastSweep < ttl) return;
    this.lastSweep = now;
    for (const [key, hits] of this.keys) {
      expire(hits, now, ttl);
      if (hits.total === 0 && hits.blockedUntil <= now) this.keys.delete(key);
    }
  }
}

/** A second's hits count until the window has passed over its last millisecond. */
function expiryOf(second: number, ttl: number): number {
  return (second + 1) * 1000 + ttl;
}

function expire(hits: KeyHits, now: number, ttl: number): void {
  let expired = 0;
  while (expired < hits.seconds.length && expiryOf(hits.seconds[expired][0], ttl) <= now) {
    hits.total -= hits.seconds[expired][1];
    expired++;
  }
  if (expired > 0) hits.seconds.splice(0, expired);
}
