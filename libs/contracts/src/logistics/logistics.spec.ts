import { ValidationError } from '../errors';
import { validateInput } from '../validation';
import {
  CancelShipment,
  CorrectReceipt,
  DispatchShipment,
  PlanShipment,
  ReceiveShipment,
  RecordDiscrepancy,
} from './commands';
import { kilogramsProblem, MAX_WEIGHT_KG } from './input-rules';
import { LOGISTICS_SUBJECTS, shipmentStream } from './subjects';

const ID = '01900000-0000-7000-8000-000000000001';
const OTHER_ID = '01900000-0000-7000-8000-000000000002';

function failingFields(dto: new () => object, payload: unknown): string[] {
  try {
    validateInput(dto, payload);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return [...new Set((error as ValidationError).fields.map((failing) => failing.field))];
  }
  throw new Error('expected a ValidationError');
}

const flour = { category: 'food', description: 'wheat flour', quantity: 240, unit: 'bag', weightKg: 12000.5 };
const plan = { originPartyId: ID, destinationCommunityId: OTHER_ID, partnershipId: ID, items: [flour] };

describe('kilogramsProblem', () => {
  it.each([12000.5, 17499.75, 0.001, MAX_WEIGHT_KG])('accepts %s kg', (kg) => {
    expect(kilogramsProblem(kg)).toBeNull();
  });

  it.each([
    [0, 'must be greater than 0'],
    [-1, 'must be greater than 0'],
    [NaN, 'must be a finite number of kilograms'],
    ['12', 'must be a finite number of kilograms'],
    [0.0001, 'must have at most 3 decimal places'],
    [1e-7, 'must have at most 3 decimal places'],
    [MAX_WEIGHT_KG + 1, `must be at most ${MAX_WEIGHT_KG} kg`],
  ])('refuses %s', (kg, problem) => {
    expect(kilogramsProblem(kg)).toBe(problem);
  });

  it('accepts zero only where it is allowed', () => {
    expect(kilogramsProblem(0, { allowZero: true })).toBeNull();
    expect(kilogramsProblem(-0.001, { allowZero: true })).toBe('must not be negative');
  });
});

describe('PlanShipment', () => {
  it('accepts a valid plan as a typed instance', () => {
    expect(validateInput(PlanShipment, plan)).toBeInstanceOf(PlanShipment);
    expect(validateInput(PlanShipment, { ...plan, partnershipId: undefined }).partnershipId).toBeUndefined();
  });

  it('names every bad field, nested ones by path', () => {
    expect(
      failingFields(PlanShipment, {
        ...plan,
        destinationCommunityId: 'zhytomyr',
        items: [{ ...flour, category: 'weapons', weightKg: 12000.5001, unit: '  ' }],
      }),
    ).toEqual(
      expect.arrayContaining([
        'destinationCommunityId',
        'items.0.category',
        'items.0.weightKg',
        'items.0.unit',
      ]),
    );
  });

  it('refuses null where a field may only be absent', () => {
    expect(failingFields(PlanShipment, { ...plan, partnershipId: null })).toEqual(['partnershipId']);
  });

  it('refuses a weight JavaScript writes with an exponent instead of crashing', () => {
    expect(failingFields(PlanShipment, { ...plan, items: [{ ...flour, weightKg: 1e-7 }] })).toEqual([
      'items.0.weightKg',
    ]);
  });

  it('refuses no items, more than 500 items, and items that are not objects', () => {
    expect(failingFields(PlanShipment, { ...plan, items: [] })).toEqual(['items']);
    expect(failingFields(PlanShipment, { ...plan, items: Array.from({ length: 501 }, () => flour) })).toEqual(
      ['items'],
    );
    expect(failingFields(PlanShipment, { ...plan, items: [1] })).toEqual(['items.0']);
  });

  it('refuses unknown fields, also inside items, and a shipment id: the service makes it', () => {
    expect(failingFields(PlanShipment, { ...plan, shipmentId: ID })).toEqual(['shipmentId']);
    expect(failingFields(PlanShipment, { ...plan, items: [{ ...flour, price: 3 }] })).toEqual([
      'items.0.price',
    ]);
  });

  it('bounds string lengths', () => {
    expect(
      failingFields(PlanShipment, { ...plan, items: [{ ...flour, description: 'x'.repeat(501) }] }),
    ).toEqual(['items.0.description']);
    expect(
      validateInput(PlanShipment, { ...plan, items: [{ ...flour, description: 'x'.repeat(500) }] }),
    ).toBeTruthy();
  });
});

