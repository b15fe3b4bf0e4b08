// CPU time per process over a measured phase, from /proc/<pid>/stat (utime + stime), so that every
// scenario says what each process spent per message and per delivery, and which one saturates first.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { round } from './histogram.ts';

/** Clock ticks per second of /proc's times (USER_HZ). */
const TICKS_PER_SECOND = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** The processes to sample, by name: one pid, or several whose times are summed. */
export type ProcessSet = Record<string, (number | undefined)[]>;

/** One process's CPU over a phase. */
export interface ProcessCpu {
  process: string;
  /** CPU time (user + system) in ms. */
  cpuMs: number;
  /** Percent of one core over the phase. */
  pctCore: number;
  /** µs of CPU per message posted (or row stored, or connection opened). */
  usPerMessage: number;
  /** µs of CPU per frame delivered to a socket (fan-out scenarios only). */
  usPerDelivery?: number;
}

/** CPU of every sampled process over one measured phase. */
export interface CpuPhase {
  seconds: number;
  messages: number;
  deliveries: number;
  /** Highest percent of a core first. */
  processes: ProcessCpu[];
  /** The process with the highest percent of a core: the one that saturates first. */
  saturating: string;
}

/** utime + stime of a process in ticks; undefined once it is gone. */
function ticksOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start at field 3; utime and stime are 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return undefined;
  }
}

type Snapshot = Map<string, Map<number, number>>;

/**
 * Samples the CPU time of the bench's processes. PostgreSQL is the sum over the backends serving the
 * bench's database (pg_stat_activity at the start and at the end of the phase; a backend that began
 * during the phase counts from zero, one that ended during it is missed), not the server's shared
 * background processes nor other databases' backends.
 */
export class CpuMeter {
  readonly #processes: () => ProcessSet;
  readonly #db: pg.Client;

  private constructor(processes: () => ProcessSet, db: pg.Client) {
    this.#processes = processes;
    this.#db = db;
  }

  /** `processes` is asked at each sample, so that restarted services are followed. */
  static async open(processes: () => ProcessSet, databaseUrl: string): Promise<CpuMeter> {
    const db = new pg.Client({ connectionString: databaseUrl });
    await db.connect();
    return new CpuMeter(processes, db);
  }

  async close(): Promise<void> {
    await this.#db.end();
  }

  async #snapshot(extra: ProcessSet): Promise<Snapshot> {
    const { rows } = await this.#db.query<{ pid: number }>(
      'select pid from pg_stat_activity where datname = current_database()',
    );
    const set: ProcessSet = { ...this.#processes(), ...extra, postgres: rows.map((r) => r.pid) };
    const snapshot: Snapshot = new Map();
    for (const [name, pids] of Object.entries(set)) {
      const times = new Map<number, number>();
      for (const pid of pids) {
        const ticks = pid === undefined ? undefined : ticksOf(pid);
        if (pid !== undefined && ticks !== undefined) times.set(pid, ticks);
      }
      if (times.size > 0) snapshot.set(name, times);
    }
    return snapshot;
  }

  /**
   * Starts a phase; `extra` names processes of this phase only (a baseline's child). Call `stop`
   * with what the phase carried.
   */
  async start(extra: ProcessSet = {}): Promise<{ stop(messages: number, deliveries?: number): Promise<CpuPhase> }> {
    const before = await this.#snapshot(extra);
    const t0 = performance.now();
    return {
      stop: async (messages, deliveries = 0) => {
        const seconds = (performance.now() - t0) / 1000;
        const after = await this.#snapshot(extra);
        const processes: ProcessCpu[] = [];
        for (const [name, times] of after) {
          let ticks = 0;
          for (const [pid, t] of times) ticks += t - (before.get(name)?.get(pid) ?? 0);
          const cpuUs = (ticks * 1e6) / TICKS_PER_SECOND;
          processes.push({
            process: name,
            cpuMs: round(cpuUs / 1000, 1),
            pctCore: round(cpuUs / 1e4 / seconds, 1),
            usPerMessage: round(messages > 0 ? cpuUs / messages : Number.NaN, 1),
            ...(deliveries > 0 ? { usPerDelivery: round(cpuUs / deliveries, 1) } : {}),
          });
        }
        processes.sort((a, b) => b.pctCore - a.pctCore);
        return { seconds: round(seconds), messages, deliveries, processes, saturating: processes[0]?.process ?? '?' };
      },
    };
  }
}
