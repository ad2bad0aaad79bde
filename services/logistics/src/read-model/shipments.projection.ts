import {
  LOGISTICS_EVENT_TYPES,
  SHIPMENT_STREAM_PREFIX,
  type LogisticsEvent,
  type ShipmentCancelledData,
  type ShipmentPlannedData,
  type ShipmentReceivedData,
  type ShipmentSentData,
} from '@aid/contracts';
import type { RecordedEvent } from '@aid/event-store';
import type { BatchWrite, FoldContext, Projection, ProjectionContext } from '@aid/projections';
import type { EntityManager } from 'typeorm';
import { evolve, type Shipment } from '../shipment/shipment.state';
import { kgToGrams, sumGrams } from '../shipment/weight';
import { itemLines, type ItemLine } from '../tonnage/tonnage';
import { FoldedStates } from './folded-states';
import { READ_MODEL_ENTITIES, ShipmentRecord, TonnageLineRecord } from './read-model.entities';

/** The projection's name: its checkpoint, its lock and the schema of its tables. */
export const SHIPMENTS_PROJECTION = 'logistics_shipments';

const KNOWN_TYPES: ReadonlySet<string> = new Set(LOGISTICS_EVENT_TYPES);

/**
 * Shipments and tonnage lines from the shipment streams. Events are applied with the domain's own
 * evolve to each shipment's state, and the tonnage lines are tonnage.ts's itemLines of that
 * state: the read model cannot drift from the reference definitions of shortfall and in-transit
 * weight.
 */
export function createShipmentsProjection(states = new FoldedStates()): Projection {
  return {
    name: SHIPMENTS_PROJECTION,
    entities: READ_MODEL_ENTITIES,
    filter: { streamPrefixes: [SHIPMENT_STREAM_PREFIX] },
    handle: (event: RecordedEvent, { manager }: ProjectionContext) =>
      applyShipmentEvents([event], manager, states),
    // A batch in a few statements: under load, one statement per event cannot keep up with appends.
    handleBatch: (events: RecordedEvent[], { manager }: ProjectionContext) =>
      applyShipmentEvents(events, manager, states),
    foldBatch: (events: RecordedEvent[], { manager, previousBatchWritten }: FoldContext) =>
      foldShipmentEvents(events, manager, states, previousBatchWritten),
  };
}

/** What a run of events does to one shipment. */
interface ShipmentChange {
  shipmentId: string;
  events: RecordedEvent[];
}

type Row = Partial<ShipmentRecord>;

/**
 * Applies events (in log order) in one statement, whatever their number: each shipment is folded
 * in memory and written once, its lines only when their figures changed. A shipment's earlier
 * state comes from FoldedStates, or from its row when not remembered.
 */
export async function applyShipmentEvents(
  events: RecordedEvent[],
  manager: EntityManager,
  states: FoldedStates,
): Promise<void> {
  const write = await foldShipmentEvents(events, manager, states, Promise.resolve());
  await write();
}

/**
 * applyShipmentEvents in two steps (Projection.foldBatch): folds the events and answers the
 * statement that writes them. Rows are read, for shipments not remembered, only once
 * `previousBatchWritten` has settled.
 */
