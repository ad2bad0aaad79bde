import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { DependencyUnavailableError } from '@aid/event-store';
import { Client } from 'pg';
import { natsConnectionOptions, redactUrl, type AppConfig } from './config';

/**
 * How to start each dependency on the development machine. Docker users have the same
 * services in docker-compose.yml.
 */
export const START_COMMANDS = {
  postgres: 'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start',
  nats: 'start-stop-daemon --start --oknodo --background --exec /usr/sbin/nats-server -- -a 127.0.0.1 -p 4222 -js -sd /var/lib/nats-server -l /var/log/nats-server.log',
} as const;

const CONNECT_TIMEOUT_MS = 3000;

// PostgreSQL error codes (https://www.postgresql.org/docs/current/errcodes-appendix.html).
const INVALID_CATALOG_NAME = '3D000';
const DUPLICATE_DATABASE = '42P04';
const UNIQUE_VIOLATION = '23505';

/** Checks every dependency a service needs before it starts; throws DependencyUnavailableError. */
export async function checkDependencies(config: Pick<AppConfig, 'databaseUrl' | 'natsUrl'>): Promise<void> {
  await ensurePostgresDatabase(config.databaseUrl);
  await checkNats(config.natsUrl);
}

/**
 * Fails unless PostgreSQL answers at databaseUrl. Creates the database when the server is up but
 * the database is missing, because the quick start runs on a fresh machine.
 * Returns true when it created the database.
 */
export async function ensurePostgresDatabase(databaseUrl: string): Promise<boolean> {
  try {
    await withClient(databaseUrl, (client) => client.query('SELECT 1'));
    return false;
  } catch (error) {
    if (errorCode(error) !== INVALID_CATALOG_NAME) throw postgresUnavailable(databaseUrl, error);
  }

  const database = decodeURIComponent(new URL(databaseUrl).pathname.slice(1));
  const maintenanceUrl = new URL(databaseUrl);
  maintenanceUrl.pathname = '/postgres';
  try {
    await withClient(maintenanceUrl.toString(), (client) =>
      client.query(`CREATE DATABASE "${database.replaceAll('"', '""')}"`),
    );
    return true;
  } catch (error) {
    // Several services start at once and race to create it; losing that race is fine.
    const code = errorCode(error);
    if (code === DUPLICATE_DATABASE || code === UNIQUE_VIOLATION) return false;
    throw new DependencyUnavailableError(
      `PostgreSQL is up but database "${database}" is missing and could not be created at ` +
        `${redactUrl(databaseUrl)} (${describe(error)}). Create it with: createdb -h ${maintenanceUrl.hostname} -U ${
          maintenanceUrl.username || 'postgres'
        } ${database}`,
    );
  }
}

/** Fails unless a NATS server answers at natsUrl with JetStream enabled. */
export async function checkNats(natsUrl: string): Promise<void> {
  let connection: NatsConnection;
  try {
    connection = await connect({
      ...natsConnectionOptions(natsUrl),
      timeout: CONNECT_TIMEOUT_MS,
      reconnect: false,
    });
  } catch (error) {
    throw new DependencyUnavailableError(
      `NATS is not reachable at ${redactUrl(natsUrl)} (${describe(error)}). Start it with: ${START_COMMANDS.nats}`,
    );
  }
  try {
    // jetstreamManager asks the server for the account's JetStream info and fails without it.
    await jetstreamManager(connection, { timeout: CONNECT_TIMEOUT_MS });
  } catch (error) {
    throw new DependencyUnavailableError(
      `NATS at ${redactUrl(natsUrl)} runs without JetStream (${describe(error)}). ` +
        `Restart it with -js: ${START_COMMANDS.nats}`,
    );
  } finally {
    await connection.close();
  }
}

function postgresUnavailable(databaseUrl: string, error: unknown): DependencyUnavailableError {
  return new DependencyUnavailableError(
    `PostgreSQL is not reachable at ${redactUrl(databaseUrl)} (${describe(error)}). Start it with: ${START_COMMANDS.postgres}`,
  );
}

async function withClient<T>(connectionString: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
  // A failed connect leaves nothing to end; ending it anyway would throw a second error.
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string'
    ? error.code
    : undefined;
}

function describe(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return describe(error.errors[0]);
  if (error instanceof Error) return error.message || errorCode(error) || error.name;
  return String(error);
}
