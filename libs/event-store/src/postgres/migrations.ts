import { GENESIS_HASH } from '../hash-chain';

export interface Migration {
  version: number;
  name: string;
  sql: (schema: string) => string;
}

/**
 * The event store's schema, in order. Never edit an applied migration: add a new one.
 *
 * Why `order_xid` and not only `transaction_id`: subscribers read the log in (xid, position)
 * order below pg_snapshot_xmin, and each stream must come out in revision order. A transaction
 * that appends to several streams gets its xid at its first write, which may be before it locks
 * a later stream; a younger transaction may have appended to that stream in between. Ordering
 * such an event by its own xid would deliver it before an older revision of its stream. So each
 * event is ordered by max(own xid, the stream's previous order_xid), kept on the stream head.
 * Readers take only rows with order_xid below the horizon; since order_xid >= own xid, the
 * writing transaction has then ended, so no event can later appear before the reader's cursor.
 *
 * Why `data` and `metadata` are `json`, not `jsonb`: nothing queries inside them in the store;
 * they are written once and read back whole. `json` keeps the exact text Node sent, which is the
 * canonical JSON that is hashed, so the append function validates each text once (json_in) and
 * hashes those very bytes, instead of parsing them into jsonb and printing them back; and a
 * reader gets the text back as stored, with no jsonb-to-text conversion. Together with building
 * the hashed text from the stored values (see append_events), this took PostgreSQL's CPU per
 * event from about 27 to 16 us in a 100-event append and from about 260 to 160 us in a one-event
 * append (one connection), and the catch-up no longer converts jsonb to text for every row.
 *
 * Why these four indexes, and no fewer: each serves a guarantee or a reader that must not scan.
 * Each costs an append about 1.7 to 1.9 us of server CPU per event (measured by dropping it).
 * - events_pkey (position): positions are unique; readAll and checkpointAfter look them up.
 * - events_id_unique (id): the idempotency of retried appends rests on it.
 * - events_stream_revision_unique (stream_id, revision): no two events at one revision of a
 *   stream, enforced by the database itself; reading a stream is a range scan of it.
 * - events_order_idx (order_xid, position): the subscribers' order (see above). It cannot be
 *   folded into the primary key, which must stay unique on position alone, and readAll and
 *   checkpointAfter need position as the leading column. Covering the row in it (INCLUDE data,
 *   metadata, ...) to make the catch-up index-only would not pay: it would write each event's
 *   payload twice, and an index-only scan still visits the heap for every page the visibility
 *   map does not yet mark all-visible, which is every page of recent appends until a vacuum.
 *   The catch-up reads the heap in nearly the index's order anyway (rows are appended in nearly
 *   xid order), and is bound by Node turning rows into events, not by the server.
 *   position and order_xid nearly always grow, so both of these insert at or near the right
 *   edge of their index, the cheapest place for a B-tree insert.
 */