export async function foldShipmentEvents(
  events: RecordedEvent[],
  manager: EntityManager,
  states: FoldedStates,
  previousBatchWritten: Promise<void>,
): Promise<BatchWrite> {
  const changes = new Map<string, ShipmentChange>();
  for (const event of events) {
    if (!KNOWN_TYPES.has(event.type)) {
      // Written by a newer version of this service: stop here rather than skip what it means.
      throw new Error(`${event.stream}: unknown event type ${event.type} at revision ${event.revision}`);
    }
    const shipmentId = event.stream.slice(SHIPMENT_STREAM_PREFIX.length);
    const change = changes.get(shipmentId) ?? { shipmentId, events: [] };
    change.events.push(event);
    changes.set(shipmentId, change);
  }
  const shipmentsTable = tableOf(manager, ShipmentRecord);
  const stored = await storedStates(
    manager,
    shipmentsTable,
    [...changes.values()],
    states,
    previousBatchWritten,
  );

  const inserted: Row[] = [];
  const updated: Row[] = [];
  const lines: { shipmentId: string; sentAt: string | null; lines: ItemLine[] }[] = [];
  for (const { shipmentId, events: own } of changes.values()) {
    const first = own[0].revision;
    const previous =
      first === 0 ? null : (states.get(shipmentId, first - 1) ?? stored.get(shipmentId) ?? null);
    let state: Shipment | null = previous;
    const row: Row = {};
    for (const event of own) {
      state = evolve(state, { type: event.type, data: event.data } as unknown as LogisticsEvent);
      if (state === null) throw new Error(`${event.stream}: ${event.type} left no shipment`);
      Object.assign(row, event.revision === 0 ? plannedColumns(event, state) : columnsChangedBy(event));
    }
    const last = own[own.length - 1];
    if (state === null) throw new Error(`shipment-${shipmentId}: no state after ${own.length} events`);
    states.set(shipmentId, last.revision, state);

    const after = itemLines(state);
    const received = state.status === 'received';
    row.shipmentId = shipmentId;
    row.status = state.status;
    row.state = state;
    row.revision = last.revision;
    row.updatedAt = new Date(last.metadata.recordedAt);
    row.receivedGrams = received ? sumGrams(after.map((line) => line.receivedGrams)) : null;
    row.shortfallGrams = received ? sumGrams(after.map((line) => line.shortfallGrams)) : null;
    (previous === null ? inserted : updated).push(row);

    const before = previous ? itemLines(previous) : [];
    if (after.length < before.length) {
      // No event takes lines back; if one ever did, stop rather than leave stale lines behind.
      throw new Error(`shipment-${shipmentId}: ${last.type} would drop tonnage lines`);
    }
    if (!sameFigures(before, after)) {
      const sentAt = state.status === 'sent' || state.status === 'received' ? state.sent.at : null;
      lines.push({ shipmentId, sentAt, lines: after });
    }
  }

  const sql = new Statement();
  const statements = [
    ...(inserted.length > 0 ? [insertShipments(sql, shipmentsTable, inserted)] : []),
    ...(updated.length > 0 ? [updateShipments(sql, shipmentsTable, updated)] : []),
    ...(lines.length > 0 ? [upsertLines(sql, tableOf(manager, TonnageLineRecord), lines)] : []),
  ];
  if (statements.length === 0) return () => Promise.resolve();
  // Data-modifying CTEs all run, once each: one round trip for the whole batch.
  const last = statements.pop()!;
  const ctes = statements.map((statement, index) => `write_${index} AS (${statement} RETURNING 1)`);
  const text = ctes.length > 0 ? `WITH ${ctes.join(', ')} ${last}` : last;
  return async () => {
    await manager.query(text, sql.params);
  };
}

/** The table's schema-qualified name in this manager's DataSource: the live schema or a shadow. */
function tableOf(manager: EntityManager, entity: typeof ShipmentRecord | typeof TonnageLineRecord): string {
  return manager
    .getRepository(entity)
    .metadata.tablePath.split('.')
    .map((part) => `"${part}"`)
    .join('.');
}

/** The committed states of the shipments whose earlier state is not remembered, by id. */
async function storedStates(
  manager: EntityManager,
  table: string,
  changes: ShipmentChange[],
  states: FoldedStates,
  previousBatchWritten: Promise<void>,
): Promise<Map<string, Shipment>> {
  const expected = new Map(
    changes
      .map(({ shipmentId, events }) => [shipmentId, events[0].revision - 1] as const)
      .filter(([shipmentId, revision]) => revision >= 0 && !states.get(shipmentId, revision)),
  );
  if (expected.size === 0) return new Map();
  // The rows as the previous batch leaves them, once it is written (see Projection.foldBatch).
  await previousBatchWritten;
  const rows = await manager.query<{ shipment_id: string; state: Shipment; revision: number }[]>(
    `SELECT shipment_id, state, revision FROM ${table} WHERE shipment_id = ANY($1::uuid[])`,
    [[...expected.keys()]],
  );
  const found = new Map(rows.map((row) => [row.shipment_id, row]));
  for (const [shipmentId, revision] of expected) {
    // Events of a stream arrive in revision order, each once: anything else is a broken read model.
    const row = found.get(shipmentId);
    if (row?.revision !== revision) {
      throw new Error(
        `shipment ${shipmentId} is at revision ${row?.revision ?? 'none'} in ${table}, not ${revision}`,
      );
    }
  }
  return new Map(rows.map((row) => [row.shipment_id, row.state]));
}

