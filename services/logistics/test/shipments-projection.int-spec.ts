import { randomUUID } from 'node:crypto';
import { shipmentStream, type LogisticsEvent } from '@aid/contracts';
import type { JsonObject, RecordedEvent } from '@aid/event-store';
import { createTestDatabase, type TestDatabase } from '@aid/testing';
import { DataSource } from 'typeorm';
import { FoldedStates } from '../src/read-model/folded-states';
import { READ_MODEL_ENTITIES } from '../src/read-model/read-model.entities';
import { applyShipmentEvents, foldShipmentEvents } from '../src/read-model/shipments.projection';
import type { ShipmentCommand } from '../src/shipment/shipment.commands';
import { shipmentDecider } from '../src/shipment/shipment.decider';
import type { ShipmentState } from '../src/shipment/shipment.state';
import { tonnageRows, type StreamedLogisticsEvent } from '../src/tonnage/tonnage';

jest.setTimeout(60_000);

/*
 * The runner hands the projection one event at a time today; applyShipmentEvents also takes a
 * whole batch (several events of one shipment folded and written once). Both ways, with the
 * remembered states or without them (read back from the rows), must give the same tables.
 */

const ZHYTOMYR = randomUUID();
const DERHACHI = randomUUID();
const RAWICZ = randomUUID();
const PARTNERSHIP = randomUUID();

const item = (category: 'food' | 'hygiene' | 'medical', weightKg: number) => ({
  category,
  description: `${category} aid`,
  quantity: 1,
  unit: 'pallet',
  weightKg,
});

function plan(destination: string, items: ReturnType<typeof item>[], partnership?: string) {
  return (shipmentId: string): ShipmentCommand => ({
    type: 'PlanShipment',
    shipmentId,
    data: {
      originPartyId: RAWICZ,
      destinationCommunityId: destination,
      ...(partnership && { partnershipId: partnership }),
      donorPartyId: RAWICZ,
      humanitarianAidCode: `UA-${shipmentId.slice(0, 6)}`,
      items,
    },
    context: {
      destination: { registered: true, kind: 'hromada' },
      ...(partnership && { partnership: { status: 'active' as const, partyIds: [RAWICZ, destination] } }),
    },
  });
}
const dispatch =
  (sentAt: string, carrier?: string) =>
  (shipmentId: string): ShipmentCommand => ({
    type: 'DispatchShipment',
    data: { shipmentId, sentAt, ...(carrier && { carrier, waybillNumber: 'CMR 7' }) },
  });
const receive =
  (figures: [number, number][]) =>
  (shipmentId: string): ShipmentCommand => ({
    type: 'ReceiveShipment',
    data: {
      shipmentId,
      receivedAt: '2023-01-10T12:00:00+02:00',
      receivedBy: 'Head of the aid warehouse',
      acceptanceActNumber: 'AP-1',
      items: figures.map(([goodKg, damagedKg], index) => ({ index, goodKg, damagedKg })),
    },
  });
const correct =
  (index: number, goodKg: number) =>
  (shipmentId: string): ShipmentCommand => ({
    type: 'CorrectReceipt',
    data: { shipmentId, items: [{ index, goodKg, damagedKg: 0 }], reason: 'recounted' },
  });
const expire =
  (itemIndex: number, affectedKg: number) =>
  (shipmentId: string): ShipmentCommand => ({
    type: 'RecordDiscrepancy',
    data: { shipmentId, itemIndex, reason: 'expired', affectedKg },
  });
const cancel = (shipmentId: string): ShipmentCommand => ({
  type: 'CancelShipment',
  data: { shipmentId, reason: 'the truck was requisitioned' },
});

