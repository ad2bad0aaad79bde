import { ConflictError, NotFoundError, ValidationError, fold, type LogisticsEvent } from '@aid/contracts';
import type { ShipmentCommand } from './shipment.commands';
import { shipmentDecider } from './shipment.decider';
import { evolve } from './shipment.state';
import {
  RAWICZ,
  RAWICZ_ZHYTOMYR,
  SHIPMENT,
  ZHYTOMYR,
  item,
  plan,
  planned,
  rawiczToZhytomyr,
  received,
  sent,
} from './test/fixtures';
import { given } from './test/given';

const flourAndBlankets = [item(12000.5, 'food'), item(0.001, 'shelter')];
const isPlanned = [planned(flourAndBlankets)];
const isSent = [...isPlanned, sent(12000.501)];
const isReceived = [
  ...isSent,
  received([
    { index: 0, goodKg: 12000.5, damagedKg: 0 },
    { index: 1, goodKg: 0.001, damagedKg: 0 },
  ]),
];
const isCancelled = [
  ...isPlanned,
  { type: 'ShipmentCancelled', data: { reason: 'truck unavailable' } } as const,
];

function dispatch(data: Partial<Extract<ShipmentCommand, { type: 'DispatchShipment' }>['data']> = {}) {
  return {
    type: 'DispatchShipment',
    data: { shipmentId: SHIPMENT, sentAt: '2022-12-01T08:00:00Z', ...data },
  } as const satisfies ShipmentCommand;
}

function receive(
  items: { index: number; goodKg: number; damagedKg: number }[],
  receivedAt = '2022-12-02T09:00:00Z',
) {
  return {
    type: 'ReceiveShipment',
    data: { shipmentId: SHIPMENT, receivedAt, receivedBy: 'Head of the aid warehouse', items },
  } as const satisfies ShipmentCommand;
}

function recordDiscrepancy(itemIndex: number, affectedKg: number, reason: 'lost' | 'expired' = 'expired') {
  return {
    type: 'RecordDiscrepancy',
    data: { shipmentId: SHIPMENT, itemIndex, reason, affectedKg },
  } as const satisfies ShipmentCommand;
}

function correct(items: { index: number; goodKg: number; damagedKg: number }[]) {
  return {
    type: 'CorrectReceipt',
    data: { shipmentId: SHIPMENT, items, reason: 'reweighed at the warehouse' },
  } as const satisfies ShipmentCommand;
}

const cancel = {
  type: 'CancelShipment',
  data: { shipmentId: SHIPMENT, reason: 'truck unavailable' },
} as const satisfies ShipmentCommand;

const histories: Record<string, LogisticsEvent[]> = {
  planned: isPlanned,
  sent: isSent,
  received: isReceived,
  cancelled: isCancelled,
};

function historiesExcept(...statuses: string[]): [string, LogisticsEvent[]][] {
  return Object.entries(histories).filter(([status]) => !statuses.includes(status));
}

