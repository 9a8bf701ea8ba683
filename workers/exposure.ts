/**
 * Declared exposure, computed from the engine's own claims (`durable(n)`) and the loop's ack times:
 * per commit, ack → return of the sync that covers it (0 when the sync returned before the ack), the
 * number of commits per sync as they really happened, and the peak of acked-but-unsynced commits.
 */
import { hrtime } from 'node:process';
import type { DurabilityListener } from '../engines/types.js';
import type { CaseMode } from '../model/durability.js';
import type { EncodedLatency } from '../model/latency.js';
import { CountRecorder, LatencyRecorder } from '../stats/hdr.js';

export class ExposureTracker implements DurabilityListener {
  /** Commits acked since open (warm-up included). */
  private ackedCount = 0;
  private durableCount = 0;
  /** Ack times (ns since `originNs`) of acked, not yet durable commits, oldest first. */
  private pendingAcks = new Float64Array(64);
  private pendingHead = 0;
  private pendingLen = 0;
  private originNs = 0n;
  /** Only commits acked after this index are measured (warm-up commits are not). */
  private measuredFrom = Number.POSITIVE_INFINITY;
  maxPending = 0;
  /** Acked commits whose exposure has been recorded (or that were durable at their ack). */
  private settledUpTo = 0;
  /** Syncs claimed since the last ack: covered acked commits, sync return time, commits in the sync. */
  private coverCount = 0;
  private readonly coverUpTo: number[] = [];
  private readonly coverAtRel: number[] = [];
  private readonly coverSize: number[] = [];
  /** Measured commits whose covering sync returned before their ack: exposure 0, counted, recorded at the end. */
  private zeroExposures = 0;
  /** Exposure of commits acked before their covering sync returned. Use `encodeExposure()` for all. */
  readonly exposure = new LatencyRecorder();
  private readonly perSync = new CountRecorder();
  /**
   * Syncs of equal size not yet recorded, run-length counted: in sync mode every sync covers one
   * commit, and counting it here costs nothing inside `put` (where `durable()` runs, timed).
   */
  private runSize = 0;
  private runCount = 0;

  /**
   * `groupsFromEngine`: on a shared log a writer's claims cover only its own commits, so its
   * commits per sync are not the group sizes; those come from the syncing thread (`recordGroup`).
   */
  constructor(
    private readonly mode: CaseMode,
    private readonly clockNs: () => bigint = hrtime.bigint,
    private readonly groupsFromEngine = false,
  ) {}

  /** Shared log: one sync this thread issued covered `commits` commits of all writers. */
  recordGroup(commits: number): void {
    if (this.ackedCount + 1 >= this.measuredFrom) this.countSync(commits);
  }

  /** How many commits each sync covered. */
  get commitsPerSync(): CountRecorder {
    this.flushRun();
    return this.perSync;
  }

  private countSync(size: number): void {
    if (size === this.runSize) {
      this.runCount += 1;
      return;
    }
    this.flushRun();
    this.runSize = size;
    this.runCount = 1;
  }

  private flushRun(): void {
    if (this.runCount > 0) this.perSync.recordCount(this.runSize, this.runCount);
    this.runCount = 0;
  }

  get unbounded(): boolean {
    return this.mode === 'none';
  }

  /** Start measuring with the next commit; times are kept relative to `originNs`. */
  startMeasuring(originNs: bigint): void {
    this.originNs = originNs;
    this.measuredFrom = this.ackedCount + 1;
  }

  /** The loop acked commit `ackedCount + 1` at `ackNs`. Called after the commit's timing ended. */
  acked(ackNs: bigint): void {
    if (this.coverCount > 0) this.settle();
    const seq = ++this.ackedCount;
    const measuring = seq >= this.measuredFrom;
    if (seq <= this.durableCount) {
      // The covering sync returned before the ack (sync mode, or the commit that filled a batch).
      if (measuring) this.zeroExposures += 1;
      this.settledUpTo = seq;
      return;
    }
    const pending = seq - this.durableCount;
    if (measuring && pending > this.maxPending) this.maxPending = pending;
    if (this.unbounded) return; // nothing will ever cover it: no per-commit exposure to keep
    this.push(Number(ackNs - this.originNs));
  }

