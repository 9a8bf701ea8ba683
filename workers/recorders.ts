/**
 * Per-writer recorders: commit latency (overall, inside and outside engine phases, per interval),
 * sync latency by kind (fed by the io layer), phase durations (fed by the engine). Recording is off
 * during warm-up. One instance per writer thread; `destroy()` frees the WebAssembly memory.
 */
import { SYNC_KINDS, type IoObserver, type SyncKind } from '../io/io.js';
import { LatencyRecorder, type EncodedLatency } from '../reports/hdr.js';

export class WriterRecorders implements IoObserver {
  measuring = false;
  readonly commit = new LatencyRecorder();
  readonly commitDuringPhase = new LatencyRecorder();
  readonly commitOutsidePhase = new LatencyRecorder();
  readonly interval = new LatencyRecorder();
  readonly timeline: EncodedLatency[] = [];
  readonly sync = Object.fromEntries(SYNC_KINDS.map((k) => [k, new LatencyRecorder()])) as Record<SyncKind, LatencyRecorder>;
  readonly phases = new Map<string, LatencyRecorder>();
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

  /** Close the current timeline interval. */
  rollInterval(): void {
    this.timeline.push(this.interval.encode());
    this.interval.reset();
  }

  encodeSync(): Record<SyncKind, EncodedLatency> {
    return Object.fromEntries(SYNC_KINDS.map((k) => [k, this.sync[k].encode()])) as Record<SyncKind, EncodedLatency>;
  }

  encodePhases(): Record<string, EncodedLatency> {
    return Object.fromEntries([...this.phases].map(([k, r]) => [k, r.encode()]));
  }

  destroy(): void {
    for (const r of [
      this.commit,
      this.commitDuringPhase,
      this.commitOutsidePhase,
      this.interval,
      ...Object.values(this.sync),
      ...this.phases.values(),
    ]) {
      r.destroy();
    }
  }
}
