/**
 * CSV of a run report: one row per case — where it ran (host, run id), the key columns with the
 * target's filesystem and mount options, then one column per metric of the catalogue
 * (model/metrics.ts) under its id (units in the name), so the CSV, the gate rules and the exports
 * speak of the same metrics by the same names — and hold the same numbers: with repeats the median
 * of the repeats (column `statistic`, and the 95 % interval of each headline metric in
 * `<id>_ci_low`/`<id>_ci_high`), else the value of one run. Numbers are rounded to their unit's
 * precision (csv-values.ts). Loss columns appear when crash trials ran. Pure.
 */
import { stringify } from 'csv-stringify/sync';
import { verdictText } from '../../analysis/crash-verdict.js';
import { intervalOf, metricValue } from '../../analysis/metric-value.js';
import { shareOf } from '../../model/case.js';
import { batchAck } from '../../model/durability.js';
import { HEADLINE_METRICS, METRICS } from '../../model/metrics.js';
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
  ['ack', (c) => (c.key.mode === 'batch' ? batchAck(c.key) : null)],
  ['commit_delay_us', (c) => (c.key.mode === 'delay' ? c.key.commitDelayUs : null)],
  ['commit_siblings', (c) => (c.key.mode === 'delay' ? c.key.commitSiblings : null)],
  ['sync_parallelism', (c) => (c.key.mode === 'pipelined' ? c.key.syncParallelism : null)],
  ['writers', (c) => c.key.writers],
  // `log`: every writer on one shared log (group commit); `none`: each writer its own engine instance.
  ['share', (c) => shareOf(c.key)],
  ['value_bytes', (c) => c.key.valueBytes],
  ['workload', (c) => c.key.workload],
];

export function renderCsv(report: RunReport): string {
  const withCrash = report.cases.some((c) => c.state === 'completed' && c.crash);
  const metrics = METRICS.filter((m) => m.kind !== 'loss' || withCrash);
  const withRepeats = report.cases.some((c) => c.state === 'completed' && (c.repeats?.count ?? 1) >= 2);
  const ciColumns = withRepeats ? HEADLINE_METRICS.flatMap((m) => [`${m.id}_ci_low`, `${m.id}_ci_high`]) : [];
  const header = [
    ...WHERE_COLUMNS,
    ...KEY_COLUMNS.map(([h]) => h),
    ...TARGET_COLUMNS,
    'statistic',
    'repeats',
    ...metrics.map((m) => m.id),
    ...ciColumns,
    'exposure_unbounded',
    ...(withCrash ? ['crash_kind', 'crash_filesystem', 'crash_verdict'] : []),
    // The device the device_* columns were read from, and whether other I/O on it counted too.
    'device',
    'approximate',
    'reason',
  ];
  const where = whereCells(report);
  const rows = report.cases.map((c) => {
    const measured = c.state === 'completed' ? c : c.state === 'errored' && c.partialMetrics ? { metrics: c.partialMetrics } : null;
    const crash = c.state === 'completed' ? c.crash : undefined;
    const repeats = c.state === 'completed' && (c.repeats?.count ?? 1) >= 2 ? c.repeats!.count : 1;
    const valueOf = (m: (typeof METRICS)[number]): CsvCell => csvNumber(m.unit, c.state === 'completed' ? metricValue(c, m).value : measured ? m.read(measured) : null);
    return [
      ...where,
      ...KEY_COLUMNS.map(([, get]) => get(c)),
      ...targetCells(report.host, c.key.target),
      measured ? (repeats > 1 ? 'median-of-repeats' : c.state === 'completed' ? 'one-run' : 'partial') : null,
      measured ? repeats : null,
      ...metrics.map(valueOf),
      ...(withRepeats
        ? HEADLINE_METRICS.flatMap((m) => {
            const ci = c.state === 'completed' ? intervalOf(metricValue(c, m)) : null;
            return [csvNumber(m.unit, ci?.low), csvNumber(m.unit, ci?.high)];
          })
        : []),
      measured ? String(measured.metrics.exposure.unbounded) : null,
      ...(withCrash ? [crash?.setting.kind ?? null, crash?.setting.filesystem ?? null, crash ? verdictText(crash.verdict) : null] : []),
      c.state === 'completed' && c.device?.state === 'measured' ? c.device.device : null,
      c.state === 'completed' && c.device?.state === 'measured' ? String(c.device.approximate) : null,
      c.state === 'completed' ? null : c.reason,
    ];
  });
  return stringify(rows, { header: true, columns: header });
}
