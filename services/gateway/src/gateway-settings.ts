import { ConfigError } from '@aid/messaging';

/**
 * The gateway's own settings, beside the shared ones of loadConfig (libs/messaging). Read from
 * the environment when the gateway module is created; a bad value stops it with a message naming
 * the variable, like every other setting.
 */
export interface GatewaySettings {
  /** RATE_LIMIT_PER_MINUTE: requests one API key (or, without a key, one IP address) may make per minute. */
  rateLimitPerMinute: number;
  /** SERVICE_TIMEOUT_MS: how long the gateway waits for a service's reply before answering 503. */
  serviceTimeoutMs: number;
  /** API_KEY_CACHE_MS: how long an authenticated key is remembered (0: checked on every request). */
  apiKeyCacheMs: number;
}

export const GATEWAY_SETTINGS_DEFAULTS: GatewaySettings = {
  // Generous: the coordinators' tools and the benchmark send hundreds of commands a second with one key.
  rateLimitPerMinute: 120_000,
  serviceTimeoutMs: 5000,
  // Saves a query per request; a key revoked through another gateway replica works here this much longer.
  apiKeyCacheMs: 2000,
};

export const GATEWAY_SETTINGS = Symbol('GATEWAY_SETTINGS');

export function loadGatewaySettings(env: Record<string, string | undefined> = process.env): GatewaySettings {
  const problems: string[] = [];
  const integer = (name: string, fallback: number, min: number, max: number): number => {
    const text = env[name]?.trim();
    if (text === undefined || text === '') return fallback;
    const value = Number(text);
    if (!/^\d+$/.test(text) || value < min || value > max) {
      problems.push(`${name} must be an integer from ${min} to ${max} (got "${text}")`);
    }
    return value;
  };
  const settings: GatewaySettings = {
    rateLimitPerMinute: integer(
      'RATE_LIMIT_PER_MINUTE',
      GATEWAY_SETTINGS_DEFAULTS.rateLimitPerMinute,
      1,
      100_000_000,
    ),
    serviceTimeoutMs: integer('SERVICE_TIMEOUT_MS', GATEWAY_SETTINGS_DEFAULTS.serviceTimeoutMs, 1, 600_000),
    apiKeyCacheMs: integer('API_KEY_CACHE_MS', GATEWAY_SETTINGS_DEFAULTS.apiKeyCacheMs, 0, 600_000),
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return settings;
}
