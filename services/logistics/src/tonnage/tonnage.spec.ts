import { shipmentStream, type ItemCategory, type LogisticsEvent } from '@aid/contracts';
import fc from 'fast-check';
import type { ShipmentCommand } from '../shipment/shipment.commands';
import { shipmentDecider } from '../shipment/shipment.decider';
import type { ShipmentState } from '../shipment/shipment.state';
import { RAWICZ, RAWICZ_ZHYTOMYR, ZHYTOMYR, item, rawiczToZhytomyr } from '../shipment/test/fixtures';
import { gramsToKg } from '../shipment/weight';
import {
  TONNAGE_DIMENSIONS,
  tonnageRows,
  type StreamedLogisticsEvent,
  type TonnageDimension,
  type TonnageRow,
} from './tonnage';

/** Runs commands through the decider, as the service would, and returns the stream's events. */
function history(
  shipmentId: string,
  commands: ((shipmentId: string) => ShipmentCommand)[],
): StreamedLogisticsEvent[] {
  let state: ShipmentState = null;
  const events: LogisticsEvent[] = [];
  for (const command of commands) {
    const decided = shipmentDecider.decide(command(shipmentId), state);
    state = decided.reduce(shipmentDecider.evolve, state);
    events.push(...decided);
  }
  return events.map((event) => ({ ...event, stream: shipmentStream(shipmentId) }));
}

/** The streams' events interleaved, as they arrive in the global log. */
function interleave(...streams: StreamedLogisticsEvent[][]): StreamedLogisticsEvent[] {
  const longest = Math.max(0, ...streams.map((events) => events.length));
  return Array.from({ length: longest }, (_, i) =>
    streams.flatMap((events) => (i < events.length ? [events[i]] : [])),
  ).flat();
}

const planOf =
  (items: { category: ItemCategory; weightKg: number }[], destination = ZHYTOMYR, origin = RAWICZ) =>
  (shipmentId: string): ShipmentCommand => ({
    type: 'PlanShipment',
    shipmentId,
    data: {
      originPartyId: origin,
      destinationCommunityId: destination,
      partnershipId: RAWICZ_ZHYTOMYR,
      items: items.map(({ category, weightKg }) => item(weightKg, category)),
    },
    context: { ...rawiczToZhytomyr, partnership: { status: 'active', partyIds: [origin, destination] } },
  });
const dispatchAt =
  (sentAt: string) =>
  (shipmentId: string): ShipmentCommand => ({ type: 'DispatchShipment', data: { shipmentId, sentAt } });
const receiveAs =
  (receivedAt: string, figures: [goodKg: number, damagedKg: number][]) =>
  (shipmentId: string): ShipmentCommand => ({
    type: 'ReceiveShipment',
    data: {
      shipmentId,
      receivedAt,
      receivedBy: 'Head of the Zhytomyr aid warehouse',
      items: figures.map(([goodKg, damagedKg], index) => ({ index, goodKg, damagedKg })),
    },
  });
const correctTo =
  (index: number, goodKg: number, damagedKg: number) =>
  (shipmentId: string): ShipmentCommand => ({
    type: 'CorrectReceipt',
    data: { shipmentId, items: [{ index, goodKg, damagedKg }], reason: 'recounted pallets' },
  });
const expire =
  (itemIndex: number, affectedKg: number) =>
  (shipmentId: string): ShipmentCommand => ({
    type: 'RecordDiscrepancy',
    data: { shipmentId, itemIndex, reason: 'expired', affectedKg },
  });
const cancelled = (shipmentId: string): ShipmentCommand => ({
  type: 'CancelShipment',
  data: { shipmentId, reason: 'the truck was requisitioned' },
});

function totals(rows: Omit<TonnageRow, 'key'>[]) {
  const sum = (pick: (row: Omit<TonnageRow, 'key'>) => number) =>
    rows.reduce((total, row) => total + pick(row), 0);
  return {
    dispatchedGrams: sum((row) => row.dispatchedGrams),
    receivedGrams: sum((row) => row.receivedGrams),
    inTransitGrams: sum((row) => row.inTransitGrams),
    shortfallGrams: sum((row) => row.shortfallGrams),
  };
}

