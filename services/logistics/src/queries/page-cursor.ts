import { ValidationError } from '@aid/contracts';

/**
 * Lists page newest first by the global position of each shipment's ShipmentPlanned, which never
 * changes, so a page boundary does not move when shipments are dispatched or received meanwhile.
 * The cursor is that position, wrapped so that callers treat it as opaque.
 */

export function cursorAfter(plannedPosition: number): string {
  return Buffer.from(JSON.stringify({ before: plannedPosition })).toString('base64url');
}

/** The position the next page starts below; a cursor this service did not make is bad input. */
export function positionBefore(cursor: string): number {
  try {
    const { before } = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { before?: unknown };
    if (typeof before === 'number' && Number.isSafeInteger(before) && before >= 0) return before;
  } catch {
    // Not JSON: refused below like any other foreign cursor.
  }
  throw new ValidationError('cursor is not one this service gave', [
    { field: 'cursor', message: 'is not a cursor from a previous page' },
  ]);
}
