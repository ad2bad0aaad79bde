import { type ExecutionContext, Injectable } from '@nestjs/common';
import { ThrottlerGuard, type ThrottlerModuleOptions } from '@nestjs/throttler';
import { type GatewaySettings } from '../gateway-settings';
import { type GatewayRequest } from '../http/gateway-request';
import { PerSecondHitCounter } from './hit-counter';

const WINDOW_MS = 60_000;

/**
 * One budget per API key across every route (or per IP address for the routes that need no key):
 * RATE_LIMIT_PER_MINUTE requests a minute, then 429 with Retry-After until the window ends.
 */
export function rateLimitOptions(settings: GatewaySettings): ThrottlerModuleOptions {
  return {
    throttlers: [{ name: 'default', ttl: WINDOW_MS, limit: settings.rateLimitPerMinute }],
    storage: new PerSecondHitCounter(),
    getTracker: (request: Record<string, unknown>) => {
      const { principal, ip } = request as unknown as GatewayRequest & { ip?: string };
      return principal ? `key:${principal.id}` : `ip:${ip ?? 'unknown'}`;
    },
    generateKey: (_context, tracker, throttler) => `${throttler}:${tracker}`,
    errorMessage: (_context, limit) =>
      `rate limit of ${limit.limit} requests per minute exceeded for this API key; retry after ${limit.timeToBlockExpire} s (Retry-After)`,
  };
}

/** Runs after the ApiKeyGuard (so the key is known); NATS handlers of the gateway are not HTTP and not limited. */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  protected override shouldSkip(context: ExecutionContext): Promise<boolean> {
    return Promise.resolve(context.getType() !== 'http');
  }
}
