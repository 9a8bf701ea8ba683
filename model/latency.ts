/**
 * Distributions in reports: latency summaries in nanoseconds (fio's percentile list, the encoded HDR
 * histogram kept so any report can be re-merged) and count summaries (commits per sync).
 */
import { Type, type Static } from '@sinclair/typebox';

/** fio's default percentile list (`--percentile_list`), used for every latency summary. */
export const FIO_PERCENTILES: readonly number[] = [1, 5, 10, 20, 30, 40, 50, 60, 70, 80, 90, 95, 99, 99.5, 99.9, 99.95, 99.99];

/** fio prints percentile keys with `%f`: 99 → "99.000000". */
export function fioPercentileKey(p: number): string {
  return p.toFixed(6);
}

const Ns = Type.Number({ minimum: 0 });

export const LatencySummary = Type.Object({
  count: Type.Integer({ minimum: 0 }),
  minNs: Ns,
  meanNs: Ns,
  stddevNs: Ns,
  maxNs: Ns,
  p50Ns: Ns,
  p90Ns: Ns,
  p99Ns: Ns,
  p999Ns: Ns,
  p9999Ns: Ns,
  /** fio-compatible percentile map: `{"1.000000": ns, ..., "99.990000": ns}`. */
  percentilesNs: Type.Record(Type.String(), Ns),
  /** Compressed base64 HDR V2 histogram (ns): re-mergeable across reports and hosts. */
  histogram: Type.String(),
});
export type LatencySummary = Static<typeof LatencySummary>;

/** Distribution of a count (commits per sync): plain counts, not nanoseconds. */
export const CountSummary = Type.Object({
  count: Type.Integer({ minimum: 0 }),
  min: Type.Number({ minimum: 0 }),
  mean: Type.Number({ minimum: 0 }),
  p50: Type.Number({ minimum: 0 }),
  p99: Type.Number({ minimum: 0 }),
  max: Type.Number({ minimum: 0 }),
  histogram: Type.String(),
});
export type CountSummary = Static<typeof CountSummary>;

/**
 * A histogram in transit or at rest: encoded buckets plus the exact extremes HDR cannot keep. The
 * values are nanoseconds for latencies and plain numbers for counts (see `EncodedCounts`).
 */
export interface EncodedHistogram {
  /** Compressed base64 HDR V2 histogram. */
  readonly histogram: string;
  readonly count: number;
  /** Exact smallest recorded value (0 when count is 0). */
  readonly min: number;
  /** Exact largest recorded value (0 when count is 0). */
  readonly max: number;
}
/** Latencies in nanoseconds. */
export type EncodedLatency = EncodedHistogram & { readonly unit: 'ns' };
/** Counts (commits per sync). */
export type EncodedCounts = EncodedHistogram & { readonly unit: 'count' };