describe('DispatchShipment', () => {
  const dispatch = {
    shipmentId: ID,
    sentAt: '2022-12-01T08:00:00+01:00',
    totalWeightKg: 50000,
    carrier: 'PKS Rawicz',
  };

  it('accepts a dispatch with or without a stated total', () => {
    expect(validateInput(DispatchShipment, dispatch).totalWeightKg).toBe(50000);
    expect(validateInput(DispatchShipment, { shipmentId: ID, sentAt: '2022-12-01T08:00Z' })).toBeInstanceOf(
      DispatchShipment,
    );
  });

  it.each([
    '2022-12-01', // no time
    '2022-12-01T08:00:00', // no time zone: the month would depend on the server
    '2022-02-30T08:00:00Z', // no such day
    '2022-12-01T24:00:00Z',
    '01.12.2022 08:00',
  ])('refuses sentAt %s', (sentAt) => {
    expect(failingFields(DispatchShipment, { ...dispatch, sentAt })).toEqual(['sentAt']);
  });

  it('refuses a bad shipment id and a total with four decimals', () => {
    expect(failingFields(DispatchShipment, { ...dispatch, shipmentId: '42', totalWeightKg: 1.0001 })).toEqual(
      ['shipmentId', 'totalWeightKg'],
    );
  });
});

describe('ReceiveShipment', () => {
  const receipt = {
    shipmentId: ID,
    receivedAt: '2022-12-02T15:30:00+02:00',
    receivedBy: 'Head of the aid warehouse',
    acceptanceActNumber: 'AP-17/2022',
    items: [{ index: 0, goodKg: 17000, damagedKg: 0 }],
  };

  it('accepts zero kilograms for an item that did not arrive', () => {
    expect(
      validateInput(ReceiveShipment, { ...receipt, items: [{ index: 0, goodKg: 0, damagedKg: 0 }] }),
    ).toBeInstanceOf(ReceiveShipment);
  });

  it('refuses negative figures, bad indexes and a blank signatory', () => {
    expect(
      failingFields(ReceiveShipment, {
        ...receipt,
        receivedBy: ' ',
        items: [
          { index: -1, goodKg: -1, damagedKg: 0 },
          { index: 0.5, goodKg: 1, damagedKg: 0.0001 },
        ],
      }),
    ).toEqual(['receivedBy', 'items.0.index', 'items.0.goodKg', 'items.1.index', 'items.1.damagedKg']);
  });
});

describe('RecordDiscrepancy', () => {
  it('accepts lost and expired goods', () => {
    for (const reason of ['lost', 'expired']) {
      expect(
        validateInput(RecordDiscrepancy, { shipmentId: ID, itemIndex: 0, reason, affectedKg: 20 }),
      ).toBeTruthy();
    }
  });

  it('refuses reasons the receipt already covers, and zero kilograms', () => {
    expect(
      failingFields(RecordDiscrepancy, { shipmentId: ID, itemIndex: 0, reason: 'short', affectedKg: 0 }),
    ).toEqual(['reason', 'affectedKg']);
  });
});

describe('CorrectReceipt and CancelShipment', () => {
  it('need a reason', () => {
    const items = [{ index: 0, goodKg: 17000, damagedKg: 0 }];
    expect(validateInput(CorrectReceipt, { shipmentId: ID, items, reason: 'recounted' })).toBeInstanceOf(
      CorrectReceipt,
    );
    expect(failingFields(CorrectReceipt, { shipmentId: ID, items })).toEqual(['reason']);
    expect(failingFields(CancelShipment, { shipmentId: ID, reason: '' })).toEqual(['reason']);
    expect(failingFields(CancelShipment, { shipmentId: ID, reason: 'x'.repeat(1001) })).toEqual(['reason']);
  });
});

describe('subjects and streams', () => {
  it('follow <context>.cmd.<kebab-command> and <context>.query.<kebab-query>', () => {
    for (const subject of Object.values(LOGISTICS_SUBJECTS)) {
      expect(subject).toMatch(/^logistics\.(cmd|query)\.[a-z]+(-[a-z]+)*$/);
    }
    expect(LOGISTICS_SUBJECTS.dispatchShipment).toBe('logistics.cmd.dispatch-shipment');
    expect(new Set(Object.values(LOGISTICS_SUBJECTS)).size).toBe(10);
  });

  it('name a shipment stream shipment-<id>', () => {
    expect(shipmentStream(ID)).toBe(`shipment-${ID}`);
  });
});
