import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import type { AppendWorkload } from './config';
import { benchEvents, EventIdSpace, streamName, type BenchEvent } from './events';
import type { StoreUnderTest } from './store-under-test';

/**
 * The measurements themselves. Each one is written once against StoreUnderTest, so both stores run
 * exactly the same code, with the same events, streams and concurrency.
 */

interface PlannedAppend {
  stream: string;
  events: BenchEvent[];
  eventsAlreadyInStream: number;
}

export interface AppendMeasurement {
  events: number;
  elapsedMs: number;
  eventsPerSecond: number;
}

export async function measureAppends(
  store: StoreUnderTest,
  connectionString: string,
  workload: AppendWorkload,
): Promise<AppendMeasurement> {
  const warmup = planAppends(new EventIdSpace(), {
    ...workload,
    callsPerCaller: workload.warmupCallsPerCaller,
  });
  await Promise.all(warmup.map((calls) => appendInTurn(store, calls)));

  // Events are built before the clock starts: the figure is the store's, not the generator's.
  const planned = planAppends(new EventIdSpace(), workload);
  await settle(connectionString);

  const started = performance.now();
  await Promise.all(planned.map((calls) => appendInTurn(store, calls)));
  const elapsedMs = performance.now() - started;

  const events = workload.callers * workload.callsPerCaller * workload.eventsPerCall;
  return { events, elapsedMs, eventsPerSecond: events / (elapsedMs / 1000) };
}

/** One list of calls per caller; each caller owns its streams, so no caller ever conflicts with another. */
function planAppends(ids: EventIdSpace, workload: AppendWorkload): PlannedAppend[][] {
  let nextIndex = 0;
  return Array.from({ length: workload.callers }, () => {
    const calls: PlannedAppend[] = [];
    let stream = streamName();
    let eventsInStream = 0;
    for (let call = 0; call < workload.callsPerCaller; call += 1) {
      if (eventsInStream + workload.eventsPerCall > workload.eventsPerStream) {
        stream = streamName();
        eventsInStream = 0;
      }
      calls.push({
        stream,
        events: benchEvents(ids, nextIndex, workload.eventsPerCall),
        eventsAlreadyInStream: eventsInStream,
      });
      nextIndex += workload.eventsPerCall;
      eventsInStream += workload.eventsPerCall;
    }
    return calls;
  });
}

async function appendInTurn(store: StoreUnderTest, calls: PlannedAppend[]): Promise<void> {
  for (const call of calls) await store.append(call.stream, call.events, call.eventsAlreadyInStream);
}

export interface ReadStreamMeasurement {
  medianMs: number;
  readsMs: number[];
}

export async function measureReadStream(
  store: StoreUnderTest,
  connectionString: string,
  plan: { streamLength: number; eventsPerAppend: number; warmupReads: number; timedReads: number },
): Promise<ReadStreamMeasurement> {
  const ids = new EventIdSpace();
  const stream = streamName();
  for (let written = 0; written < plan.streamLength; written += plan.eventsPerAppend) {
    const count = Math.min(plan.eventsPerAppend, plan.streamLength - written);
    await store.append(stream, benchEvents(ids, written, count), written);
  }

  const readWhole = async (): Promise<void> => {
    const read = await store.readStream(stream);
    if (read !== plan.streamLength)
      throw new Error(`read ${read} events of ${plan.streamLength} from ${stream}`);
  };
  for (let read = 0; read < plan.warmupReads; read += 1) await readWhole();
  await settle(connectionString);

  const readsMs: number[] = [];
  for (let read = 0; read < plan.timedReads; read += 1) {
    const started = performance.now();
    await readWhole();
    readsMs.push(performance.now() - started);
  }
  return { medianMs: median(readsMs), readsMs };
}

export interface LogPlan {
  events: number;
  appenders: number;
  eventsPerAppend: number;
  eventsPerStream: number;
  idPrefix: string;
}

/**
 * Writes the global log a catch-up reads: concurrent appenders, so that transactions commit in a
 * different order than they took their positions, as in production. Not timed as a figure.
 */
export async function writeLog(store: StoreUnderTest, plan: LogPlan): Promise<{ elapsedMs: number }> {
  const ids = new EventIdSpace(plan.idPrefix);
  const appends = Math.ceil(plan.events / plan.eventsPerAppend);
  const started = performance.now();
  await Promise.all(
    Array.from({ length: plan.appenders }, async (_, appender) => {
      let stream = streamName();
      let eventsInStream = 0;
      // Appender a writes appends a, a + appenders, a + 2 * appenders, ...: every index exactly once.
      for (let append = appender; append < appends; append += plan.appenders) {
        const from = append * plan.eventsPerAppend;
        const count = Math.min(plan.eventsPerAppend, plan.events - from);
        if (eventsInStream + count > plan.eventsPerStream) {
          stream = streamName();
          eventsInStream = 0;
        }
        await store.append(stream, benchEvents(ids, from, count), eventsInStream);
        eventsInStream += count;
      }
    }),
  );
  return { elapsedMs: performance.now() - started };
}

export interface CatchUpMeasurement {
  written: number;
  delivered: number;
  lost: number;
  repeated: number;
  elapsedMs: number;
  eventsPerSecond: number;
}

/**
 * Reads the whole global log from its start and checks what came back against what was written:
 * every written id must arrive exactly once. The clock stops at the last first-time delivery, so a
 * reading that lost events is not charged for the idle wait that detects the loss.
 */
export async function measureCatchUp(
  store: StoreUnderTest,
  connectionString: string,
  plan: { events: number; idPrefix: string; batchSize: number; idleTimeoutMs: number },
): Promise<CatchUpMeasurement> {
  const ids = new EventIdSpace(plan.idPrefix);
  const timesSeen = new Uint8Array(plan.events);
  let distinct = 0;
  let repeated = 0;
  let foreign = 0;
  let lastFirstDeliveryAt = 0;

  await settle(connectionString);
  const started = performance.now();
  await store.readGlobalLog({
    batchSize: plan.batchSize,
    idleTimeoutMs: plan.idleTimeoutMs,
    onEvent(id) {
      const index = ids.indexOf(id);
      if (index === undefined || index >= plan.events) {
        foreign += 1;
        return 'repeated';
      }
      if (timesSeen[index] === 1) {
        repeated += 1;
        return 'repeated';
      }
      timesSeen[index] = 1;
      distinct += 1;
      lastFirstDeliveryAt = performance.now();
      return distinct === plan.events ? 'complete' : 'new';
    },
  });
  if (foreign > 0) throw new Error(`${foreign} events came back that the bench never wrote to this log`);

  const elapsedMs = (distinct > 0 ? lastFirstDeliveryAt : performance.now()) - started;
  return {
    written: plan.events,
    delivered: distinct,
    lost: plan.events - distinct,
    repeated,
    elapsedMs,
    eventsPerSecond: distinct / (elapsedMs / 1000),
  };
}

/**
 * Starts each timed part from the same state: dirty pages flushed (so no checkpoint the previous
 * run caused lands in this one) and garbage collected.
 */
async function settle(connectionString: string): Promise<void> {
  const client = new Client({ connectionString });
  await client.connect();
  try {
    await client.query('CHECKPOINT');
  } catch (error) {
    // CHECKPOINT needs a superuser or pg_checkpoint; without it the bench is noisier, not wrong.
    process.emitWarning(`CHECKPOINT skipped: ${String(error)}`);
  } finally {
    await client.end();
  }
  (globalThis as { gc?: () => void }).gc?.();
}

export function median(values: number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}