function plannedColumns(event: RecordedEvent, state: Shipment): Row {
  if (event.type !== 'ShipmentPlanned') {
    throw new Error(`${event.stream}: ${event.type} at revision ${event.revision} before ShipmentPlanned`);
  }
  const data = event.data as unknown as ShipmentPlannedData;
  return {
    originPartyId: data.originPartyId,
    destinationCommunityId: data.destinationCommunityId,
    partnershipId: data.partnershipId ?? null,
    donorPartyId: data.donorPartyId ?? null,
    humanitarianAidCode: data.humanitarianAidCode ?? null,
    items: data.items,
    plannedGrams: sumGrams(state.items.map((item) => item.weightGrams)),
    plannedPosition: event.position,
    plannedAt: new Date(event.metadata.occurredAt),
  };
}

/** The columns the state does not hold: what the coordinator wrote on the waybill and the act. */
function columnsChangedBy(event: RecordedEvent): Row {
  switch (event.type) {
    case 'ShipmentSent': {
      const data = event.data as unknown as ShipmentSentData;
      return {
        sentAt: new Date(data.sentAt),
        sentGrams: kgToGrams(data.totalWeightKg, 'totalWeightKg'),
        carrier: data.carrier ?? null,
        waybillNumber: data.waybillNumber ?? null,
      };
    }
    case 'ShipmentReceived': {
      const data = event.data as unknown as ShipmentReceivedData;
      return {
        receivedAt: new Date(data.receivedAt),
        receivedBy: data.receivedBy,
        acceptanceActNumber: data.acceptanceActNumber ?? null,
      };
    }
    case 'ShipmentCancelled':
      return { cancellationReason: (event.data as unknown as ShipmentCancelledData).reason };
    default:
      return {};
  }
}

/** A statement's parameters, numbered as they are added. */
class Statement {
  readonly params: unknown[] = [];

  param(value: unknown, cast?: string): string {
    this.params.push(value);
    return cast ? `$${this.params.length}::${cast}` : `$${this.params.length}`;
  }
}

/**
 * When a column of the shipments table is written: the key and the plan's columns once, by
 * ShipmentPlanned; `once` columns by the one later event that fills them (dispatch, receipt,
 * cancellation), never cleared afterwards; `every` column by every event.
 */
type Written = 'key' | 'planned' | 'once' | 'every';

const SHIPMENT_COLUMNS: { property: keyof ShipmentRecord; column: string; written: Written }[] = [
  { property: 'shipmentId', column: 'shipment_id', written: 'key' },
  { property: 'originPartyId', column: 'origin_party_id', written: 'planned' },
  {
    property: 'destinationCommunityId',
    column: 'destination_community_id',

    written: 'planned',
  },
  { property: 'partnershipId', column: 'partnership_id', written: 'planned' },
  { property: 'donorPartyId', column: 'donor_party_id', written: 'planned' },
  { property: 'humanitarianAidCode', column: 'humanitarian_aid_code', written: 'planned' },
  { property: 'items', column: 'items', written: 'planned' },
  { property: 'plannedGrams', column: 'planned_grams', written: 'planned' },
  { property: 'plannedPosition', column: 'planned_position', written: 'planned' },
  { property: 'plannedAt', column: 'planned_at', written: 'planned' },
  { property: 'sentAt', column: 'sent_at', written: 'once' },
  { property: 'sentGrams', column: 'sent_grams', written: 'once' },
  { property: 'carrier', column: 'carrier', written: 'once' },
  { property: 'waybillNumber', column: 'waybill_number', written: 'once' },
  { property: 'receivedAt', column: 'received_at', written: 'once' },
  { property: 'receivedBy', column: 'received_by', written: 'once' },
  { property: 'acceptanceActNumber', column: 'acceptance_act_number', written: 'once' },
  { property: 'cancellationReason', column: 'cancellation_reason', written: 'once' },
  { property: 'status', column: 'status', written: 'every' },
  { property: 'state', column: 'state', written: 'every' },
  { property: 'revision', column: 'revision', written: 'every' },
  { property: 'updatedAt', column: 'updated_at', written: 'every' },
  { property: 'receivedGrams', column: 'received_grams', written: 'every' },
  { property: 'shortfallGrams', column: 'shortfall_grams', written: 'every' },
];
const UPDATED_COLUMNS = SHIPMENT_COLUMNS.filter(({ written }) => written !== 'planned');

