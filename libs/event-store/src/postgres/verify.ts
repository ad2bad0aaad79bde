import type { PoolClient } from 'pg';
import { canonicalEventText, chainHash, GENESIS_HASH } from '../hash-chain';
import type { EventMetadata, JsonObject, StreamBreak, VerifyResult } from '../port';
import { toSafeInteger } from './rows';

const CHUNK_SIZE = 2000;

type ChainRow = [
  streamId: string,
  revision: string,
  position: string,
  id: string,
  type: string,
  data: JsonObject,
  metadata: EventMetadata,
  hash: string,
  prevHash: string,
];

interface Head {
  revision: number;
  lastHash: string;
}

/** The walk through one stream: what the next event must link to. */
interface StreamWalk {
  stream: string;
  nextRevision: number;
  lastHash: string;
  lastPosition: number;
  broken: boolean;
}

type Queryable = Pick<PoolClient, 'query'>;

/**
 * Recomputes every stream's hash chain from the stored columns, in chunks of the
 * (stream_id, revision) index, and names the first broken link of each stream.
 * Stream ids are in the "C" collation, so a prefix's streams are contiguous in that order.
 */
export async function verifyChains(db: Queryable, schema: string, streamPrefix = ''): Promise<VerifyResult> {
  const broken: StreamBreak[] = [];
  let streamsChecked = 0;
  let eventsChecked = 0;
  let walk: StreamWalk | undefined;
  let heads = new Map<string, Head>();

  const finishStream = (current: StreamWalk) => {
    streamsChecked++;
    if (current.broken) return;
    const head = heads.get(current.stream);
    const lastRevision = current.nextRevision - 1;
    if (!head) {
      broken.push({ stream: current.stream, revision: lastRevision, reason: 'stream head row is missing' });
    } else if (head.revision > lastRevision) {
      broken.push({
        stream: current.stream,
        revision: lastRevision + 1,
        reason: `revision ${lastRevision + 1} missing: the stream head records revision ${head.revision} but the last stored event is revision ${lastRevision}`,
      });
    } else if (head.revision !== lastRevision || head.lastHash !== current.lastHash) {
      broken.push({
        stream: current.stream,
        revision: lastRevision,
        reason: `stream head (revision ${head.revision}) does not match the last stored event`,
      });
    }
  };

  let cursor: [string, number] = [streamPrefix, -1];
  for (;;) {
    const chunk = await db.query<ChainRow>({
      text: `SELECT stream_id, revision, position, id, type, data, metadata, hash, prev_hash FROM ${schema}.events
             WHERE (stream_id, revision) > ($1, $2) ORDER BY stream_id, revision LIMIT $3`,
      values: [cursor[0], cursor[1], CHUNK_SIZE],
      rowMode: 'array',
    });
    const rows = chunk.rows.filter((row) => row[0].startsWith(streamPrefix));
    const chunkStreams = [...new Set(rows.map((row) => row[0]))];
    const nextHeads = await loadHeads(db, schema, chunkStreams);
    // Keep the head of the stream still being walked from the previous chunk.
    if (walk && heads.has(walk.stream)) nextHeads.set(walk.stream, heads.get(walk.stream)!);
    heads = nextHeads;

    for (const [stream, revisionText, positionText, id, type, data, metadata, hash, prevHash] of rows) {
      const revision = toSafeInteger(revisionText, 'revision');
      const position = toSafeInteger(positionText, 'position');
      eventsChecked++;
      if (walk?.stream !== stream) {
        if (walk) finishStream(walk);
        walk = { stream, nextRevision: 0, lastHash: GENESIS_HASH, lastPosition: 0, broken: false };
      }
      if (walk.broken) continue;
      const reason = checkLink(walk, revision, position, prevHash, hash, () =>
        chainHash(prevHash, canonicalEventText({ id, type, stream, revision, data, metadata })),
      );
      if (reason) {
        walk.broken = true;
        broken.push({ stream, revision: reason.revision, reason: reason.text });
        continue;
      }
      walk.nextRevision = revision + 1;
      walk.lastHash = hash;
      walk.lastPosition = position;
    }
    if (rows.length < chunk.rows.length || chunk.rows.length < CHUNK_SIZE) break;
    const last = chunk.rows[chunk.rows.length - 1];
    cursor = [last[0], toSafeInteger(last[1], 'revision')];
  }
  if (walk) finishStream(walk);

  // Streams whose every event is gone leave only their head behind.
  const orphans = await db.query<{ stream_id: string; revision: string }>(
    `SELECT s.stream_id, s.revision FROM ${schema}.streams s
     WHERE starts_with(s.stream_id, $1) AND NOT EXISTS (SELECT 1 FROM ${schema}.events e WHERE e.stream_id = s.stream_id)
     ORDER BY s.stream_id`,
    [streamPrefix],
  );
  for (const orphan of orphans.rows) {
    streamsChecked++;
    broken.push({
      stream: orphan.stream_id,
      revision: 0,
      reason: `revision 0 missing: the stream head records revision ${orphan.revision} but no events are stored`,
    });
  }
  broken.sort((a, b) => (a.stream < b.stream ? -1 : a.stream > b.stream ? 1 : 0));
  return { ok: broken.length === 0, streamsChecked, eventsChecked, broken };
}

function checkLink(
  walk: StreamWalk,
  revision: number,
  position: number,
  prevHash: string,
  hash: string,
  recompute: () => string,
): { revision: number; text: string } | undefined {
  if (revision > walk.nextRevision) {
    const missing =
      revision - walk.nextRevision === 1
        ? `revision ${walk.nextRevision} missing`
        : `revisions ${walk.nextRevision} to ${revision - 1} missing`;
    return { revision: walk.nextRevision, text: missing };
  }
  if (prevHash !== walk.lastHash) {
    const link =
      revision === 0 ? 'is not the genesis hash' : `does not match the hash of revision ${revision - 1}`;
    return { revision, text: `prev_hash ${link}: events reordered, replaced or removed` };
  }
  if (recompute() !== hash) return { revision, text: 'data or metadata altered: hash mismatch' };
  // Appends to a stream are serialised, so its later revisions always took later positions.
  if (position <= walk.lastPosition) {
    return {
      revision,
      text: `position ${position} is not after position ${walk.lastPosition} of revision ${revision - 1}: rows moved in the global log`,
    };
  }
  return undefined;
}

async function loadHeads(db: Queryable, schema: string, streams: string[]): Promise<Map<string, Head>> {
  const heads = new Map<string, Head>();
  if (streams.length === 0) return heads;
  const result = await db.query<{ stream_id: string; revision: string; last_hash: string }>(
    `SELECT stream_id, revision, last_hash FROM ${schema}.streams WHERE stream_id = ANY ($1::text[])`,
    [streams],
  );
  for (const row of result.rows) {
    heads.set(row.stream_id, { revision: toSafeInteger(row.revision, 'revision'), lastHash: row.last_hash });
  }
  return heads;
}
