/**
 * Piscina task: one writer of one case, on its own thread, driving its own engine instance in its
 * own directory — or, on a shared log, its part of the one log all writers share (its syncs record
 * the group sizes and leader waits). Open (recovery) → start barrier → warm-up + measurement loop →
 * close → encode.
 * Failures come back as an `errored` outcome (never a thrown error) so the coordinator keeps what
 * the writer measured before it failed.
 */
import { ExposureTracker } from './exposure.js';
import { runLoop } from './loop.js';
import type { WriterMeasurement, WriterOutcome, WriterTask } from './messages.js';
import { WriterRecorders } from './recorders.js';
import { AbortedError, SharedControl } from './control.js';
import { Workload } from './workload.js';
import { createEngineInstance, type EngineInstance } from './engine-instance.js';
import { emptyRecovery, type RecoveryReport } from '../model/recovery.js';

type Stage = 'open' | 'barrier' | 'warmup' | 'measure' | 'close';

export default async function runWriter(task: WriterTask): Promise<WriterOutcome> {
  const control = new SharedControl(task.control);
  const rec = new WriterRecorders();
  const tracker = new ExposureTracker(task.durability.mode, process.hrtime.bigint, task.share !== null);
  const workload = new Workload(task.workload);
  let stage: Stage = 'open';
  let instance: EngineInstance | null = null;
  let recovery: RecoveryReport = emptyRecovery();
  let loopResult: { commits: number; bytes: number; durationNs: number } | null = null;

  const measurement = (): WriterMeasurement | null =>
    loopResult === null
      ? null
      : {
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
          timeline: rec.timeline,
          engineStats: instance?.engine.stats?.() ?? {},
          ioBytesWritten: instance?.io.bytesWritten ?? 0,
          recovery,
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
        intervalNs: BigInt(Math.round(task.intervalMs * 1e6)),
      },
      {
        shouldStop: () => control.aborted,
        progress: (n) => {
          control.progress[task.writer] = n;
        },
      },
    );
    loopResult = result;
    rec.measuring = false;
    if (result.failure !== undefined) throw result.failure;

    stage = 'close';
    await engine.close();
    const m = measurement()!;
    if (result.stopped) return { state: 'aborted', writer: task.writer, measurement: m };
    return { state: 'completed', writer: task.writer, measurement: m };
  } catch (err) {
    if (err instanceof AbortedError) return { state: 'aborted', writer: task.writer, measurement: measurement() };
    const e = err as NodeJS.ErrnoException;
    let m: WriterMeasurement | null = null;
    try {
      m = measurement();
    } catch {
      m = null;
    }
    return {
      state: 'errored',
      writer: task.writer,
      stage,
      reason: `writer ${task.writer} failed during ${stage}: ${e?.message ?? String(err)}`,
      code: typeof e?.code === 'string' ? e.code : null,
      measurement: m,
    };
  } finally {
    rec.destroy();
    tracker.destroy();
  }
}
