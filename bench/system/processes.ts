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

// A backend's title: "postgres: 15/main: <user> <database> <client> <state>".
const BACKEND_TITLE = /^postgres: [^:]+: \S+ (\S+) (?:\S+\(\d+\)|\[local\])/;

/**
 * The PostgreSQL server's processes that work for `database`: its backends, and the server's own
 * (postmaster, WAL writer, checkpointer...), but not the backends of other databases, which on a
 * shared machine belong to other people's work.
 */
export function postgresProcessesFor(database: string): number[] {
  return processesNamed('postgres').filter((pid) => {
    try {
      const title = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0];
      const backend = BACKEND_TITLE.exec(title);
      return backend === null || backend[1] === database;
    } catch {
      return false;
    }
  });
}

export interface CpuUse {
  /** Share of one core over the measured time (200 would be both cores of a 2-core machine). */
  percentOfOneCore: number;
  /** CPU time per unit of work (a command), in ms. */
  msPerCommand: number;
}

// How often a meter looks at its processes while it runs.
const SAMPLE_INTERVAL_MS = 500;

/**
 * CPU time used by groups of processes between start() and stop(). Each process is followed on
 * its own and sampled while the meter runs: a process that ends meanwhile (a pool closing an idle
 * PostgreSQL connection) keeps the time it used until its last sample, and one that starts
 * meanwhile counts from zero.
 */
export class CpuMeter {
  private startedAt = 0;
  private readonly groups = new Map<string, () => number[]>();
  /** Per group and process: CPU seconds at start() and at the latest sample. */
  private readonly seen = new Map<string, Map<number, { first: number; last: number }>>();
  private sampler: NodeJS.Timeout | undefined;

  track(label: string, pids: () => number[]): this {
    this.groups.set(label, pids);
    return this;
  }

  start(): void {
    this.startedAt = performance.now();
    this.seen.clear();
    this.sample(true);
    this.sampler = setInterval(() => this.sample(false), SAMPLE_INTERVAL_MS);
  }

  /** What each group used since start(), per second and per command (`commands` done meanwhile). */
  stop(commands: number): Record<string, CpuUse> {
    clearInterval(this.sampler);
    this.sample(false);
    const seconds = (performance.now() - this.startedAt) / 1000;
    const usage: Record<string, CpuUse> = {};
    for (const label of this.groups.keys()) {
      let used = 0;
      for (const { first, last } of this.seen.get(label)?.values() ?? []) used += last - first;
      usage[label] = {
        percentOfOneCore: Math.round((used / seconds) * 100),
        msPerCommand: Math.round((used / Math.max(commands, 1)) * 1000 * 100) / 100,
      };
    }
    return usage;
  }

  private sample(atStart: boolean): void {
    for (const [label, pids] of this.groups) {
      let processes = this.seen.get(label);
      if (!processes) {
        processes = new Map();
        this.seen.set(label, processes);
      }
      for (const pid of pids()) {
        if (pid < 0) continue;
        const seconds = pid === process.pid ? ownCpuSeconds() : cpuSeconds(pid);
        // cpuSeconds answers 0 for a process that ended between listing and reading it.
        if (seconds === 0 && processes.has(pid)) continue;
        const known = processes.get(pid);
        if (known) known.last = seconds;
        else processes.set(pid, { first: atStart ? seconds : 0, last: seconds });
      }
    }
  }
}

function ownCpuSeconds(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}
