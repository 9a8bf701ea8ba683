/**
 * What one writer measured in one case, as it crosses from the writer thread to the coordinator:
 * histograms travel encoded (compressed base64) and are merged exactly by stats/case-metrics.ts.
 */
import type { EncodedCounts, EncodedLatency } from './latency.js';
import type { RecoveryReport } from './recovery.js';
import type { SyncKind } from './sync-kind.js';
import type { DeviceCounters } from './device.js';

/** One timeline interval of one writer. */
export interface WriterInterval {
  readonly commit: EncodedLatency;
  readonly sync: EncodedLatency;
}

export interface WriterMeasurement {
  readonly writer: number;
  readonly commits: number;
  readonly bytes: number;
  /** From the common start of measurement to this writer's last ack. */
  readonly durationNs: number;
  readonly commitLatency: EncodedLatency;
  readonly commitLatencyDuringPhase: EncodedLatency;
  readonly commitLatencyOutsidePhase: EncodedLatency;
  readonly syncLatency: Record<SyncKind, EncodedLatency>;
  /**
   * How many commits each sync covered. On a shared log: the group sizes of the syncs this writer's
   * thread issued (all writers' commits), so the writers' histograms add up to one entry per sync.
   */
  readonly commitsPerSync: EncodedCounts;
  /** Shared log only: per sync this writer's thread issued, how long it waited before issuing it. */
  readonly leaderWait?: EncodedLatency;
  readonly exposure: { readonly unbounded: boolean; readonly maxCommits: number; readonly latency: EncodedLatency };
  readonly phases: Record<string, EncodedLatency>;
  /** One entry per interval since the start of measurement: the commits and the syncs in it. */
  readonly timeline: readonly WriterInterval[];
  /** The interval's length, ms (adaptive timelines double it when they grow past their point limit). */
  readonly timelineIntervalMs: number;
  /** Engine phases during the measurement, ms from its start. */
  readonly phaseSpans: readonly { readonly phase: string; readonly startMs: number; readonly durationMs: number }[];
  readonly phaseSpansDropped: number;
  readonly engineStats: Record<string, number>;
  readonly ioBytesWritten: number;
  readonly recovery: RecoveryReport;
  /**
   * The case's block device counters at the edges of the measured window, read by the writers
   * themselves: `atStart` by the first writer to start measuring (just before its first measured
   * commit), `atEnd` by the last writer whose loop ended (just after the last measured commit of
   * the case). Absent when the case has no device, or this writer was at neither edge.
   */
  readonly device?: { readonly atStart?: DeviceCounters; readonly atEnd?: DeviceCounters; readonly problem?: string };
}
