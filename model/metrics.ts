/**
 * The metrics that compare, gate, repeats and the CI exports talk about: one id each (units in the
 * id, like the CSV columns), which direction is better, and how to read it from a completed case.
 * Pure.
 */
import { lossMeasured } from './crash-report.js';
import type { CaseMetrics, CompletedCase } from './run-report.js';
import { formatNs, formatRate, sig } from './units.js';

export type MetricUnit = 'ns' | 'commits/s' | 'bytes/s' | 'commits' | 'ms' | 'ratio' | 'count';

export interface MetricDef {
  /** Stable id used in rule files, exports and `repeats.metrics` (e.g. `commit_p99_ns`). */
  readonly id: string;
  /** Short human label (e.g. `commit p99`). */
  readonly label: string;
  readonly unit: MetricUnit;
  /** Which direction is an improvement. */
  readonly better: 'lower' | 'higher';
  /** Headline metrics get repeat statistics, compare columns and CI exports. */
  readonly headline: boolean;
  /** Latency metrics can be normalised by the run's raw sync p50; throughput inversely. */
  readonly kind: 'latency' | 'throughput' | 'loss' | 'exposure' | 'other';
  /** The value, or null when the case did not measure it (no syncs, no crash trials). Infinity = unbounded. */
  read(c: Measured): number | null;
}

/** What a metric is read from: a completed case, or the metrics an errored case measured before it failed. */
export interface Measured {
  readonly metrics: CaseMetrics;
  readonly crash?: CompletedCase['crash'];
  readonly device?: CompletedCase['device'];
}

const syncs = (c: Measured): boolean => c.metrics.syncLatency.count > 0;
const crash = <T>(c: Measured, f: (x: NonNullable<CompletedCase['crash']>) => T): T | null => (c.crash ? f(c.crash) : null);
/** Loss figures exist only where a crash state was verified: nothing verified is not a loss of 0 (a gate rule then finds the metric not measured). */
const verified = <T>(c: Measured, f: (x: NonNullable<CompletedCase['crash']>) => T): T | null => (lossMeasured(c.crash) ? f(c.crash) : null);
/** Device truth figures exist only where the device's counters were read over the measured window. */
const device = (c: Measured, f: (d: Extract<NonNullable<CompletedCase['device']>, { state: 'measured' }>) => number | null): number | null => (c.device?.state === 'measured' ? f(c.device) : null);
const exposureNs = (c: Measured, v: number | null): number | null => (c.metrics.exposure.unbounded ? Infinity : v);