/** Every single dimension, every pair, and all five together. */
const GROUPINGS: TonnageDimension[][] = [
  [],
  ...TONNAGE_DIMENSIONS.map((dimension) => [dimension]),
  ...TONNAGE_DIMENSIONS.flatMap((a, i) => TONNAGE_DIMENSIONS.slice(i + 1).map((b) => [a, b])),
  [...TONNAGE_DIMENSIONS],
];

describe('tonnage of story 001: Rawicz sends Zhytomyr 50 tonnes', () => {
  const S1 = '01900000-0000-7000-8000-0000000000b1';
  const S2 = '01900000-0000-7000-8000-0000000000b2';
  const S3 = '01900000-0000-7000-8000-0000000000b3';
  const S4 = '01900000-0000-7000-8000-0000000000b4';
  const CANCELLED = '01900000-0000-7000-8000-0000000000b5';
  const ONLY_PLANNED = '01900000-0000-7000-8000-0000000000b6';

  const events = interleave(
    // 12000.5 kg, received in full; 300 kg of it expire in storage later, which does not undo the receipt.
    history(S1, [
      planOf([
        { category: 'food', weightKg: 10000.5 },
        { category: 'hygiene', weightKg: 2000 },
      ]),
      dispatchAt('2022-03-10T06:00:00+01:00'),
      receiveAs('2022-03-11T14:00:00+02:00', [
        [10000.5, 0],
        [2000, 0],
      ]),
      expire(0, 300),
    ]),
    // 8000 kg, received in full, 150 kg of it damaged (damaged goods did arrive).
    history(S2, [
      planOf([{ category: 'medical', weightKg: 8000 }]),
      dispatchAt('2022-05-02T07:00:00Z'),
      receiveAs('2022-05-03T12:00:00Z', [[7850, 150]]),
    ]),
    // 17499.75 kg, first counted as 16500 kg, corrected to 17000 kg: 499.75 kg short.
    history(S3, [
      planOf([{ category: 'food', weightKg: 17499.75 }]),
      dispatchAt('2022-09-20T05:00:00Z'),
      receiveAs('2022-09-21T16:00:00Z', [[16500, 0]]),
      correctTo(0, 17000, 0),
    ]),
    // 12499.75 kg, still on the road.
    history(S4, [
      planOf([
        { category: 'shelter', weightKg: 10000 },
        { category: 'energy', weightKg: 2499.75 },
      ]),
      dispatchAt('2022-12-20T04:00:00Z'),
    ]),
    history(CANCELLED, [planOf([{ category: 'food', weightKg: 5000 }]), cancelled]),
    history(ONLY_PLANNED, [planOf([{ category: 'water', weightKg: 3000 }])]),
  );

  it('adds up to exactly 50 tonnes dispatched, by every grouping', () => {
    for (const groupBy of GROUPINGS) {
      expect({ groupBy, ...totals(tonnageRows(events, groupBy)) }).toEqual({
        groupBy,
        dispatchedGrams: 50_000_000,
        receivedGrams: 37_000_500,
        inTransitGrams: 12_499_750,
        shortfallGrams: 499_750,
      });
    }
    expect(gramsToKg(50_000_000)).toBe(50_000);
  });

  it('groups by the month of sending, in UTC', () => {
    expect(tonnageRows(events, ['month'])).toEqual([
      {
        key: { month: '2022-03' },
        shipments: 1,
        dispatchedGrams: 12_000_500,
        receivedGrams: 12_000_500,
        inTransitGrams: 0,
        shortfallGrams: 0,
      },
      {
        key: { month: '2022-05' },
        shipments: 1,
        dispatchedGrams: 8_000_000,
        receivedGrams: 8_000_000,
        inTransitGrams: 0,
        shortfallGrams: 0,
      },
      {
        key: { month: '2022-09' },
        shipments: 1,
        dispatchedGrams: 17_499_750,
        receivedGrams: 17_000_000,
        inTransitGrams: 0,
        shortfallGrams: 499_750,
      },
      {
        key: { month: '2022-12' },
        shipments: 1,
        dispatchedGrams: 12_499_750,
        receivedGrams: 0,
        inTransitGrams: 12_499_750,
        shortfallGrams: 0,
      },
    ]);
  });

  it('counts each shipment once per row, though its items spread over categories', () => {
    expect(tonnageRows(events, ['destination'])).toEqual([
      {
        key: { destination: ZHYTOMYR },
        shipments: 4,
        dispatchedGrams: 50_000_000,
        receivedGrams: 37_000_500,
        inTransitGrams: 12_499_750,
        shortfallGrams: 499_750,
      },
    ]);
    const byCategory = tonnageRows(events, ['category']);
    expect(byCategory.map((row) => [row.key.category, row.shipments, row.dispatchedGrams])).toEqual([
      ['energy', 1, 2_499_750],
      ['food', 2, 27_500_250],
      ['hygiene', 1, 2_000_000],
      ['medical', 1, 8_000_000],
      ['shelter', 1, 10_000_000],
    ]);
  });

  it('keys the finest rows by all five dimensions', () => {
    const rows = tonnageRows(events, TONNAGE_DIMENSIONS);
    expect(rows).toHaveLength(6);
    expect(rows).toContainEqual({
      key: {
        destination: ZHYTOMYR,
        origin: RAWICZ,
        partnership: RAWICZ_ZHYTOMYR,
        month: '2022-12',
        category: 'energy',
      },
      shipments: 1,
      dispatchedGrams: 2_499_750,
      receivedGrams: 0,
      inTransitGrams: 2_499_750,
      shortfallGrams: 0,
    });
  });

  it('moves a shipment from in transit to received when its receipt arrives', () => {
    const received = [
      ...events,
      ...history(S4, [
        planOf([
          { category: 'shelter', weightKg: 10000 },
          { category: 'energy', weightKg: 2499.75 },
        ]),
        dispatchAt('2022-12-20T04:00:00Z'),
        receiveAs('2022-12-22T10:00:00Z', [
          [10000, 0],
          [2499.75, 0],
        ]),
        // only the receipt: the plan and dispatch are in `events` already
      ]).slice(2),
    ];
    expect(totals(tonnageRows(received, []))).toEqual({
      dispatchedGrams: 50_000_000,
      receivedGrams: 49_500_250,
      inTransitGrams: 0,
      shortfallGrams: 499_750,
    });
  });
});

