import { createHash } from 'node:crypto';
import { ChainVerifier, type EventStore, type StreamBreak } from '@aid/event-store';
import { type AuditEvent, toAuditEvent } from './audit-event';

export const EXPORT_FORMAT = 'aid-ledger-export/1';
const EXPORT_BATCH_SIZE = 1000;

/** The last line of an export. */
export interface ExportManifest {
  format: typeof EXPORT_FORMAT;
  exportedAt: string;
  events: number;
  firstPosition: number | null;
  lastPosition: number | null;
  /** sha256 (hex) of every line before the manifest, newlines included: `head -n -1 <file> | sha256sum`. */
  sha256: string;
}

/**
 * The whole history as NDJSON: one line per event (with hash and prevHash) in position order, as
 * of one snapshot of the store, then one line {"manifest": {...}}. Yields a batch of lines at a
 * time as the reader asks for them, so memory stays flat whatever the size of the history.
 */
export async function* exportLines(store: EventStore, batchSize = EXPORT_BATCH_SIZE): AsyncGenerator<string> {
  const digest = createHash('sha256');
  let events = 0;
  let firstPosition: number | null = null;
  let lastPosition: number | null = null;
  for await (const batch of store.readSnapshot({ batchSize })) {
    let chunk = '';
    for (const event of batch) chunk += `${JSON.stringify(toAuditEvent(event))}\n`;
    events += batch.length;
    firstPosition ??= batch[0]?.position ?? null;
    lastPosition = batch.at(-1)?.position ?? lastPosition;
    digest.update(chunk, 'utf8');
    yield chunk;
  }
  const manifest: ExportManifest = {
    format: EXPORT_FORMAT,
    exportedAt: new Date().toISOString(),
    events,
    firstPosition,
    lastPosition,
    sha256: digest.digest('hex'),
  };
  yield `${JSON.stringify({ manifest })}\n`;
}

export interface ExportVerification {
  /** Every chain intact, the digest and the counts as the manifest says, nothing out of place. */
  ok: boolean;
  events: number;
  streamsChecked: number;
  broken: StreamBreak[];
  sha256: string;
  manifest: ExportManifest | null;
  problems: string[];
}

/**
 * Checks an export without the database: recomputes every stream's hash chain from the lines
 * (ChainVerifier, the same check the EventStoreDB adapter's verify runs), the file's digest and
 * the manifest's counts. Takes the file's lines without their newlines, in order.
 */
export async function verifyExport(
  lines: AsyncIterable<string> | Iterable<string>,
): Promise<ExportVerification> {
  const digest = createHash('sha256');
  const chains = new ChainVerifier();
  const problems: string[] = [];
  let manifest: ExportManifest | null = null;
  let events = 0;
  let lastPosition = 0;
  let lineNumber = 0;
  for await (const line of lines) {
    lineNumber++;
    if (manifest !== null) {
      problems.push(`line ${lineNumber}: content after the manifest`);
      break;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      problems.push(`line ${lineNumber}: not JSON`);
      digest.update(`${line}\n`, 'utf8');
      continue;
    }
    if (isManifestLine(parsed)) {
      manifest = parsed.manifest;
      continue;
    }
    digest.update(`${line}\n`, 'utf8');
    const event = parsed as AuditEvent;
    events++;
    if (!(event.position > lastPosition)) {
      problems.push(`line ${lineNumber}: position ${event.position} does not follow ${lastPosition}`);
    }
    lastPosition = event.position;
    try {
      chains.add({ ...event, checkpoint: '' });
    } catch (error) {
      problems.push(
        `line ${lineNumber}: not an event (${error instanceof Error ? error.message : String(error)})`,
      );
    }
  }
  const sha256 = digest.digest('hex');
  const { streamsChecked, broken } = chains.result();
  if (manifest === null) {
    problems.push('no manifest line: the export is incomplete');
  } else {
    const format: string = manifest.format;
    if (format !== EXPORT_FORMAT) problems.push(`manifest format ${format}, expected ${EXPORT_FORMAT}`);
    const expected: string = manifest.sha256;
    if (expected !== sha256) problems.push(`digest ${sha256} differs from the manifest's ${expected}`);
    if (manifest.events !== events) problems.push(`${events} events, the manifest says ${manifest.events}`);
    if (events > 0 && manifest.lastPosition !== lastPosition) {
      problems.push(`last position ${lastPosition}, the manifest says ${manifest.lastPosition}`);
    }
  }
  return {
    ok: problems.length === 0 && broken.length === 0,
    events,
    streamsChecked,
    broken,
    sha256,
    manifest,
    problems,
  };
}

function isManifestLine(value: unknown): value is { manifest: ExportManifest } {
  return (
    typeof value === 'object' && value !== null && 'manifest' in value && Object.keys(value).length === 1
  );
}
