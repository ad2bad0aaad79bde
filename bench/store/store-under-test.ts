import type { BenchEvent } from './events';

export type StoreName = 'ours' | 'emmett';

/** What the bench makes of one delivered event. */
export type Delivery = 'new' | 'repeated' | 'complete';

export interface GlobalLogReading {
  batchSize: number;
  /**
   * Give up when no event not seen before arrives for this long: a lost event would otherwise stall
   * the reading forever, and a reader that keeps repeating old events is not making progress either.
   */
  idleTimeoutMs: number;
  /** Called for every delivered event, in delivery order; 'complete' once every written event was seen. */
  onEvent(id: string): Delivery;
}

/**
 * The few operations the bench needs, so that every workload runs the same code against both stores.
 * Each adapter translates them to its store's own API and does nothing else.
 */
export interface StoreUnderTest {
  readonly name: StoreName;
  /**
   * Appends with an exact expectation: the stream holds `eventsAlreadyInStream` events, and must
   * not exist yet when that is 0. Both stores reject a mismatch.
   */
  append(stream: string, events: BenchEvent[], eventsAlreadyInStream: number): Promise<void>;
  /** Reads a whole stream forwards; returns how many events came back. */
  readStream(stream: string): Promise<number>;
  /** Catches up on the global log from its start until onEvent says all were seen or nothing new arrives for idleTimeoutMs. */
  readGlobalLog(reading: GlobalLogReading): Promise<void>;
  close(): Promise<void>;
}

/** Connects to a fresh database and creates the store's schema there. */
export type OpenStore = (connectionString: string) => Promise<StoreUnderTest>;
