/**
 * The one number every view shows and every decision uses for a metric of a case — the console,
 * Markdown, CSV and HTML case tables, compare, gate, tune and the CI exports all read it here:
 *
 * - with repeats (`--repeat N`, or reports pooled by `merge`): the median of the repeats' values,
 *   with its 95 % interval when there are enough repeats (analysis/repeat-stats.ts);
 * - otherwise: the value of the one run — for latency percentiles the percentile of the histogram
 *   merged over the case's writers.
 *
 * The statistic travels with the value, so a view can name it ("median of 5 repeats", "one run").
 * Pure.
 */
import type { MetricDef } from '../model/metrics.js';
import type { CompletedCase } from '../model/run-report.js';
import { noIntervalReason } from './repeat-stats.js';

export type Statistic =
  | {
      readonly kind: 'median-of-repeats';
      readonly repeats: number;
      /** Each repeat's value (what rank tests compare). */
      readonly values: readonly number[];
      /** The 95 % interval of the median, or null (then `ciReason`). */
      readonly ciLow: number | null;
      readonly ciHigh: number | null;
      readonly ciCoverage: number | null;
      readonly ciReason: string | null;
    }
  | { readonly kind: 'one-run' };

export interface MetricValue {
  /** null: not measured (no syncs, no crash trials); Infinity: unbounded. */
  readonly value: number | null;
  readonly statistic: Statistic;
}

const ONE_RUN: Statistic = { kind: 'one-run' };

/** The value of metric `m` for case `c`, and how it was obtained. */
export function metricValue(c: CompletedCase | undefined, m: MetricDef): MetricValue {
  if (!c) return { value: null, statistic: ONE_RUN };
  const count = c.repeats?.count ?? 1;
  const r = c.repeats?.metrics[m.id];
  if (r && count >= 2) {
    const hasCi = r.ciLow !== undefined && r.ciHigh !== undefined;
    return {
      value: r.median,
      statistic: {
        kind: 'median-of-repeats',
        repeats: count,
        values: r.values,
        ciLow: hasCi ? r.ciLow! : null,
        ciHigh: hasCi ? r.ciHigh! : null,
        ciCoverage: hasCi ? (r.ciCoverage ?? null) : null,
        ciReason: hasCi ? null : (r.ciReason ?? noIntervalReason(r.values.length)),
      },
    };
  }
  return { value: m.read(c), statistic: ONE_RUN };
}

/** The repeats' values behind a value (one value for a single run). */
export function sampleOf(v: MetricValue): readonly number[] {
  if (v.statistic.kind === 'median-of-repeats') return v.statistic.values;
  return v.value === null || !Number.isFinite(v.value) ? [] : [v.value];
}

/** The interval of a value, when it has one. */
export function intervalOf(v: MetricValue): { low: number; high: number } | null {
  const s = v.statistic;
  return s.kind === 'median-of-repeats' && s.ciLow !== null && s.ciHigh !== null ? { low: s.ciLow, high: s.ciHigh } : null;
}

/** `median of 5 repeats` or `one run`. */
export function statisticName(s: Statistic): string {
  return s.kind === 'median-of-repeats' ? `median of ${s.repeats} repeats` : 'one run';
}

/** How the figures of a set of cases were obtained, for a table caption: one phrase, or per-case when they differ. */
export function statisticCaption(cases: readonly CompletedCase[]): string {
  const counts = [...new Set(cases.map((c) => (c.repeats && c.repeats.count >= 2 ? c.repeats.count : 1)))].sort((a, b) => a - b);
  const one = 'the value of one run (latency percentiles: of the histogram merged over the writers)';
  if (counts.length === 0) return '';
  if (counts.length === 1)
    return counts[0] === 1
      ? `Each figure is ${one}.`
      : `Each figure is the median of ${counts[0]} repeats (each repeat's value and the 95 % interval: Repeats).`;
  return `Each figure is the median of the case's repeats (column "repeats"), or ${one} where it ran once.`;
}
