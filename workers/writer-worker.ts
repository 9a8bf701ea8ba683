/**
 * Piscina task: one writer of one case, on its own thread, driving its own engine instance in its
 * own directory — or, on a shared log, its part of the one log all writers share (its syncs record
 * the group sizes and leader waits). Open (recovery) → start barrier → warm-up + measurement loop →
 * close → encode.
 * Failures come back as an `errored` outcome (never a thrown error) so the coordinator keeps what
 * the writer measured before it failed.
 */
import { hrtime } from 'node:process';
import { ExposureTracker } from './exposure.js';
import { runLoop } from './loop.js';
import type { WriterMeasurement, WriterOutcome, WriterTask } from './messages.js';
import { WriterRecorders } from './recorders.js';
import { AbortedError, SharedControl } from './control.js';
import { Workload } from './workload.js';
import { createEngineInstance, type EngineInstance } from './engine-instance.js';
import { emptyRecovery, type RecoveryReport } from '../model/recovery.js';
import type { EngineStats } from '../engines/types.js';
import type { DeviceCounters } from '../model/device.js';
import { deviceCounters } from '../workspace/loop-device.js';

type Stage = 'open' | 'barrier' | 'warmup' | 'measure' | 'close';

/** The message of anything thrown, on one line. */
function messageOf(err: unknown): string {
  return String((err as Error)?.message ?? err).replace(/\s*\n\s*/g, ' ');
}

/**
 * Close the engine after a failure or an abort, then every descriptor it left open: a deleted file
 * whose descriptor stays open keeps its space, and the next case would find the disk still full.
 * Returns what went wrong while closing (appended to the first error, never replacing it).
 */
async function closeAfterFailure(instance: EngineInstance): Promise<string[]> {
  const problems: string[] = [];
  try {
    await instance.engine.close();
  } catch (err) {
    problems.push(`closing the engine failed too: ${messageOf(err)}`);
  }
  const leaked = instance.io.closeAll();
  if (leaked.length > 0 && problems.length > 0) problems.push(`${leaked.length} file(s) it left open were closed`);
  return problems;
}

