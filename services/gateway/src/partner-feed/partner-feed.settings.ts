import { CONFIG_DEFAULTS, ConfigError, natsServers } from '@aid/messaging';

/**
 * Settings of the partner feed, from the environment when the gateway starts; a bad value stops
 * it with a message naming the variable. The defaults suit production; tests shorten the times.
 */
export interface PartnerFeedSettings {
  /** PARTNER_FEED_HEARTBEAT_MS: a comment line on every open event stream this often (default 15 s). */
  heartbeatMs: number;
  /** WEBHOOK_RETRY_BASE_MS: the first retry's delay; each next one doubles it (default 1 s). */
  webhookRetryBaseMs: number;
  /** WEBHOOK_RETRY_MAX_MS: no retry waits longer (default 10 min). */
  webhookRetryMaxMs: number;
  /** WEBHOOK_MAX_ATTEMPTS: attempts before a delivery is parked (default 8). */
  webhookMaxAttempts: number;
  /** WEBHOOK_TIMEOUT_MS: how long a receiver has to answer one delivery (default 10 s). */
  webhookTimeoutMs: number;
  /** WEBHOOK_POLL_MS: how often idle workers look for replays and new webhooks (default 1 s). */
  webhookPollMs: number;
  /**
   * WEBHOOK_ALLOW_PRIVATE_URLS: `true` lets webhooks point at localhost and private addresses
   * (local development, tests). Off by default, so a partner key cannot aim the gateway at the
   * services behind it.
   */
  webhookAllowPrivateUrls: boolean;
  /**
   * PARTNER_NATS_HOST: host:port partners reach NATS at, named in /asyncapi.json (default: the
   * first server of NATS_URL; set it when partners come through another name than the services).
   */
  partnerNatsHost: string;
}

export const PARTNER_FEED_SETTINGS = Symbol('PARTNER_FEED_SETTINGS');

const HOUR_MS = 3_600_000;

export function loadPartnerFeedSettings(
  env: Record<string, string | undefined> = process.env,
  natsUrl: string | undefined = env.NATS_URL,
): PartnerFeedSettings {
  const problems: string[] = [];
  const integer = (name: string, fallback: number, max: number): number => {
    const text = env[name]?.trim();
    if (text === undefined || text === '') return fallback;
    if (/^\d+$/.test(text) && Number(text) >= 1 && Number(text) <= max) return Number(text);
    problems.push(`${name} must be an integer from 1 to ${max} (got "${text}")`);
    return fallback;
  };
  const allowPrivate = env.WEBHOOK_ALLOW_PRIVATE_URLS?.trim() ?? 'false';
  if (allowPrivate !== 'true' && allowPrivate !== 'false') {
    problems.push(`WEBHOOK_ALLOW_PRIVATE_URLS must be true or false (got "${allowPrivate}")`);
  }
  const settings: PartnerFeedSettings = {
    heartbeatMs: integer('PARTNER_FEED_HEARTBEAT_MS', 15_000, HOUR_MS),
    webhookRetryBaseMs: integer('WEBHOOK_RETRY_BASE_MS', 1000, HOUR_MS),
    webhookRetryMaxMs: integer('WEBHOOK_RETRY_MAX_MS', 10 * 60_000, 24 * HOUR_MS),
    webhookMaxAttempts: integer('WEBHOOK_MAX_ATTEMPTS', 8, 100),
    webhookTimeoutMs: integer('WEBHOOK_TIMEOUT_MS', 10_000, 5 * 60_000),
    webhookPollMs: integer('WEBHOOK_POLL_MS', 1000, 60_000),
    webhookAllowPrivateUrls: allowPrivate === 'true',
    partnerNatsHost: env.PARTNER_NATS_HOST?.trim() || natsHostOf(natsUrl),
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return settings;
}

function natsHostOf(natsUrl: string | undefined): string {
  try {
    return new URL(natsServers(natsUrl ?? CONFIG_DEFAULTS.natsUrl)[0]).host;
  } catch {
    return new URL(CONFIG_DEFAULTS.natsUrl).host;
  }
}
