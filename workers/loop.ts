/**
 * The measurement loop: the only place that times commits. Closed loop, one commit at a time:
 * generate key and value (untimed), time `put` with process.hrtime.bigint(), tell the exposure
 * tracker and the ack hook, record. Warm-up commits run the same code with recording off.
 */
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

export async function runLoop(
  engine: Engine,
  isAsync: boolean,
  workload: Workload,
  tracker: ExposureTracker,
  rec: WriterRecorders,
  plan: LoopPlan,
  hooks: LoopHooks,
): Promise<LoopResult> {
  const measureStartNs = plan.startNs + plan.warmupNs;
  const endNs = plan.durationNs === null ? null : measureStartNs + plan.durationNs;
  let measuring = false;
  let seq = 0;
  let measured = 0;
  let bytes = 0;
  let lastAckNs = measureStartNs;
  let stopped = false;
  let failure: unknown = undefined;

  try {
    for (;;) {
      if (hooks.shouldStop()) {
        stopped = true;
        break;
      }
      if (measuring && plan.commits !== null && measured >= plan.commits) break;
      const i = seq + 1;
      const key = workload.key(i);
      const value = workload.value(i);
      const phaseEventsBefore = rec.phaseEvents;

      const t0 = process.hrtime.bigint();
      if (!measuring && t0 >= measureStartNs) {
        measuring = true;
        rec.startMeasuring(measureStartNs);
        tracker.startMeasuring(measureStartNs);
      }
      if (measuring && endNs !== null && t0 >= endNs) break;
      if (isAsync) await engine.put(key, value);
      else engine.put(key, value);
      const t1 = process.hrtime.bigint();

      seq = i;
      tracker.acked(t1);
      hooks.onAck?.(i, t1);
      if (!measuring) continue;

      // Close timeline intervals after the ack, outside the timed window.
      if (t1 >= rec.timeline.nextNs) rec.timeline.roll(t1);
      rec.recordCommit(Number(t1 - t0), rec.phaseEvents !== phaseEventsBefore);
      measured += 1;
      bytes += key.length + value.length;
      lastAckNs = t1;
      hooks.progress?.(measured);
    }
  } catch (err) {
    failure = err;
  }
  rec.finish();
  return { commits: measured, bytes, durationNs: Number(lastAckNs - measureStartNs), totalCommits: seq, stopped, failure };
}
