/**
 * The sync-parallelism section of a probe report: per target and layout (each thread its own file,
 * all one file), aggregate syncs/s against the number of threads syncing at once, the speed-up over
 * one thread, and per-operation latency. Pure.
 */
import type { ProbeReport, ProbeResult } from '../../model/probe-report.js';
import { formatNs, formatRate, sig } from '../../model/units.js';

type Completed = Extract<ProbeResult, { state: 'completed' }>;

export interface ParallelTable {
  readonly target: string;
  readonly group: string;
  readonly rows: string[][];
  /** One sentence: how the aggregate rate grows from the fewest to the most threads. */
  readonly reading: string;
}

export const PARALLEL_HEADER = ['threads', 'syncs/s (all threads)', 'speed-up', 'p50', 'p99', 'p99.9'] as const;

/** How to read a speed-up from the fewest to the most threads. */
export function readScaling(speedup: number, from: number, to: number): string {
  const how =
    speedup >= 2
      ? 'concurrent syncs overlap here'
      : speedup >= 1.25
        ? 'concurrent syncs overlap partly'
        : 'concurrent syncs serialize here: one stream of syncs is as fast';
  return `${from} → ${to} threads: ×${sig(speedup)} the syncs/s of ${from === 1 ? 'one thread' : `${from} threads`} (${how})`;
}

/** One table per target × sync-parallelism group, threads ascending; empty without such results. */
export function parallelTables(report: ProbeReport): ParallelTable[] {
  const out: ParallelTable[] = [];
  const parallel = report.results.filter((r) => r.method.threads !== undefined);
  const severalSizes = report.settings.blockBytes.length > 1;
  for (const target of report.settings.targets) {
    const groups = [...new Set(parallel.filter((r) => r.target === target).map((r) => `${r.method.group}\u0000${r.method.blockBytes}`))];
    for (const g of groups) {
      const [group, bytes] = g.split('\u0000') as [string, string];
      const rs = parallel
        .filter((r) => r.target === target && r.method.group === group && String(r.method.blockBytes) === bytes)
        .sort((a, b) => a.method.threads! - b.method.threads!);
      const done = rs.filter((r): r is Completed => r.state === 'completed');
      const base = done[0];
      const rows: string[][] = [[...PARALLEL_HEADER]];
      for (const r of rs) {
        if (r.state !== 'completed') {
          rows.push([String(r.method.threads), r.state, '—', '—', '—', '—']);
          continue;
        }
        const m = r.metrics;
        rows.push([
          String(r.method.threads),
          formatRate(m.opsPerSec),
          base && base.metrics.opsPerSec > 0 ? `×${sig(m.opsPerSec / base.metrics.opsPerSec)}` : '—',
          formatNs(m.latency.p50Ns),
          formatNs(m.latency.p99Ns),
          formatNs(m.latency.p999Ns),
        ]);
      }
      const last = done[done.length - 1];
      const reading =
        base && last && last !== base && base.metrics.opsPerSec > 0
          ? readScaling(last.metrics.opsPerSec / base.metrics.opsPerSec, base.method.threads!, last.method.threads!)
          : 'one thread count only: nothing to compare';
      out.push({ target, group: severalSizes ? `${group} (${bytes} B writes)` : group, rows, reading });
    }
  }
  return out;
}

export const PARALLEL_LEGEND =
  'Sync parallelism: K threads each write a block and fdatasync it, all at once; syncs/s is every thread’s operations over the measured wall time, speed-up is against the fewest threads, latency is one write + fdatasync. Where the “one file” rate climbs, the shared log’s --mode pipelined --sync-parallelism K can beat a single sync leader.';
