import {
  ConflictError,
  LATER_DISCREPANCY_REASONS,
  MAX_SHIPMENT_ITEMS,
  MAX_WEIGHT_KG,
  NotFoundError,
  ValidationError,
  type Decider,
  type ItemReceipt,
  type LogisticsEvent,
  type ShipmentDiscrepancyRecorded,
  type ShipmentStatus,
} from '@aid/contracts';
import type { ShipmentCommand } from './shipment.commands';
import { evolve, initialState, type ShipmentIn, type ShipmentState } from './shipment.state';
import { GRAMS_PER_KG, gramsToKg, kgToGrams, sumGrams } from './weight';

type Command<T extends ShipmentCommand['type']> = Extract<ShipmentCommand, { type: T }>;

function invalid(field: string, message: string): ValidationError {
  return new ValidationError(`${field} ${message}`, [{ field, message }]);
}

/** Business time must be a real instant: receipts are compared with dispatches. */
function instantOf(value: string, field: string): number {
  const instant = typeof value === 'string' ? Date.parse(value) : NaN;
  if (Number.isNaN(instant)) throw invalid(field, 'must be an ISO 8601 date-time');
  return instant;
}

function checkItemCount(count: number): void {
  if (count === 0) throw invalid('items', 'must list at least one item');
  if (count > MAX_SHIPMENT_ITEMS) throw invalid('items', `must list at most ${MAX_SHIPMENT_ITEMS} items`);
}

/** Every total that goes into an event obeys the same limit as a single weight. */
function checkedTotal(grams: number[], field: string): number {
  const total = sumGrams(grams);
  if (total > MAX_WEIGHT_KG * GRAMS_PER_KG) throw invalid(field, `add up to more than ${MAX_WEIGHT_KG} kg`);
  return total;
}

/** The shipment, if it exists and has the status the action needs. */
function inStatus<S extends ShipmentStatus>(
  state: ShipmentState,
  shipmentId: string,
  needed: S,
  action: string,
): ShipmentIn<S> {
  if (state === null) throw new NotFoundError(`shipment ${shipmentId} not found`);
  if (state.status !== needed) {
    throw new ConflictError(
      `shipment ${state.shipmentId} is ${state.status}; only a ${needed} shipment can ${action}`,
      {
        status: state.status,
      },
    );
  }
  return state as ShipmentIn<S>;
}

interface CheckedReceipt {
  /** Where the entry stood in the command, to name the failing field. */
  position: number;
  index: number;
  goodGrams: number;
  damagedGrams: number;
}

/**
 * Receipt figures checked against the planned items, sorted by item index so that equal input
 * always gives equal events. Each item may appear once; with `everyItem` each must appear.
 */
function checkReceipts(entries: ItemReceipt[], itemCount: number, everyItem: boolean): CheckedReceipt[] {
  checkItemCount(entries.length);
  const seen = new Set<number>();
  const checked = entries.map((entry, position) => {
    const field = `items.${position}`;
    if (!Number.isInteger(entry.index) || entry.index < 0 || entry.index >= itemCount) {
      throw invalid(`${field}.index`, `is not an item of this shipment (it has ${itemCount})`);
    }
    if (seen.has(entry.index)) throw invalid(`${field}.index`, `lists item ${entry.index} a second time`);
    seen.add(entry.index);
    return {
      position,
      index: entry.index,
      goodGrams: kgToGrams(entry.goodKg, `${field}.goodKg`, { allowZero: true }),
      damagedGrams: kgToGrams(entry.damagedKg, `${field}.damagedKg`, { allowZero: true }),
    };
  });
  if (everyItem && seen.size < itemCount) {
    const missing = Array.from({ length: itemCount }, (_, index) => index).filter(
      (index) => !seen.has(index),
    );
    throw invalid('items', `must list every item; missing item ${missing.join(', ')}`);
  }
  return checked.sort((a, b) => a.index - b.index);
}

function toItemReceipt(receipt: CheckedReceipt): ItemReceipt {
  return {
    index: receipt.index,
    goodKg: gramsToKg(receipt.goodGrams),
    damagedKg: gramsToKg(receipt.damagedGrams),
  };
}

function discrepancy(
  itemIndex: number,
  reason: ShipmentDiscrepancyRecorded['data']['reason'],
  expectedGrams: number,
  receivedGrams: number,
): ShipmentDiscrepancyRecorded {
  return {
    type: 'ShipmentDiscrepancyRecorded',
    data: { itemIndex, expectedKg: gramsToKg(expectedGrams), receivedKg: gramsToKg(receivedGrams), reason },
  };
}

