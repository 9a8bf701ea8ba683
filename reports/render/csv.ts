/**
 * CSV of a run report: one row per case — where it ran (host, run id), the key columns with the
 * target's filesystem and mount options, then one column per metric of the catalogue
 * (model/metrics.ts) under its id (units in the name), so the CSV, the gate rules and the exports
 * speak of the same metrics by the same names. Numbers are rounded to their unit's precision
 * (csv-values.ts). Loss columns appear when crash trials ran. Pure.
 */
import { stringify } from 'csv-stringify/sync';
import { verdictText } from '../../analysis/crash-verdict.js';
import { METRICS } from '../../model/metrics.js';
import type { CaseResult, RunReport } from '../../model/run-report.js';
import { csvNumber, targetCells, TARGET_COLUMNS, WHERE_COLUMNS, whereCells, type CsvCell } from './csv-values.js';

const KEY_COLUMNS: readonly [string, (c: CaseResult) => CsvCell][] = [
  ['id', (c) => c.id],
  ['state', (c) => c.state],
  ['engine', (c) => c.key.engine],
  ['fault', (c) => c.key.fault],
  ['mode', (c) => c.key.mode],
  ['batch_size', (c) => (c.key.mode === 'batch' ? c.key.batchSize : null)],
  ['batch_ms', (c) => (c.key.mode === 'batch' ? c.key.batchMs : null)],
  ['writers', (c) => c.key.writers],
  ['value_bytes', (c) => c.key.valueBytes],
  ['workload', (c) => c.key.workload],
];

export function renderCsv(report: RunReport): string {
  const withCrash = report.cases.some((c) => c.state === 'completed' && c.crash);
  const metrics = METRICS.filter((m) => m.kind !== 'loss' || withCrash);
  const header = [
    ...WHERE_COLUMNS,
    ...KEY_COLUMNS.map(([h]) => h),
    ...TARGET_COLUMNS,
    ...metrics.map((m) => m.id),
    'exposure_unbounded',
    ...(withCrash ? ['crash_kind', 'crash_filesystem', 'crash_verdict'] : []),
    'reason',
  ];
  const where = whereCells(report);
  const rows = report.cases.map((c) => {
    const measured = c.state === 'completed' ? c : c.state === 'errored' && c.partialMetrics ? { metrics: c.partialMetrics } : null;
    const crash = c.state === 'completed' ? c.crash : undefined;
    return [
      ...where,
      ...KEY_COLUMNS.map(([, get]) => get(c)),
      ...targetCells(report.host, c.key.target),
      ...metrics.map((m) => (measured ? csvNumber(m.unit, m.read(measured)) : null)),
      measured ? String(measured.metrics.exposure.unbounded) : null,
      ...(withCrash ? [crash?.setting.kind ?? null, crash?.setting.filesystem ?? null, crash ? verdictText(crash.verdict) : null] : []),
      c.state === 'completed' ? null : c.reason,
    ];
  });
  return stringify(rows, { header: true, columns: header });
}
