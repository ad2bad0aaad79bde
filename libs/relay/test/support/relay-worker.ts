/**
 * A relay in a process of its own, for the crash test to SIGKILL. Run it with
 * `node -r libs/testing/register-typescript.js relay-worker.ts`.
 */
import { PostgresEventStore } from '@aid/event-store';
import { requiredEnv } from '@aid/testing';
import { connect } from '@nats-io/transport-node';
import { pino } from 'pino';
import { Relay } from '../../src';

async function main(): Promise<void> {
  const connectionString = requiredEnv('DATABASE_URL');
  const nats = await connect({ servers: requiredEnv('NATS_URL') });
  const relay = new Relay({
    name: requiredEnv('RELAY_NAME'),
    store: new PostgresEventStore({ connectionString, schema: requiredEnv('STORE_SCHEMA'), idlePollMs: 20 }),
    connectionString,
    nats,
    streamName: requiredEnv('STREAM_NAME'),
    subjectPrefix: requiredEnv('SUBJECT_PREFIX'),
    batchSize: Number(process.env.BATCH_SIZE ?? 20),
    standbyRetryMs: 100,
    logger: pino({ level: process.env.LOG_LEVEL ?? 'silent' }),
  });
  await relay.start();
  process.send?.({ state: relay.state });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
