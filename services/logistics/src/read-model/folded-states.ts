import type { Shipment } from '../shipment/shipment.state';

const DEFAULT_CAPACITY = 20_000;

/**
 * The last folded state of recently active shipments, so the projection need not read a row back
 * before writing it. Keyed by revision: events are immutable and evolve is pure, so the state at
 * a revision is the same whichever transaction, schema (live or shadow) or instance folded it, and
 * a batch that rolled back leaves nothing wrong behind: its events come again, find a revision
 * they do not follow, and read the committed row instead.
 */
export class FoldedStates {
  private readonly entries = new Map<string, { revision: number; state: Shipment }>();

  constructor(private readonly capacity = DEFAULT_CAPACITY) {}

  /** The state at exactly this revision, if remembered. */
  get(shipmentId: string, revision: number): Shipment | undefined {
    const entry = this.entries.get(shipmentId);
    return entry?.revision === revision ? entry.state : undefined;
  }

  set(shipmentId: string, revision: number, state: Shipment): void {
    // Re-inserted last, so the first key is always the least recently folded.
    this.entries.delete(shipmentId);
    this.entries.set(shipmentId, { revision, state });
    if (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
  }
}
