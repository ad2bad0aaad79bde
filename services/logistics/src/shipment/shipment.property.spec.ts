import { DomainError, fold, type LogisticsEvent } from '@aid/contracts';
import fc from 'fast-check';
import type { PlanShipmentContext, ShipmentCommand } from './shipment.commands';
import { shipmentDecider } from './shipment.decider';
import type { ShipmentState } from './shipment.state';
import { RAWICZ, RAWICZ_ZHYTOMYR, SHIPMENT, ZHYTOMYR, item, rawiczToZhytomyr } from './test/fixtures';
import { gramsToKg, kgToGrams, sumGrams } from './weight';

// Mostly valid values, with the invalid ones the decider must refuse mixed in.
const weightKg = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 1, max: 20_000_000 }).map((grams) => grams / 1000) },
  { weight: 1, arbitrary: fc.constantFrom(0, -1, NaN, Infinity, 1.0005, 1e-7, 10_000_000.001) },
);
const figureKg = fc.oneof(
  { weight: 2, arbitrary: fc.constant(0) },
  { weight: 12, arbitrary: fc.integer({ min: 1, max: 20_000_000 }).map((grams) => grams / 1000) },
  { weight: 1, arbitrary: fc.constantFrom(-1, NaN, 1.0005) },
);
const sentAt = fc.constantFrom('2022-12-01T08:00:00Z', '2022-12-01T10:00:00+02:00', 'not a date');
// Some before the dispatch above, most after it.
const receivedAt = fc.constantFrom(
  '2022-11-30T23:00:00Z',
  '2022-12-01T08:00:00Z',
  '2022-12-03T10:00:00+02:00',
  '2022-12-04T12:00:00Z',
  'not a date',
);
// Mostly the two planned items, sometimes an index that does not exist.
const index = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 0, max: 1 }) },
  { weight: 1, arbitrary: fc.constantFrom(-1, 2, 3) },
);

const anyContext: fc.Arbitrary<PlanShipmentContext> = fc.record({
  destination: fc.record({
    registered: fc.boolean(),
    kind: fc.constantFrom('hromada' as const, 'foreign-municipality' as const),
  }),
  partnership: fc.option(
    fc.record({
      status: fc.constantFrom(
        'proposed' as const,
        'approved' as const,
        'active' as const,
        'terminated' as const,
      ),
      partyIds: fc.constantFrom([RAWICZ, ZHYTOMYR], [RAWICZ]),
    }),
  ),
});

const context = fc.oneof(
  { weight: 3, arbitrary: fc.constant(rawiczToZhytomyr) },
  { weight: 1, arbitrary: anyContext },
);

// Plans have two items (or none, which is refused), so that most receipts can match them.
const ITEMS = 2;

/** A receipt listing both items once each, sometimes with one index changed or one entry dropped. */
const receipts = fc
  .array(fc.tuple(figureKg, figureKg), { minLength: ITEMS, maxLength: ITEMS })
  .chain((figures) => {
    const entries = figures.map(([goodKg, damagedKg], entryIndex) => ({
      index: entryIndex,
      goodKg,
      damagedKg,
    }));
    return fc.oneof(
      { weight: 4, arbitrary: fc.constant(entries) },
      {
        weight: 1,
        arbitrary: index.map((other) =>
          entries.map((entry, i) => (i === 0 ? { ...entry, index: other } : entry)),
        ),
      },
      { weight: 1, arbitrary: fc.constant(entries.slice(1)) },
    );
  });

const planCommand = fc
  .tuple(
    fc.oneof(
      { weight: 1, arbitrary: fc.constant([]) },
      { weight: 8, arbitrary: fc.array(weightKg, { minLength: ITEMS, maxLength: ITEMS }) },
    ),
    context,
  )
  .map(([weights, planContext]): ShipmentCommand => ({
    type: 'PlanShipment',
    shipmentId: SHIPMENT,
    data: {
      originPartyId: RAWICZ,
      destinationCommunityId: ZHYTOMYR,
      partnershipId: RAWICZ_ZHYTOMYR,
      items: weights.map((kg) => item(kg)),
    },
    context: planContext,
  }));

const dispatchCommand = fc
  .tuple(
    sentAt,
    fc.oneof({ weight: 3, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: weightKg }),
  )
  .map(([at, totalWeightKg]): ShipmentCommand => ({
    type: 'DispatchShipment',
    data: { shipmentId: SHIPMENT, sentAt: at, ...(totalWeightKg !== undefined && { totalWeightKg }) },
  }));

const receiveCommand = fc.tuple(receivedAt, receipts).map(([at, items]): ShipmentCommand => ({
  type: 'ReceiveShipment',
  data: { shipmentId: SHIPMENT, receivedAt: at, receivedBy: 'Head of the aid warehouse', items },
}));

const recordDiscrepancyCommand = fc
  .tuple(index, fc.constantFrom('lost' as const, 'expired' as const), weightKg)
  .map(([itemIndex, reason, affectedKg]): ShipmentCommand => ({
    type: 'RecordDiscrepancy',
    data: { shipmentId: SHIPMENT, itemIndex, reason, affectedKg },
  }));

const correctReceiptCommand = receipts.map((items): ShipmentCommand => ({
  type: 'CorrectReceipt',
  data: { shipmentId: SHIPMENT, items, reason: 'reweighed' },
}));