/** Each shipment's events as the decider makes them, interleaved as the global log would hold them. */
function log(histories: ((shipmentId: string) => ShipmentCommand)[][]): RecordedEvent[] {
  const streams = histories.map((commands) => {
    const shipmentId = randomUUID();
    let state: ShipmentState = null;
    const events: LogisticsEvent[] = [];
    for (const command of commands) {
      const decided = shipmentDecider.decide(command(shipmentId), state);
      state = decided.reduce(shipmentDecider.evolve, state);
      events.push(...decided);
    }
    return events.map((event, revision) => ({ event, revision, stream: shipmentStream(shipmentId) }));
  });
  const longest = Math.max(...streams.map((stream) => stream.length));
  const interleaved = Array.from({ length: longest }, (_, i) =>
    streams.flatMap((stream) => stream[i] ?? []),
  ).flat();
  return interleaved.map(({ event, revision, stream }, index) => ({
    id: randomUUID(),
    type: event.type,
    stream,
    revision,
    position: index + 1,
    data: event.data as unknown as JsonObject,
    metadata: {
      occurredAt: '2022-12-01T10:00:00.000Z',
      recordedAt: new Date(Date.UTC(2023, 0, 1, 0, 0, index)).toISOString(),
      actor: { id: 'test', role: 'coordinator' },
      correlationId: 'corr',
      causationId: null,
      idempotencyKey: null,
      schemaVersion: 1,
      service: 'logistics',
    },
    hash: '',
    prevHash: '',
    checkpoint: String(index + 1),
  }));
}

const events = log([
  [
    plan(ZHYTOMYR, [item('food', 12000.5), item('hygiene', 2499.75)], PARTNERSHIP),
    dispatch('2022-12-01T00:30:00+02:00', 'PKS Rawicz'),
    receive([
      [11990, 0.5],
      [2500, 0],
    ]),
    correct(0, 11995.25),
    expire(1, 20),
  ],
  [plan(ZHYTOMYR, [item('medical', 8000)], PARTNERSHIP), dispatch('2022-12-05T08:00:00Z')],
  [plan(DERHACHI, [item('food', 17499.75)]), cancel],
  [
    plan(DERHACHI, [item('food', 0.001), item('hygiene', 1)]),
    dispatch('2023-01-02T08:00:00Z'),
    receive([
      [0, 0],
      [1.5, 0],
    ]),
  ],
  [plan(ZHYTOMYR, [item('hygiene', 350.125)])],
]);