/**
 * The rows as one JSON parameter, typed by the table's own row type. A VALUES list takes a
 * parameter per column and row: tens of thousands for a batch of 2,000 events, which cost more to
 * bind and parse than the writes (so the projection catches up 100,000 events, and the audit
 * rebuilds them, about a quarter faster).
 */
function rowsOf(sql: Statement, table: string, rows: Row[], columns: typeof SHIPMENT_COLUMNS): string {
  const json = rows.map((row) => {
    const record: Record<string, unknown> = {};
    for (const { property, column } of columns) record[column] = row[property] ?? null;
    return record;
  });
  return `json_populate_recordset(NULL::${table}, ${sql.param(JSON.stringify(json), 'json')})`;
}

function insertShipments(sql: Statement, table: string, rows: Row[]): string {
  const columns = SHIPMENT_COLUMNS.map(({ column }) => column).join(', ');
  return `INSERT INTO ${table} (${columns}) SELECT ${columns} FROM ${rowsOf(sql, table, rows, SHIPMENT_COLUMNS)}`;
}

/** A `once` column the batch did not fill keeps what is stored: later events never clear one. */
function updateShipments(sql: Statement, table: string, rows: Row[]): string {
  const assignments = UPDATED_COLUMNS.filter(({ written }) => written !== 'key').map(({ column, written }) =>
    written === 'every' ? `${column} = v.${column}` : `${column} = COALESCE(v.${column}, s.${column})`,
  );
  return `UPDATE ${table} AS s SET ${assignments.join(', ')}
    FROM ${rowsOf(sql, table, rows, UPDATED_COLUMNS)} AS v
    WHERE s.shipment_id = v.shipment_id`;
}

function sameFigures(before: ItemLine[], after: ItemLine[]): boolean {
  return (
    before.length === after.length &&
    before.every(
      (line, index) =>
        line.dispatchedGrams === after[index].dispatchedGrams &&
        line.receivedGrams === after[index].receivedGrams &&
        line.inTransitGrams === after[index].inTransitGrams &&
        line.shortfallGrams === after[index].shortfallGrams,
    )
  );
}

const LINE_COLUMNS = [
  'shipment_id',
  'item_index',
  'destination_community_id',
  'origin_party_id',
  'partnership_id',
  'sent_at',
  'sent_month',
  'category',
  'dispatched_grams',
  'received_grams',
  'in_transit_grams',
  'shortfall_grams',
] as const;

/** Lines appear when a shipment is sent; afterwards a receipt or correction changes their figures. */
function upsertLines(
  sql: Statement,
  table: string,
  shipments: { shipmentId: string; sentAt: string | null; lines: ItemLine[] }[],
): string {
  const rows = shipments.flatMap(({ shipmentId, sentAt, lines }) =>
    lines.map((line, index): Record<(typeof LINE_COLUMNS)[number], unknown> => ({
      shipment_id: shipmentId,
      item_index: index,
      destination_community_id: line.cell.destination,
      origin_party_id: line.cell.origin,
      partnership_id: line.cell.partnership,
      sent_at: sentAt,
      sent_month: line.cell.month,
      category: line.cell.category,
      dispatched_grams: line.dispatchedGrams,
      received_grams: line.receivedGrams,
      in_transit_grams: line.inTransitGrams,
      shortfall_grams: line.shortfallGrams,
    })),
  );
  const updates = LINE_COLUMNS.slice(2).map((column) => `${column} = EXCLUDED.${column}`);
  const columns = LINE_COLUMNS.join(', ');
  return `INSERT INTO ${table} (${columns})
    SELECT ${columns} FROM json_populate_recordset(NULL::${table}, ${sql.param(JSON.stringify(rows), 'json')})
    ON CONFLICT (shipment_id, item_index) DO UPDATE SET ${updates.join(', ')}`;
}
