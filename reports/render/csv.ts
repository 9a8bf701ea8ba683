/**
 * CSV: one row per case, flat columns with units in their names (for spreadsheets and scripts).
 * Pure.
 */
import { stringify } from 'csv-stringify/sync';
import type { CaseMetrics, CaseResult, RunReport } from '../schema.js';
import { CRASH_CSV_COLUMNS } from './crash-table.js';

type Cell = string | number | null;

const COLUMNS: readonly [string, (c: CaseResult, m: CaseMetrics | null) => Cell][] = [
  ['id', (c) => c.id],
  ['state', (c) => c.state],
  ['engine', (c) => c.key.engine],
  ['fault', (c) => c.key.fault],
  ['mode', (c) => c.key.mode],
  ['batch_size', (c) => c.key.batchSize],
  ['batch_ms', (c) => c.key.batchMs],
  ['writers', (c) => c.key.writers],
  ['value_bytes', (c) => c.key.valueBytes],
  ['workload', (c) => c.key.workload],
  ['target', (c) => c.key.target],
  ['commits', (_, m) => m?.commits ?? null],
  ['duration_ns', (_, m) => m?.durationNs ?? null],
  ['commits_per_sec', (_, m) => m?.commitsPerSec ?? null],
  ['bytes_per_sec', (_, m) => m?.bytesPerSec ?? null],
  ['syncs', (_, m) => m?.syncs ?? null],
  ['syncs_per_commit', (_, m) => m?.syncsPerCommit ?? null],
  ['commit_min_ns', (_, m) => m?.commitLatency.minNs ?? null],
  ['commit_mean_ns', (_, m) => m?.commitLatency.meanNs ?? null],
  ['commit_p50_ns', (_, m) => m?.commitLatency.p50Ns ?? null],
  ['commit_p90_ns', (_, m) => m?.commitLatency.p90Ns ?? null],
  ['commit_p99_ns', (_, m) => m?.commitLatency.p99Ns ?? null],
  ['commit_p999_ns', (_, m) => m?.commitLatency.p999Ns ?? null],
  ['commit_max_ns', (_, m) => m?.commitLatency.maxNs ?? null],
  ['sync_count', (_, m) => m?.syncLatency.count ?? null],
  ['sync_p50_ns', (_, m) => m?.syncLatency.p50Ns ?? null],
  ['sync_p99_ns', (_, m) => m?.syncLatency.p99Ns ?? null],
  ['sync_p999_ns', (_, m) => m?.syncLatency.p999Ns ?? null],
  ['sync_max_ns', (_, m) => m?.syncLatency.maxNs ?? null],
  ['commits_per_sync_mean', (_, m) => m?.commitsPerSync?.mean ?? null],
  ['exposure_unbounded', (_, m) => (m ? String(m.exposure.unbounded) : null)],
  ['exposure_max_commits', (_, m) => m?.exposure.maxCommits ?? null],
  ['exposure_p99_ns', (_, m) => m?.exposure.p99Ns ?? null],
  ['exposure_max_ns', (_, m) => m?.exposure.maxNs ?? null],
  ['reason', (c) => (c.state === 'completed' ? null : c.reason)],
];

export function renderCsv(report: RunReport): string {
  // crash lab (issue 4): measured-loss columns when `run --crash` ran trials
  const crashCols = report.cases.some((c) => c.state === 'completed' && c.crash) ? CRASH_CSV_COLUMNS : [];
  const rows = report.cases.map((c) => {
    const m = c.state === 'completed' ? c.metrics : c.state === 'errored' ? c.partialMetrics : null;
    const crash = c.state === 'completed' ? c.crash : undefined;
    return [...COLUMNS.map(([, get]) => get(c, m)), ...crashCols.map(([, get]) => get(crash))];
  });
  return stringify(rows, { header: true, columns: [...COLUMNS, ...crashCols].map(([h]) => h), cast: { boolean: String } });
}