describe('tonnage rules', () => {
  const S = '01900000-0000-7000-8000-0000000000c1';

  it('takes the month in UTC: late on 31 December in Brazil is January', () => {
    const events = history(S, [
      planOf([{ category: 'water', weightKg: 1 }]),
      dispatchAt('2022-12-31T23:30:00-02:00'),
    ]);
    expect(tonnageRows(events, ['month']).map((row) => row.key)).toEqual([{ month: '2023-01' }]);
  });

  it('never lets a surplus of one item make up for a shortage of another', () => {
    const events = history(S, [
      planOf([
        { category: 'food', weightKg: 1000 },
        { category: 'clothing', weightKg: 1000 },
      ]),
      dispatchAt('2022-12-01T00:00:00Z'),
      receiveAs('2022-12-02T00:00:00Z', [
        [900, 0],
        [1100, 0],
      ]),
    ]);
    expect(tonnageRows(events, [])).toEqual([
      {
        key: {},
        shipments: 1,
        dispatchedGrams: 2_000_000,
        receivedGrams: 2_000_000,
        inTransitGrams: 0,
        shortfallGrams: 100_000,
      },
    ]);
    expect(tonnageRows(events, ['category']).map((row) => [row.key.category, row.shortfallGrams])).toEqual([
      ['clothing', 0],
      ['food', 100_000],
    ]);
  });

  it('has no rows for shipments that were never sent', () => {
    const events = [
      ...history(S, [planOf([{ category: 'food', weightKg: 10 }]), cancelled]),
      ...history('01900000-0000-7000-8000-0000000000c2', [planOf([{ category: 'food', weightKg: 10 }])]),
    ];
    expect(tonnageRows(events, TONNAGE_DIMENSIONS)).toEqual([]);
  });

  it('refuses a history that does not start with ShipmentPlanned', () => {
    const orphan: StreamedLogisticsEvent = {
      type: 'ShipmentSent',
      stream: shipmentStream(S),
      data: { sentAt: '2022-12-01T00:00:00Z', totalWeightKg: 1 },
    };
    expect(() => tonnageRows([orphan], [])).toThrow(/no ShipmentPlanned/);
  });
});

