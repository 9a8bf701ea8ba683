/**
 * Throughput against writer count: when a run has several writer counts of one setting
 * (`--writers 1,2,4,8,16,32`), one curve per setting — commits/s and the speed-up over the
 * fewest writers, commit latency, syncs per commit, the group sizes as they happened (commits per
 * sync) and, on a shared log, how long the sync leader waited. Pure.
 */
import { metricValue } from '../../analysis/metric-value.js';
import { engineLabel, shareOf } from '../../model/case.js';
import { durabilityId, durabilityLabel } from '../../model/durability.js';
import { findMetric } from '../../model/metrics.js';
import type { CompletedCase, RunReport } from '../../model/run-report.js';
import { formatNs, formatRate, sig } from '../../model/units.js';
import { chart, heading, paragraph, table, type Block } from '../document/model.js';
import { curveChart } from './charts.js';

export interface ScalingSeries {
  /** Stable key: every part of the case key but the writer count. */
  readonly key: string;
  /** For people: `wal sync, shared log`. */
  readonly label: string;
  /** Cases by writer count, ascending. */
  readonly cases: readonly CompletedCase[];
}

/** The settings that ran with two or more writer counts, in report order. */
export function scalingSeries(report: RunReport): ScalingSeries[] {
  const several = new Set(report.cases.map((c) => c.key.target)).size > 1;
  const byKey = new Map<string, { label: string; cases: CompletedCase[] }>();
  for (const c of report.cases) {
    if (c.state !== 'completed') continue;
    const k = c.key;
    const engine = k.fault ? `${k.engine}+${k.fault}` : k.engine;
    const key = `${engine}/${durabilityId(k)}/${shareOf(k)}/v${k.valueBytes}/${k.workload}/${k.target}`;
    const label = [
      `${engineLabel(k.engine)}${k.fault ? ` +${k.fault}` : ''} ${durabilityLabel(k)}`,
      shareOf(k) === 'log' ? 'shared log' : 'per writer',
      ...(report.suite.valueBytes.length > 1 ? [`${k.valueBytes} B`] : []),
      ...(report.suite.workloads.length > 1 ? [k.workload] : []),
      ...(several ? [k.target] : []),
    ].join(', ');
    const entry = byKey.get(key) ?? { label, cases: [] };
    entry.cases.push(c);
    byKey.set(key, entry);
  }
  return [...byKey.entries()]
    .map(([key, e]) => ({ key, label: e.label, cases: [...e.cases].sort((a, b) => a.key.writers - b.key.writers) }))
    .filter((s) => new Set(s.cases.map((c) => c.key.writers)).size > 1);
}

export const SCALING_HEADER = [
  'writers',
  'commits/s',
  'speed-up',
  'commit p50',
  'commit p99',
  'syncs/commit',
  'commits/sync',
  'leader wait p99',
] as const;

// The figure every view shows (analysis/metric-value.ts): the median of the repeats, else the one run's value.
const value = (c: CompletedCase, id: string): number | null => metricValue(c, findMetric(id)!).value;

/** One row per writer count; the speed-up is against the series' fewest writers. */
export function scalingRows(s: ScalingSeries): string[][] {
  const base = value(s.cases[0]!, 'commits_per_sec') ?? 0;
  return [
    [...SCALING_HEADER],
    ...s.cases.map((c) => {
      const m = c.metrics;
      const cps = m.commitsPerSync;
      const rate = value(c, 'commits_per_sec');
      const perSync = value(c, 'commits_per_sync_mean');
      return [
        String(c.key.writers),
        formatRate(rate),
        base > 0 && rate !== null ? `×${sig(rate / base)}` : '—',
        formatNs(value(c, 'commit_p50_ns')),
        formatNs(value(c, 'commit_p99_ns')),
        m.syncs > 0 ? sig(value(c, 'syncs_per_commit') ?? m.syncsPerCommit) : '0',
        cps && cps.count > 0 && perSync !== null ? `${sig(perSync)} (max ${cps.max})` : '—',
        m.leaderWaitLatency ? formatNs(value(c, 'leader_wait_p99_ns')) : '—',
      ];
    }),
  ];
}

const LEGEND =
  'speed-up: commits/s over the same setting with the fewest writers. commits/sync: the group sizes as they happened (on a shared log, every writer’s commits one sync covered; per writer, one writer’s). leader wait: per sync, how long its leader waited before issuing it (commit_delay, filling a batch, a record below still being written).';

/** The section of a run report; empty when no setting ran with several writer counts. */
export function scalingBlocks(report: RunReport, opts: { charts: boolean }): Block[] {
  const series = scalingSeries(report);
  if (series.length === 0) return [];
  const blocks: Block[] = [heading(2, 'Throughput against writers')];
  if (opts.charts) {
    const lines = (f: (c: CompletedCase) => number) =>
      series.map((s) => ({ name: s.label, points: s.cases.map((c): [number, number] => [c.key.writers, f(c)]) }));
    blocks.push(
      chart(
        curveChart(
          'commits/s against writers',
          lines((c) => value(c, 'commits_per_sec') ?? 0),
          'rate',
        ),
        'One line per setting; x: concurrent writers (log scale).',
      ),
      chart(
        curveChart(
          'commit p99 against writers',
          lines((c) => value(c, 'commit_p99_ns') ?? 0),
          'ns',
        ),
        'Commit latency p99 of the same cases (log scale).',
      ),
    );
  }
  for (const s of series) blocks.push(paragraph(`**${s.label}**`), table(scalingRows(s)));
  blocks.push(paragraph(LEGEND, 'muted'));
  return blocks;
}

/** The console's compact form: one table per setting. */
export function scalingConsoleBlocks(report: RunReport): Block[] {
  return scalingSeries(report).flatMap((s) => [paragraph(`${s.label}:`), table(scalingRows(s))]);
}
