import type { GlobalFilter, RecordedEvent } from '@aid/event-store';
import type { EntityManager, EntitySchema } from 'typeorm';

/** A TypeORM entity class (decorated with @Entity, without a schema: the runner chooses it). */
export type EntityClass = new (...args: never[]) => object;

export interface ProjectionContext {
  /** Bound to the batch's transaction: everything written through it commits with the checkpoint. */
  manager: EntityManager;
  /**
   * False while replaying history into a shadow schema (rebuild, audit): a projection that
   * notifies anyone must do so only when this is true, so history never re-notifies partners.
   */
  sideEffects: boolean;
}

export interface Projection {
  /** Lowercase identifier ([a-z_][a-z0-9_]*): names its checkpoint, its lock and its default schema. */
  name: string;
  /** The read-model tables. They must not name a schema, so the same classes build a shadow copy. */
  entities: Array<EntityClass | EntitySchema>;
  /** Only these events are delivered (and replayed). */
  filter?: GlobalFilter;
  handle(event: RecordedEvent, context: ProjectionContext): Promise<void>;
  /**
   * Optional: the whole batch at once, in log order, in the same transaction as the checkpoint.
   * For projections that can write a batch in a few statements instead of one per event; when
   * present, the runner calls it instead of `handle`.
   */
  handleBatch?(events: RecordedEvent[], context: ProjectionContext): Promise<void>;
  /**
   * Optional, beside handleBatch and doing the same in two steps: folds the batch in memory and
   * answers the write, without sending it. A replay into a disposable shadow then folds the next
   * batch while PostgreSQL writes this one, so Node and PostgreSQL work at once. Batches are
   * folded one after the other, and their writes run in the same order; a fold that needs to
   * read rows must first await `previousBatchWritten`, the write still in flight.
   */
  foldBatch?(events: RecordedEvent[], context: FoldContext): Promise<BatchWrite>;
}

export interface FoldContext extends ProjectionContext {
  /** Settles when every statement of the batch before has run. */
  previousBatchWritten: Promise<void>;
}

/** A folded batch's statements, sent when called. */
export type BatchWrite = () => Promise<void>;
