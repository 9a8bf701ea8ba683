/**
 * The case table every view of a run report shares (console, Markdown, HTML): one row per case.
 * Every figure is the one compare, gate, tune and the exports use (analysis/metric-value.ts): the
 * median of the repeats when the case ran several, else the value of one run; `caseTableCaption`
 * says which. Pure.
 */
import { metricValue, statisticCaption } from '../../analysis/metric-value.js';
import { targetLabel } from '../../analysis/lineup.js';
import { engineLabel, shareOf, type CaseKey } from '../../model/case.js';
import { batchAck } from '../../model/durability.js';
import { findMetric } from '../../model/metrics.js';
import type { CaseResult, CompletedCase, RunReport } from '../../model/run-report.js';
import { formatBytes, formatNs, formatRate, plural, sig } from '../../model/units.js';
import { CRASH_CELL_HEADER, crashCells } from './crash-table.js';

export const CASE_TABLE_HEADER = [
  'engine',
  'mode',
  'setting',
  'writers',
  'value',
  'commits/s',
  'commit p50',
  'commit p99',
  'commit p99.9',
  'sync p50',
  'sync p99',
  'syncs/commit',
  'exposure',
] as const;

/** The mode's settings: `16`, `16 / 5 ms`, `16 durable` (acked after its sync), `100 µs ≥ 5`, `K=4`, `—`. */
export function settingCell(k: CaseKey): string {
  switch (k.mode) {
    case 'batch':
      return `${k.batchSize}${k.batchMs !== null ? ` / ${k.batchMs} ms` : ''}${batchAck(k) === 'after-sync' ? ' durable' : ''}`;
    case 'delay':
      return `${k.commitDelayUs} µs ≥ ${k.commitSiblings}`;
    case 'pipelined':
      return `K=${k.syncParallelism}`;
    default:
      return '—';
  }
}

/** `8`, or `8 (log)` when the writers share one log. */
export function writersCell(k: CaseKey): string {
  return shareOf(k) === 'log' ? `${k.writers} (log)` : String(k.writers);
}

const value = (c: CompletedCase, id: string): number | null => metricValue(c, findMetric(id)!).value;

/** Declared exposure in one cell: "0" in sync mode, "≤ 31 commits, p99 2.1 ms", "unbounded". */
export function exposureCell(c: CompletedCase): string {
  const e = c.metrics.exposure;
  if (e.unbounded) return `unbounded (${e.maxCommits} acked unsynced)`;
  const peak = value(c, 'exposure_max_commits') ?? e.maxCommits;
  if (peak === 0) return '0';
  // A median of repeats may fall between two counts: 3 significant digits then, plural either way.
  return `≤ ${Number.isInteger(peak) ? plural(peak, 'commit') : `${sig(peak)} commits`}, p99 ${formatNs(value(c, 'exposure_p99_ns'))}`;
}

function repeatsOf(c: CaseResult): number {
  return c.state === 'completed' && c.repeats && c.repeats.count >= 2 ? c.repeats.count : 1;
}

function engineCell(c: CaseResult): string {
  return c.key.fault ? `${engineLabel(c.key.engine)} +${c.key.fault}` : engineLabel(c.key.engine);
}

/** Flushes the block device counted per measured commit: `2.00`, `≈2.95` on a shared disk, `—` when not measured. */
export function deviceFlushesCell(c: CaseResult): string {
  if (c.state !== 'completed' || c.device?.state !== 'measured') return '—';
  const v = value(c, 'device_flushes_per_commit');
  return v === null ? '—' : `${c.device.approximate ? '≈' : ''}${sig(v)}`;
}

/** Some case has device truth: the table shows its flushes/commit column. */
export function hasDeviceTruth(report: RunReport): boolean {
  return report.cases.some((c) => c.state === 'completed' && c.device?.state === 'measured');
}

export function caseRow(c: CaseResult, showTarget: boolean, report?: RunReport, showRepeats = false, showDevice = false): string[] {
  const head = [engineCell(c), c.key.mode, settingCell(c.key), writersCell(c.key), formatBytes(c.key.valueBytes)];
  const tail = [...(showDevice ? [deviceFlushesCell(c)] : []), ...(showTarget ? [report ? targetLabel(report, c.key.target) : c.key.target] : []), ...(showRepeats ? [String(repeatsOf(c))] : [])];
  if (c.state !== 'completed') {
    const blank = CASE_TABLE_HEADER.slice(head.length).map(() => '');
    blank[blank.length - 1] = `${c.state.toUpperCase()}: ${c.reason}`;
    return [...head, ...blank, ...tail];
  }
  const hasSyncs = c.metrics.syncLatency.count > 0;
  return [
    ...head,
    formatRate(value(c, 'commits_per_sec')),
    formatNs(value(c, 'commit_p50_ns')),
    formatNs(value(c, 'commit_p99_ns')),
    formatNs(value(c, 'commit_p999_ns')),
    hasSyncs ? formatNs(value(c, 'sync_p50_ns')) : '—',
    hasSyncs ? formatNs(value(c, 'sync_p99_ns')) : '—',
    sig(value(c, 'syncs_per_commit') ?? c.metrics.syncsPerCommit),
    exposureCell(c),
    ...tail,
  ];
}

/**
 * Header + one row per case; a target column appears when the report has several targets, a repeats
 * column when cases repeated. `crash: false` leaves the measured-loss cells out (the HTML report,
 * whose crash lab section has them, keeps its case table inside 1280 px).
 */
export function caseTable(report: RunReport, opts: { crash: boolean } = { crash: true }): string[][] {
  const showTarget = new Set(report.cases.map((c) => c.key.target)).size > 1;
  const showRepeats = report.cases.some((c) => repeatsOf(c) > 1);
  const showDevice = hasDeviceTruth(report);
  const header: string[] = [...CASE_TABLE_HEADER, ...(showDevice ? ['flushes/commit'] : []), ...(showTarget ? [report.suite.filesystems ? 'filesystem' : 'target'] : []), ...(showRepeats ? ['repeats'] : [])];
  // Measured loss beside the latency figures when `run --crash` ran trials.
  if (opts.crash && report.cases.some((c) => c.state === 'completed' && c.crash)) {
    return [[...header, ...CRASH_CELL_HEADER], ...report.cases.map((c) => [...caseRow(c, showTarget, report, showRepeats, showDevice), ...crashCells(c.state === 'completed' ? c.crash : undefined)])];
  }
  return [header, ...report.cases.map((c) => caseRow(c, showTarget, report, showRepeats, showDevice))];
}

/** What the figures of the case table are: "Each figure is the median of 5 repeats …" or "… one run …". */
export function caseTableCaption(report: RunReport): string {
  return statisticCaption(report.cases.filter((c): c is CompletedCase => c.state === 'completed'));
}
