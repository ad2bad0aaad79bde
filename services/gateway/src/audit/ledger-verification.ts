import type { EventStore, PositionCheck, PositionGap, StreamBreak, VerifyResult } from '@aid/event-store';

const MAX_GAPS_REPORTED = 100;

export interface PositionGapReport extends PositionGap {
  /** A broken stream whose missing event could have held these positions: then the gap is evidence too. */
  coincidesWith?: { stream: string; revision: number };
}

export interface LedgerVerification extends VerifyResult {
  /** What the global positions say; gaps alone do not make `ok` false (see docs/audit.md). */
  positions: Omit<PositionCheck, 'gaps'>;
  positionGaps: PositionGapReport[];
  durationMs: number;
}

/**
 * Has anything in the history been altered: every stream's hash chain, stream head and revision
 * sequence (the store's verify, which streams through the rows), and the global positions.
 *
 * A position gap by itself is not tampering: an append that rolls back after taking positions
 * (a crash, a lost connection, a conflict found late) leaves one, and every chain stays intact.
 * A deleted row leaves a gap too, but also a broken chain or head, which is what makes `ok`
 * false; the gap is then marked as coinciding with that break.
 */
export async function verifyLedger(store: EventStore): Promise<LedgerVerification> {
  const startedAt = performance.now();
  const chains = await store.verify();
  const { gaps, ...positions } = await store.checkPositions({ maxGaps: MAX_GAPS_REPORTED });
  const windows = await Promise.all(
    chains.broken.map(async (broken) => ({ broken, ...(await neighbours(store, broken)) })),
  );
  const positionGaps: PositionGapReport[] = gaps.map((gap) => {
    // The tightest window that holds the gap: the break whose missing event most likely held it.
    // Past a stream's last stored event, only the first gap can be the missing one's.
    const holders = windows.filter(
      (window) =>
        gap.after >= window.after &&
        gap.before <= window.before &&
        (window.before !== Infinity || gaps.find((first) => first.after >= window.after) === gap),
    );
    const tightest = holders.sort((a, b) => a.before - a.after - (b.before - b.after))[0];
    return tightest
      ? { ...gap, coincidesWith: { stream: tightest.broken.stream, revision: tightest.broken.revision } }
      : gap;
  });
  return { ...chains, positions, positionGaps, durationMs: Math.round(performance.now() - startedAt) };
}

/** The positions of the stored events around a break: a removed event's position lay between them. */
async function neighbours(
  store: EventStore,
  broken: StreamBreak,
): Promise<{ after: number; before: number }> {
  const [previous] =
    broken.revision > 0
      ? await store.readStream(broken.stream, {
          fromRevision: broken.revision - 1,
          toRevision: broken.revision - 1,
        })
      : [];
  const [next] = await store.readStream(broken.stream, { fromRevision: broken.revision, maxCount: 1 });
  return { after: previous?.position ?? 0, before: next?.position ?? Infinity };
}
