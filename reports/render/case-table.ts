/**
 * The case table every view of a run report shares (console, Markdown, HTML): one row per case. Pure.
 */
import { engineLabel, shareOf, type CaseKey } from '../../model/case.js';
import { batchAck } from '../../model/durability.js';
import type { CaseResult, CompletedCase, RunReport } from '../../model/run-report.js';
import { formatBytes, formatNs, formatRate, sig } from '../../model/units.js';
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

/** Declared exposure in one cell: "0" in sync mode, "≤ 31 commits, p99 2.1 ms", "unbounded". */
export function exposureCell(c: CompletedCase): string {
  const e = c.metrics.exposure;
  if (e.unbounded) return `unbounded (${e.maxCommits} acked unsynced)`;
  if (e.maxCommits === 0) return '0';
  return `≤ ${e.maxCommits} commits, p99 ${formatNs(e.p99Ns)}`;
}

function engineCell(c: CaseResult): string {
  return c.key.fault ? `${engineLabel(c.key.engine)} +${c.key.fault}` : engineLabel(c.key.engine);
}

export function caseRow(c: CaseResult, showTarget: boolean): string[] {
  const head = [engineCell(c), c.key.mode, settingCell(c.key), writersCell(c.key), formatBytes(c.key.valueBytes)];
  const tail = showTarget ? [c.key.target] : [];
  if (c.state !== 'completed') {
    const blank = CASE_TABLE_HEADER.slice(head.length).map(() => '');
    blank[blank.length - 1] = `${c.state.toUpperCase()}: ${c.reason}`;
    return [...head, ...blank, ...tail];
  }
  const m = c.metrics;
  const hasSyncs = m.syncLatency.count > 0;
  return [
    ...head,
    formatRate(m.commitsPerSec),
    formatNs(m.commitLatency.p50Ns),
    formatNs(m.commitLatency.p99Ns),
    formatNs(m.commitLatency.p999Ns),
    hasSyncs ? formatNs(m.syncLatency.p50Ns) : '—',
    hasSyncs ? formatNs(m.syncLatency.p99Ns) : '—',
    sig(m.syncsPerCommit),
    exposureCell(c),
    ...tail,
  ];
}

/** Header + one row per case; a target column appears when the report has several targets. */
export function caseTable(report: RunReport): string[][] {
  const showTarget = new Set(report.cases.map((c) => c.key.target)).size > 1;
  const header: string[] = [...CASE_TABLE_HEADER, ...(showTarget ? ['target'] : [])];
  // Measured loss beside the latency figures when `run --crash` ran trials.
  if (report.cases.some((c) => c.state === 'completed' && c.crash)) {
    return [[...header, ...CRASH_CELL_HEADER], ...report.cases.map((c) => [...caseRow(c, showTarget), ...crashCells(c.state === 'completed' ? c.crash : undefined)])];
  }
  return [header, ...report.cases.map((c) => caseRow(c, showTarget))];
}
