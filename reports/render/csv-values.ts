/**
 * How numbers are written in every CSV durabench produces, so fleet CSVs concatenate and diff
 * cleanly: latencies as whole nanoseconds (HDR keeps 3 significant digits; fractions of a ns are
 * noise), rates to 3 significant digits and whole numbers from 100 up (run-to-run noise is above
 * 0.5 %), ratios to 4 significant digits (1/16 = 0.0625 exactly), milliseconds to the µs (3
 * decimals), counts as integers, unbounded as `inf`. And the columns that say where a row was
 * measured: host, run id, target, its filesystem and mount options. Pure.
 */
import type { MetricUnit } from '../../model/metrics.js';
import type { HostInfo } from '../../model/provenance.js';

export type CsvCell = string | number | null;

/** Units a CSV column can hold: the metric catalogue's, and a percentage. */
export type CsvUnit = MetricUnit | 'ops/s' | 'percent';

/** 3 significant digits, but never fewer than the integer digits (297.427 → 297, 5.4321 → 5.43). */
function rate(v: number): number {
  return Math.abs(v) >= 100 ? Math.round(v) : Number(v.toPrecision(3));
}

/** A number rounded to the precision its unit carries; `inf` for unbounded. */
export function csvNumber(unit: CsvUnit, v: number | null | undefined): CsvCell {
  if (v === null || v === undefined || Number.isNaN(v)) return null;
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  switch (unit) {
    case 'ns':
    case 'count':
      return Math.round(v);
    case 'commits':
      return Number.isInteger(v) ? v : Number(v.toFixed(1));
    case 'commits/s':
    case 'ops/s':
    case 'bytes/s':
      return rate(v);
    case 'ratio':
      return v === 0 ? 0 : Number(v.toPrecision(4));
    case 'ms':
      return Number(v.toFixed(3));
    case 'percent':
      return Number(v.toFixed(2));
  }
}

/** The provenance columns every CSV row starts with. */
export const WHERE_COLUMNS = ['host', 'run_id'] as const;
/** The columns that describe a row's target directory. */
export const TARGET_COLUMNS = ['target', 'filesystem', 'mount_options'] as const;

/** `host`, `run_id` of a report (run id empty for reports written before it was recorded). */
export function whereCells(report: { host: HostInfo; runId?: string }): CsvCell[] {
  return [report.host.hostname, report.runId ?? null];
}

/** `target`, `filesystem`, `mount_options` of one target directory, from the report's provenance. */
export function targetCells(host: HostInfo, target: string): CsvCell[] {
  const t = host.targets.find((x) => x.dir === target);
  return [target, t?.fsType.value ?? null, t?.mountOptions.value ?? null];
}
