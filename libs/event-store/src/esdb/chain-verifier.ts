import { GENESIS_HASH, canonicalEventText, chainHash } from '../hash-chain';
import type { RecordedEvent, StreamBreak, VerifyResult } from '../port';

interface StreamWalk {
  nextRevision: number;
  lastHash: string;
  broken: boolean;
}

/**
 * Walks hash chains from events fed in $all order (which within a stream is revision order) and
 * keeps the first broken link of each stream. Holds one small record per stream, not the events.
 */
export class ChainVerifier {
  private readonly walks = new Map<string, StreamWalk>();
  private readonly broken: StreamBreak[] = [];
  private eventsChecked = 0;

  add(event: RecordedEvent): void {
    const walk = this.walkOf(event.stream);
    this.eventsChecked += 1;
    if (walk.broken) return;
    const problem = this.checkLink(walk, event);
    if (problem) {
      walk.broken = true;
      this.broken.push({ stream: event.stream, ...problem });
      return;
    }
    walk.nextRevision = event.revision + 1;
    walk.lastHash = event.hash;
  }

  /** An event of the stream that cannot even be read as a ledger event (no chain metadata, not JSON). */
  addUnreadable(stream: string, revision: number, reason: string): void {
    const walk = this.walkOf(stream);
    this.eventsChecked += 1;
    if (walk.broken) return;
    walk.broken = true;
    this.broken.push({ stream, revision, reason });
  }

  result(): VerifyResult {
    const broken = [...this.broken].sort((a, b) => (a.stream < b.stream ? -1 : a.stream > b.stream ? 1 : 0));
    return {
      ok: broken.length === 0,
      streamsChecked: this.walks.size,
      eventsChecked: this.eventsChecked,
      broken,
    };
  }

  private walkOf(stream: string): StreamWalk {
    let walk = this.walks.get(stream);
    if (!walk) {
      walk = { nextRevision: 0, lastHash: GENESIS_HASH, broken: false };
      this.walks.set(stream, walk);
    }
    return walk;
  }

  private checkLink(
    walk: StreamWalk,
    event: RecordedEvent,
  ): { revision: number; reason: string } | undefined {
    if (event.revision > walk.nextRevision) {
      const missing =
        event.revision - walk.nextRevision === 1
          ? `revision ${walk.nextRevision} missing`
          : `revisions ${walk.nextRevision} to ${event.revision - 1} missing`;
      return { revision: walk.nextRevision, reason: missing };
    }
    if (event.revision < walk.nextRevision) {
      return { revision: event.revision, reason: `revision ${event.revision} appears twice` };
    }
    if (event.prevHash !== walk.lastHash) {
      const link =
        event.revision === 0
          ? 'is not the genesis hash'
          : `does not match the hash of revision ${event.revision - 1}`;
      return { revision: event.revision, reason: `prevHash ${link}: events reordered, replaced or removed` };
    }
    const recomputed = chainHash(
      event.prevHash,
      canonicalEventText({
        id: event.id,
        type: event.type,
        stream: event.stream,
        revision: event.revision,
        data: event.data,
        metadata: event.metadata,
      }),
    );
    if (recomputed !== event.hash)
      return { revision: event.revision, reason: 'data or metadata altered: hash mismatch' };
    return undefined;
  }
}