function plan(command: Command<'PlanShipment'>, state: ShipmentState): LogisticsEvent[] {
  const { shipmentId, data, context } = command;
  if (state !== null) {
    throw new ConflictError(`shipment ${shipmentId} already exists (${state.status})`, {
      status: state.status,
    });
  }
  checkItemCount(data.items.length);
  const grams = data.items.map((item, index) => kgToGrams(item.weightKg, `items.${index}.weightKg`));
  checkedTotal(grams, 'items');

  // An unknown community is a wrong value in the body, not a missing resource at the URL: 400
  // names the field to fix, where a 404 would read as "no such endpoint or shipment".
  if (!context.destination.registered) {
    throw invalid('destinationCommunityId', 'is not a registered community');
  }
  if (context.destination.kind === 'foreign-municipality') {
    throw invalid('destinationCommunityId', 'must be a Ukrainian hromada: aid is tracked into Ukraine');
  }
  if (data.partnershipId !== undefined) {
    const partnership = context.partnership;
    if (!partnership) throw invalid('partnershipId', 'is not a known partnership');
    if (partnership.status !== 'active') {
      throw new ConflictError(`partnership ${data.partnershipId} is ${partnership.status}, not active`, {
        partnershipStatus: partnership.status,
      });
    }
    if (!partnership.partyIds.includes(data.destinationCommunityId)) {
      throw new ConflictError(
        `community ${data.destinationCommunityId} is not a party of partnership ${data.partnershipId}`,
      );
    }
  }

  return [
    {
      type: 'ShipmentPlanned',
      data: {
        shipmentId,
        originPartyId: data.originPartyId,
        destinationCommunityId: data.destinationCommunityId,
        ...(data.partnershipId !== undefined && { partnershipId: data.partnershipId }),
        ...(data.donorPartyId !== undefined && { donorPartyId: data.donorPartyId }),
        ...(data.humanitarianAidCode !== undefined && { humanitarianAidCode: data.humanitarianAidCode }),
        items: data.items.map((item, index) => ({
          category: item.category,
          description: item.description,
          quantity: item.quantity,
          unit: item.unit,
          weightKg: gramsToKg(grams[index]),
        })),
      },
    },
  ];
}

function dispatch({ data }: Command<'DispatchShipment'>, state: ShipmentState): LogisticsEvent[] {
  const shipment = inStatus(state, data.shipmentId, 'planned', 'be dispatched');
  instantOf(data.sentAt, 'sentAt');
  const totalGrams = sumGrams(shipment.items.map((item) => item.weightGrams));
  if (data.totalWeightKg !== undefined && kgToGrams(data.totalWeightKg, 'totalWeightKg') !== totalGrams) {
    throw invalid(
      'totalWeightKg',
      `is ${data.totalWeightKg} kg but the planned items add up to ${gramsToKg(totalGrams)} kg`,
    );
  }
  return [
    {
      type: 'ShipmentSent',
      data: {
        sentAt: data.sentAt,
        totalWeightKg: gramsToKg(totalGrams),
        ...(data.carrier !== undefined && { carrier: data.carrier }),
        ...(data.waybillNumber !== undefined && { waybillNumber: data.waybillNumber }),
      },
    },
  ];
}

function receive({ data }: Command<'ReceiveShipment'>, state: ShipmentState): LogisticsEvent[] {
  const shipment = inStatus(state, data.shipmentId, 'sent', 'be received');
  if (instantOf(data.receivedAt, 'receivedAt') < Date.parse(shipment.sent.at)) {
    throw invalid('receivedAt', `must not be before the shipment was sent (${shipment.sent.at})`);
  }
  const receipts = checkReceipts(data.items, shipment.items.length, true);
  const receivedGrams = checkedTotal(
    receipts.map((receipt) => sumGrams([receipt.goodGrams, receipt.damagedGrams])),
    'items',
  );

  // Per item, in index order: first whether the weight that arrived differs from the planned one,
  // then how much of what arrived is damaged, so that the two never count the same kilogram twice.
  const discrepancies = receipts.flatMap((receipt) => {
    const plannedGrams = shipment.items[receipt.index].weightGrams;
    const arrivedGrams = sumGrams([receipt.goodGrams, receipt.damagedGrams]);
    const found: ShipmentDiscrepancyRecorded[] = [];
    if (arrivedGrams < plannedGrams) {
      found.push(discrepancy(receipt.index, 'short', plannedGrams, arrivedGrams));
    }
    if (arrivedGrams > plannedGrams) {
      found.push(discrepancy(receipt.index, 'surplus', plannedGrams, arrivedGrams));
    }
    if (receipt.damagedGrams > 0) {
      found.push(discrepancy(receipt.index, 'damaged', arrivedGrams, receipt.goodGrams));
    }
    return found;
  });

  return [
    {
      type: 'ShipmentReceived',
      data: {
        receivedAt: data.receivedAt,
        receivedBy: data.receivedBy,
        ...(data.acceptanceActNumber !== undefined && { acceptanceActNumber: data.acceptanceActNumber }),
        receivedWeightKg: gramsToKg(receivedGrams),
        items: receipts.map(toItemReceipt),
      },
    },
    ...discrepancies,
  ];
}

