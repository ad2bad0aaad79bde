/** What the idempotency check needs to know about one stored event. */
export interface StoredEventRef {
  id: string;
  revision: number;
  position: number;
  hash: string;
}

export type RetryVerdict =
  /** None of the ids is stored: append normally. */
  | { kind: 'new' }
  /** Every id is stored, in order, from the first one on: the append already happened. */
  | { kind: 'repeat'; first: StoredEventRef; last: StoredEventRef }
  /** Some ids are stored but not as this exact run of events. */
  | { kind: 'mismatch'; detail: string };

/**
 * Decides whether an append repeats an earlier one, from the ids of the events to append and the
 * stream's stored events in revision order.
 *
 * The whole stream is searched, not only the revisions after the caller's expected revision:
 * a retried command usually reloads the stream, sees its own earlier events and expects the
 * revision after them, so the duplicate sits before the expected revision, where EventStoreDB's
 * own check (which looks only after the expected revision) would not find it and would append it
 * twice.
 */
export function judgeRetry(ids: readonly string[], stored: readonly StoredEventRef[]): RetryVerdict {
  const indexById = new Map<string, number>();
  stored.forEach((event, index) => indexById.set(event.id, index));

  const start = indexById.get(ids[0]);
  if (start === undefined) {
    const alreadyStored = ids.find((id) => indexById.has(id));
    if (alreadyStored === undefined) return { kind: 'new' };
    const revision = stored[indexById.get(alreadyStored)!].revision;
    return {
      kind: 'mismatch',
      detail: `event ${alreadyStored} is already stored at revision ${revision} but the first event ${ids[0]} of this append is not`,
    };
  }

  for (let offset = 0; offset < ids.length; offset += 1) {
    const storedEvent = stored[start + offset];
    if (storedEvent?.id !== ids[offset]) {
      const revision = stored[start].revision + offset;
      return {
        kind: 'mismatch',
        detail:
          `the first event ${ids[0]} is already stored at revision ${stored[start].revision}, ` +
          `but revision ${revision} holds ${storedEvent ? `event ${storedEvent.id}` : 'nothing'} instead of ${ids[offset]}`,
      };
    }
  }
  return { kind: 'repeat', first: stored[start], last: stored[start + ids.length - 1] };
}

/** Ids within one append must differ: a stream cannot hold the same event twice. */
export function firstDuplicateId(ids: readonly string[]): string | undefined {
  const seen = new Set<string>();
  for (const id of ids) {
    if (seen.has(id)) return id;
    seen.add(id);
  }
  return undefined;
}
