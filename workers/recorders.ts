/**
 * Per-writer recorders: commit latency (overall, inside and outside engine phases, per interval),
 * sync latency by kind (fed by the io layer), phase durations (fed by the engine). Recording is off
 * during warm-up. One instance per writer thread; `destroy()` frees the WebAssembly memory.
 */
import { SYNC_KINDS, type IoObserver, type SyncKind } from '../io/io.js';
import type { EncodedLatency } from '../model/latency.js';
import { LatencyRecorder } from '../stats/hdr.js';

export class WriterRecorders implements IoObserver {
  measuring = false;
  /**
   * Commit latency is recorded once per commit, into the current interval; each closed interval is
   * encoded for the timeline and added to `commit`. One histogram record per commit keeps the
   * harness's cost per commit low.
   */
  readonly commit = new LatencyRecorder();
  readonly interval = new LatencyRecorder();
  /** The subset of commits during which an engine phase ran; "outside" is derived by subtraction. */
  readonly commitDuringPhase = new LatencyRecorder();
  readonly timeline: EncodedLatency[] = [];
  readonly sync = Object.fromEntries(SYNC_KINDS.map((k) => [k, new LatencyRecorder()])) as Record<SyncKind, LatencyRecorder>;
  readonly phases = new Map<string, LatencyRecorder>();
  /** Shared log: per sync this thread issued, how long it waited before issuing it. */
  readonly leaderWait = new LatencyRecorder();
  /** Incremented on every phase record: the loop compares it around a commit to spot stalls. */
  phaseEvents = 0;

  readonly afterOp: IoObserver['afterOp'];
  readonly onMarker: IoObserver['onMarker'];

  /** Chained observer (the crash lab's hooks), called after ours. */
  constructor(private readonly next: IoObserver = {}) {
    this.afterOp = next.afterOp?.bind(next);
    this.onMarker = next.onMarker?.bind(next);
  }

  onSync(kind: SyncKind, latencyNs: number): void {
    if (this.measuring) this.sync[kind].record(latencyNs);
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
  }

  /** One measured commit. */
  recordCommit(latencyNs: number, duringPhase: boolean): void {
    this.interval.record(latencyNs);
    if (duringPhase) this.commitDuringPhase.record(latencyNs);
  }

  /** Close the current timeline interval. */
  rollInterval(): void {
    this.timeline.push(this.interval.encode());
    this.commit.add(this.interval);
    this.interval.reset();
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
    for (const r of [this.commit, this.commitDuringPhase, this.interval, this.leaderWait, ...Object.values(this.sync), ...this.phases.values()]) {
      r.destroy();
    }
  }
}