describe('PlanShipment', () => {
  it('plans a shipment on an empty stream', () => {
    const command: ShipmentCommand = {
      type: 'PlanShipment',
      shipmentId: SHIPMENT,
      data: {
        originPartyId: RAWICZ,
        destinationCommunityId: ZHYTOMYR,
        partnershipId: RAWICZ_ZHYTOMYR,
        donorPartyId: RAWICZ,
        humanitarianAidCode: 'UA-HA-2022-000123',
        items: [item(12000.5), item(17499.75, 'hygiene')],
      },
      context: rawiczToZhytomyr,
    };
    const state = given([])
      .when(command)
      .then([
        {
          type: 'ShipmentPlanned',
          data: {
            shipmentId: SHIPMENT,
            originPartyId: RAWICZ,
            destinationCommunityId: ZHYTOMYR,
            partnershipId: RAWICZ_ZHYTOMYR,
            donorPartyId: RAWICZ,
            humanitarianAidCode: 'UA-HA-2022-000123',
            items: [item(12000.5), item(17499.75, 'hygiene')],
          },
        },
      ]);
    expect(state).toMatchObject({
      status: 'planned',
      items: [
        { category: 'food', weightGrams: 12_000_500 },
        { category: 'hygiene', weightGrams: 17_499_750 },
      ],
    });
  });

  it('leaves absent optional fields out of the event and plans without a partnership', () => {
    const command: ShipmentCommand = {
      type: 'PlanShipment',
      shipmentId: SHIPMENT,
      data: { originPartyId: RAWICZ, destinationCommunityId: ZHYTOMYR, items: [item(8000)] },
      context: { destination: { registered: true, kind: 'hromada' } },
    };
    const [event] = shipmentDecider.decide(command, null);
    expect(Object.keys(event.data).sort()).toEqual([
      'destinationCommunityId',
      'items',
      'originPartyId',
      'shipmentId',
    ]);
  });

  it.each(Object.entries(histories))(
    'refuses a stream that already holds a %s shipment',
    (status, history) => {
      given(history)
        .when(plan([item(1)]))
        .then({ refused: ConflictError, message: /already exists/, details: { status } });
    },
  );

  it('refuses a destination that is not a registered community', () => {
    given([])
      .when(plan([item(1)], { ...rawiczToZhytomyr, destination: { registered: false } }))
      .then({
        refused: ValidationError,
        field: 'destinationCommunityId',
        message: /not a registered community/,
      });
  });

  it('refuses a foreign municipality as destination', () => {
    given([])
      .when(
        plan([item(1)], {
          ...rawiczToZhytomyr,
          destination: { registered: true, kind: 'foreign-municipality' },
        }),
      )
      .then({ refused: ValidationError, field: 'destinationCommunityId', message: /hromada/ });
  });

  it.each([null, undefined])('refuses a partnership id that is not known (%s)', (partnership) => {
    given([])
      .when(plan([item(1)], { ...rawiczToZhytomyr, partnership }))
      .then({ refused: ValidationError, field: 'partnershipId' });
  });

  it.each(['proposed', 'approved', 'terminated'] as const)('refuses a %s partnership', (status) => {
    given([])
      .when(plan([item(1)], { ...rawiczToZhytomyr, partnership: { status, partyIds: [RAWICZ, ZHYTOMYR] } }))
      .then({ refused: ConflictError, message: /not active/, details: { partnershipStatus: status } });
  });

  it('refuses a partnership the destination is not a party of', () => {
    given([])
      .when(plan([item(1)], { ...rawiczToZhytomyr, partnership: { status: 'active', partyIds: [RAWICZ] } }))
      .then({ refused: ConflictError, message: /not a party/ });
  });

  it('refuses a shipment without items, or with more than 500', () => {
    given([])
      .when(plan([]))
      .then({ refused: ValidationError, field: 'items', message: /at least one/ });
    given([])
      .when(plan(Array.from({ length: 501 }, () => item(1))))
      .then({ refused: ValidationError, field: 'items', message: /at most 500/ });
  });

  it.each([
    [0, /greater than 0/],
    [-5, /greater than 0/],
    [NaN, /finite/],
    [Infinity, /finite/],
    [1.0005, /3 decimal places/],
    [1e-7, /3 decimal places/],
    [10_000_000.001, /at most 10000000/],
  ])('refuses an item weight of %s kg, naming the item', (weightKg, message) => {
    given([])
      .when(plan([item(5), item(weightKg)]))
      .then({ refused: ValidationError, field: 'items.1.weightKg', message });
  });

  it('refuses items that weigh more than 10,000 t together', () => {
    given([])
      .when(plan([item(6_000_000), item(4_000_000.001)]))
      .then({ refused: ValidationError, field: 'items', message: /more than 10000000 kg/ });
  });
});

