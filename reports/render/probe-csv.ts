/**
 * The probe's CSV: one row per target × method — host, run id, the target with its filesystem and
 * mount options — flat columns with units in their names, numbers rounded to their precision
 * (csv-values.ts). Pure.
 */
import { stringify } from 'csv-stringify/sync';
import type { ProbeReport, ProbeResult } from '../../model/probe-report.js';
import { csvNumber, targetCells, TARGET_COLUMNS, WHERE_COLUMNS, whereCells, type CsvCell } from './csv-values.js';

type Cell = CsvCell;

const COLUMNS: readonly [string, (r: ProbeResult) => Cell][] = [
  ['group', (r) => r.method.group],
  ['method', (r) => r.method.id],
  ['block_bytes', (r) => r.method.blockBytes],
  ['bytes_per_op', (r) => r.method.bytesPerOp],
  ['writes_per_op', (r) => r.method.writesPerOp],
  ['syncs_per_op', (r) => r.method.syncsPerOp],
  ['state', (r) => r.state],
  ['reason', (r) => (r.state === 'completed' ? null : r.reason)],
  ['code', (r) => (r.state === 'completed' ? null : r.code)],
  ['samples', (r) => (r.state === 'completed' ? r.metrics.samples : null)],
  ['ops_per_sec', (r) => (r.state === 'completed' ? csvNumber('ops/s', r.metrics.opsPerSec) : null)],
  ['rme_percent', (r) => (r.state === 'completed' ? csvNumber('percent', r.metrics.rmePercent) : null)],
  ['min_ns', (r) => (r.state === 'completed' ? csvNumber('ns', r.metrics.latency.minNs) : null)],
  ['mean_ns', (r) => (r.state === 'completed' ? csvNumber('ns', r.metrics.latency.meanNs) : null)],
  ['p50_ns', (r) => (r.state === 'completed' ? csvNumber('ns', r.metrics.latency.p50Ns) : null)],
  ['p90_ns', (r) => (r.state === 'completed' ? csvNumber('ns', r.metrics.latency.p90Ns) : null)],
  ['p99_ns', (r) => (r.state === 'completed' ? csvNumber('ns', r.metrics.latency.p99Ns) : null)],
  ['p999_ns', (r) => (r.state === 'completed' ? csvNumber('ns', r.metrics.latency.p999Ns) : null)],
  ['max_ns', (r) => (r.state === 'completed' ? csvNumber('ns', r.metrics.latency.maxNs) : null)],
];

export function renderProbeCsv(report: ProbeReport): string {
  const where = whereCells(report);
  return stringify(
    report.results.map((r) => [...where, ...targetCells(report.host, r.target), ...COLUMNS.map(([, get]) => get(r))]),
    { header: true, columns: [...WHERE_COLUMNS, ...TARGET_COLUMNS, ...COLUMNS.map(([name]) => name)] },
  );
}
