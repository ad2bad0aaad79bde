import { randomUUID } from 'node:crypto';
import {
  ConflictError,
  LOGISTICS_SUBJECTS,
  NotFoundError,
  ValidationError,
  shipmentStream,
  type CommandReply,
  type LogisticsEvent,
  type Page,
  type ShipmentItem,
} from '@aid/contracts';
import type { ShipmentView, ShortfallView, TonnageAnswer, TonnageRowView } from '../src/queries/views';
import { gramsToKg } from '../src/shipment/weight';
import { TONNAGE_DIMENSIONS, tonnageRows, type StreamedLogisticsEvent } from '../src/tonnage/tonnage';
import { COORDINATOR, LogisticsHarness } from './support/harness';

jest.setTimeout(60_000);

const S = LOGISTICS_SUBJECTS;

function item(
  category: ShipmentItem['category'],
  weightKg: number,
  description = 'humanitarian aid',
): ShipmentItem {
  return { category, description, quantity: 1, unit: 'pallet', weightKg };
}

/** The refusal a request ended in, so a test can look at its class and fields. */
async function refusal(request: Promise<unknown>): Promise<Error> {
  try {
    await request;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the request to be refused');
}

function fieldsOf(error: Error): string[] {
  expect(error).toBeInstanceOf(ValidationError);
  return (error as ValidationError).fields.map((failing) => failing.field);
}

describe('logistics over NATS: Rawicz sends Zhytomyr 50 tonnes', () => {
  let harness: LogisticsHarness;
  let rawicz: string;
  let zhytomyr: string;
  let rawiczZhytomyr: string;
  // The refusal scenarios ship Brovary's aid to Derhachi, so Zhytomyr's 50 t stay exact.
  let brovary: string;
  let derhachi: string;
  let brovaryDerhachi: string;
  const shipments: Record<'flourAndSoap' | 'medicine' | 'foodAndClothes' | 'tents', string> = {
    flourAndSoap: '',
    medicine: '',
    foodAndClothes: '',
    tents: '',
  };

  beforeAll(async () => {
    harness = await LogisticsHarness.start('logistics');
    rawicz = await harness.registerCommunity('Rawicz', 'foreign-municipality', 'PL');
    zhytomyr = await harness.registerCommunity('Zhytomyr');
    brovary = await harness.registerCommunity('Brovary');
    derhachi = await harness.registerCommunity('Derhachi');
    rawiczZhytomyr = await harness.partnership(
      [
        [zhytomyr, 'partner'],
        [rawicz, 'partner'],
      ],
      'active',
    );
    brovaryDerhachi = await harness.partnership(
      [
        [derhachi, 'outpost'],
        [brovary, 'partner'],
      ],
      'active',
      'side-by-side',
    );
    await harness.referencesCaughtUp();
  });

  afterAll(async () => {
    await harness?.close();
  });

  async function plan(
    items: ShipmentItem[],
    overrides: Record<string, unknown> = {},
    meta: Record<string, unknown> = {},
  ): Promise<CommandReply> {
    return harness.command<CommandReply>(
      S.planShipment,
      {
        originPartyId: rawicz,
        destinationCommunityId: zhytomyr,
        partnershipId: rawiczZhytomyr,
        donorPartyId: rawicz,
        humanitarianAidCode: `UA-HA-${randomUUID().slice(0, 8)}`,
        items,
        ...overrides,
      },
      meta,
    );
  }

  const dispatch = (shipmentId: string, sentAt: string, extra: Record<string, unknown> = {}) =>
    harness.command<CommandReply>(S.dispatchShipment, {
      shipmentId,
      sentAt,
      carrier: 'PKS Rawicz',
      ...extra,
    });

  const receive = (shipmentId: string, receivedAt: string, figures: [number, number][]) =>
    harness.command<CommandReply>(S.receiveShipment, {
      shipmentId,
      receivedAt,
      receivedBy: 'Head of the Zhytomyr aid warehouse',
      acceptanceActNumber: `AP-${randomUUID().slice(0, 4)}`,
      items: figures.map(([goodKg, damagedKg], index) => ({ index, goodKg, damagedKg })),
    });

  async function derhachiShipment(): Promise<string> {
    const { id } = await plan([item('food', 100)], {
      originPartyId: brovary,
      destinationCommunityId: derhachi,
      partnershipId: brovaryDerhachi,
    });
    return id;
  }

  describe('the 50 t', () => {
    beforeAll(async () => {
      shipments.flourAndSoap = (
        await plan([item('food', 10000, 'wheat flour'), item('hygiene', 2000.5, 'soap')])
      ).id;
      shipments.medicine = (await plan([item('medical', 8000, 'first-aid kits')])).id;
      shipments.foodAndClothes = (
        await plan([item('food', 15000, 'canned food'), item('clothing', 2499.75, 'winter coats')])
      ).id;
      shipments.tents = (await plan([item('shelter', 12499.75, 'tents')])).id;

      await dispatch(shipments.flourAndSoap, '2022-11-14T09:00:00+01:00', { totalWeightKg: 12000.5 });
      // Half past midnight in Kyiv on 1 December is still 30 November in UTC: a November shipment.
      await dispatch(shipments.medicine, '2022-12-01T00:30:00+02:00');
      await dispatch(shipments.foodAndClothes, '2022-12-05T08:00:00Z', { waybillNumber: 'CMR 0042' });
      await dispatch(shipments.tents, '2022-12-20T07:00:00+01:00');

      await receive(shipments.flourAndSoap, '2022-11-15T16:00:00+02:00', [
        [10000, 0],
        [2000.5, 0],
      ]);
      await receive(shipments.medicine, '2022-12-02T10:00:00+02:00', [[8000, 0]]);
      // 49.25 kg of coats never arrived; 50 kg arrived damaged (damaged goods did arrive).
      await receive(shipments.foodAndClothes, '2022-12-07T12:00:00+02:00', [
        [15000, 0],
        [2400.5, 50],
      ]);
      await harness.readModelCaughtUp();
    });

    const tonnage = (params: Record<string, unknown>) =>
      harness.query<TonnageAnswer>(S.queryTonnage, { destinationCommunityId: zhytomyr, ...params });

    const figures = (row: TonnageRowView | undefined) =>
      row && {
        shipments: row.shipments,
        dispatchedKg: row.dispatchedKg,
        receivedKg: row.receivedKg,
        inTransitKg: row.inTransitKg,
        shortfallKg: row.shortfallKg,
      };

    it('adds up to exactly 50 t: 37451 kg arrived, 12499.75 kg on the road, 49.25 kg short', async () => {
      const answer = await tonnage({ groupBy: 'destination' });
      expect(answer.items).toEqual([
        {
          key: zhytomyr,
          label: 'Zhytomyr',
          shipments: 4,
          dispatchedKg: 50000,
          receivedKg: 37451,
          inTransitKg: 12499.75,
          shortfallKg: 49.25,
        },
      ]);
      expect(answer.totals).toEqual(figures(answer.items[0]));
    });

    it('groups by origin and partnership under their names', async () => {
      const byOrigin = await tonnage({ groupBy: 'origin' });
      expect(byOrigin.items.map((row) => [row.key, row.label, row.dispatchedKg])).toEqual([
        [rawicz, 'Rawicz', 50000],
      ]);
      const byPartnership = await tonnage({ groupBy: 'partnership' });
      expect(byPartnership.items.map((row) => [row.key, row.label, row.shipments])).toEqual([
        [rawiczZhytomyr, 'Zhytomyr – Rawicz', 4],
      ]);
    });

    it('groups by the UTC month of sending', async () => {
      const byMonth = await tonnage({ groupBy: 'month' });
      expect(byMonth.items.map((row) => [row.key, figures(row)])).toEqual([
        [
          '2022-11',
          { shipments: 2, dispatchedKg: 20000.5, receivedKg: 20000.5, inTransitKg: 0, shortfallKg: 0 },
        ],
        [
          '2022-12',
          {
            shipments: 2,
            dispatchedKg: 29999.5,
            receivedKg: 17450.5,
            inTransitKg: 12499.75,
            shortfallKg: 49.25,
          },
        ],
      ]);
    });

    it('groups by category, counting a shipment in each category it carries', async () => {
      const byCategory = await tonnage({ groupBy: 'category' });
      expect(Object.fromEntries(byCategory.items.map((row) => [row.key, figures(row)]))).toEqual({
        clothing: {
          shipments: 1,
          dispatchedKg: 2499.75,
          receivedKg: 2450.5,
          inTransitKg: 0,
          shortfallKg: 49.25,
        },
        food: { shipments: 2, dispatchedKg: 25000, receivedKg: 25000, inTransitKg: 0, shortfallKg: 0 },
        hygiene: { shipments: 1, dispatchedKg: 2000.5, receivedKg: 2000.5, inTransitKg: 0, shortfallKg: 0 },
        medical: { shipments: 1, dispatchedKg: 8000, receivedKg: 8000, inTransitKg: 0, shortfallKg: 0 },
        shelter: {
          shipments: 1,
          dispatchedKg: 12499.75,
          receivedKg: 0,
          inTransitKg: 12499.75,
          shortfallKg: 0,
        },
      });
      expect(byCategory.totals.shipments).toBe(4);
    });

    it('reconciles every grouping to the gram, with and without filters', async () => {
      for (const groupBy of TONNAGE_DIMENSIONS) {
        const answer = await tonnage({ groupBy });
        const grams = (pick: (row: TonnageRowView) => number) =>
          answer.items.reduce((sum, row) => sum + Math.round(pick(row) * 1000), 0);
        expect(grams((row) => row.dispatchedKg)).toBe(50_000_000);
        expect(grams((row) => row.receivedKg)).toBe(37_451_000);
        expect(grams((row) => row.inTransitKg)).toBe(12_499_750);
        expect(grams((row) => row.shortfallKg)).toBe(49_250);
        // Nothing was surplus, so every row balances: dispatched = received + in transit + shortfall.
        for (const row of answer.items) {
          expect(Math.round(row.dispatchedKg * 1000)).toBe(
            Math.round(row.receivedKg * 1000) +
              Math.round(row.inTransitKg * 1000) +
              Math.round(row.shortfallKg * 1000),
          );
        }
      }
    });

    it('equals the tonnage folded directly from the events, for every grouping of the whole table', async () => {
      const events = (await harness.shipmentEvents()).map(
        (event) =>
          ({ type: event.type, data: event.data, stream: event.stream }) as unknown as StreamedLogisticsEvent,
      );
      for (const groupBy of TONNAGE_DIMENSIONS) {
        const answer = await harness.query<TonnageAnswer>(S.queryTonnage, { groupBy });
        const expected = tonnageRows(events, [groupBy]).map((row) => ({
          key: row.key[groupBy],
          shipments: row.shipments,
          dispatchedKg: gramsToKg(row.dispatchedGrams),
          receivedKg: gramsToKg(row.receivedGrams),
          inTransitKg: gramsToKg(row.inTransitGrams),
          shortfallKg: gramsToKg(row.shortfallGrams),
        }));
        const byKey = (rows: { key: string | null }[]) =>
          [...rows].sort((a, b) => String(a.key).localeCompare(String(b.key)));
        expect(byKey(answer.items.map(({ label: _label, ...row }) => row))).toEqual(byKey(expected));
      }
    });

    it('filters tonnage by the date of sending, both ends inclusive', async () => {
      const december = await tonnage({ groupBy: 'destination', from: '2022-12', to: '2022-12' });
      expect(figures(december.items[0])).toEqual({
        shipments: 2,
        dispatchedKg: 29999.5,
        receivedKg: 17450.5,
        inTransitKg: 12499.75,
        shortfallKg: 49.25,
      });
      const firstDays = await tonnage({ groupBy: 'category', from: '2022-11-30', to: '2022-12-05' });
      expect(firstDays.items.map((row) => row.key)).toEqual(['clothing', 'food', 'medical']);
      expect(firstDays.totals.dispatchedKg).toBe(25499.75);
      const before = await tonnage({ groupBy: 'month', to: '2022-10' });
      expect(before.items).toEqual([]);
      expect(before.totals).toEqual({
        shipments: 0,
        dispatchedKg: 0,
        receivedKg: 0,
        inTransitKg: 0,
        shortfallKg: 0,
      });
    });

    it('lists the receipt that fell short, with the item that fell short', async () => {
      const page = await harness.query<Page<ShortfallView>>(S.queryShortfalls, {
        destinationCommunityId: zhytomyr,
      });
      expect(page.items).toEqual([
        expect.objectContaining({
          shipmentId: shipments.foodAndClothes,
          destinationCommunityId: zhytomyr,
          partnershipId: rawiczZhytomyr,
          sentAt: '2022-12-05T08:00:00Z',
          receivedAt: '2022-12-07T12:00:00+02:00',
          dispatchedKg: 17499.75,
          receivedKg: 17450.5,
          shortfallKg: 49.25,
          items: [
            {
              index: 1,
              category: 'clothing',
              description: 'winter coats',
              plannedKg: 2499.75,
              receivedKg: 2450.5,
              shortKg: 49.25,
            },
          ],
        }),
      ]);
      const november = await harness.query<Page<ShortfallView>>(S.queryShortfalls, {
        destinationCommunityId: zhytomyr,
        from: '2022-11',
        to: '2022-11',
      });
      expect(november.items).toEqual([]);
    });

    it('shows one shipment with its receipt figures and discrepancies', async () => {
      const view = await harness.query<ShipmentView>(S.queryShipment, { id: shipments.foodAndClothes });
      expect(view).toMatchObject({
        id: shipments.foodAndClothes,
        status: 'received',
        originPartyId: rawicz,
        destinationCommunityId: zhytomyr,
        partnershipId: rawiczZhytomyr,
        donorPartyId: rawicz,
        plannedKg: 17499.75,
        sentKg: 17499.75,
        sentAt: '2022-12-05T08:00:00Z',
        waybillNumber: 'CMR 0042',
        receivedKg: 17450.5,
        shortfallKg: 49.25,
        receivedBy: 'Head of the Zhytomyr aid warehouse',
        revision: 4,
      });
      expect(view.items[1]).toEqual({
        index: 1,
        category: 'clothing',
        description: 'winter coats',
        quantity: 1,
        unit: 'pallet',
        weightKg: 2499.75,
        goodKg: 2400.5,
        damagedKg: 50,
        receivedKg: 2450.5,
        shortKg: 49.25,
        surplusKg: 0,
        writtenOffKg: 0,
      });
      expect(view.discrepancies).toEqual([
        { itemIndex: 1, reason: 'short', expectedKg: 2499.75, receivedKg: 2450.5 },
        { itemIndex: 1, reason: 'damaged', expectedKg: 2450.5, receivedKg: 2400.5 },
      ]);
    });

    it('lists shipments by status, destination, origin and partnership, page by page', async () => {
      const onTheRoad = await harness.query<Page<ShipmentView>>(S.queryShipments, {
        status: 'sent',
        destinationCommunityId: zhytomyr,
      });
      expect(onTheRoad.items.map((view) => view.id)).toEqual([shipments.tents]);

      const first = await harness.query<Page<ShipmentView>>(S.queryShipments, {
        originPartyId: rawicz,
        partnershipId: rawiczZhytomyr,
        limit: '3',
      });
      expect(first.items).toHaveLength(3);
      expect(first.next).toEqual(expect.any(String));
      const second = await harness.query<Page<ShipmentView>>(S.queryShipments, {
        originPartyId: rawicz,
        partnershipId: rawiczZhytomyr,
        limit: 3,
        cursor: first.next,
      });
      expect(second.next).toBeUndefined();
      // Newest first: the tents were planned last.
      expect([...first.items, ...second.items].map((view) => view.id)).toEqual([
        shipments.tents,
        shipments.foodAndClothes,
        shipments.medicine,
        shipments.flourAndSoap,
      ]);
    });

    it('shows a partner key only the shipments to its communities', async () => {
      const partner = { id: 'key-irc', role: 'partner', communityIds: [derhachi] };
      const page = await harness.query<Page<ShipmentView>>(
        S.queryShipments,
        { destinationCommunityId: zhytomyr },
        partner,
      );
      expect(page.items).toEqual([]);
      expect(await refusal(harness.query(S.queryShipment, { id: shipments.tents }, partner))).toBeInstanceOf(
        NotFoundError,
      );
      const zhytomyrPartner = { ...partner, communityIds: [zhytomyr] };
      const tonnageSeen = await harness.query<TonnageAnswer>(
        S.queryTonnage,
        { groupBy: 'destination' },
        zhytomyrPartner,
      );
      expect(tonnageSeen.items.map((row) => row.key)).toEqual([zhytomyr]);
    });
  });

  describe('commands', () => {
    it('records business time, actor and correlation id in the events', async () => {
      const id = await derhachiShipment();
      const reply = await harness.requester.request<CommandReply>(
        S.dispatchShipment,
        { data: { shipmentId: id, sentAt: '2023-03-25T07:15:00+02:00' }, meta: { actor: COORDINATOR } },
        { correlationId: 'corr-brovary-derhachi' },
      );
      expect(reply).toMatchObject({ id, revision: 1, appended: true });
      const [, sent] = await harness.store.readStream(shipmentStream(id));
      expect(sent.type).toBe('ShipmentSent');
      expect(sent.position).toBe(reply.position);
      expect(sent.metadata).toMatchObject({
        // An instant in UTC in the metadata; the data keeps the time as the coordinator wrote it.
        occurredAt: '2023-03-25T05:15:00.000Z',
        actor: COORDINATOR,
        correlationId: 'corr-brovary-derhachi',
        service: 'logistics',
      });
      expect(sent.data).toEqual({ sentAt: '2023-03-25T07:15:00+02:00', totalWeightKg: 100 });
    });

    it('takes the shipment from the addressed id, as the gateway sends it', async () => {
      const shipmentId = await derhachiShipment();
      const reply = await harness.command<CommandReply>(
        S.cancelShipment,
        { reason: 'the truck was requisitioned' },
        {},
        shipmentId,
      );
      expect(reply).toMatchObject({ id: shipmentId, revision: 1, appended: true });
      const mismatch = await refusal(
        harness.command(S.cancelShipment, { shipmentId: randomUUID(), reason: 'x' }, {}, shipmentId),
      );
      expect(fieldsOf(mismatch)).toEqual(['shipmentId']);
    });

    it('lands a retried plan with the same Idempotency-Key on the same shipment and appends nothing', async () => {
      const meta = { idempotencyKey: `plan-${randomUUID()}` };
      const data = [item('water', 1234.567)];
      const first = await plan(
        data,
        { destinationCommunityId: derhachi, partnershipId: brovaryDerhachi },
        meta,
      );
      const retry = await plan(
        data,
        { destinationCommunityId: derhachi, partnershipId: brovaryDerhachi },
        meta,
      );
      expect(retry).toEqual({ ...first, appended: false });
      expect(first.appended).toBe(true);
      const dispatchMeta = { idempotencyKey: `dispatch-${randomUUID()}` };
      const sent = await harness.command<CommandReply>(
        S.dispatchShipment,
        { shipmentId: first.id, sentAt: '2023-01-10T10:00:00Z' },
        dispatchMeta,
      );
      // A retry of a dispatch that went through is answered, not refused as "already sent".
      const again = await harness.command<CommandReply>(
        S.dispatchShipment,
        { shipmentId: first.id, sentAt: '2023-01-10T10:00:00Z' },
        dispatchMeta,
      );
      expect(again).toEqual({ ...sent, appended: false });
      expect(await harness.store.readStream(shipmentStream(first.id))).toHaveLength(2);
    });

    it('answers a stale If-Match with a conflict', async () => {
      const shipmentId = await derhachiShipment();
      const error = await refusal(
        harness.command(
          S.dispatchShipment,
          { shipmentId, sentAt: '2023-01-10T10:00:00Z' },
          { expectedRevision: 3 },
        ),
      );
      expect(error).toBeInstanceOf(ConflictError);
      expect(await harness.store.readStream(shipmentStream(shipmentId))).toHaveLength(1);
    });

    it('waits for references already in JetStream before refusing a plan for them', async () => {
      // The importer registers hromadas in bursts; the consumer applies them one at a time, so the
      // last of a burst is in JetStream a while before it is in the references.
      const burst: string[] = [];
      for (let i = 0; i < 40; i++) burst.push(await harness.registerCommunity(`Hromada ${i}`));
      const last = burst[burst.length - 1];
      await harness.registrationPublished(last);
      const reply = await plan([item('food', 10)], {
        originPartyId: brovary,
        destinationCommunityId: last,
        partnershipId: undefined,
      });
      expect(reply.appended).toBe(true);
    });

    it("lets an organisation party stand for its parent community (Ochakiv's social services and the IRC)", async () => {
      const ochakiv = await harness.registerCommunity('Ochakiv city');
      const centre = await harness.registerOrganisation('Ochakiv centre for social services', ochakiv);
      const irc = await harness.registerOrganisation('International Rescue Committee');
      const cooperation = await harness.partnership(
        [
          [centre, 'recipient'],
          [irc, 'partner'],
        ],
        'active',
        'humanitarian',
      );
      await harness.referencesCaughtUp();
      const reply = await plan([item('hygiene', 350.125)], {
        originPartyId: irc,
        destinationCommunityId: ochakiv,
        partnershipId: cooperation,
        donorPartyId: irc,
      });
      expect(reply.appended).toBe(true);
    });
  });

  describe('refusals append nothing', () => {
    let before: number;

    beforeEach(async () => {
      before = (await harness.shipmentEvents()).length;
    });

    async function expectNothingAppended(): Promise<void> {
      expect((await harness.shipmentEvents()).length).toBe(before);
    }

    it('refuses a receipt before dispatch', async () => {
      const shipmentId = await derhachiShipment();
      before += 1;
      const error = await refusal(
        harness.command(S.receiveShipment, {
          shipmentId,
          receivedAt: '2023-01-10T10:00:00Z',
          receivedBy: 'Head of the Derhachi warehouse',
          items: [{ index: 0, goodKg: 100, damagedKg: 0 }],
        }),
      );
      expect(error).toBeInstanceOf(ConflictError);
      expect(error.message).toMatch(/is planned; only a sent shipment can be received/);
      await expectNothingAppended();
    });

    it('refuses to dispatch twice', async () => {
      const shipmentId = await derhachiShipment();
      await dispatch(shipmentId, '2023-01-10T10:00:00Z');
      before += 2;
      const error = await refusal(dispatch(shipmentId, '2023-01-11T10:00:00Z'));
      expect(error).toBeInstanceOf(ConflictError);
      expect((error as ConflictError).details).toEqual({ status: 'sent' });
      await expectNothingAppended();
    });

    it('refuses to cancel after sending', async () => {
      const shipmentId = await derhachiShipment();
      await dispatch(shipmentId, '2023-01-10T10:00:00Z');
      before += 2;
      const error = await refusal(harness.command(S.cancelShipment, { shipmentId, reason: 'too late' }));
      expect(error).toBeInstanceOf(ConflictError);
      await expectNothingAppended();
    });

    it('refuses commands for a shipment that does not exist', async () => {
      const error = await refusal(dispatch(randomUUID(), '2023-01-10T10:00:00Z'));
      expect(error).toBeInstanceOf(NotFoundError);
      await expectNothingAppended();
    });

    it('refuses an unregistered destination and a foreign one', async () => {
      const unknown = await refusal(
        plan([item('food', 1)], { destinationCommunityId: randomUUID(), partnershipId: undefined }),
      );
      expect(fieldsOf(unknown)).toEqual(['destinationCommunityId']);
      expect(unknown.message).toMatch(/not a registered community/);
      const foreign = await refusal(
        plan([item('food', 1)], { destinationCommunityId: rawicz, partnershipId: undefined }),
      );
      expect(fieldsOf(foreign)).toEqual(['destinationCommunityId']);
      await expectNothingAppended();
    });

    it('refuses a partnership that is not active, unknown, or without the destination as a party', async () => {
      const proposed = await harness.partnership(
        [
          [zhytomyr, 'partner'],
          [rawicz, 'partner'],
        ],
        'proposed',
      );
      const terminated = await harness.partnership(
        [
          [zhytomyr, 'partner'],
          [rawicz, 'partner'],
        ],
        'terminated',
      );
      await harness.referencesCaughtUp();
      const inactive = await refusal(plan([item('food', 1)], { partnershipId: proposed }));
      expect(inactive).toBeInstanceOf(ConflictError);
      expect((inactive as ConflictError).details).toEqual({ partnershipStatus: 'proposed' });
      const ended = await refusal(plan([item('food', 1)], { partnershipId: terminated }));
      expect((ended as ConflictError).details).toEqual({ partnershipStatus: 'terminated' });
      const notAParty = await refusal(plan([item('food', 1)], { partnershipId: brovaryDerhachi }));
      expect(notAParty).toBeInstanceOf(ConflictError);
      expect(notAParty.message).toMatch(/is not a party of partnership/);
      const unknown = await refusal(plan([item('food', 1)], { partnershipId: randomUUID() }));
      expect(fieldsOf(unknown)).toEqual(['partnershipId']);
      await expectNothingAppended();
    });

    it('names the bad field of every command', async () => {
      const shipmentId = await derhachiShipment();
      before += 1;
      const cases: [subject: string, data: unknown, field: string][] = [
        [
          S.planShipment,
          {
            originPartyId: brovary,
            destinationCommunityId: derhachi,
            items: [item('food', 12000.5001)],
          },
          'items.0.weightKg',
        ],
        [
          S.planShipment,
          { originPartyId: brovary, destinationCommunityId: 'derhachi', items: [item('food', 1)] },
          'destinationCommunityId',
        ],
        [S.dispatchShipment, { shipmentId, sentAt: '2023-01-10' }, 'sentAt'],
        [
          S.dispatchShipment,
          { shipmentId, sentAt: '2023-01-10T10:00:00Z', totalWeightKg: 99.999 },
          'totalWeightKg',
        ],
        [
          S.receiveShipment,
          {
            shipmentId,
            receivedAt: '2023-01-11T10:00:00Z',
            receivedBy: 'x',
            items: [{ index: 0, goodKg: -1, damagedKg: 0 }],
          },
          'items.0.goodKg',
        ],
        [S.recordDiscrepancy, { shipmentId, itemIndex: 0, reason: 'short', affectedKg: 1 }, 'reason'],
        [S.correctReceipt, { shipmentId, items: [{ index: 0, goodKg: 1, damagedKg: 0 }] }, 'reason'],
        [S.cancelShipment, { shipmentId: 'not-a-uuid', reason: 'x' }, 'shipmentId'],
        [S.cancelShipment, { shipmentId, reason: 'x', price: 3 }, 'price'],
        [S.cancelShipment, 'cancel it', '(body)'],
      ];
      for (const [subject, data, field] of cases) {
        const error = await refusal(harness.command(subject, data));
        expect({ subject, fields: fieldsOf(error) }).toEqual({
          subject,
          fields: expect.arrayContaining([field]),
        });
      }
      const noActor = await refusal(
        harness.requester.request(S.cancelShipment, { data: { shipmentId, reason: 'x' }, meta: {} }),
      );
      expect(fieldsOf(noActor)).toEqual(['meta.actor']);
      await expectNothingAppended();
      const [planned] = await harness.store.readStream(shipmentStream(shipmentId));
      expect((planned as unknown as LogisticsEvent).type).toBe('ShipmentPlanned');
    });

    it('names the bad parameter of every query', async () => {
      const cases: [subject: string, params: Record<string, unknown>, field: string][] = [
        [S.queryShipment, { id: 'zhytomyr' }, 'id'],
        [S.queryShipments, { status: 'lost' }, 'status'],
        [S.queryShipments, { limit: 0 }, 'limit'],
        [S.queryShipments, { cursor: 'abc' }, 'cursor'],
        [S.queryShortfalls, { from: '2022-13' }, 'from'],
        [S.queryTonnage, { groupBy: 'weekday' }, 'groupBy'],
        [S.queryTonnage, { groupBy: 'month', from: '2022-12', to: '2022-11-30' }, 'to'],
        [S.queryTonnage, { groupBy: 'month', colour: 'red' }, 'colour'],
      ];
      for (const [subject, params, field] of cases) {
        const error = await refusal(harness.query(subject, params));
        expect({ subject, fields: fieldsOf(error) }).toEqual({ subject, fields: [field] });
      }
      expect(await refusal(harness.query(S.queryShipment, { id: randomUUID() }))).toBeInstanceOf(
        NotFoundError,
      );
    });
  });
});