describe('DispatchShipment', () => {
  it('sends a planned shipment with the exact sum of its items', () => {
    const state = given(isPlanned)
      .when(dispatch({ carrier: 'Trans-Rawicz sp. z o.o.', waybillNumber: 'CMR 4471' }))
      .then([
        {
          type: 'ShipmentSent',
          data: {
            sentAt: '2022-12-01T08:00:00Z',
            totalWeightKg: 12000.501,
            carrier: 'Trans-Rawicz sp. z o.o.',
            waybillNumber: 'CMR 4471',
          },
        },
      ]);
    expect(state).toMatchObject({ status: 'sent', sent: { totalGrams: 12_000_501 } });
  });

  it('sums where float addition would drift', () => {
    // 0.1 + 0.2 is 0.30000000000000004 in floating point.
    given([planned([item(0.1), item(0.2)])])
      .when(dispatch({ totalWeightKg: 0.3 }))
      .then([{ type: 'ShipmentSent', data: { sentAt: '2022-12-01T08:00:00Z', totalWeightKg: 0.3 } }]);
  });

  it('refuses a stated total that differs from the items by a gram', () => {
    given(isPlanned)
      .when(dispatch({ totalWeightKg: 12000.5 }))
      .then({ refused: ValidationError, field: 'totalWeightKg', message: /add up to 12000.501 kg/ });
  });

  it('refuses a stated total that is not a valid weight', () => {
    given(isPlanned)
      .when(dispatch({ totalWeightKg: 12000.5011 }))
      .then({ refused: ValidationError, field: 'totalWeightKg', message: /3 decimal places/ });
  });

  it('refuses a sentAt that is not a date-time', () => {
    given(isPlanned)
      .when(dispatch({ sentAt: 'yesterday' }))
      .then({ refused: ValidationError, field: 'sentAt' });
  });

  it('refuses a shipment that does not exist', () => {
    given([])
      .when(dispatch())
      .then({ refused: NotFoundError, message: /not found/ });
  });

  it.each(historiesExcept('planned'))('refuses a %s shipment, naming its status', (status, history) => {
    given(history)
      .when(dispatch())
      .then({
        refused: ConflictError,
        message: new RegExp(`is ${status}; only a planned`),
        details: { status },
      });
  });
});