describe('tonnage of random histories', () => {
  const DESTINATIONS = ['01900000-0000-7000-8000-0000000000d1', '01900000-0000-7000-8000-0000000000d2'];
  const CATEGORIES: ItemCategory[] = ['food', 'medical', 'water'];
  const MONTHS = ['2022-11-15T12:00:00Z', '2022-12-15T12:00:00Z'];

  const scenario = fc.record({
    destination: fc.constantFrom(...DESTINATIONS),
    items: fc.array(
      fc.record({
        category: fc.constantFrom(...CATEGORIES),
        grams: fc.integer({ min: 1, max: 30_000_000 }),
        // what arrives, as a share of the planned weight, and how much of it is damaged
        arrivedGrams: fc.integer({ min: 0, max: 35_000_000 }),
        damagedShare: fc.constantFrom(0, 0, 0.5),
      }),
      { minLength: 1, maxLength: 4 },
    ),
    sentAt: fc.constantFrom(...MONTHS),
    outcome: fc.constantFrom('planned', 'cancelled', 'in transit', 'received', 'corrected'),
  });

  it('reconciles every grouping to the gram with a direct count of the same shipments', () => {
    fc.assert(
      fc.property(fc.array(scenario, { maxLength: 8 }), (shipments) => {
        const streams = shipments.map((shipment, n) => {
          const id = `01900000-0000-7000-8000-${String(n).padStart(12, '0')}`;
          const figures = shipment.items.map(({ arrivedGrams, damagedShare }): [number, number] => {
            const damaged = Math.floor(arrivedGrams * damagedShare);
            return [gramsToKg(arrivedGrams - damaged), gramsToKg(damaged)];
          });
          const steps = [
            planOf(
              shipment.items.map(({ category, grams }) => ({ category, weightKg: gramsToKg(grams) })),
              shipment.destination,
            ),
          ];
          if (shipment.outcome === 'cancelled') steps.push(cancelled);
          if (['in transit', 'received', 'corrected'].includes(shipment.outcome))
            steps.push(dispatchAt(shipment.sentAt));
          if (shipment.outcome === 'received') steps.push(receiveAs('2023-01-01T00:00:00Z', figures));
          if (shipment.outcome === 'corrected') {
            // received first as all good, then corrected to the generated figures of item 0
            const allGood = shipment.items.map(({ grams }): [number, number] => [gramsToKg(grams), 0]);
            steps.push(receiveAs('2023-01-01T00:00:00Z', allGood));
            const [goodKg, damagedKg] = figures[0];
            if (goodKg !== allGood[0][0] || damagedKg !== 0) steps.push(correctTo(0, goodKg, damagedKg));
          }
          return history(id, steps);
        });

        // The direct count, from the scenario rather than from events.
        let dispatched = 0;
        let received = 0;
        let inTransit = 0;
        let shortfall = 0;
        for (const shipment of shipments) {
          for (const [i, { grams, arrivedGrams }] of shipment.items.entries()) {
            if (shipment.outcome === 'planned' || shipment.outcome === 'cancelled') continue;
            dispatched += grams;
            if (shipment.outcome === 'in transit') {
              inTransit += grams;
              continue;
            }
            const arrived = shipment.outcome === 'corrected' && i > 0 ? grams : arrivedGrams;
            received += arrived;
            shortfall += Math.max(0, grams - arrived);
          }
        }

        const events = interleave(...streams);
        for (const groupBy of GROUPINGS) {
          const rows = tonnageRows(events, groupBy);
          expect(totals(rows)).toEqual({
            dispatchedGrams: dispatched,
            receivedGrams: received,
            inTransitGrams: inTransit,
            shortfallGrams: shortfall,
          });
          for (const row of rows) {
            expect(row.shipments).toBeGreaterThan(0);
            expect(row.shortfallGrams).toBeGreaterThanOrEqual(0);
            expect(row.shortfallGrams).toBeLessThanOrEqual(row.dispatchedGrams - row.inTransitGrams);
          }
        }
        const sentShipments = shipments.filter(
          ({ outcome }) => outcome !== 'planned' && outcome !== 'cancelled',
        );
        expect(tonnageRows(events, []).map((row) => row.shipments)).toEqual(
          sentShipments.length ? [sentShipments.length] : [],
        );
      }),
      { numRuns: 100 },
    );
  });
});