export const METRICS: readonly MetricDef[] = [
  { id: 'commits_per_sec', label: 'commits/s', unit: 'commits/s', better: 'higher', headline: true, kind: 'throughput', read: (c) => c.metrics.commitsPerSec },
  { id: 'commit_p50_ns', label: 'commit p50', unit: 'ns', better: 'lower', headline: true, kind: 'latency', read: (c) => c.metrics.commitLatency.p50Ns },
  { id: 'commit_p99_ns', label: 'commit p99', unit: 'ns', better: 'lower', headline: true, kind: 'latency', read: (c) => c.metrics.commitLatency.p99Ns },
  { id: 'commit_p999_ns', label: 'commit p99.9', unit: 'ns', better: 'lower', headline: true, kind: 'latency', read: (c) => c.metrics.commitLatency.p999Ns },
  { id: 'sync_p50_ns', label: 'sync p50', unit: 'ns', better: 'lower', headline: true, kind: 'latency', read: (c) => (syncs(c) ? c.metrics.syncLatency.p50Ns : null) },
  { id: 'sync_p99_ns', label: 'sync p99', unit: 'ns', better: 'lower', headline: true, kind: 'latency', read: (c) => (syncs(c) ? c.metrics.syncLatency.p99Ns : null) },
  { id: 'commits', label: 'commits', unit: 'count', better: 'higher', headline: false, kind: 'other', read: (c) => c.metrics.commits },
  { id: 'duration_ns', label: 'measured time', unit: 'ns', better: 'lower', headline: false, kind: 'other', read: (c) => c.metrics.durationNs },
  { id: 'bytes_per_sec', label: 'bytes/s', unit: 'bytes/s', better: 'higher', headline: false, kind: 'throughput', read: (c) => c.metrics.bytesPerSec },
  { id: 'syncs', label: 'syncs', unit: 'count', better: 'lower', headline: false, kind: 'other', read: (c) => c.metrics.syncs },
  { id: 'commit_min_ns', label: 'commit min', unit: 'ns', better: 'lower', headline: false, kind: 'latency', read: (c) => c.metrics.commitLatency.minNs },
  { id: 'commit_mean_ns', label: 'commit mean', unit: 'ns', better: 'lower', headline: false, kind: 'latency', read: (c) => c.metrics.commitLatency.meanNs },
  { id: 'commit_p90_ns', label: 'commit p90', unit: 'ns', better: 'lower', headline: false, kind: 'latency', read: (c) => c.metrics.commitLatency.p90Ns },
  { id: 'commit_p9999_ns', label: 'commit p99.99', unit: 'ns', better: 'lower', headline: false, kind: 'latency', read: (c) => c.metrics.commitLatency.p9999Ns },
  { id: 'commit_max_ns', label: 'commit max', unit: 'ns', better: 'lower', headline: false, kind: 'latency', read: (c) => c.metrics.commitLatency.maxNs },
  { id: 'sync_p999_ns', label: 'sync p99.9', unit: 'ns', better: 'lower', headline: false, kind: 'latency', read: (c) => (syncs(c) ? c.metrics.syncLatency.p999Ns : null) },
  { id: 'sync_max_ns', label: 'sync max', unit: 'ns', better: 'lower', headline: false, kind: 'latency', read: (c) => (syncs(c) ? c.metrics.syncLatency.maxNs : null) },
  { id: 'syncs_per_commit', label: 'syncs/commit', unit: 'ratio', better: 'lower', headline: false, kind: 'other', read: (c) => c.metrics.syncsPerCommit },
  { id: 'commits_per_sync_mean', label: 'commits/sync', unit: 'ratio', better: 'higher', headline: false, kind: 'other', read: (c) => c.metrics.commitsPerSync?.mean ?? null },
  { id: 'commits_per_sync_max', label: 'commits/sync max', unit: 'count', better: 'higher', headline: false, kind: 'other', read: (c) => c.metrics.commitsPerSync?.max ?? null },
  // What the block device counted (model/device.ts): flushes it was asked for and bytes written, per measured commit.
  { id: 'device_flushes_per_commit', label: 'flushes/commit', unit: 'ratio', better: 'lower', headline: false, kind: 'other', read: (c) => device(c, (d) => d.flushesPerCommit) },
  { id: 'device_bytes_per_committed_byte', label: 'device bytes/byte', unit: 'ratio', better: 'lower', headline: false, kind: 'other', read: (c) => device(c, (d) => d.bytesPerCommittedByte) },
  // Shared logs only: how long each sync's leader waited before issuing it.
  { id: 'leader_wait_p50_ns', label: 'leader wait p50', unit: 'ns', better: 'lower', headline: false, kind: 'latency', read: (c) => c.metrics.leaderWaitLatency?.p50Ns ?? null },
  { id: 'leader_wait_p99_ns', label: 'leader wait p99', unit: 'ns', better: 'lower', headline: false, kind: 'latency', read: (c) => c.metrics.leaderWaitLatency?.p99Ns ?? null },
  { id: 'exposure_max_commits', label: 'exposure peak', unit: 'commits', better: 'lower', headline: false, kind: 'exposure', read: (c) => (c.metrics.exposure.unbounded ? Infinity : c.metrics.exposure.maxCommits) },
  { id: 'exposure_p50_ns', label: 'exposure p50', unit: 'ns', better: 'lower', headline: false, kind: 'exposure', read: (c) => exposureNs(c, c.metrics.exposure.p50Ns) },
  { id: 'exposure_p99_ns', label: 'exposure p99', unit: 'ns', better: 'lower', headline: false, kind: 'exposure', read: (c) => exposureNs(c, c.metrics.exposure.p99Ns) },
  { id: 'exposure_p999_ns', label: 'exposure p99.9', unit: 'ns', better: 'lower', headline: false, kind: 'exposure', read: (c) => exposureNs(c, c.metrics.exposure.p999Ns ?? null) },
  { id: 'exposure_max_ns', label: 'exposure max', unit: 'ns', better: 'lower', headline: false, kind: 'exposure', read: (c) => exposureNs(c, c.metrics.exposure.maxNs) },
  { id: 'lost_max', label: 'lost (max/trial)', unit: 'commits', better: 'lower', headline: false, kind: 'loss', read: (c) => verified(c, (x) => x.lostMax) },
  { id: 'lost_p99', label: 'lost p99', unit: 'commits', better: 'lower', headline: false, kind: 'loss', read: (c) => verified(c, (x) => x.lostP99) },
  { id: 'lost_p50', label: 'lost p50', unit: 'commits', better: 'lower', headline: false, kind: 'loss', read: (c) => verified(c, (x) => x.lostP50) },
  { id: 'loss_window_ms_max', label: 'loss window max', unit: 'ms', better: 'lower', headline: false, kind: 'loss', read: (c) => verified(c, (x) => x.lossWindowMsMax) },
  { id: 'loss_window_ms_p99', label: 'loss window p99', unit: 'ms', better: 'lower', headline: false, kind: 'loss', read: (c) => verified(c, (x) => x.lossWindowMsP99) },
  { id: 'crash_trials', label: 'crash trials', unit: 'count', better: 'higher', headline: false, kind: 'loss', read: (c) => crash(c, (x) => x.trials.length) },
  { id: 'crash_trials_errored', label: 'crash trials errored', unit: 'count', better: 'lower', headline: false, kind: 'loss', read: (c) => crash(c, (x) => x.trialsErrored) },
  { id: 'trials_with_loss', label: 'trials with loss', unit: 'count', better: 'lower', headline: false, kind: 'loss', read: (c) => verified(c, (x) => x.trialsWithLoss) },
  { id: 'corrupt_total', label: 'corrupt', unit: 'count', better: 'lower', headline: false, kind: 'loss', read: (c) => verified(c, (x) => x.corruptTotal) },
];