describe('ReceiveShipment', () => {
  it('receives a sent shipment in full, with no discrepancy', () => {
    const state = given(isSent)
      .when(
        receive([
          { index: 1, goodKg: 0.001, damagedKg: 0 },
          { index: 0, goodKg: 12000.5, damagedKg: 0 },
        ]),
      )
      .then([
        {
          type: 'ShipmentReceived',
          data: {
            receivedAt: '2022-12-02T09:00:00Z',
            receivedBy: 'Head of the aid warehouse',
            receivedWeightKg: 12000.501,
            // sorted by item index, whatever order the command listed them in
            items: [
              { index: 0, goodKg: 12000.5, damagedKg: 0 },
              { index: 1, goodKg: 0.001, damagedKg: 0 },
            ],
          },
        },
      ]);
    expect(state).toMatchObject({
      status: 'received',
      received: {
        items: [
          { goodGrams: 12_000_500, damagedGrams: 0, writtenOffGrams: 0 },
          { goodGrams: 1, damagedGrams: 0, writtenOffGrams: 0 },
        ],
      },
    });
  });

  it('records short, surplus and damaged goods per item, in item order, without counting a kilogram twice', () => {
    const history = [planned([item(17499.75), item(100, 'medical'), item(50, 'water')]), sent(17649.75)];
    const state = given(history)
      .when(
        receive([
          { index: 2, goodKg: 45, damagedKg: 5 },
          { index: 0, goodKg: 16900, damagedKg: 100 },
          { index: 1, goodKg: 100.25, damagedKg: 0 },
        ]),
      )
      .then([
        {
          type: 'ShipmentReceived',
          data: {
            receivedAt: '2022-12-02T09:00:00Z',
            receivedBy: 'Head of the aid warehouse',
            receivedWeightKg: 17150.25,
            items: [
              { index: 0, goodKg: 16900, damagedKg: 100 },
              { index: 1, goodKg: 100.25, damagedKg: 0 },
              { index: 2, goodKg: 45, damagedKg: 5 },
            ],
          },
        },
        {
          type: 'ShipmentDiscrepancyRecorded',
          data: { itemIndex: 0, expectedKg: 17499.75, receivedKg: 17000, reason: 'short' },
        },
        {
          type: 'ShipmentDiscrepancyRecorded',
          data: { itemIndex: 0, expectedKg: 17000, receivedKg: 16900, reason: 'damaged' },
        },
        {
          type: 'ShipmentDiscrepancyRecorded',
          data: { itemIndex: 1, expectedKg: 100, receivedKg: 100.25, reason: 'surplus' },
        },
        {
          type: 'ShipmentDiscrepancyRecorded',
          data: { itemIndex: 2, expectedKg: 50, receivedKg: 45, reason: 'damaged' },
        },
      ]);
    expect(state?.status === 'received' && state.discrepancies.map((d) => d.reason)).toEqual([
      'short',
      'damaged',
      'surplus',
      'damaged',
    ]);
  });

  it('accepts an item that did not arrive at all', () => {
    const [receivedEvent, shortfall] = shipmentDecider.decide(
      receive([
        { index: 0, goodKg: 12000.5, damagedKg: 0 },
        { index: 1, goodKg: 0, damagedKg: 0 },
      ]),
      fold(shipmentDecider, isSent),
    );
    expect(receivedEvent.data).toMatchObject({ receivedWeightKg: 12000.5 });
    expect(shortfall.data).toEqual({ itemIndex: 1, expectedKg: 0.001, receivedKg: 0, reason: 'short' });
  });

  it('accepts a receipt at the very instant of sending, whatever the offset says', () => {
    const items = [
      { index: 0, goodKg: 12000.5, damagedKg: 0 },
      { index: 1, goodKg: 0.001, damagedKg: 0 },
    ];
    const events = shipmentDecider.decide(
      receive(items, '2022-12-01T10:00:00+02:00'),
      fold(shipmentDecider, isSent),
    );
    expect(events.map((event) => event.type)).toEqual(['ShipmentReceived']);
  });

  it('refuses a receipt dated before the shipment was sent', () => {
    given(isSent)
      .when(
        receive(
          [
            { index: 0, goodKg: 12000.5, damagedKg: 0 },
            { index: 1, goodKg: 0.001, damagedKg: 0 },
          ],
          '2022-12-01T09:59:59+02:00',
        ),
      )
      .then({ refused: ValidationError, field: 'receivedAt', message: /before the shipment was sent/ });
  });

  it('refuses a receivedAt that is not a date-time', () => {
    given(isSent)
      .when(receive([{ index: 0, goodKg: 1, damagedKg: 0 }], '2022-13-01T00:00:00Z'))
      .then({ refused: ValidationError, field: 'receivedAt' });
  });

  it.each([
    ['an unknown item', [{ index: 2, goodKg: 1, damagedKg: 0 }], 'items.0.index', /not an item/],
    ['a negative index', [{ index: -1, goodKg: 1, damagedKg: 0 }], 'items.0.index', /not an item/],
    ['a fractional index', [{ index: 0.5, goodKg: 1, damagedKg: 0 }], 'items.0.index', /not an item/],
    [
      'an item twice',
      [
        { index: 0, goodKg: 1, damagedKg: 0 },
        { index: 0, goodKg: 1, damagedKg: 0 },
      ],
      'items.1.index',
      /second time/,
    ],
    ['a missing item', [{ index: 0, goodKg: 12000.5, damagedKg: 0 }], 'items', /missing item 1/],
    ['no items', [], 'items', /at least one/],
    [
      'a negative weight',
      [
        { index: 0, goodKg: -1, damagedKg: 0 },
        { index: 1, goodKg: 0.001, damagedKg: 0 },
      ],
      'items.0.goodKg',
      /not be negative/,
    ],
    [
      'four decimals',
      [
        { index: 0, goodKg: 12000.5, damagedKg: 0 },
        { index: 1, goodKg: 0, damagedKg: 0.0005 },
      ],
      'items.1.damagedKg',
      /3 decimal places/,
    ],
  ])('refuses a receipt with %s', (_case, items, field, message) => {
    given(isSent).when(receive(items)).then({ refused: ValidationError, field, message });
  });

  it('refuses a receipt whose total exceeds 10,000 t', () => {
    given(isSent)
      .when(
        receive([
          { index: 0, goodKg: 10_000_000, damagedKg: 0 },
          { index: 1, goodKg: 0.001, damagedKg: 0 },
        ]),
      )
      .then({ refused: ValidationError, field: 'items', message: /more than 10000000 kg/ });
  });

  it('refuses a shipment that does not exist', () => {
    given([])
      .when(receive([{ index: 0, goodKg: 1, damagedKg: 0 }]))
      .then({ refused: NotFoundError });
  });

  it.each(historiesExcept('sent'))(
    'refuses a %s shipment: only a sent one can be received',
    (status, history) => {
      given(history)
        .when(receive([{ index: 0, goodKg: 1, damagedKg: 0 }]))
        .then({ refused: ConflictError, message: /only a sent shipment/, details: { status } });
    },
  );
});

