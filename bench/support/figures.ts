import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, platform, release, totalmem } from 'node:os';
import { dirname } from 'node:path';
import { withAdmin } from '@aid/testing';

/** What the benchmarks share: progress lines, rounding, percentiles, the machine, the JSON file. */

export const log = (message: string) =>
  process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${message}\n`);

export const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;

export function percentiles(samples: number[]): { count: number; p50: number; p99: number; max: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (fraction: number) =>
    sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))] ?? NaN;
  return {
    count: sorted.length,
    p50: round(at(0.5)),
    p99: round(at(0.99)),
    max: round(sorted.at(-1) ?? NaN),
  };
}

export async function describeMachine() {
  const postgres = await withAdmin(async (client) => {
    const rows = await client.query<{ name: string; setting: string }>(
      `SELECT name, current_setting(name) AS setting FROM pg_settings
        WHERE name IN ('server_version', 'shared_buffers', 'synchronous_commit', 'fsync')`,
    );
    return Object.fromEntries(rows.rows.map((row) => [row.name, row.setting]));
  });
  return {
    cores: cpus().length,
    cpu: cpus()[0]?.model ?? 'unknown',
    memoryGiB: round(totalmem() / 2 ** 30),
    os: `${platform()} ${release()}`,
    node: process.version,
    postgres,
    // Other work on a shared machine shows in every figure; this says how much there was.
    loadAverage1m5m15m: loadavg().map((load) => round(load, 2)),
  };
}

/** Written whole or not at all: a crash mid-write must not leave a half file that looks like a result. */
export function writeReport(outputPath: string, report: object): void {
  mkdirSync(dirname(outputPath), { recursive: true });
  writeFileSync(`${outputPath}.tmp`, `${JSON.stringify(report, null, 2)}\n`);
  renameSync(`${outputPath}.tmp`, outputPath);
}
