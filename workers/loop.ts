/**
 * The measurement loop: the only place that times commits. Closed loop, one commit at a time:
 * generate key and value (untimed), time `put` with the monotonic clock, tell the exposure tracker
 * and the ack hook, record. Warm-up commits run the same code with recording off.
 *
 * Only `put()` sits between the two clock reads. Whether a commit is measured, and whether the time
 * is up, is decided from the previous clock read (the last ack), before the next commit starts: the
 * first measured commit is the first that starts after the measurement start. The clock is
 * `hrtime.bigint` imported from node:process: in an ES module the `process` global is a getter, and
 * reading it twice per commit cost 25–40 ns (README, Benchmarks). The harness's own cost per commit
 * (key, value, two clock reads, one histogram record, exposure) is measured by scripts/bench-harness.
 */
import { hrtime } from 'node:process';
import type { Engine } from '../engines/types.js';
import type { ExposureTracker } from './exposure.js';
import type { WriterRecorders } from './recorders.js';
import type { Workload } from './workload.js';

export interface LoopPlan {
  /** Common start instant of all writers (hrtime ns). */
  readonly startNs: bigint;
  readonly warmupNs: bigint;
  /** Stop after this much measured time, or after `commits` measured commits; both null = until stopped. */
  readonly durationNs: bigint | null;
  readonly commits: number | null;
}

export interface LoopHooks {
  /** Checked before every commit: stop now (abort, SIGINT). */
  shouldStop(): boolean;
  /** Measured commits so far (for the progress line). */
  progress?(measuredCommits: number): void;
  /** Once, at the switch to measuring, before the first measured commit starts (outside every timed region). */
  onMeasureStart?(): void;
  /** After every ack (warm-up included): the crash lab streams these to its ledger. */
  onAck?(seq: number, ackNs: bigint): void;
}

export interface LoopResult {
  /** Commits acked during measurement. */
  readonly commits: number;
  /** Key + value bytes acked during measurement. */
  readonly bytes: number;
  /** From the start of measurement to the last ack. */
  readonly durationNs: number;
  /** Commits acked in all (warm-up included). */
  readonly totalCommits: number;
  /** True if the loop ended because `shouldStop` said so. */
  readonly stopped: boolean;
  /** The error a commit threw (ENOSPC, EIO, ...): the loop stops there and keeps what it measured. */
  readonly failure: unknown;
}

/** The progress hook is called every this many measured commits (a power of two, minus one: a mask) and at the end. */
const PROGRESS_MASK = 63;

/**
 * Everything the loop decides around a commit. Sync and async engines share it; only the call of
 * `put` differs (an `await` in the loop would make every commit of a sync engine pay for a promise).
 */
class LoopState {
  readonly measureStartNs: bigint;
  private readonly endNs: bigint;
  private readonly hasEnd: boolean;
  private readonly maxCommits: number;
  private measuring = false;
  seq = 0;
  measured = 0;
  bytes = 0;
  lastAckNs: bigint;
  /** The last clock read (the last ack, or the start): what the next decision is made on. */
  private prevNs: bigint;
  stopped = false;
  phaseEventsBefore = 0;

  constructor(
    private readonly rec: WriterRecorders,
    private readonly tracker: ExposureTracker,
    plan: LoopPlan,
    private readonly hooks: LoopHooks,
  ) {
    this.measureStartNs = plan.startNs + plan.warmupNs;
    this.hasEnd = plan.durationNs !== null;
    this.endNs = this.measureStartNs + (plan.durationNs ?? 0n);
    this.maxCommits = plan.commits ?? Number.POSITIVE_INFINITY;
    this.lastAckNs = this.measureStartNs;
    this.prevNs = hrtime.bigint();
  }

  /** Before a commit: go on? Switches to measuring once the last clock read passed the start. */
  next(): boolean {
    if (this.hooks.shouldStop()) {
      this.stopped = true;
      return false;
    }
    if (!this.measuring && this.prevNs >= this.measureStartNs) {
      this.measuring = true;
      this.rec.startMeasuring(this.measureStartNs);
      this.tracker.startMeasuring(this.measureStartNs);
      this.hooks.onMeasureStart?.();
    }
    if (this.measuring && (this.measured >= this.maxCommits || (this.hasEnd && this.prevNs >= this.endNs))) return false;
    this.phaseEventsBefore = this.rec.phaseEvents;
    return true;
  }

  /** After a commit acked at t1 that started at t0 (`bytes`: key + value). */
  acked(t0: bigint, t1: bigint, bytes: number): void {
    this.prevNs = t1;
    const i = ++this.seq;
    this.tracker.acked(t1);
    this.hooks.onAck?.(i, t1);
    if (!this.measuring) return;
    const rec = this.rec;
    // Close timeline intervals after the ack, outside the timed window.
    if (t1 >= rec.timeline.nextNs) rec.timeline.roll(t1);
    rec.recordCommit(Number(t1 - t0), rec.phaseEvents !== this.phaseEventsBefore);
    this.measured += 1;
    this.bytes += bytes;
    this.lastAckNs = t1;
    if ((this.measured & PROGRESS_MASK) === 0) this.hooks.progress?.(this.measured);
  }

  result(failure: unknown): LoopResult {
    this.hooks.progress?.(this.measured);
    this.rec.finish();
    return {
      commits: this.measured,
      bytes: this.bytes,
      durationNs: Number(this.lastAckNs - this.measureStartNs),
      totalCommits: this.seq,
      stopped: this.stopped,
      failure,
    };
  }
}

export function runLoop(
  engine: Engine,
  isAsync: boolean,
  workload: Workload,
  tracker: ExposureTracker,
  rec: WriterRecorders,
  plan: LoopPlan,
  hooks: LoopHooks,
): Promise<LoopResult> {
  const state = new LoopState(rec, tracker, plan, hooks);
  return isAsync ? asyncLoop(engine, workload, state) : Promise.resolve(syncLoop(engine, workload, state));
}

function syncLoop(engine: Engine, workload: Workload, state: LoopState): LoopResult {
  const now = hrtime.bigint;
  let failure: unknown = undefined;
  try {
    while (state.next()) {
      const i = state.seq + 1;
      const key = workload.key(i);
      const value = workload.value(i);
      const t0 = now();
      engine.put(key, value);
      const t1 = now();
      state.acked(t0, t1, key.length + value.length);
    }
  } catch (err) {
    failure = err;
  }
  return state.result(failure);
}

async function asyncLoop(engine: Engine, workload: Workload, state: LoopState): Promise<LoopResult> {
  const now = hrtime.bigint;
  let failure: unknown = undefined;
  try {
    while (state.next()) {
      const i = state.seq + 1;
      const key = workload.key(i);
      const value = workload.value(i);
      const t0 = now();
      await engine.put(key, value);
      const t1 = now();
      state.acked(t0, t1, key.length + value.length);
    }
  } catch (err) {
    failure = err;
  }
  return state.result(failure);
}
