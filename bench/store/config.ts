/**
 * Sizes of every measurement. The full sizes make each timed part last a few seconds on a 2-core
 * machine, long enough for a median of 5 to mean something. BENCH_QUICK=1 shrinks everything so a
 * developer or CI can check in well under a minute that the harness works; its numbers mean nothing.
 */

/**
 * Emmett's consumer sleeps `pullingFrequencyInMs` (50 ms by default) between two full batches. Our
 * subscription reads the next batch at once, so Emmett gets the same: 1 ms, the shortest pause that
 * still lets its idle back-off (which doubles the pause) grow.
 */
export const EMMETT_PULL_PAUSE_MS = 1;

export interface AppendWorkload {
  callers: number;
  callsPerCaller: number;
  eventsPerCall: number;
  /** A caller starts a new stream after this many events, as a shipment's stream ends after a few. */
  eventsPerStream: number;
  /** Untimed calls per caller first, at the same concurrency: they open the pool's connections and warm the JIT. */
  warmupCallsPerCaller: number;
}

export const APPEND_FIGURES = ['append_1_seq_eps', 'append_1_x16_eps', 'append_100_x16_eps'] as const;
export type AppendFigure = (typeof APPEND_FIGURES)[number];

export interface CatchUpSize {
  figure: 'catchup_100k_eps' | 'catchup_1m_eps';
  events: number;
  /** Emmett's consumer needs minutes for 100k, so it is read once there and not at all at 1M. */
  emmettRuns: number;
}

export interface BenchConfig {
  quick: boolean;
  scale: number;
  runs: number;
  appends: Record<AppendFigure, AppendWorkload>;
  readStream: { streamLength: number; eventsPerAppend: number; warmupReads: number; timedReads: number };
  catchUp: {
    sizes: CatchUpSize[];
    appenders: number;
    eventsPerAppend: number;
    eventsPerStream: number;
    batchSize: number;
    idleTimeoutMs: number;
  };
}

export function benchConfig(env: NodeJS.ProcessEnv = process.env): BenchConfig {
  const quick = env.BENCH_QUICK === '1' || env.BENCH_QUICK === 'true';
  const scale = positiveNumber(env.BENCH_SCALE, quick ? 0.01 : 1, 'BENCH_SCALE');
  const runs = Math.round(positiveNumber(env.BENCH_RUNS, quick ? 2 : 5, 'BENCH_RUNS'));
  const scaled = (full: number): number => Math.max(1, Math.round(full * scale));
  // Catch-up logs are written in whole appends of 100 events.
  const scaledLog = (full: number): number => Math.max(1, Math.round((full * scale) / 100)) * 100;

  return {
    quick,
    scale,
    runs,
    appends: {
      append_1_seq_eps: {
        callers: 1,
        callsPerCaller: scaled(2000),
        eventsPerCall: 1,
        eventsPerStream: 10,
        warmupCallsPerCaller: scaled(100),
      },
      append_1_x16_eps: {
        callers: 16,
        callsPerCaller: scaled(500),
        eventsPerCall: 1,
        eventsPerStream: 10,
        warmupCallsPerCaller: scaled(20),
      },
      append_100_x16_eps: {
        callers: 16,
        callsPerCaller: scaled(20),
        eventsPerCall: 100,
        eventsPerStream: 1000,
        warmupCallsPerCaller: 2,
      },
    },
    readStream: {
      streamLength: 1000,
      eventsPerAppend: 100,
      warmupReads: quick ? 2 : 5,
      timedReads: quick ? 5 : 50,
    },
    catchUp: {
      sizes: [
        { figure: 'catchup_100k_eps', events: scaledLog(100_000), emmettRuns: 1 },
        { figure: 'catchup_1m_eps', events: scaledLog(1_000_000), emmettRuns: 0 },
      ],
      appenders: 16,
      eventsPerAppend: 100,
      eventsPerStream: 500,
      batchSize: 1000,
      idleTimeoutMs: 15_000,
    },
  };
}

function positiveNumber(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value === '') return fallback;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed <= 0)
    throw new Error(`${name} must be a positive number, got "${value}"`);
  return parsed;
}
