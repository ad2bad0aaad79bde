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
        position bigint GENERATED ALWAYS AS IDENTITY,
        transaction_id xid8 NOT NULL DEFAULT pg_current_xact_id(),
        order_xid xid8 NOT NULL,
        id uuid NOT NULL,
        stream_id text COLLATE "C" NOT NULL,
        revision bigint NOT NULL,
        type text NOT NULL,
        data jsonb NOT NULL,
        metadata jsonb NOT NULL,
        recorded_at timestamptz NOT NULL,
        hash text NOT NULL,
        prev_hash text NOT NULL,
        CONSTRAINT events_pkey PRIMARY KEY (position),
        CONSTRAINT events_id_unique UNIQUE (id),
        CONSTRAINT events_stream_revision_unique UNIQUE (stream_id, revision)
      );

      -- Serves the subscribers' catch-up query and checkpoint resume (row comparison).
      CREATE INDEX events_order_idx ON ${s}.events (order_xid, position);

      -- One link of a stream's hash chain; as a window aggregate over a batch of events it
      -- yields each event's hash: sha256(previous hash || canonical text), as chainHash() does.
      -- (A standard SQL body is parsed once, here, not on every call.)
      CREATE FUNCTION ${s}.chain_step(previous text, start_hash text, canonical text) RETURNS text
        LANGUAGE sql IMMUTABLE PARALLEL SAFE
        RETURN encode(sha256(convert_to(coalesce(previous, start_hash) || canonical, 'UTF8')), 'hex');
      CREATE AGGREGATE ${s}.chain_hash(text, text) (sfunc = ${s}.chain_step, stype = text);

      -- p_expected: -1 = the stream must not exist, n >= 0 = its revision must be n.
      -- p_ids: the events' ids, for the idempotency check before anything is written.
      -- p_events: a JSON array of the events' canonical texts (canonicalEventText), written
      -- by Node with metadata.recordedAt set; json (not jsonb) keeps each element's exact
      -- text, which is what is hashed.
      -- outcome: 'appended' (last_revision, last_position), 'conflict' (last_revision = the
      -- actual revision or null), 'exists' (the first id is stored: Node decides retry or mismatch).
      -- Few statements, set-based: each statement costs executor start-up, and plpgsql arrays of
      -- large texts are copied on every subscript.
      CREATE FUNCTION ${s}.append_events(
        p_stream text, p_expected bigint, p_ids uuid[], p_events json,
        OUT outcome text, OUT last_revision bigint, OUT last_position bigint)
      LANGUAGE plpgsql AS $fn$
      DECLARE
        v_count int := coalesce(cardinality(p_ids), 0);
        v_first_id_stored boolean;
        v_start_hash text;
        v_head_order_xid xid8;
        v_order_xid xid8;
        v_inserted int;
        v_last_hash text;
      BEGIN
        IF v_count = 0 THEN
          RAISE EXCEPTION 'append_events: no events for stream %', p_stream USING ERRCODE = '22023';
        END IF;

        -- The first write is the head's lock or insert: it assigns this transaction's xid (see
        -- order_xid), and a refusal must not take values from the position sequence.
        -- Idempotency looks at the first id only: a cached generic plan for "id = ANY (p_ids)"
        -- can be a sequential scan (planned while the table was empty). A later id already
        -- stored fails the insert on events_id_unique, which Node reports as a mismatch.
        IF p_expected = -1 THEN
          v_start_hash := '${GENESIS_HASH}';
          -- A concurrent creator of the same stream makes this raise 23505 on streams_pkey.
          -- The head is completed once the events are in.
          INSERT INTO ${s}.streams (stream_id, revision, last_hash, last_order_xid)
            SELECT p_stream, -1, v_start_hash, pg_current_xact_id()
            WHERE NOT EXISTS (SELECT 1 FROM ${s}.streams WHERE stream_id = p_stream)
              AND NOT EXISTS (SELECT 1 FROM ${s}.events WHERE id = p_ids[1])
            RETURNING last_order_xid INTO v_order_xid;
          IF NOT FOUND THEN
            IF EXISTS (SELECT 1 FROM ${s}.events WHERE id = p_ids[1]) THEN
              outcome := 'exists';
            ELSE
              outcome := 'conflict';
              SELECT revision INTO last_revision FROM ${s}.streams WHERE stream_id = p_stream;
            END IF;
            RETURN;
          END IF;
        ELSE
          SELECT revision, last_hash, last_order_xid, EXISTS (SELECT 1 FROM ${s}.events WHERE id = p_ids[1])
            INTO last_revision, v_start_hash, v_head_order_xid, v_first_id_stored
            FROM ${s}.streams WHERE stream_id = p_stream FOR UPDATE;
          IF v_first_id_stored THEN
            outcome := 'exists';
            RETURN;
          END IF;
          IF last_revision IS DISTINCT FROM p_expected THEN
            -- We may have waited for the lock behind an identical append that has now committed.
            outcome := CASE WHEN EXISTS (SELECT 1 FROM ${s}.events WHERE id = p_ids[1]) THEN 'exists' ELSE 'conflict' END;
            RETURN;
          END IF;
          v_order_xid := greatest(pg_current_xact_id(), v_head_order_xid);
        END IF;

        WITH elements AS (
          SELECT n, e::text AS canonical, e::jsonb AS d
            FROM json_array_elements(p_events) WITH ORDINALITY AS x(e, n)
        ), chained AS (
          SELECT n, d, ${s}.chain_hash(v_start_hash, canonical) OVER (ORDER BY n) AS hash FROM elements
        ), linked AS (
          SELECT n, d, hash, coalesce(lag(hash) OVER (ORDER BY n), v_start_hash) AS prev_hash FROM chained
        ), inserted AS (
          INSERT INTO ${s}.events (order_xid, id, stream_id, revision, type, data, metadata, recorded_at, hash, prev_hash)
          SELECT v_order_xid, p_ids[n], p_stream, p_expected + n, d->>'type', d->'data', d->'metadata',
                 (d->'metadata'->>'recordedAt')::timestamptz, hash, prev_hash
            FROM linked
            -- The hashed text must name the row it is stored as; a mismatch is a bug, refused below.
            WHERE (d->>'id')::uuid = p_ids[n] AND d->>'stream' = p_stream AND (d->>'revision')::bigint = p_expected + n
            ORDER BY n
          RETURNING position, revision, hash
        )
        SELECT count(*), max(position), (array_agg(hash ORDER BY revision DESC))[1]
          INTO v_inserted, last_position, v_last_hash
          FROM inserted;
        IF v_inserted <> v_count THEN
          RAISE EXCEPTION 'append_events: the canonical texts do not match stream %, ids and revisions after %',
            p_stream, p_expected USING ERRCODE = '22023';
        END IF;

        UPDATE ${s}.streams SET revision = p_expected + v_count, last_hash = v_last_hash, last_order_xid = v_order_xid
          WHERE stream_id = p_stream;
        outcome := 'appended';
        last_revision := p_expected + v_count;
      END;
      $fn$;
    `,
  },
];
