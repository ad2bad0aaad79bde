/**
 * A relay in a process of its own, for the crash test to SIGKILL. Run it with
 * `node -r ../../../projections/test/support/register-typescript.js relay-worker.ts`.
 */
import { PostgresEventStore } from '@aid/event-store';
import { connect } from '@nats-io/transport-node';
import { pino } from 'pino';
import { Relay } from '../../src';

async function main(): Promise<void> {
  const connectionString = required('DATABASE_URL');
  const nats = await connect({ servers: required('NATS_URL') });
  const relay = new Relay({
    name: required('RELAY_NAME'),
    store: new PostgresEventStore({ connectionString, schema: required('STORE_SCHEMA'), idlePollMs: 20 }),
    connectionString,
    nats,
    streamName: required('STREAM_NAME'),
    subjectPrefix: required('SUBJECT_PREFIX'),
    batchSize: Number(process.env.BATCH_SIZE ?? 20),
    standbyRetryMs: 100,
    logger: pino({ level: process.env.LOG_LEVEL ?? 'silent' }),
  });
  await relay.start();
  process.send?.({ state: relay.state });
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
