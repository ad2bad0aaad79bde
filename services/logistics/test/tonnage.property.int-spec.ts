import { randomUUID } from 'node:crypto';
import {
  DomainError,
  ITEM_CATEGORIES,
  LOGISTICS_EVENT_TYPES,
  LOGISTICS_SUBJECTS,
  type CommandReply,
  type ItemCategory,
} from '@aid/contracts';
import fc from 'fast-check';
import type { TonnageAnswer } from '../src/queries/views';
import { gramsToKg } from '../src/shipment/weight';
import {
  TONNAGE_DIMENSIONS,
  tonnageRows,
  type StreamedLogisticsEvent,
  type TonnageDimension,
} from '../src/tonnage/tonnage';
import { LogisticsHarness } from './support/harness';

jest.setTimeout(180_000);

const S = LOGISTICS_SUBJECTS;

/*
 * Property: whatever mix of valid and invalid commands coordinators send, every tonnage row the
 * service answers equals the figures tonnageRows folds directly from the events in the store.
 * The commands go through the whole service over NATS (validation, references, CommandHandler,
 * store, projection, SQL sums), not through CommandHandler alone: a run of about ten commands
 * takes well under a second, so the real path stays affordable at a modest number of runs.
 */

interface Route {
  destination: 'zhytomyr' | 'derhachi' | 'unregistered';
  origin: 'rawicz' | 'brovary';
  partnership?: 'rawiczZhytomyr' | 'brovaryDerhachi' | 'proposed';
}

const ALLOWED_ROUTES: Route[] = [
  { destination: 'zhytomyr', origin: 'rawicz', partnership: 'rawiczZhytomyr' },
  { destination: 'zhytomyr', origin: 'rawicz' },
  { destination: 'derhachi', origin: 'brovary', partnership: 'brovaryDerhachi' },
  { destination: 'derhachi', origin: 'rawicz' },
];

// Mostly routes the references allow, so that shipments go on to be sent and received.
const route = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.constantFrom(...ALLOWED_ROUTES),
  },
  {
    weight: 2,
    arbitrary: fc.constantFrom<Route>(
      { destination: 'unregistered', origin: 'rawicz' },
      { destination: 'zhytomyr', origin: 'brovary', partnership: 'proposed' },
      { destination: 'derhachi', origin: 'rawicz', partnership: 'rawiczZhytomyr' },
    ),
  },
);

type Command =
  | { kind: 'plan'; route: Route; items: { category: ItemCategory; weightKg: number }[] }
  | { kind: 'dispatch'; target: Target; sentAt: string; statedTotal: 'none' | 'right' | 'wrong' }
  | { kind: 'receive'; target: Target; receivedAt: string; figures: [number, number][] }
  | { kind: 'correct'; target: Target; index: number; goodKg: number; damagedKg: number }
  | { kind: 'writeOff'; target: Target; index: number; reason: 'lost' | 'expired'; affectedKg: number }
  | { kind: 'cancel'; target: Target };

const kg = (maxGrams: number) => fc.integer({ min: 1, max: maxGrams }).map((grams) => grams / 1000);
const weightKg = fc.oneof(
  { weight: 9, arbitrary: kg(20_000_000) },
  { weight: 1, arbitrary: fc.constantFrom(0, -5, 1.0005) },
);
const figureKg = fc.oneof(
  { weight: 2, arbitrary: fc.constant(0) },
  { weight: 14, arbitrary: kg(20_000_000) },
  { weight: 1, arbitrary: fc.constantFrom(-1, 0.0001) },
);
// Across three UTC months, one of them only in UTC (00:30 in Kyiv on 1 December), and one bad value.
const sentAt = fc.oneof(
  {
    weight: 9,
    arbitrary: fc.constantFrom(
      '2022-11-14T09:00:00+01:00',
      '2022-12-01T00:30:00+02:00',
      '2022-12-20T07:00:00Z',
      '2023-01-03T10:00:00Z',
    ),
  },
  { weight: 1, arbitrary: fc.constant('14.11.2022') },
);
const receivedAt = fc.constantFrom(
  '2022-11-01T00:00:00Z',
  '2023-01-05T12:00:00+02:00',
  '2023-02-01T08:00:00Z',
);
/**
 * Which shipment of the run a command addresses: mostly one in the status the command needs
 * (aimed), so shipments get sent, received and corrected; otherwise any, which is often refused.
 */
