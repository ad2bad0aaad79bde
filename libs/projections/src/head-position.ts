import type { EventStore, GlobalFilter } from '@aid/event-store';

/**
 * The position of the newest event in the store that matches `filter`, found with the port alone:
 * an exponential then binary search over "the first event after x", so it costs O(log lag)
 * one-row reads, cheap enough for a health check. `knownPosition` (an event known to exist and
 * to match) is where the search starts. Filtering matters: a follower of shipments is not
 * behind because communities were registered after its last shipment event.
 */
export async function findHeadPosition(
  store: EventStore,
  knownPosition: number | null,
  filter: GlobalFilter = {},
): Promise<number | null> {
  const firstAfter = async (position: number | null): Promise<number | null> => {
    const [event] = await store.readAll({ ...filter, afterPosition: position ?? undefined, maxCount: 1 });
    return event?.position ?? null;
  };

  let low = knownPosition ?? (await firstAfter(null));
  if (low === null) return null;
  let step = 1;
  let high: number;
  for (;;) {
    const found = await firstAfter(low + step - 1);
    if (found === null) {
      high = low + step - 1;
      break;
    }
    low = found;
    step *= 2;
  }
  // Invariant: an event exists at `low` and none after `high`.
  while (high > low) {
    const middle = Math.floor((low + high + 1) / 2);
    const found = await firstAfter(middle - 1);
    if (found === null) high = middle - 1;
    else low = found;
  }
  return low;
}
