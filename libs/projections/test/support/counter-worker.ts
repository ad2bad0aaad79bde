/**
 * A counter projection in a process of its own, for the crash test to SIGKILL. Run it with
 * `node -r libs/testing/register-typescript.js counter-worker.ts`; configured by environment variables.
 */
import { PostgresEventStore } from '@aid/event-store';
import { requiredEnv } from '@aid/testing';
import { setTimeout as delay } from 'node:timers/promises';
import { pino } from 'pino';
import { ProjectionRunner } from '../../src';
import { counterProjection } from './counter-projection';

async function main(): Promise<void> {
  const connectionString = requiredEnv('DATABASE_URL');
  const handleDelayMs = Number(process.env.HANDLE_DELAY_MS ?? 0);
  const store = new PostgresEventStore({
    connectionString,
    schema: requiredEnv('STORE_SCHEMA'),
    idlePollMs: 20,
  });
  const runner = new ProjectionRunner({
    projection: counterProjection({
      name: requiredEnv('PROJECTION_NAME'),
      // Slows each batch transaction down, so that kills often land inside one.
      beforeHandle: () => delay(handleDelayMs),
    }),
    store,
    connectionString,
    batchSize: Number(process.env.BATCH_SIZE ?? 10),
    standbyRetryMs: 100,
    logger: pino({ level: process.env.LOG_LEVEL ?? 'silent' }),
  });
  await runner.start();
  process.send?.({ state: runner.state });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