export default async function runWriter(task: WriterTask): Promise<WriterOutcome> {
  const control = new SharedControl(task.control);
  const rec = new WriterRecorders({}, { intervalMs: task.intervalMs, maxPoints: task.timelineMaxPoints });
  const tracker = new ExposureTracker(task.durability.mode, hrtime.bigint, task.share !== null);
  const workload = new Workload(task.workload);
  let stage: Stage = 'open';
  let instance: EngineInstance | null = null;
  /** True once the engine was closed on the normal path (nothing left to release). */
  let closed = false;
  let recovery: RecoveryReport = emptyRecovery();
  let loopResult: { commits: number; bytes: number; durationNs: number } | null = null;
  /** The device's counters at the measured window's edges this writer was at (see WriterMeasurement.device). */
  const device: { atStart?: DeviceCounters; atEnd?: DeviceCounters; problem?: string } = {};
  const readDevice = (edge: 'atStart' | 'atEnd'): void => {
    if (task.deviceName === null) return;
    try {
      device[edge] = deviceCounters(task.deviceName);
    } catch (err) {
      device.problem = `reading /sys/class/block/${task.deviceName}/stat failed: ${messageOf(err)}`;
    }
  };

  const measurement = (): WriterMeasurement | null => {
    if (loopResult === null) return null;
    rec.finish();
    const timeline = rec.timeline.encode();
    return {
      writer: task.writer,
      commits: loopResult.commits,
      bytes: loopResult.bytes,
      durationNs: loopResult.durationNs,
      commitLatency: rec.commit.encode(),
      commitLatencyDuringPhase: rec.commitDuringPhase.encode(),
      commitLatencyOutsidePhase: rec.encodeCommitOutsidePhase(),
      syncLatency: rec.encodeSync(),
      commitsPerSync: tracker.commitsPerSync.encode(),
      ...(task.share !== null ? { leaderWait: rec.leaderWait.encode() } : {}),
      exposure: { unbounded: tracker.unbounded, maxCommits: tracker.maxPending, latency: tracker.encodeExposure() },
      phases: rec.encodePhases(),
      timeline: timeline.intervals,
      timelineIntervalMs: timeline.intervalMs,
      phaseSpans: timeline.phaseSpans,
      phaseSpansDropped: timeline.phaseSpansDropped,
      engineStats: safeStats(instance),
      ioBytesWritten: instance?.io.bytesWritten ?? 0,
      recovery,
      ...(Object.keys(device).length > 0 ? { device } : {}),
    };
  };

  try {
    const share = task.share === null ? null : { ...task.share, writer: task.writer };
    instance = await createEngineInstance({ ...task, share }, rec, tracker, (name, ns) => rec.recordPhase(name, ns), (commits, waitNs) => {
      // Counted by the thread that issued the sync: every sync once, across the writers.
      if (!rec.measuring) return;
      tracker.recordGroup(commits);
      rec.leaderWait.record(waitNs);
    });
    const { engine, isAsync } = instance;
    recovery = await engine.open();

    stage = 'barrier';
    const startNs = control.arriveAndWait(task.barrierTimeoutMs);

    stage = task.warmupMs > 0 ? 'warmup' : 'measure';
    const result = await runLoop(
      engine,
      isAsync,
      workload,
      tracker,
      rec,
      {
        startNs,
        warmupNs: BigInt(Math.round(task.warmupMs * 1e6)),
        durationNs: task.durationMs === null ? null : BigInt(Math.round(task.durationMs * 1e6)),
        commits: task.commitsPerWriter,
      },
      {
        shouldStop: () => control.aborted,
        progress: (n) => {
          control.progress[task.writer] = n;
        },
        onMeasureStart: () => {
          if (control.firstToMeasure()) readDevice('atStart');
        },
      },
    );
    // The last writer whose loop ended closes the window; no engine closes before (its final flush belongs to no measured commit).
    if (control.lastToEnd()) readDevice('atEnd');
    else control.waitAllEnded(task.barrierTimeoutMs);
    loopResult = result;
    rec.finish();
    // Which stage failed: measurement once a measured commit was acked (or with no warm-up).
    if (result.commits > 0) stage = 'measure';
    if (result.failure !== undefined) throw result.failure;

    stage = 'close';
    closed = true;
    await engine.close();
    const m = measurement()!;
    if (result.stopped) return { state: 'aborted', writer: task.writer, measurement: m };
    return { state: 'completed', writer: task.writer, measurement: m };
  } catch (err) {
    // The first error is the reason; closing after it may add to it, never replace it.
    let m: WriterMeasurement | null = null;
    try {
      m = measurement();
    } catch {
      m = null;
    }
    let after: string[] = [];
    if (instance && !closed) after = await closeAfterFailure(instance);
    // The normal close itself failed: release whatever it left open.
    else if (instance) instance.io.closeAll();
    if (err instanceof AbortedError && after.length === 0) return { state: 'aborted', writer: task.writer, measurement: m };
    const e = err as NodeJS.ErrnoException;
    const first = err instanceof AbortedError ? `writer ${task.writer} was stopped before it started` : `writer ${task.writer} failed during ${stage}: ${messageOf(err)}`;
    return {
      state: 'errored',
      writer: task.writer,
      stage,
      reason: [first, ...after].join('; '),
      code: typeof e?.code === 'string' ? e.code : null,
      measurement: m,
    };
  } finally {
    rec.destroy();
    tracker.destroy();
  }
}

/** Engine statistics, or none when the engine cannot give them after a failure. */
function safeStats(instance: EngineInstance | null): EngineStats {
  try {
    return instance?.engine.stats?.() ?? {};
  } catch {
    return {};
  }
}
