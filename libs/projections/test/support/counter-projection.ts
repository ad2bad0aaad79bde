import type { RecordedEvent } from '@aid/event-store';
import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { Projection, ProjectionContext } from '../../src';

export const NUMBER_ADDED = 'NumberAdded';

/** Sum of the numbers added to one stream: counting an event twice, or missing one, shows. */
@Entity({ name: 'stream_totals' })
export class StreamTotal {
  @PrimaryColumn({ type: 'text' })
  stream: string;

  @Column({
    type: 'bigint',
    transformer: { to: (value: number) => value, from: (value: string) => Number(value) },
  })
  total: number;

  @Column({ type: 'integer' })
  events: number;

  @Column({ type: 'integer', name: 'last_revision' })
  lastRevision: number;
}

export interface CounterProjectionOptions {
  name: string;
  /** Called with every event handled, as a projection would notify someone (a side effect). */
  onSideEffect?: (event: RecordedEvent, sideEffects: boolean) => void | Promise<void>;
  /** Lets a test hold the batch transaction open inside a chosen event. */
  beforeHandle?: (event: RecordedEvent) => Promise<void>;
}

/** Test projection: per stream, the sum of `data.n` of NumberAdded events. */
export function counterProjection(options: CounterProjectionOptions): Projection {
  return {
    name: options.name,
    entities: [StreamTotal],
    filter: { types: [NUMBER_ADDED] },
    async handle(event: RecordedEvent, { manager, sideEffects }: ProjectionContext): Promise<void> {
      await options.beforeHandle?.(event);
      const totals = manager.getRepository(StreamTotal);
      const row =
        (await totals.findOneBy({ stream: event.stream })) ??
        totals.create({ stream: event.stream, total: 0, events: 0, lastRevision: -1 });
      row.total += Number(event.data.n);
      row.events += 1;
      row.lastRevision = event.revision;
      await totals.save(row);
      await options.onSideEffect?.(event, sideEffects);
    },
  };
}
