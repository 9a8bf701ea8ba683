/**
 * Runs one case: a directory per writer, one pool task per writer, the start barrier, progress,
 * and the outcomes merged into a `CaseResult`. A failing writer aborts the others and turns the
 * case into `errored` with its reason, keeping whatever was measured.
 */
import fs from 'node:fs';
import path from 'node:path';
import { durabilityOf } from '../model/durability.js';
import type { WriterMeasurement } from '../model/measurement.js';
import type { CaseResult } from '../model/run-report.js';
import { mergeWriterMeasurements } from '../stats/case-metrics.js';
import { SharedControl } from '../workers/control.js';
import type { WriterOutcome, WriterTask } from '../workers/messages.js';
import type { PlannedCase } from './plan.js';
import { RunningServer, serverFacts } from './servers.js';
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
  const errored = outcomes.find((o) => o.state === 'errored');
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
  let server: RunningServer | null = null;
  try {
    if (planned.factory.server) {
      // One server per case, fresh data, shared by the case's writers (each with its own connection).
      const root = path.join(caseDir, 'server');
      fs.mkdirSync(root);
      try {
        server = await RunningServer.start({
          factory: planned.factory,
          root,
          dataDir: path.join(root, 'data'),
          fresh: true,
          durability: durabilityOf(key),
          options: planned.engineOptions,
          failure: 'power',
          signal: ctx.signal,
        });
      } catch (err) {
        const finishedAt = new Date().toISOString();
        return { id: planned.id, key, params, startedAt, finishedAt, state: 'errored', reason: `server did not start: ${(err as Error).message}`, code: null, partialMetrics: null };
      }
    }
    const tasks: Promise<WriterOutcome>[] = [];
    for (let w = 0; w < key.writers; w++) {
      const dir = path.join(caseDir, `w${w}`);
      fs.mkdirSync(dir);
      const task: WriterTask = {
        kind: 'writer',
        caseId: planned.id,
        writer: w,
        dir,
        engine: key.engine,
        durability: durabilityOf(key),
        engineOptions: planned.engineOptions,
        faults: key.fault === null ? [] : [key.fault],
        ...(server ? { server: server.endpoint } : {}),
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
    const result = caseFromOutcomes(planned, outcomes, { startedAt, finishedAt: new Date().toISOString() }, ctx.intervalMs, ctx.signal.aborted);
    const facts = serverFacts(planned.factory, durabilityOf(key), planned.engineOptions);
    return result.state === 'completed' && facts ? { ...result, server: facts } : result;
  } finally {
    if (progressTimer) clearInterval(progressTimer);
    ctx.onControl(null);
    if (server) await server.stop();
    if (!ctx.keep) fs.rmSync(caseDir, { recursive: true, force: true });
  }
}