export const MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: 'streams, events and the append function',
    sql: (s) => `
      CREATE TABLE ${s}.streams (
        stream_id text COLLATE "C" NOT NULL,
        revision bigint NOT NULL,
        last_hash text NOT NULL,
        last_order_xid xid8 NOT NULL,
        CONSTRAINT streams_pkey PRIMARY KEY (stream_id)
      );

      CREATE TABLE ${s}.events (
        position bigint GENERATED ALWAYS AS IDENTITY (SEQUENCE NAME ${s}.events_position_seq),
        transaction_id xid8 NOT NULL DEFAULT pg_current_xact_id(),
        order_xid xid8 NOT NULL,
        id uuid NOT NULL,
        stream_id text COLLATE "C" NOT NULL,
        revision bigint NOT NULL,
        type text NOT NULL,
        data json NOT NULL,
        metadata json NOT NULL,
        recorded_at timestamptz NOT NULL,
        hash text NOT NULL,
        prev_hash text NOT NULL,
        CONSTRAINT events_pkey PRIMARY KEY (position),
        CONSTRAINT events_id_unique UNIQUE (id),
        CONSTRAINT events_stream_revision_unique UNIQUE (stream_id, revision)
      );

      -- Serves the subscribers' catch-up query and checkpoint resume (row comparison).
      CREATE INDEX events_order_idx ON ${s}.events (order_xid, position);

      -- Appends events to one or more streams, in one round trip and one transaction. Each
      -- append is checked and applied on its own, in the order given, exactly as if it were a
      -- call of its own; a conflict refuses that append only. (Node sends several appends at
      -- once only from callers already waiting for an append lane, never inside a caller's
      -- transaction: see AppendBatcher.)
      -- p_streams, p_expected, p_counts, p_recorded_at: one element per append. p_expected: -1 =
      -- the stream must not exist, n >= 0 = its revision must be n. p_counts: its events.
      -- p_recorded_at: the recordedAt of its events.
      -- p_ids, p_types: one element per event, the appends' events one after the other.
      -- p_data, p_metadata: the canonical JSON (canonicalText) of each event's data, and of its
      -- metadata with recordedAt set, joined with U+001E (chr(30)). Canonical JSON never holds
      -- that character raw (JSON.stringify escapes every control character, and canonical JSON
      -- has no white space), so splitting on it is exact, and each piece must then parse as JSON.
      -- PostgreSQL parses each text once this way; a JSON array would be parsed twice (json_in,
      -- then json_array_elements), and a text[] would need every quote escaped.
      -- p_lock_timeout: null, or the lock_timeout for this transaction (see below).
      -- The function writes the hashed text itself, from the values it stores:
      --   {"data":…,"id":"…","metadata":…,"revision":…,"stream":…,"type":…}
      -- which is canonicalEventText() of the stored row (keys in sorted order; to_json escapes a
      -- string exactly as JSON.stringify does; a uuid prints in lower case), so the chain always
      -- names the row it is stored as, and verify() recomputes it from the stored columns.
      -- Returns one row per append, in order: outcome 'appended' (last_revision,
      -- last_position), 'conflict' (last_revision = the actual revision or null), 'exists' (the
      -- first id is stored: Node decides retry or mismatch).
      -- Few statements, and only simple ones: each statement costs executor start-up, which is a
      -- good part of a one-event append. The hashes are computed before any write: for a new
      -- stream the head is then inserted complete, and needs no second write.
      CREATE FUNCTION ${s}.append_events(
        p_streams text[], p_expected bigint[], p_counts int[], p_ids uuid[], p_types text[],
        p_data text, p_metadata text, p_recorded_at timestamptz[], p_lock_timeout text)
      RETURNS TABLE (outcome text, last_revision bigint, last_position bigint)
      LANGUAGE plpgsql AS $fn$
      DECLARE
        v_appends int := coalesce(cardinality(p_streams), 0);
        v_events int := coalesce(cardinality(p_ids), 0);
        v_data json[];
        v_metadata json[];
        v_stream text;
        v_expected bigint;
        v_count int;
        v_first int := 1;
        v_last int;
        v_first_id_stored boolean;
        v_head_order_xid xid8;
        v_order_xid xid8;
        v_start_hash text;
        v_hash text;
        v_hashes text[];
        v_stream_json text;
      BEGIN
        IF v_events = 1 THEN
          v_data := ARRAY[p_data::json];
          v_metadata := ARRAY[p_metadata::json];
        ELSE
          v_data := string_to_array(p_data, chr(30))::json[];
          v_metadata := string_to_array(p_metadata, chr(30))::json[];
        END IF;
        IF v_appends = 0 OR cardinality(p_expected) IS DISTINCT FROM v_appends
            OR cardinality(p_counts) IS DISTINCT FROM v_appends OR cardinality(p_recorded_at) IS DISTINCT FROM v_appends
            OR cardinality(p_types) IS DISTINCT FROM v_events
            OR cardinality(v_data) IS DISTINCT FROM v_events OR cardinality(v_metadata) IS DISTINCT FROM v_events THEN
          RAISE EXCEPTION 'append_events: each append needs at least one event, and each event an id, type, data and metadata'
            USING ERRCODE = '22023';
        END IF;
        -- A call from Node's append lanes must not wait long for a lock (see AppendBatcher): when
        -- it would, it fails, and Node runs each of its appends again on its own, without one.
        IF p_lock_timeout IS NOT NULL THEN
          PERFORM set_config('lock_timeout', p_lock_timeout, true);
        END IF;

        FOR a IN 1..v_appends LOOP
          v_stream := p_streams[a];
          v_expected := p_expected[a];
          v_count := p_counts[a];
          v_last := v_first + v_count - 1;
          IF v_count IS NULL OR v_count < 1 OR v_last > v_events OR (a = v_appends AND v_last <> v_events) THEN
            RAISE EXCEPTION 'append_events: the event counts do not add up to % events', v_events USING ERRCODE = '22023';
          END IF;
          outcome := NULL;
          last_revision := NULL;
          last_position := NULL;
          <<one_append>>
          BEGIN
            -- Idempotency looks at the first id only: a cached generic plan for "id = ANY (…)"
            -- can be a sequential scan (planned while the table was empty). A later id already
            -- stored fails the insert on events_id_unique, which Node reports as a mismatch.
            IF v_expected = -1 THEN
              v_start_hash := '${GENESIS_HASH}';
            ELSE
              -- The head's lock is this append's first write: it assigns this transaction's xid
              -- (see order_xid), and a refusal does not take values from the position sequence.
              SELECT s.revision, s.last_hash, s.last_order_xid, EXISTS (SELECT 1 FROM ${s}.events WHERE id = p_ids[v_first])
                INTO last_revision, v_start_hash, v_head_order_xid, v_first_id_stored
                FROM ${s}.streams s WHERE s.stream_id = v_stream FOR UPDATE;
              IF v_first_id_stored THEN
                outcome := 'exists';
                EXIT one_append;
              END IF;
              IF last_revision IS DISTINCT FROM v_expected THEN
                -- We may have waited for the lock behind an identical append that has now committed.
                outcome := CASE WHEN EXISTS (SELECT 1 FROM ${s}.events WHERE id = p_ids[v_first]) THEN 'exists' ELSE 'conflict' END;
                EXIT one_append;
              END IF;
            END IF;

            -- The chain: v_hashes[i] is the previous hash of the append's event i, v_hashes[i + 1] its hash.
            v_stream_json := to_json(v_stream)::text;
            v_hash := v_start_hash;
            v_hashes := ARRAY[v_hash];
            FOR i IN 1..v_count LOOP
              v_hash := encode(sha256(convert_to(v_hash
                || '{"data":' || v_data[v_first + i - 1]::text
                || ',"id":"' || p_ids[v_first + i - 1]::text
                || '","metadata":' || v_metadata[v_first + i - 1]::text
                || ',"revision":' || (v_expected + i)::text
                || ',"stream":' || v_stream_json
                || ',"type":' || to_json(p_types[v_first + i - 1])::text
                || '}', 'UTF8')), 'hex');
              v_hashes[i + 1] := v_hash;
            END LOOP;

            IF v_expected = -1 THEN
              -- A concurrent creator of the same stream makes this raise 23505 on streams_pkey.
              INSERT INTO ${s}.streams (stream_id, revision, last_hash, last_order_xid)
                SELECT v_stream, v_count - 1, v_hash, pg_current_xact_id()
                WHERE NOT EXISTS (SELECT 1 FROM ${s}.streams s WHERE s.stream_id = v_stream)
                  AND NOT EXISTS (SELECT 1 FROM ${s}.events WHERE id = p_ids[v_first])
                RETURNING last_order_xid INTO v_order_xid;
              IF NOT FOUND THEN
                IF EXISTS (SELECT 1 FROM ${s}.events WHERE id = p_ids[v_first]) THEN
                  outcome := 'exists';
                ELSE
                  outcome := 'conflict';
                  SELECT s.revision INTO last_revision FROM ${s}.streams s WHERE s.stream_id = v_stream;
                END IF;
                EXIT one_append;
              END IF;
            ELSE
              v_order_xid := greatest(pg_current_xact_id(), v_head_order_xid);
              UPDATE ${s}.streams s SET revision = v_expected + v_count, last_hash = v_hash, last_order_xid = v_order_xid
                WHERE s.stream_id = v_stream;
            END IF;

            IF v_count = 1 THEN
              INSERT INTO ${s}.events (order_xid, id, stream_id, revision, type, data, metadata, recorded_at, hash, prev_hash)
                VALUES (v_order_xid, p_ids[v_first], v_stream, v_expected + 1, p_types[v_first], v_data[v_first],
                        v_metadata[v_first], p_recorded_at[a], v_hash, v_start_hash)
                RETURNING position INTO last_position;
            ELSE
              -- Positions are drawn in this order, so a stream's revisions come out in position order.
              INSERT INTO ${s}.events (order_xid, id, stream_id, revision, type, data, metadata, recorded_at, hash, prev_hash)
                SELECT v_order_xid, e.id, v_stream, v_expected + e.n, e.type, e.data, e.metadata, p_recorded_at[a], e.hash, e.prev_hash
                  FROM unnest(p_ids[v_first:v_last], p_types[v_first:v_last], v_data[v_first:v_last],
                              v_metadata[v_first:v_last], v_hashes[2:v_count + 1], v_hashes[1:v_count])
                       WITH ORDINALITY AS e(id, type, data, metadata, hash, prev_hash, n)
                 ORDER BY e.n;
              -- The last value this session drew from the sequence: the position of the last row.
              last_position := currval('${s}.events_position_seq');
            END IF;
            outcome := 'appended';
            last_revision := v_expected + v_count;
          END;
          RETURN NEXT;
          v_first := v_last + 1;
        END LOOP;
      END;
      $fn$;
    `,
  },
  {
    version: 2,
    name: 'the store identity',
    // A row, not an event: readers, tests and the demo count events and streams. Made here, once,
    // so every process on this database reads the same id, and a new database gets another.
    sql: (s) => `
      CREATE TABLE ${s}.store_identity (
        id uuid NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        one_row boolean PRIMARY KEY DEFAULT true CHECK (one_row)
      );
      INSERT INTO ${s}.store_identity (id) VALUES (gen_random_uuid());
    `,
  },
];
