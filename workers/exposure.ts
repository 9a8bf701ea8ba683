/**
 * Declared exposure, computed from the engine's own claims (`durable(n)`) and the loop's ack times:
 * per commit, ack → return of the sync that covers it (0 when the sync returned before the ack), the
 * number of commits per sync as they really happened, and the peak of acked-but-unsynced commits.
 */
import type { DurabilityListener, Mode } from '../engines/types.js';
import { LatencyRecorder } from '../reports/hdr.js';

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
  readonly exposure = new LatencyRecorder();
  readonly commitsPerSync = new LatencyRecorder();

  constructor(
    private readonly mode: Mode,
    private readonly clockNs: () => bigint = process.hrtime.bigint,
  ) {}

  get unbounded(): boolean {
    return this.mode === 'none';
  }

  /** Start measuring with the next commit; times are kept relative to `originNs`. */
  startMeasuring(originNs: bigint): void {
    this.originNs = originNs;
    this.measuredFrom = this.ackedCount + 1;
  }

  /** The loop acked commit `ackedCount + 1` at `ackNs`. */
  acked(ackNs: bigint): void {
    const seq = ++this.ackedCount;
    const measuring = seq >= this.measuredFrom;
    if (seq <= this.durableCount) {
      // The covering sync returned before the ack (sync mode, or the commit that filled a batch).
      if (measuring) this.exposure.record(0);
      return;
    }
    const pending = seq - this.durableCount;
    if (measuring && pending > this.maxPending) this.maxPending = pending;
    if (this.unbounded) return; // nothing will ever cover it: no per-commit exposure to keep
    this.push(Number(ackNs - this.originNs));
  }

  durable(commits: number): void {
    if (commits <= this.durableCount) return;
    const nowRel = Number(this.clockNs() - this.originNs);
    const coveredAcked = Math.min(commits, this.ackedCount);
    for (let seq = this.durableCount + 1; seq <= coveredAcked; seq++) {
      const ackRel = this.shift();
      if (seq >= this.measuredFrom && ackRel !== undefined) this.exposure.record(Math.max(0, nowRel - ackRel));
    }
    if (this.ackedCount + 1 >= this.measuredFrom) this.commitsPerSync.record(commits - this.durableCount);
    this.durableCount = commits;
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
    this.commitsPerSync.destroy();
  }
}
