/**
 * Per-writer recorders: commit latency (overall, inside and outside engine phases, per interval),
 * sync latency by kind (fed by the io layer), phase durations and spans (fed by the engine).
 * Recording is off during warm-up. One instance per writer thread; `destroy()` frees the
 * WebAssembly memory.
 */
import { SYNC_KINDS, type IoObserver, type SyncKind } from '../io/io.js';
import type { EncodedLatency } from '../model/latency.js';
import { LatencyRecorder } from '../stats/hdr.js';
import { WriterTimeline } from './timeline.js';

export class WriterRecorders implements IoObserver {
  measuring = false;
  /**
   * Commit latency is recorded once per commit, into the timeline's open interval; the writer's
   * total is the sum of its intervals, added once after the measurement (`finish`). One histogram
   * record per commit keeps the harness's cost per commit low.
   */
  readonly commit = new LatencyRecorder();
  /** The subset of commits during which an engine phase ran; "outside" is derived by subtraction. */
  readonly commitDuringPhase = new LatencyRecorder();
  readonly timeline: WriterTimeline;
  readonly sync = Object.fromEntries(SYNC_KINDS.map((k) => [k, new LatencyRecorder()])) as Record<SyncKind, LatencyRecorder>;
  readonly phases = new Map<string, LatencyRecorder>();
  /** Shared log: per sync this thread issued, how long it waited before issuing it. */
  readonly leaderWait = new LatencyRecorder();
  /** Incremented on every phase record: the loop compares it around a commit to spot stalls. */
  phaseEvents = 0;
  private finished = false;

  readonly afterOp: IoObserver['afterOp'];
  readonly onMarker: IoObserver['onMarker'];

  /**
   * `next`: a chained observer (the crash lab's hooks), called after ours. `timeline`: the interval
   * (ms) and the point limit past which it doubles (null: fixed).
   */
  constructor(
    private readonly next: IoObserver = {},
    timeline: { intervalMs: number; maxPoints: number | null } = { intervalMs: 1000, maxPoints: null },
  ) {
    this.timeline = new WriterTimeline(timeline.intervalMs, timeline.maxPoints);
    this.afterOp = next.afterOp?.bind(next);
    this.onMarker = next.onMarker?.bind(next);
  }

  /** Measurement starts at `measureStartNs` (hrtime): recording on, the first interval opens. */
  startMeasuring(measureStartNs: bigint): void {
    this.measuring = true;
    this.timeline.start(measureStartNs);
  }

  onSync(kind: SyncKind, latencyNs: number): void {
    if (this.measuring) {
      this.sync[kind].record(latencyNs);
      this.timeline.sync.record(latencyNs);
    }
    this.next.onSync?.(kind, latencyNs);
  }

  recordPhase(name: string, durationNs: number): void {
    this.phaseEvents += 1;
    if (!this.measuring) return;
    let r = this.phases.get(name);
    if (!r) {
      r = new LatencyRecorder();
      this.phases.set(name, r);
    }
    r.record(durationNs);
    this.timeline.phase(name, durationNs, process.hrtime.bigint());
  }

  /** One measured commit. */
  recordCommit(latencyNs: number, duringPhase: boolean): void {
    this.timeline.commit.record(latencyNs);
    if (duringPhase) this.commitDuringPhase.record(latencyNs);
  }

  /** After the last measured commit: close the timeline and add its intervals into the total. Idempotent. */
  finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.measuring = false;
    this.timeline.finish();
    for (const s of this.timeline.commitSnapshots()) this.commit.addSnapshot(s);
  }

  /** Commits outside any engine phase: all commits minus those during one. */
  encodeCommitOutsidePhase(): EncodedLatency {
    return this.commit.encodeMinus(this.commitDuringPhase);
  }

  encodeSync(): Record<SyncKind, EncodedLatency> {
    return Object.fromEntries(SYNC_KINDS.map((k) => [k, this.sync[k].encode()])) as Record<SyncKind, EncodedLatency>;
  }

  encodePhases(): Record<string, EncodedLatency> {
    return Object.fromEntries([...this.phases].map(([k, r]) => [k, r.encode()]));
  }

  destroy(): void {
    for (const r of [this.commit, this.commitDuringPhase, this.leaderWait, ...Object.values(this.sync), ...this.phases.values()]) {
      r.destroy();
    }
    this.timeline.destroy();
  }
}
