import { type Pool } from 'pg';
import {
  COMMUNITY_STREAM_PREFIX,
  ORGANISATION_STREAM_PREFIX,
  PARTNERSHIP_STREAM_PREFIX,
  SHIPMENT_STREAM_PREFIX,
} from '@aid/contracts';
import { type EventStore } from '@aid/event-store';
import { findHeadPosition } from '@aid/projections';

export interface FollowerLag {
  name: string;
  kind: 'projection' | 'relay';
  /** Global positions between the follower's checkpoint and the newest event it follows. */
  positions: number;
  /** Age of the oldest event it follows and has not handled yet; 0 when it is caught up. */
  seconds: number;
}

/**
 * The streams each follower of the system reads, so that a follower of shipments does not look
 * behind because communities were registered since its last shipment. A follower not named here
 * is measured against the whole log, which can only overstate its lag.
 */
const FOLLOWED_STREAMS: Record<string, string[]> = {
  communities: [COMMUNITY_STREAM_PREFIX, ORGANISATION_STREAM_PREFIX],
  relay_communities: [COMMUNITY_STREAM_PREFIX, ORGANISATION_STREAM_PREFIX],
  partnerships: [PARTNERSHIP_STREAM_PREFIX],
  relay_partnerships: [PARTNERSHIP_STREAM_PREFIX],
  logistics_shipments: [SHIPMENT_STREAM_PREFIX],
  relay_logistics: [SHIPMENT_STREAM_PREFIX],
};

const RELAY_PREFIX = 'relay_';

/**
 * How far each projection and relay is behind the event store, from the checkpoints they keep in
 * public.follower_checkpoints (libs/projections) and the store's head, read through the port so
 * it works with either event store.
 */
export async function followerLags(pool: Pool, store: EventStore, now = Date.now()): Promise<FollowerLag[]> {
  const table = await pool.query<{ oid: string | null }>(
    `SELECT to_regclass('public.follower_checkpoints') AS oid`,
  );
  if (!table.rows[0]?.oid) return [];
  const { rows } = await pool.query<{ name: string; position: string | null }>(
    'SELECT name, position FROM public.follower_checkpoints ORDER BY name',
  );
  return Promise.all(
    rows.map(async ({ name, position: text }) => {
      const position = text === null ? null : Number(text);
      const filter = { streamPrefixes: FOLLOWED_STREAMS[name] };
      const [head, [oldestUnhandled]] = await Promise.all([
        findHeadPosition(store, position, filter),
        store.readAll({ ...filter, afterPosition: position ?? undefined, maxCount: 1 }),
      ]);
      const seconds =
        oldestUnhandled === undefined
          ? 0
          : Math.max(0, (now - Date.parse(oldestUnhandled.metadata.recordedAt)) / 1000);
      return {
        name,
        kind: name.startsWith(RELAY_PREFIX) ? 'relay' : 'projection',
        positions: head === null ? 0 : Math.max(0, head - (position ?? 0)),
        seconds,
      } satisfies FollowerLag;
    }),
  );
}