export const HEADLINE_METRICS: readonly MetricDef[] = METRICS.filter((m) => m.headline);

export function findMetric(id: string): MetricDef | undefined {
  return METRICS.find((m) => m.id === id);
}

/** A value in its metric's unit, for people: `4.56 ms`, `12,345 commits/s`, `unbounded`. */
export function formatMetric(m: Pick<MetricDef, 'unit'>, v: number | null | undefined): string {
  if (v === null || v === undefined || Number.isNaN(v)) return '—';
  if (v === Infinity) return 'unbounded';
  switch (m.unit) {
    case 'ns':
      return formatNs(v);
    case 'commits/s':
      return formatRate(v);
    case 'bytes/s':
      return `${formatRate(v)} B/s`;
    case 'ms':
      return `${sig(v)} ms`;
    case 'commits':
      return `${Number.isInteger(v) ? v : sig(v)} commits`;
    default:
      return Number.isInteger(v) ? String(v) : sig(v);
  }
}

/**
 * Parse a threshold in a metric's unit: `10ms`, `250us`, `1.5s`, `800ns` for latencies (→ ns);
 * plain numbers are in the metric's own unit. Returns null when it cannot be read.
 */
export function parseMetricValue(m: Pick<MetricDef, 'unit'>, text: string | number): number | null {
  if (typeof text === 'number') return Number.isFinite(text) ? text : null;
  const t = text.trim().replace(/\s+/g, '');
  const match = /^([+-]?\d+(?:\.\d+)?(?:e[+-]?\d+)?)(ns|us|µs|ms|s)?$/i.exec(t);
  if (!match) return null;
  const n = Number(match[1]);
  const suffix = match[2]?.toLowerCase();
  if (suffix === undefined) return n;
  const toNs: Record<string, number> = { ns: 1, us: 1e3, µs: 1e3, ms: 1e6, s: 1e9 };
  if (m.unit === 'ns') return n * toNs[suffix]!;
  if (m.unit === 'ms') return (n * toNs[suffix]!) / 1e6;
  return null;
}
