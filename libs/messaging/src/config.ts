/**
 * Configuration comes from environment variables only, each with a default that works on a
 * developer machine (see the table in README.md). A bad value stops the service at once with a
 * message naming the variable, instead of surfacing later as a confusing connection error.
 */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const EVENT_STORE_KINDS = ['postgres', 'esdb'] as const;
export type EventStoreKind = (typeof EVENT_STORE_KINDS)[number];

export interface AppConfig {
  /** DATABASE_URL: read models, and the events themselves when eventStore is 'postgres'. */
  databaseUrl: string;
  /** NATS_URL: one URL, or several separated by commas for a cluster. */
  natsUrl: string;
  /** EVENT_STORE: which adapter holds the events. */
  eventStore: EventStoreKind;
  /** EVENTSTORE_URL: EventStoreDB connection string; required when eventStore is 'esdb'. */
  eventStoreUrl: string | undefined;
  /** PORT: the gateway's HTTP port. */
  port: number;
  /** AID_ADMIN_KEY: the first admin API key. */
  adminKey: string | undefined;
  /** LOG_LEVEL */
  logLevel: LogLevel;
}

export const CONFIG_DEFAULTS = {
  databaseUrl: 'postgres://postgres@127.0.0.1:5432/aid_ledger',
  natsUrl: 'nats://127.0.0.1:4222',
  eventStore: 'postgres',
  port: 3000,
  logLevel: 'info',
} as const satisfies Partial<AppConfig>;

/** Shorter keys are too easy to guess for the key that can create every other key. */
export const MIN_ADMIN_KEY_LENGTH = 16;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
  }
}

type Env = Record<string, string | undefined>;

/** Reads and validates the configuration; throws a ConfigError listing every bad variable. */
export function loadConfig(env: Env = process.env): AppConfig {
  const problems: string[] = [];
  // An empty variable (e.g. `AID_ADMIN_KEY=` in a compose file) means "not set".
  const read = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === '' ? undefined : value;
  };

  const databaseUrl = read('DATABASE_URL') ?? CONFIG_DEFAULTS.databaseUrl;
  if (!hasProtocol(databaseUrl, ['postgres:', 'postgresql:'])) {
    problems.push(
      `DATABASE_URL must be a postgres:// URL, e.g. ${CONFIG_DEFAULTS.databaseUrl} (got "${databaseUrl}")`,
    );
  } else if (new URL(databaseUrl).pathname.length <= 1) {
    problems.push(
      `DATABASE_URL must name a database, e.g. ${CONFIG_DEFAULTS.databaseUrl} (got "${databaseUrl}")`,
    );
  }

  const natsUrl = read('NATS_URL') ?? CONFIG_DEFAULTS.natsUrl;
  if (!natsServers(natsUrl).every((server) => hasProtocol(server, ['nats:', 'tls:']))) {
    problems.push(
      `NATS_URL must be one or more comma-separated nats:// or tls:// URLs, e.g. ${CONFIG_DEFAULTS.natsUrl} (got "${natsUrl}")`,
    );
  }

  const eventStore = read('EVENT_STORE') ?? CONFIG_DEFAULTS.eventStore;
  if (!isOneOf(eventStore, EVENT_STORE_KINDS)) {
    problems.push(`EVENT_STORE must be one of ${EVENT_STORE_KINDS.join(', ')} (got "${eventStore}")`);
  }

  const eventStoreUrl = read('EVENTSTORE_URL');
  if (eventStoreUrl !== undefined && !hasProtocol(eventStoreUrl, ['esdb:', 'esdb+discover:'])) {
    problems.push(
      `EVENTSTORE_URL must be an esdb:// URL, e.g. esdb://localhost:2113?tls=false (got "${eventStoreUrl}")`,
    );
  }
  if (eventStore === 'esdb' && eventStoreUrl === undefined) {
    problems.push('EVENTSTORE_URL is required when EVENT_STORE=esdb, e.g. esdb://localhost:2113?tls=false');
  }

  const portText = read('PORT') ?? String(CONFIG_DEFAULTS.port);
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535) {
    problems.push(`PORT must be an integer from 0 to 65535 (got "${portText}")`);
  }

  const adminKey = read('AID_ADMIN_KEY');
  if (adminKey !== undefined && adminKey.length < MIN_ADMIN_KEY_LENGTH) {
    problems.push(`AID_ADMIN_KEY must be at least ${MIN_ADMIN_KEY_LENGTH} characters long`);
  }

  const logLevel = (read('LOG_LEVEL') ?? CONFIG_DEFAULTS.logLevel).toLowerCase();
  if (!isOneOf(logLevel, LOG_LEVELS)) {
    problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')} (got "${logLevel}")`);
  }

  if (problems.length > 0) throw new ConfigError(problems);
  return {
    databaseUrl,
    natsUrl,
    eventStore: eventStore as EventStoreKind,
    eventStoreUrl,
    port,
    adminKey,
    logLevel: logLevel as LogLevel,
  };
}

/** The server list the NATS client wants, from NATS_URL. */
export function natsServers(natsUrl: string): string[] {
  return natsUrl
    .split(',')
    .map((server) => server.trim())
    .filter((server) => server !== '');
}

export interface NatsConnectionOptions {
  servers: string[];
  user?: string;
  pass?: string;
}

/**
 * What every NATS connection of a service is opened with: the servers of NATS_URL, and the user and
 * password it may carry (`nats://services:<password>@nats:4222`, as docker-compose.yml sets it for
 * the authorization of infra/nats/nats-server.conf). The NATS client ignores credentials written
 * in a server URL, so they are passed on as options, and taken off the URLs.
 */
export function natsConnectionOptions(natsUrl: string): NatsConnectionOptions {
  let credentials: { user: string; pass: string } | undefined;
  const servers = natsServers(natsUrl).map((server) => {
    let url: URL;
    try {
      url = new URL(server);
    } catch {
      return server;
    }
    if (url.username === '' && url.password === '') return server;
    credentials ??= { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) };
    url.username = '';
    url.password = '';
    return url.toString().replace(/\/$/, '');
  });
  return { servers, ...credentials };
}

/** The URL with its password replaced, fit for log lines and error messages. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return url;
  }
}

function hasProtocol(url: string, protocols: string[]): boolean {
  try {
    return protocols.includes(new URL(url).protocol);
  } catch {
    return false;
  }
}

function isOneOf<T extends string>(value: string, allowed: readonly T[]): value is T {
  return (allowed as readonly string[]).includes(value);
}