  /** Every measured commit's exposure, zeros included. */
  encodeExposure(): EncodedLatency {
    this.settle();
    this.exposure.recordCount(0, this.zeroExposures);
    this.zeroExposures = 0;
    return this.exposure.encode();
  }

  /** Measured commits with an exposure so far (zeros included). */
  get exposureCount(): number {
    this.settle();
    return this.exposure.count + this.zeroExposures;
  }

  /**
   * The engine's claim, called inside `put` right after a sync returned. Only the clock is read here
   * (once per sync, and only when acked commits wait for it); the histogram work is deferred to
   * `settle()`, after the commit's timing ended, so it never inflates commit latency.
   */
  durable(commits: number, atNs?: bigint): void {
    if (commits <= this.durableCount) return;
    const coveredAcked = Math.min(commits, this.ackedCount);
    // On a shared log the group sizes come from the syncing thread (recordGroup), not from the claims.
    const size = !this.groupsFromEngine && this.ackedCount + 1 >= this.measuredFrom ? commits - this.durableCount : 0;
    if (coveredAcked <= this.settledUpTo && this.coverCount === 0 && (size === 0 || size === this.runSize)) {
      // Nothing acked waits for this sync (sync mode, or the commit in flight filled a batch): no
      // exposure to settle and no clock to read; a size equal to the current run is only counted.
      if (size > 0) this.runCount += 1;
      this.durableCount = commits;
      return;
    }
    const k = this.coverCount++;
    if (k === this.coverUpTo.length) {
      this.coverUpTo.push(0);
      this.coverAtRel.push(0);
      this.coverSize.push(0);
    }
    this.coverUpTo[k] = coveredAcked;
    // `atNs`: the covering sync returned earlier than this claim (another thread issued it).
    this.coverAtRel[k] = coveredAcked > this.settledUpTo ? Number((atNs ?? this.clockNs()) - this.originNs) : 0;
    this.coverSize[k] = size;
    this.durableCount = commits;
  }

  /** Record the exposures of the commits that syncs covered since the last ack. */
  private settle(): void {
    for (let k = 0; k < this.coverCount; k++) {
      const upTo = this.coverUpTo[k]!;
      const atRel = this.coverAtRel[k]!;
      for (let seq = this.settledUpTo + 1; seq <= upTo; seq++) {
        const ackRel = this.shift();
        if (seq >= this.measuredFrom && ackRel !== undefined) this.exposure.record(Math.max(0, atRel - ackRel));
      }
      if (upTo > this.settledUpTo) this.settledUpTo = upTo;
      if (this.coverSize[k]! > 0) this.countSync(this.coverSize[k]!);
    }
    this.coverCount = 0;
  }

  private push(v: number): void {
    if (this.pendingLen === this.pendingAcks.length) {
      const bigger = new Float64Array(this.pendingAcks.length * 2);
      for (let k = 0; k < this.pendingLen; k++) bigger[k] = this.pendingAcks[(this.pendingHead + k) % this.pendingAcks.length]!;
      this.pendingAcks = bigger;
      this.pendingHead = 0;
    }
    this.pendingAcks[(this.pendingHead + this.pendingLen) % this.pendingAcks.length] = v;
    this.pendingLen += 1;
  }

  private shift(): number | undefined {
    if (this.pendingLen === 0) return undefined;
    const v = this.pendingAcks[this.pendingHead];
    this.pendingHead = (this.pendingHead + 1) % this.pendingAcks.length;
    this.pendingLen -= 1;
    return v;
  }

  destroy(): void {
    this.exposure.destroy();
    this.perSync.destroy();
  }
}
