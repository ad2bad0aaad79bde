import { REGISTRY_DEFAULT_PAGE_SIZE, ValidationError } from '@aid/contracts';
import { type DataSource, type EntityTarget, type ObjectLiteral } from 'typeorm';

/** The quoted, schema-qualified table of an entity in the read model's (live or shadow) schema. */
export function tableOf(dataSource: DataSource, entity: EntityTarget<ObjectLiteral>): string {
  const metadata = dataSource.getMetadata(entity);
  const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;
  return metadata.schema === undefined
    ? quote(metadata.tableName)
    : `${quote(metadata.schema)}.${quote(metadata.tableName)}`;
}

/**
 * Lists sort by name the way a Ukrainian reader expects (і after и, є after е, ґ after г), which
 * byte order gets wrong. PostgreSQL has this ICU collation when built with ICU, as the official
 * images and the Debian packages are; a server without it sorts by code point (see RegistryReadModel).
 */
export const UKRAINIAN_COLLATION = 'uk-x-icu';
export const CODE_POINT_COLLATION = 'C';

// en-CA formats a date as YYYY-MM-DD. Made once: building a formatter costs more than a query's
// own work (it showed at the top of the gateway's profile, once per list of communities).
const KYIV_DAY = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Europe/Kyiv',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

/** Today in Ukraine, where the registry's business days are counted. */
export function todayInUkraine(now: Date = new Date()): string {
  return KYIV_DAY.format(now);
}

export const DEFAULT_PAGE_SIZE = REGISTRY_DEFAULT_PAGE_SIZE;

/** Where a page ends: the sort key (name) and the id that breaks ties between equal names. */
export interface PagePosition {
  name: string;
  id: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Opaque to clients: they pass back the `next` they were given. */
export function encodeCursor(position: PagePosition): string {
  return Buffer.from(JSON.stringify([position.name, position.id]), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): PagePosition {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  if (
    !Array.isArray(parsed) ||
    parsed.length !== 2 ||
    typeof parsed[0] !== 'string' ||
    typeof parsed[1] !== 'string' ||
    !UUID.test(parsed[1])
  ) {
    throw new ValidationError('invalid page cursor', [
      { field: 'after', message: 'is not a cursor this service gave out (pass back `next` as it came)' },
    ]);
  }
  return { name: parsed[0], id: parsed[1] };
}

/** A page from rows fetched with one row more than the limit: that extra row says a next page exists. */
export function pageOf<TRow, TItem>(
  rows: TRow[],
  limit: number,
  toItem: (row: TRow) => TItem,
  positionOf: (row: TRow) => PagePosition,
): { items: TItem[]; next?: string } {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return rows.length > limit && last !== undefined
    ? { items: items.map(toItem), next: encodeCursor(positionOf(last)) }
    : { items: items.map(toItem) };
}

/** The params of a query request (none: {}); a request that is not an object is refused as it is. */
export function paramsOf(request: unknown): unknown {
  if (typeof request !== 'object' || request === null) return request;
  return 'params' in request && request.params !== undefined ? request.params : {};
}