describe('applyShipmentEvents', () => {
  let database: TestDatabase;
  const sources: DataSource[] = [];

  beforeAll(async () => {
    database = await createTestDatabase('logproj');
  });

  afterAll(async () => {
    for (const source of sources) await source.destroy();
    await database?.drop();
  });

  async function schema(name: string): Promise<DataSource> {
    const source = new DataSource({
      type: 'postgres',
      url: database.url,
      schema: name,
      entities: READ_MODEL_ENTITIES,
    });
    await source.initialize();
    await source.query(`CREATE SCHEMA ${name}`);
    await source.synchronize();
    sources.push(source);
    return source;
  }

  async function apply(
    source: DataSource,
    chunks: RecordedEvent[][],
    states: () => FoldedStates,
  ): Promise<void> {
    for (const chunk of chunks) {
      await source.transaction((manager) => applyShipmentEvents(chunk, manager, states()));
    }
  }

  async function contents(source: DataSource, name: string) {
    const shipments = await source.query<Record<string, unknown>[]>(
      `SELECT * FROM ${name}.shipments ORDER BY shipment_id`,
    );
    const lines = await source.query<Record<string, unknown>[]>(
      `SELECT * FROM ${name}.tonnage_lines ORDER BY shipment_id, item_index`,
    );
    return { shipments, lines };
  }

  it('writes the same tables event by event, in chunks and as one batch, with or without remembered states', async () => {
    const oneByOne = await schema('one_by_one');
    // A fresh FoldedStates each time: every earlier state is read back from its row.
    await apply(
      oneByOne,
      events.map((event) => [event]),
      () => new FoldedStates(),
    );
    const chunked = await schema('chunked');
    const remembered = new FoldedStates();
    const chunks = Array.from({ length: Math.ceil(events.length / 3) }, (_, i) =>
      events.slice(i * 3, i * 3 + 3),
    );
    await apply(chunked, chunks, () => remembered);
    const batch = await schema('one_batch');
    await apply(batch, [events], () => new FoldedStates());

    const reference = await contents(oneByOne, 'one_by_one');
    expect(reference.shipments).toHaveLength(5);
    expect(await contents(chunked, 'chunked')).toEqual(reference);
    expect(await contents(batch, 'one_batch')).toEqual(reference);
  });

  it('writes the same tables when each batch is handed over before the previous one is written', async () => {
    const reference = await schema('reference');
    await apply(reference, [events], () => new FoldedStates());
    // As a replay into a disposable shadow runs it: one connection, the next batch folded while
    // the previous one is written. Forgotten states make each batch read rows the previous
    // batch has yet to write; remembered ones let it send its write right behind them.
    for (const [name, states] of [
      ['ahead_forgetting', () => new FoldedStates()],
      [
        'ahead_remembering',
        (
          (remembered) => () =>
            remembered
        )(new FoldedStates()),
      ],
    ] as const) {
      const source = await schema(name);
      const runner = source.createQueryRunner();
      try {
        let written: Promise<void> = Promise.resolve();
        for (let index = 0; index < events.length; index += 2) {
          const previous = written;
          const batch = events.slice(index, index + 2);
          written = previous.then(await foldShipmentEvents(batch, runner.manager, states(), previous));
          await previous;
        }
        await written;
      } finally {
        await runner.release();
      }
      expect(await contents(source, name)).toEqual(await contents(reference, 'reference'));
    }
  });

  it('keeps what the waybill and the act said, and the figures tonnageRows folds', async () => {
    const source = await schema('figures');
    await apply(source, [events.slice(0, 7), events.slice(7)], () => new FoldedStates());
    const [first] = await source.query<Record<string, unknown>[]>(
      `SELECT status, carrier, waybill_number, acceptance_act_number, received_by, sent_grams, received_grams,
              shortfall_grams, revision FROM figures.shipments WHERE partnership_id IS NOT NULL AND status = 'received'`,
    );
    expect(first).toEqual({
      status: 'received',
      carrier: 'PKS Rawicz',
      waybill_number: 'CMR 7',
      acceptance_act_number: 'AP-1',
      received_by: 'Head of the aid warehouse',
      sent_grams: '14500250',
      received_grams: '14495250',
      shortfall_grams: '5250',
      // planned, sent, received with short, damaged and surplus items, corrected, expired.
      revision: 7,
    });
    const [cancelled] = await source.query<{ cancellation_reason: string }[]>(
      `SELECT cancellation_reason FROM figures.shipments WHERE status = 'cancelled'`,
    );
    expect(cancelled.cancellation_reason).toBe('the truck was requisitioned');

    const [sums] = await source.query<Record<string, string>[]>(
      `SELECT SUM(dispatched_grams) AS dispatched, SUM(received_grams) AS received,
              SUM(in_transit_grams) AS in_transit, SUM(shortfall_grams) AS shortfall FROM figures.tonnage_lines`,
    );
    const [expected] = tonnageRows(
      events.map(
        (event) =>
          ({ type: event.type, data: event.data, stream: event.stream }) as unknown as StreamedLogisticsEvent,
      ),
      [],
    );
    expect(sums).toEqual({
      dispatched: String(expected.dispatchedGrams),
      received: String(expected.receivedGrams),
      in_transit: String(expected.inTransitGrams),
      shortfall: String(expected.shortfallGrams),
    });
  });

  it('refuses an event that does not follow the stored revision', async () => {
    const source = await schema('gaps');
    await apply(source, [events.slice(0, 5)], () => new FoldedStates());
    const skipped = events.find((event) => event.revision === 3)!;
    await expect(apply(source, [[skipped]], () => new FoldedStates())).rejects.toThrow(
      /is at revision \d+ in .*, not 2/,
    );
  });
});