interface Target {
  index: number;
  aimed: boolean;
}
const target: fc.Arbitrary<Target> = fc.record({
  index: fc.nat({ max: 7 }),
  aimed: fc.oneof({ weight: 4, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
});

const planOf = (routes: fc.Arbitrary<Route>, weights: fc.Arbitrary<number>): fc.Arbitrary<Command> =>
  fc.record({
    kind: fc.constant('plan' as const),
    route: routes,
    items: fc.array(
      fc.record({ category: fc.constantFrom(...ITEM_CATEGORIES.slice(0, 4)), weightKg: weights }),
      {
        minLength: 1,
        maxLength: 3,
      },
    ),
  });
const planCommand = planOf(route, weightKg);
/** Every run starts with a plan that is accepted, so the commands after it have a shipment to act on. */
const acceptedPlan = planOf(fc.constantFrom(...ALLOWED_ROUTES), kg(20_000_000));

const command: fc.Arbitrary<Command> = fc.oneof(
  { weight: 3, arbitrary: planCommand },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('dispatch' as const),
      target,
      sentAt,
      statedTotal: fc.constantFrom('none' as const, 'right' as const, 'wrong' as const),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('receive' as const),
      target,
      receivedAt,
      figures: fc.array(fc.tuple(figureKg, figureKg), { minLength: 3, maxLength: 3 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('correct' as const),
      target,
      index: fc.nat({ max: 2 }),
      goodKg: figureKg,
      damagedKg: figureKg,
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('writeOff' as const),
      target,
      index: fc.nat({ max: 2 }),
      reason: fc.constantFrom('lost' as const, 'expired' as const),
      affectedKg: kg(5_000_000),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('cancel' as const), target }) },
);

const MONTHS = ['2022-11', '2022-12', '2023-01'];
const monthRange = fc
  .tuple(fc.nat({ max: 2 }), fc.nat({ max: 2 }))
  .map(([a, b]) => ({ from: MONTHS[Math.min(a, b)], to: MONTHS[Math.max(a, b)] }));

const aimedAt: Target = { index: 0, aimed: true };
/** A run that records every kind of event at least once, whatever the random runs do. */
const everyEventOnce: [Command, Command[], { from: string; to: string }] = [
  {
    kind: 'plan',
    route: ALLOWED_ROUTES[0],
    items: [
      { category: 'food', weightKg: 12000.5 },
      { category: 'hygiene', weightKg: 2499.75 },
    ],
  },
  [
    { kind: 'dispatch', target: aimedAt, sentAt: '2022-12-01T00:30:00+02:00', statedTotal: 'right' },
    {
      kind: 'receive',
      target: aimedAt,
      receivedAt: '2023-01-05T12:00:00+02:00',
      figures: [
        [11990, 0.5],
        [2500, 0],
        [0, 0],
      ],
    },
    { kind: 'correct', target: aimedAt, index: 0, goodKg: 11995.25, damagedKg: 0 },
    { kind: 'writeOff', target: aimedAt, index: 1, reason: 'expired', affectedKg: 20 },
    { kind: 'plan', route: ALLOWED_ROUTES[2], items: [{ category: 'medical', weightKg: 8000 }] },
    { kind: 'cancel', target: { index: 1, aimed: false } },
  ],
  { from: '2022-11', to: '2022-12' },
];

interface Figures {
  shipments: number;
  dispatchedKg: number;
  receivedKg: number;
  inTransitKg: number;
  shortfallKg: number;
}

describe('tonnage read model = tonnage folded from the events (fast-check, through NATS)', () => {
  let harness: LogisticsHarness;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    harness = await LogisticsHarness.start('logprop');
    ids.rawicz = await harness.registerCommunity('Rawicz', 'foreign-municipality', 'PL');
    ids.brovary = await harness.registerCommunity('Brovary');
    ids.zhytomyr = await harness.registerCommunity('Zhytomyr');
    ids.derhachi = await harness.registerCommunity('Derhachi');
    ids.unregistered = randomUUID();
    ids.rawiczZhytomyr = await harness.partnership(
      [
        [ids.zhytomyr, 'partner'],
        [ids.rawicz, 'partner'],
      ],
      'active',
    );
    ids.brovaryDerhachi = await harness.partnership(
      [
        [ids.derhachi, 'outpost'],
        [ids.brovary, 'partner'],
      ],
      'active',
      'side-by-side',
    );
    ids.proposed = await harness.partnership(
      [
        [ids.zhytomyr, 'partner'],
        [ids.brovary, 'partner'],
      ],
      'proposed',
    );
    await harness.referencesCaughtUp();
  });

  afterAll(async () => {
    await harness?.close();
  });

  interface Planned {
    id: string;
    items: number;
    totalGrams: number;
    status: 'planned' | 'sent' | 'received' | 'cancelled';
  }

  const STATUS_NEEDED = {
    dispatch: 'planned',
    cancel: 'planned',
    receive: 'sent',
    correct: 'received',
    writeOff: 'received',
  } as const;

  /** Sends one command and keeps track of the statuses it led to. */
  async function send(next: Command, shipments: Planned[]): Promise<void> {
    const shipment = next.kind === 'plan' ? null : addressed(next.kind, next.target, shipments);
    // A command for a shipment that was never planned is one of the invalid ones.
    const shipmentId = shipment?.id ?? randomUUID();
    await sendTo(next, shipment, shipmentId, shipments);
    if (shipment && next.kind === 'dispatch') shipment.status = 'sent';
    if (shipment && next.kind === 'receive') shipment.status = 'received';
    if (shipment && next.kind === 'cancel') shipment.status = 'cancelled';
  }

  function addressed(
    kind: keyof typeof STATUS_NEEDED,
    { index, aimed }: Target,
    shipments: Planned[],
  ): Planned | null {
    const ready = shipments.filter((shipment) => shipment.status === STATUS_NEEDED[kind]);
    const candidates = aimed && ready.length > 0 ? ready : shipments;
    return candidates.length > 0 ? candidates[index % candidates.length] : null;
  }

  async function sendTo(next: Command, shipment: Planned | null, shipmentId: string, shipments: Planned[]) {
    switch (next.kind) {
      case 'plan': {
        const { destination, origin, partnership } = next.route;
        const reply = await harness.command<CommandReply>(S.planShipment, {
          originPartyId: ids[origin],
          destinationCommunityId: ids[destination],
          ...(partnership && { partnershipId: ids[partnership] }),
          items: next.items.map((line) => ({ ...line, description: 'aid', quantity: 1, unit: 'pallet' })),
        });
        const totalGrams = next.items.reduce((sum, line) => sum + Math.round(line.weightKg * 1000), 0);
        shipments.push({ id: reply.id, items: next.items.length, totalGrams, status: 'planned' });
        return;
      }
      case 'dispatch':
        await harness.command(S.dispatchShipment, {
          shipmentId,
          sentAt: next.sentAt,
          // A stated total must be the sum of the items to the gram.
          ...(next.statedTotal === 'right' && shipment && { totalWeightKg: gramsToKg(shipment.totalGrams) }),
          ...(next.statedTotal === 'wrong' && { totalWeightKg: 0.001 }),
        });
        return;
      case 'receive':
        await harness.command(S.receiveShipment, {
          shipmentId,
          receivedAt: next.receivedAt,
          receivedBy: 'Head of the aid warehouse',
          items: next.figures
            .slice(0, shipment?.items ?? 1)
            .map(([goodKg, damagedKg], index) => ({ index, goodKg, damagedKg })),
        });
        return;
      case 'correct':
        await harness.command(S.correctReceipt, {
          shipmentId,
          items: [{ index: next.index, goodKg: next.goodKg, damagedKg: next.damagedKg }],
          reason: 'recounted',
        });
        return;
      case 'writeOff':
        await harness.command(S.recordDiscrepancy, {
          shipmentId,
          itemIndex: next.index,
          reason: next.reason,
          affectedKg: next.affectedKg,
        });
        return;
      case 'cancel':
        await harness.command(S.cancelShipment, { shipmentId, reason: 'plans changed' });
        return;
    }
  }

  /** The reference: tonnageRows over the store's events, restricted to months sent in [from, to]. */
  function expectedRows(
    events: StreamedLogisticsEvent[],
    groupBy: TonnageDimension,
    months?: { from: string; to: string },
  ): Map<string, Figures> {
    const rows = new Map<string, Figures>();
    // Each shipment is sent in exactly one month, so shipment counts of months add up exactly.
    for (const row of tonnageRows(events, [groupBy, 'month'])) {
      if (months && (row.key.month < months.from || row.key.month > months.to)) continue;
      const key = String(row.key[groupBy]);
      const sum = rows.get(key) ?? {
        shipments: 0,
        dispatchedKg: 0,
        receivedKg: 0,
        inTransitKg: 0,
        shortfallKg: 0,
      };
      const grams = (kgValue: number, more: number) => Math.round(kgValue * 1000) + more;
      rows.set(key, {
        shipments: sum.shipments + row.shipments,
        dispatchedKg: gramsToKg(grams(sum.dispatchedKg, row.dispatchedGrams)),
        receivedKg: gramsToKg(grams(sum.receivedKg, row.receivedGrams)),
        inTransitKg: gramsToKg(grams(sum.inTransitKg, row.inTransitGrams)),
        shortfallKg: gramsToKg(grams(sum.shortfallKg, row.shortfallGrams)),
      });
    }
    return rows;
  }

  function answeredRows(answer: TonnageAnswer): Map<string, Figures> {
    return new Map(answer.items.map(({ key, label: _label, ...figures }) => [String(key), figures]));
  }

  it('holds for random sequences of valid and invalid commands', async () => {
    let refusals = 0;
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(
        acceptedPlan,
        fc.array(command, { minLength: 3, maxLength: 14 }),
        monthRange,
        async (first, rest, months) => {
          const commands = [first, ...rest];
          const shipments: Planned[] = [];
          for (const next of commands) {
            try {
              await send(next, shipments);
              accepted++;
            } catch (error) {
              // Refusals are expected; anything else (an internal error, a timeout) is a bug.
              if (!(error instanceof DomainError)) throw error;
              refusals++;
            }
          }
          await harness.readModelCaughtUp();
          const events = (await harness.shipmentEvents()).map(
            (event) =>
              ({
                type: event.type,
                data: event.data,
                stream: event.stream,
              }) as unknown as StreamedLogisticsEvent,
          );
          for (const groupBy of TONNAGE_DIMENSIONS) {
            const whole = await harness.query<TonnageAnswer>(S.queryTonnage, { groupBy });
            expect(answeredRows(whole)).toEqual(expectedRows(events, groupBy));
            const ranged = await harness.query<TonnageAnswer>(S.queryTonnage, { groupBy, ...months });
            expect(answeredRows(ranged)).toEqual(expectedRows(events, groupBy, months));
          }
        },
      ),
      { numRuns: 20, examples: [everyEventOnce] },
    );
    // The property means something only if both kinds of command were exercised, and every kind
    // of event was folded (the example run guarantees the rarer ones).
    expect(accepted).toBeGreaterThan(40);
    expect(refusals).toBeGreaterThan(30);
    const types = new Set((await harness.shipmentEvents()).map((event) => event.type));
    expect([...types].sort()).toEqual([...LOGISTICS_EVENT_TYPES].sort());
  });
});
