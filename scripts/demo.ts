/**
 * `npm run demo`: records the five source stories through the HTTP API of a running Aid ledger
 * (`npm start`), then prints what it did and the tonnage per destination. Running it again
 * appends nothing.
 *
 * AID_URL (default http://localhost:3000) and AID_ADMIN_KEY (default: the key `npm start` kept
 * in .aid-admin-key); the demo's own keys are kept in .aid-demo-keys.json (AID_DEMO_KEYS_FILE).
 */
import { AidClient } from './aid-client';
import { demoKeysFile } from './demo/demo-keys';
import { type DemoOutcome, recordDemo, type TonnageRow } from './demo/record-demo';
import { adminKeyFile, readAdminKey } from './local-admin-key';

const DEFAULT_URL = 'http://localhost:3000';

function say(line: string): void {
  process.stdout.write(`demo | ${line}\n`);
}

async function main(): Promise<void> {
  const baseUrl = (process.env.AID_URL?.trim() || DEFAULT_URL).replace(/\/+$/, '');
  const adminKey = readAdminKey();
  if (!adminKey) {
    throw new Error(
      `no admin key: set AID_ADMIN_KEY, or start Aid ledger with npm start, which keeps its key in ${adminKeyFile()}`,
    );
  }
  await refuseUnlessUp(baseUrl);
  say(`recording the five source stories at ${baseUrl}`);

  const startedAt = Date.now();
  const outcome = await recordDemo({
    admin: new AidClient(baseUrl, adminKey.key),
    keys: demoKeysFile(),
    log: say,
  });
  const seconds = ((Date.now() - startedAt) / 1000).toFixed(1);

  say(
    outcome.eventsRecorded === 0
      ? `nothing new: all ${outcome.writes} writes were recorded before (${seconds} s)`
      : `recorded ${outcome.eventsRecorded} events with ${outcome.writes} writes (${seconds} s)`,
  );
  printSummary(baseUrl, outcome);
}

async function refuseUnlessUp(baseUrl: string): Promise<void> {
  try {
    await fetch(`${baseUrl}/health`, { signal: AbortSignal.timeout(5000) });
  } catch (error) {
    const reason =
      error instanceof Error && error.cause instanceof Error ? error.cause.message : String(error);
    throw new Error(
      `Aid ledger does not answer at ${baseUrl} (${reason}): start it with npm start, or set AID_URL`,
      { cause: error },
    );
  }
}

function printSummary(baseUrl: string, outcome: DemoOutcome): void {
  say('tonnage by destination (GET /v1/tonnage?groupBy=destination):');
  const header = ['destination', 'shipments', 'dispatched kg', 'received kg', 'in transit kg', 'short kg'];
  const rows = outcome.tonnageByDestination.map((row: TonnageRow) => [
    row.label ?? row.key ?? '(none)',
    String(row.shipments),
    kilograms(row.dispatchedKg),
    kilograms(row.receivedKg),
    kilograms(row.inTransitKg),
    kilograms(row.shortfallKg),
  ]);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column].length)),
  );
  for (const row of [header, ...rows]) {
    say(
      `  ${row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join('  ')}`,
    );
  }
  say(
    `partnerships: ${baseUrl}/v1/partnerships  shipments: ${baseUrl}/v1/shipments  API docs: ${baseUrl}/docs`,
  );
  say(
    `the IRC's partner feed (Ochakiv only): curl -N -H "Authorization: Bearer ${outcome.keys.partner.key}" ${baseUrl}/v1/events`,
  );
}

function kilograms(value: number): string {
  return value.toLocaleString('en-GB', { maximumFractionDigits: 3 });
}

main().catch((error: unknown) => {
  process.stderr.write(`demo | ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
