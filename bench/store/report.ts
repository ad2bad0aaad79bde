import { median } from './workloads';

export const FIGURES = [
  'append_1_seq_eps',
  'append_1_x16_eps',
  'append_100_x16_eps',
  'read_stream_1000_ms',
  'catchup_100k_eps',
  'catchup_1m_eps',
] as const;
export type FigureName = (typeof FIGURES)[number];

/** Every run's value, kept so the report can show the spread behind each median. */
export interface FigureSamples {
  ours: number[];
  emmett: number[];
  /** Catch-up only: summed over that store's runs. */
  lost: { ours: number; emmett: number };
  repeated: { ours: number; emmett: number };
}

export function emptySamples(): Record<FigureName, FigureSamples> {
  const samples = {} as Record<FigureName, FigureSamples>;
  for (const figure of FIGURES) {
    samples[figure] = {
      ours: [],
      emmett: [],
      lost: { ours: 0, emmett: 0 },
      repeated: { ours: 0, emmett: 0 },
    };
  }
  return samples;
}

export interface FigureResult {
  ours: number | null;
  emmett: number | null;
  /** Above 1 means ours is better: ours/emmett for rates, emmett/ours for milliseconds. */
  ratio: number | null;
  ours_runs: number[];
  emmett_runs: number[];
  ours_lost?: number | null;
  ours_repeated?: number | null;
  emmett_lost?: number | null;
  emmett_repeated?: number | null;
}

interface Target {
  text: string;
  met(result: FigureResult): boolean;
}

export const TARGETS: Partial<Record<FigureName, Target>> = {
  append_1_x16_eps: { text: 'ratio >= 1.5', met: (r) => r.ratio !== null && r.ratio >= 1.5 },
  append_100_x16_eps: { text: 'ratio >= 2', met: (r) => r.ratio !== null && r.ratio >= 2 },
  read_stream_1000_ms: { text: 'ours <= 12 ms', met: (r) => r.ours !== null && r.ours <= 12 },
  catchup_1m_eps: {
    text: 'ours >= 80,000 eps, 0 lost, 0 repeated',
    met: (r) => r.ours !== null && r.ours >= 80_000 && r.ours_lost === 0 && r.ours_repeated === 0,
  },
};

const isMilliseconds = (figure: FigureName): boolean => figure.endsWith('_ms');
const isCatchUp = (figure: FigureName): boolean => figure.startsWith('catchup_');

export function summarise(
  figure: FigureName,
  samples: FigureSamples,
  expectedRuns: { ours: number; emmett: number },
) {
  const round = (value: number): number =>
    isMilliseconds(figure) ? Math.round(value * 100) / 100 : Math.round(value);
  // A store with a failed run gets no median: a median of the runs that happened to succeed would flatter it.
  const medianOf = (values: number[], expected: number): number | null =>
    expected > 0 && values.length === expected ? round(median(values)) : null;

  const ours = medianOf(samples.ours, expectedRuns.ours);
  const emmett = medianOf(samples.emmett, expectedRuns.emmett);
  const ratio =
    ours === null || emmett === null || ours === 0 || emmett === 0
      ? null
      : Math.round((isMilliseconds(figure) ? emmett / ours : ours / emmett) * 100) / 100;

  const result: FigureResult = {
    ours,
    emmett,
    ratio,
    ours_runs: samples.ours.map(round),
    emmett_runs: samples.emmett.map(round),
  };
  if (isCatchUp(figure)) {
    result.ours_lost = ours === null ? null : samples.lost.ours;
    result.ours_repeated = ours === null ? null : samples.repeated.ours;
    result.emmett_lost = emmett === null ? null : samples.lost.emmett;
    result.emmett_repeated = emmett === null ? null : samples.repeated.emmett;
  }
  return result;
}

export function formatTable(figures: Record<FigureName, FigureResult>): string {
  const rows = [['figure', 'ours', 'emmett', 'ratio', 'target', 'met?']];
  for (const figure of FIGURES) {
    const result = figures[figure];
    const target = TARGETS[figure];
    rows.push([
      figure,
      formatValue(figure, result.ours) + formatLoss(result.ours_lost, result.ours_repeated),
      formatValue(figure, result.emmett) + formatLoss(result.emmett_lost, result.emmett_repeated),
      result.ratio === null ? '-' : `${result.ratio.toFixed(2)}x`,
      target?.text ?? '-',
      target ? (target.met(result) ? 'yes' : 'NO') : '-',
    ]);
  }
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  return rows
    .map((row, index) => {
      const line = row.map((cell, column) =>
        column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]),
      );
      return index === 0
        ? `${line.join('  ')}\n${widths.map((w) => '-'.repeat(w)).join('  ')}`
        : line.join('  ');
    })
    .join('\n');
}

function formatValue(figure: FigureName, value: number | null): string {
  if (value === null) return 'null';
  return isMilliseconds(figure) ? `${value.toFixed(2)} ms` : `${value.toLocaleString('en-US')} eps`;
}

function formatLoss(lost: number | null | undefined, repeated: number | null | undefined): string {
  if (lost === undefined || lost === null) return '';
  return ` (lost ${lost}, rep ${repeated ?? 0})`;
}