function recordDiscrepancy({ data }: Command<'RecordDiscrepancy'>, state: ShipmentState): LogisticsEvent[] {
  const shipment = inStatus(state, data.shipmentId, 'received', 'have a discrepancy recorded');
  const figures = shipment.received.items[data.itemIndex];
  if (!Number.isInteger(data.itemIndex) || figures === undefined) {
    throw invalid('itemIndex', `is not an item of this shipment (it has ${shipment.items.length})`);
  }
  if (!(LATER_DISCREPANCY_REASONS as readonly string[]).includes(data.reason)) {
    throw invalid(
      'reason',
      `must be one of ${LATER_DISCREPANCY_REASONS.join(', ')}; correct the receipt instead`,
    );
  }
  const affectedGrams = kgToGrams(data.affectedKg, 'affectedKg');
  const usableGrams = figures.goodGrams - figures.writtenOffGrams;
  if (affectedGrams > usableGrams) {
    throw invalid(
      'affectedKg',
      `is more than the ${gramsToKg(usableGrams)} kg of item ${data.itemIndex} still in use`,
    );
  }
  return [discrepancy(data.itemIndex, data.reason, usableGrams, usableGrams - affectedGrams)];
}

function correctReceipt({ data }: Command<'CorrectReceipt'>, state: ShipmentState): LogisticsEvent[] {
  const shipment = inStatus(state, data.shipmentId, 'received', 'have its receipt corrected');
  const current = shipment.received.items;
  const corrections = checkReceipts(data.items, current.length, false);
  for (const correction of corrections) {
    const { writtenOffGrams } = current[correction.index];
    if (correction.goodGrams < writtenOffGrams) {
      throw invalid(
        `items.${correction.position}.goodKg`,
        `is less than the ${gramsToKg(writtenOffGrams)} kg already recorded as lost or expired`,
      );
    }
  }
  const changesSomething = corrections.some(
    ({ index, goodGrams, damagedGrams }) =>
      goodGrams !== current[index].goodGrams || damagedGrams !== current[index].damagedGrams,
  );
  if (!changesSomething) {
    throw invalid('items', 'are the figures already recorded: the correction changes nothing');
  }
  const corrected = current.map((figures, index) => corrections.find((c) => c.index === index) ?? figures);
  checkedTotal(
    corrected.flatMap((figures) => [figures.goodGrams, figures.damagedGrams]),
    'items',
  );
  return [
    {
      type: 'ShipmentReceiptCorrected',
      data: { items: corrections.map(toItemReceipt), reason: data.reason },
    },
  ];
}

function cancel({ data }: Command<'CancelShipment'>, state: ShipmentState): LogisticsEvent[] {
  // A sent shipment is on the road: what happens to it is recorded by its receipt, not erased.
  inStatus(state, data.shipmentId, 'planned', 'be cancelled');
  return [{ type: 'ShipmentCancelled', data: { reason: data.reason } }];
}

export function decide(command: ShipmentCommand, state: ShipmentState): LogisticsEvent[] {
  switch (command.type) {
    case 'PlanShipment':
      return plan(command, state);
    case 'DispatchShipment':
      return dispatch(command, state);
    case 'ReceiveShipment':
      return receive(command, state);
    case 'RecordDiscrepancy':
      return recordDiscrepancy(command, state);
    case 'CorrectReceipt':
      return correctReceipt(command, state);
    case 'CancelShipment':
      return cancel(command, state);
  }
}

export const shipmentDecider: Decider<ShipmentCommand, LogisticsEvent, ShipmentState> = {
  initialState,
  evolve,
  decide,
};