describe('RecordDiscrepancy', () => {
  it('records goods that expired after the receipt, and keeps count of what is still in use', () => {
    const afterFirst = given(isReceived)
      .when(recordDiscrepancy(0, 500.25))
      .then([
        {
          type: 'ShipmentDiscrepancyRecorded',
          data: { itemIndex: 0, expectedKg: 12000.5, receivedKg: 11500.25, reason: 'expired' },
        },
      ]);
    expect(afterFirst).toMatchObject({
      received: { items: [{ goodGrams: 12_000_500, writtenOffGrams: 500_250 }, {}] },
    });

    const history = [
      ...isReceived,
      ...shipmentDecider.decide(recordDiscrepancy(0, 500.25), fold(shipmentDecider, isReceived)),
    ];
    given(history)
      .when(recordDiscrepancy(0, 11500.25, 'lost'))
      .then([
        {
          type: 'ShipmentDiscrepancyRecorded',
          data: { itemIndex: 0, expectedKg: 11500.25, receivedKg: 0, reason: 'lost' },
        },
      ]);
    given(history)
      .when(recordDiscrepancy(0, 11500.251, 'lost'))
      .then({ refused: ValidationError, field: 'affectedKg', message: /11500.25 kg of item 0 still in use/ });
  });

  it.each([-1, 2, 0.5])('refuses item index %s', (itemIndex) => {
    given(isReceived)
      .when(recordDiscrepancy(itemIndex, 1))
      .then({ refused: ValidationError, field: 'itemIndex' });
  });

  it('refuses reasons that the receipt figures already say: the receipt is corrected instead', () => {
    const command = recordDiscrepancy(0, 1) as ShipmentCommand;
    const short = { ...command, data: { ...command.data, reason: 'short' } } as ShipmentCommand;
    given(isReceived)
      .when(short)
      .then({ refused: ValidationError, field: 'reason', message: /correct the receipt/ });
  });

  it('refuses a zero weight', () => {
    given(isReceived).when(recordDiscrepancy(0, 0)).then({ refused: ValidationError, field: 'affectedKg' });
  });

  it('refuses a shipment that does not exist', () => {
    given([]).when(recordDiscrepancy(0, 1)).then({ refused: NotFoundError });
  });

  it.each(historiesExcept('received'))('refuses a %s shipment: only after the receipt', (status, history) => {
    given(history).when(recordDiscrepancy(0, 1)).then({ refused: ConflictError, details: { status } });
  });
});