const cancelCommand = fc.constant<ShipmentCommand>({
  type: 'CancelShipment',
  data: { shipmentId: SHIPMENT, reason: 'no truck' },
});

// Weighted towards the later steps, which are reached only after the earlier ones succeed.
const command: fc.Arbitrary<ShipmentCommand> = fc.oneof(
  { weight: 2, arbitrary: planCommand },
  { weight: 3, arbitrary: dispatchCommand },
  { weight: 6, arbitrary: receiveCommand },
  { weight: 5, arbitrary: recordDiscrepancyCommand },
  { weight: 3, arbitrary: correctReceiptCommand },
  { weight: 1, arbitrary: cancelCommand },
);

/** The event types in the only orders the lifecycle allows: planned, then cancelled or sent, received, then notes. */
const LIFECYCLE = /^(P(C|S(R[DX]*)?)?)?$/;
const LETTER: Record<LogisticsEvent['type'], string> = {
  ShipmentPlanned: 'P',
  ShipmentCancelled: 'C',
  ShipmentSent: 'S',
  ShipmentReceived: 'R',
  ShipmentDiscrepancyRecorded: 'D',
  ShipmentReceiptCorrected: 'X',
};

const grams = (kg: number) => kgToGrams(kg, 'kg', { allowZero: true });

function expectConsistent(state: ShipmentState, history: LogisticsEvent[]): void {
  expect(history.map((event) => LETTER[event.type]).join('')).toMatch(LIFECYCLE);
  // The history survives a trip through JSON (no NaN, no undefined) and replays to the same state.
  expect(fold(shipmentDecider, JSON.parse(JSON.stringify(history)) as LogisticsEvent[])).toEqual(state);
  if (state === null) return;

  expect(state.items.length).toBeGreaterThan(0);
  for (const plannedItem of state.items) {
    expect(Number.isSafeInteger(plannedItem.weightGrams) && plannedItem.weightGrams > 0).toBe(true);
  }
  const plannedGrams = sumGrams(state.items.map((plannedItem) => plannedItem.weightGrams));
  if (state.status === 'sent' || state.status === 'received') {
    expect(state.sent.totalGrams).toBe(plannedGrams);
  }
  if (state.status === 'received') {
    expect(Date.parse(state.received.at)).toBeGreaterThanOrEqual(Date.parse(state.sent.at));
    expect(state.received.items).toHaveLength(state.items.length);
    state.received.items.forEach((figures, itemIndex) => {
      // Recounted from the history: what was lost or expired never exceeds what arrived in good order.
      const writtenOff = history.flatMap((event) =>
        event.type === 'ShipmentDiscrepancyRecorded' &&
        event.data.itemIndex === itemIndex &&
        (event.data.reason === 'lost' || event.data.reason === 'expired')
          ? [grams(event.data.expectedKg) - grams(event.data.receivedKg)]
          : [],
      );
      expect(figures.writtenOffGrams).toBe(sumGrams(writtenOff));
      expect(figures.goodGrams).toBeGreaterThanOrEqual(figures.writtenOffGrams);
      expect(figures.damagedGrams).toBeGreaterThanOrEqual(0);
    });
  }
  for (const event of history) {
    if (event.type === 'ShipmentSent') expect(event.data.totalWeightKg).toBe(gramsToKg(plannedGrams));
    if (event.type === 'ShipmentReceived') {
      const itemGrams = event.data.items.flatMap((entry) => [grams(entry.goodKg), grams(entry.damagedKg)]);
      expect(grams(event.data.receivedWeightKg)).toBe(sumGrams(itemGrams));
    }
    if (event.type === 'ShipmentDiscrepancyRecorded') {
      const { expectedKg, receivedKg, reason } = event.data;
      if (reason === 'surplus') expect(grams(receivedKg)).toBeGreaterThan(grams(expectedKg));
      else expect(grams(receivedKg)).toBeLessThan(grams(expectedKg));
    }
  }
}

describe('Shipment decider under random commands', () => {
  it('never reaches an inconsistent state, whatever valid and invalid commands arrive', () => {
    const reached = new Map<string, number>();
    fc.assert(
      fc.property(fc.array(command, { minLength: 1, maxLength: 30, size: 'max' }), (commands) => {
        let state: ShipmentState = null;
        const history: LogisticsEvent[] = [];
        for (const next of commands) {
          const before = structuredClone(state);
          let events: LogisticsEvent[];
          try {
            events = shipmentDecider.decide(next, state);
          } catch (error) {
            // A refusal is fine; any other exception is a bug in the decider.
            expect(error).toBeInstanceOf(DomainError);
            expect(state).toEqual(before);
            continue;
          }
          expect(state).toEqual(before);
          history.push(...events);
          state = events.reduce(shipmentDecider.evolve, state);
          for (const event of events) reached.set(event.type, (reached.get(event.type) ?? 0) + 1);
          expectConsistent(state, history);
        }
      }),
      { numRuns: 600 },
    );
    // The generators must reach every event, or the property proves less than it claims.
    const rarelyReached = Object.keys(LETTER).filter((type) => (reached.get(type) ?? 0) < 5);
    expect(rarelyReached).toEqual([]);
  });
});
