/**
 * Runs one case: a directory per writer (or, on a shared log, one directory and one shared memory
 * for all of them), one pool task per writer, the start barrier, progress, and the outcomes merged
 * into a `CaseResult`. A failing writer aborts the others and turns the case into `errored` with its
 * reason, keeping whatever was measured.
 */
import fs from 'node:fs';
import path from 'node:path';
import { shareOf } from '../model/case.js';
import { durabilityOf } from '../model/durability.js';
import type { WriterMeasurement } from '../model/measurement.js';
import type { CaseResult } from '../model/run-report.js';
import { mergeWriterMeasurements } from '../stats/case-metrics.js';
import { SharedControl } from '../workers/control.js';
import type { WriterOutcome, WriterTask } from '../workers/messages.js';
import type { PlannedCase } from './plan.js';
import type { WriterPool } from './pool.js';

export interface CaseRunContext {
  readonly pool: WriterPool;
  /** This run's work directory in the case's target. */
  readonly workDir: string;
  readonly caseIndex: number;
  readonly intervalMs: number;
  readonly barrierTimeoutMs: number;
  /** Keep the case's files after it ran. */
  readonly keep: boolean;
  /** Fires on SIGINT/SIGTERM: the writers stop at their next commit. */
  readonly signal: AbortSignal;
  /** The live control of the running case (null when it finished), for SIGINT. */
  onControl(control: SharedControl | null): void;
  /** Called about ten times a second with measured commits so far. */
  onProgress?(commits: number): void;
}

/** The code of a writer stopped because another writer's write or sync failed on the shared log. */
const SHARED_LOG_FAILED = 'ESHAREDLOG';

function safeName(id: string): string {
  return id.replace(/[^A-Za-z0-9._+-]+/g, '_');
}

/** Pure: what the outcomes of a case's writers mean for the case. */
export function caseFromOutcomes(
  planned: PlannedCase,
  outcomes: readonly WriterOutcome[],
  times: { startedAt: string; finishedAt: string },
  intervalMs: number,
  interrupted: boolean,
): CaseResult {
  const base = { id: planned.id, key: planned.key, params: planned.params, ...times };
  const measured = outcomes.map((o) => o.measurement).filter((m): m is WriterMeasurement => m !== null);
  const partial = (): ReturnType<typeof mergeWriterMeasurements> | null =>
    measured.length > 0 ? mergeWriterMeasurements(measured, intervalMs) : null;
  // On a shared log one writer's failure stops every writer: report the one that failed first, not those it stopped.
  const errors = outcomes.filter((o) => o.state === 'errored');
  const errored = errors.find((o) => o.state === 'errored' && o.code !== SHARED_LOG_FAILED) ?? errors[0];
  if (errored && errored.state === 'errored') {
    return { ...base, state: 'errored', reason: errored.reason, code: errored.code, partialMetrics: partial() };
  }
  if (interrupted || outcomes.some((o) => o.state === 'aborted')) {
    return { ...base, state: 'errored', reason: 'interrupted (SIGINT or SIGTERM) before the case finished', code: null, partialMetrics: partial() };
  }
  return { ...base, state: 'completed', metrics: mergeWriterMeasurements(measured, intervalMs), warnings: [] };
}

export async function runCase(planned: PlannedCase, ctx: CaseRunContext): Promise<CaseResult> {
  const startedAt = new Date().toISOString();
  if (planned.skip !== null) {
    return {
      id: planned.id,
      key: planned.key,
      params: planned.params,
      startedAt,
      finishedAt: startedAt,
      state: 'skipped',
      reason: planned.skip,
    };
  }
  const { key, params } = planned;
  const caseDir = path.join(ctx.workDir, `${String(ctx.caseIndex).padStart(3, '0')}-${safeName(planned.id)}`);
  fs.mkdirSync(caseDir);
  const control = new SharedControl(key.writers);
  ctx.onControl(control);
  let progressTimer: NodeJS.Timeout | null = null;
  // A shared log: one directory, one zeroed shared memory of the size the engine asks for.
  const sharedLog = shareOf(key) === 'log' && planned.factory.sharedLog ? planned.factory.sharedLog : null;
  const share = sharedLog ? { kind: 'log' as const, memory: new SharedArrayBuffer(sharedLog.memoryBytes(key.writers)), writers: key.writers } : null;
  const sharedDir = share ? path.join(caseDir, 'log') : null;
  try {
    if (sharedDir) fs.mkdirSync(sharedDir);
    const tasks: Promise<WriterOutcome>[] = [];
    for (let w = 0; w < key.writers; w++) {
      const dir = sharedDir ?? path.join(caseDir, `w${w}`);
      if (!sharedDir) fs.mkdirSync(dir);
      const task: WriterTask = {
        kind: 'writer',
        caseId: planned.id,
        writer: w,
        dir,
        share,
        engine: key.engine,
        durability: durabilityOf(key),
        engineOptions: planned.engineOptions,
        faults: key.fault === null ? [] : [key.fault],
        workload: { seed: params.seed, writer: w, valueBytes: key.valueBytes, workload: key.workload },
        warmupMs: params.warmupMs,
        durationMs: params.durationMs,
        commitsPerWriter: params.commitsPerWriter,
        intervalMs: ctx.intervalMs,
        control: control.buffer,
        barrierTimeoutMs: ctx.barrierTimeoutMs,
      };
      tasks.push(
        ctx.pool.run(task).then((outcome) => {
          // One failed writer stops the case: the others stop at their next commit.
          if (outcome.state === 'errored') control.abort();
          return outcome;
        }),
      );
    }

    // Release all writers together once every one has opened its engine (or one failed).
    let settled = 0;
    for (const t of tasks) void t.then(() => (settled += 1));
    while (control.readyCount < key.writers && settled === 0 && !control.aborted) {
      if (ctx.signal.aborted) control.abort();
      await new Promise((r) => setTimeout(r, 2));
    }
    control.release(process.hrtime.bigint());

    if (ctx.onProgress) {
      const report = ctx.onProgress;
      progressTimer = setInterval(() => report(control.totalProgress()), 100);
    }
    const outcomes = await Promise.all(tasks);
    return caseFromOutcomes(planned, outcomes, { startedAt, finishedAt: new Date().toISOString() }, ctx.intervalMs, ctx.signal.aborted);
  } finally {
    if (progressTimer) clearInterval(progressTimer);
    ctx.onControl(null);
    if (!ctx.keep) fs.rmSync(caseDir, { recursive: true, force: true });
  }
}
