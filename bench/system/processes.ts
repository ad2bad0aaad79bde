import { readdirSync, readFileSync } from 'node:fs';

/*
 * What /proc says about the processes of the system under test: resident memory and CPU time.
 * Linux only, like the machine the targets are set for.
 */

/** VmRSS of a process in MiB, or null once it is gone. */
export function residentMiB(pid: number): number | null {
  try {
    const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Math.round((Number(match[1]) / 1024) * 10) / 10 : null;
  } catch {
    return null;
  }
}

// USER_HZ: the unit of utime and stime in /proc/<pid>/stat; 100 on every Linux we run on.
const CLOCK_TICKS_PER_SECOND = 100;

/** User + system CPU seconds a process has used so far (0 once it is gone). */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces; the fields after its closing parenthesis do not.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/** Processes whose command name is `name` and whose command line contains `argument`, if given. */
export function processesNamed(name: string, argument?: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() !== name) continue;
      const commandLine = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (argument === undefined || commandLine.includes(argument)) pids.push(Number(entry));
    } catch {
      // It ended while we looked.
    }
  }
  return pids;
}

export interface CpuUse {
  /** Share of one core over the measured time (200 would be both cores of a 2-core machine). */
  percentOfOneCore: number;
  /** CPU time per unit of work (a command), in ms. */
  msPerCommand: number;
}

/** CPU time used by groups of processes between start() and stop(). */
export class CpuMeter {
  private startedAt = 0;
  private readonly before = new Map<string, number>();
  private readonly groups = new Map<string, () => number[]>();

  track(label: string, pids: () => number[]): this {
    this.groups.set(label, pids);
    return this;
  }

  start(): void {
    this.startedAt = performance.now();
    for (const [label, pids] of this.groups) this.before.set(label, this.total(pids()));
  }

  /** What each group used since start(), per second and per command (`commands` done meanwhile). */
  stop(commands: number): Record<string, CpuUse> {
    const seconds = (performance.now() - this.startedAt) / 1000;
    const usage: Record<string, CpuUse> = {};
    for (const [label, pids] of this.groups) {
      const used = this.total(pids()) - (this.before.get(label) ?? 0);
      usage[label] = {
        percentOfOneCore: Math.round((used / seconds) * 100),
        msPerCommand: Math.round((used / Math.max(commands, 1)) * 1000 * 100) / 100,
      };
    }
    return usage;
  }

  private total(pids: number[]): number {
    return pids.reduce((sum, pid) => sum + (pid === process.pid ? ownCpuSeconds() : cpuSeconds(pid)), 0);
  }
}

function ownCpuSeconds(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}