describe('CorrectReceipt', () => {
  it('records a correction as a new event whose figures replace those of the listed items', () => {
    const state = given(isReceived)
      .when(correct([{ index: 0, goodKg: 11999.5, damagedKg: 0.75 }]))
      .then([
        {
          type: 'ShipmentReceiptCorrected',
          data: {
            items: [{ index: 0, goodKg: 11999.5, damagedKg: 0.75 }],
            reason: 'reweighed at the warehouse',
          },
        },
      ]);
    expect(state).toMatchObject({
      received: {
        items: [
          { goodGrams: 11_999_500, damagedGrams: 750 },
          { goodGrams: 1, damagedGrams: 0 },
        ],
      },
    });
  });

  it('keeps what was written off and refuses to correct the good weight below it', () => {
    const history = [
      ...isReceived,
      ...shipmentDecider.decide(recordDiscrepancy(0, 1000), fold(shipmentDecider, isReceived)),
    ];
    const state = given(history)
      .when(correct([{ index: 0, goodKg: 1000, damagedKg: 0 }]))
      .then([
        {
          type: 'ShipmentReceiptCorrected',
          data: { items: [{ index: 0, goodKg: 1000, damagedKg: 0 }], reason: 'reweighed at the warehouse' },
        },
      ]);
    expect(state).toMatchObject({
      received: { items: [{ goodGrams: 1_000_000, writtenOffGrams: 1_000_000 }, {}] },
    });
    given(history)
      .when(correct([{ index: 0, goodKg: 999.999, damagedKg: 0 }]))
      .then({
        refused: ValidationError,
        field: 'items.0.goodKg',
        message: /already recorded as lost or expired/,
      });
  });

  it('refuses a correction that changes nothing', () => {
    given(isReceived)
      .when(correct([{ index: 1, goodKg: 0.001, damagedKg: 0 }]))
      .then({ refused: ValidationError, field: 'items', message: /changes nothing/ });
  });

  it.each([
    [[{ index: 5, goodKg: 1, damagedKg: 0 }], 'items.0.index'],
    [
      [
        { index: 1, goodKg: 1, damagedKg: 0 },
        { index: 1, goodKg: 2, damagedKg: 0 },
      ],
      'items.1.index',
    ],
    [[{ index: 0, goodKg: 1, damagedKg: 0.0001 }], 'items.0.damagedKg'],
    [[], 'items'],
  ])('refuses a correction with bad figures (%j)', (items, field) => {
    given(isReceived).when(correct(items)).then({ refused: ValidationError, field });
  });

  it('refuses a shipment that does not exist', () => {
    given([])
      .when(correct([{ index: 0, goodKg: 1, damagedKg: 0 }]))
      .then({ refused: NotFoundError });
  });

  it.each(historiesExcept('received'))('refuses a %s shipment: only a received one', (status, history) => {
    given(history)
      .when(correct([{ index: 0, goodKg: 1, damagedKg: 0 }]))
      .then({ refused: ConflictError, details: { status } });
  });
});

describe('CancelShipment', () => {
  it('cancels a planned shipment', () => {
    const state = given(isPlanned)
      .when(cancel)
      .then([{ type: 'ShipmentCancelled', data: { reason: 'truck unavailable' } }]);
    expect(state).toMatchObject({ status: 'cancelled', cancellationReason: 'truck unavailable' });
  });

  it('refuses a sent shipment: it is on the road, its receipt tells what became of it', () => {
    given(isSent)
      .when(cancel)
      .then({
        refused: ConflictError,
        message: /is sent; only a planned shipment can be cancelled/,
        details: { status: 'sent' },
      });
  });

  it.each(historiesExcept('planned', 'sent'))('refuses a %s shipment', (status, history) => {
    given(history).when(cancel).then({ refused: ConflictError, details: { status } });
  });

  it('refuses a shipment that does not exist', () => {
    given([]).when(cancel).then({ refused: NotFoundError });
  });
});

describe('evolve', () => {
  it('refuses a history that decide could not have written', () => {
    expect(() => evolve(null, sent(1))).toThrow(/no ShipmentPlanned/);
    expect(() =>
      fold(shipmentDecider, [...isPlanned, received([{ index: 0, goodKg: 1, damagedKg: 0 }])]),
    ).toThrow(/planned, not sent/);
    expect(() => fold(shipmentDecider, [...isPlanned, ...isPlanned])).toThrow(/already planned/);
  });
});
