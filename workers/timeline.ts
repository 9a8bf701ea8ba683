/**
 * One writer's timeline: commit and sync latency per interval of the measurement, and when each
 * engine phase ran. The measurement loop closes intervals (`roll`) after an ack, never inside a
 * timed commit; closing one takes the staged buckets of its recorders (`snapshotAndReset`: no
 * histogram is built or encoded), merging two intervals adds bucket lists, and building and
 * compressing the histograms waits until the measurement is over (`encode`). Phases are recorded
 * once per phase event, not per commit.
 *
 * With a point limit (the adaptive interval), a timeline that grows past it merges adjacent
 * intervals pairwise and doubles the interval, so a case stopped by a commit count still draws
 * between half the limit and the limit.
 */
import type { EncodedLatency } from '../model/latency.js';
import type { WriterInterval } from '../model/measurement.js';
import { compressSnapshot, emptySnapshot, LatencyRecorder, mergeSnapshots, type RawSnapshot } from '../stats/hdr.js';

/** Phase spans kept per writer; more are counted, not kept (a report stays small). */
export const MAX_PHASE_SPANS = 2000;

interface RawInterval {
  readonly commit: RawSnapshot;
  readonly sync: RawSnapshot;
}

export class WriterTimeline {
  /** Commits of the open interval. */
  readonly commit = new LatencyRecorder();
  /** Sync calls that returned in the open interval. */
  readonly sync = new LatencyRecorder();
  /** The end of the open interval (hrtime ns): the loop rolls when an ack reaches it. */
  nextNs = 0n;
  private startNs = 0n;
  private intervalNs: bigint;
  private readonly closed: RawInterval[] = [];
  /** After a merge with an odd count: the first half of the open (doubled) interval. */
  private pending: RawInterval | null = null;
  private readonly spans: { phase: string; startNs: number; durationNs: number }[] = [];
  private spansDropped = 0;

  constructor(
    intervalMs: number,
    /** Merge pairwise past this many intervals (null: a fixed interval, as `--interval-ms` asks). */
    private readonly maxPoints: number | null,
  ) {
    this.intervalNs = BigInt(Math.round(intervalMs * 1e6));
  }

  get intervalMs(): number {
    return Number(this.intervalNs) / 1e6;
  }

  get length(): number {
    return this.closed.length;
  }

  start(measureStartNs: bigint): void {
    this.startNs = measureStartNs;
    this.nextNs = measureStartNs + this.intervalNs;
  }

  /** Close every interval that ended by `nowNs` (intervals without commits stay, empty). */
  roll(nowNs: bigint): void {
    while (nowNs >= this.nextNs) {
      this.closeOpen();
      this.nextNs += this.intervalNs;
      if (this.maxPoints !== null && this.closed.length > this.maxPoints) this.coarsen();
    }
  }

  /** After the last commit: close the open interval if anything landed in it. */
  finish(): void {
    if (this.commit.count > 0 || this.sync.count > 0 || this.pending !== null) this.closeOpen();
  }

  /** An engine phase that just ended (called once per phase, not per commit). */
  phase(name: string, durationNs: number, endNs: bigint): void {
    if (this.spans.length >= MAX_PHASE_SPANS) {
      this.spansDropped += 1;
      return;
    }
    const endRel = Number(endNs - this.startNs);
    const startRel = Math.max(0, endRel - durationNs);
    this.spans.push({ phase: name, startNs: startRel, durationNs: endRel - startRel });
  }

  /** Every closed interval's commits, for the writer's total (added after the measurement). */
  commitSnapshots(): readonly RawSnapshot[] {
    return this.closed.map((i) => i.commit);
  }

  private closeOpen(): void {
    let interval: RawInterval = { commit: this.commit.snapshotAndReset(), sync: this.sync.snapshotAndReset() };
    if (this.pending !== null) {
      interval = { commit: mergeSnapshots([this.pending.commit, interval.commit], 'ns'), sync: mergeSnapshots([this.pending.sync, interval.sync], 'ns') };
      this.pending = null;
    }
    this.closed.push(interval);
  }

  /** Merge adjacent intervals pairwise and double the interval (exact: histograms add). */
  private coarsen(): void {
    const n = this.closed.length;
    const merged: RawInterval[] = [];
    for (let i = 0; i + 1 < n; i += 2) {
      const a = this.closed[i]!;
      const b = this.closed[i + 1]!;
      merged.push({ commit: mergeSnapshots([a.commit, b.commit], 'ns'), sync: mergeSnapshots([a.sync, b.sync], 'ns') });
    }
    if (n % 2 === 1) {
      // The last closed interval is the first half of the open, doubled one; its end stays.
      this.pending = this.closed[n - 1]!;
    } else {
      // The open interval is the first half of a doubled one.
      this.nextNs += this.intervalNs;
    }
    this.closed.length = 0;
    this.closed.push(...merged);
    this.intervalNs *= 2n;
  }

  /** The stored form (compressed histograms): after the measurement, outside the timed window. */
  encode(): { intervals: WriterInterval[]; intervalMs: number; phaseSpans: { phase: string; startMs: number; durationMs: number }[]; phaseSpansDropped: number } {
    const empty = compressSnapshot(emptySnapshot('ns'));
    const enc = (s: RawSnapshot): EncodedLatency => (s.count === 0 ? empty : compressSnapshot(s));
    return {
      intervals: this.closed.map((i) => ({ commit: enc(i.commit), sync: enc(i.sync) })),
      intervalMs: this.intervalMs,
      phaseSpans: this.spans.map((s) => ({ phase: s.phase, startMs: s.startNs / 1e6, durationMs: s.durationNs / 1e6 })),
      phaseSpansDropped: this.spansDropped,
    };
  }

  destroy(): void {
    this.commit.destroy();
    this.sync.destroy();
  }
}
