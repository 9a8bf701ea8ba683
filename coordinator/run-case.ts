/**
 * Runs one case: a directory per writer (or, on a shared log, one directory and one shared memory
 * for all of them), one pool task per writer, the start barrier, progress, and the outcomes merged
 * into a `CaseResult`. A failing writer aborts the others and turns the case into `errored` with its
 * reason, keeping whatever was measured.
 */
import fs from 'node:fs';
import path from 'node:path';
import { shareOf } from '../model/case.js';
import { counterDelta, deviceTruth, type CaseDevice, type DeviceTruth } from '../model/device.js';
import { durabilityOf } from '../model/durability.js';
import type { WriterMeasurement } from '../model/measurement.js';
import type { CaseResult } from '../model/run-report.js';
import { mergeWriterMeasurements } from '../stats/case-metrics.js';
import { SharedControl } from '../workers/control.js';
import type { WriterOutcome, WriterTask } from '../workers/messages.js';
import { removeTree, spaceProblem } from '../workspace/workdir.js';
import type { PlannedCase } from './plan.js';
import { RunningServer, serverFacts } from './servers.js';
import type { WriterPool } from './pool.js';

export interface CaseRunContext {
  readonly pool: WriterPool;
  /** This run's work directory in the case's target. */
  readonly workDir: string;
  readonly caseIndex: number;
  /** Timeline interval, ms, and the point limit past which it doubles (null: fixed). */
  readonly intervalMs: number;
  readonly timelineMaxPoints: number | null;
  readonly barrierTimeoutMs: number;
  /** Keep the case's files after it ran. */
  readonly keep: boolean;
  /** The block device under the case's target, whose counters are read over the measured window. */
  readonly device: CaseDevice;
  /** Fires on SIGINT/SIGTERM: the writers stop at their next commit. */
  readonly signal: AbortSignal;
  /** The live control of the running case (null when it finished), for SIGINT. */
  onControl(control: SharedControl | null): void;
  /** Called about ten times a second with measured commits so far. */
  onProgress?(commits: number): void;
}

/** The code of a writer stopped because another writer's write or sync failed on the shared log. */
const SHARED_LOG_FAILED = 'ESHAREDLOG';

/** An error that already says the disk is full, in any engine's words (errno, SQLite, LMDB, LevelDB, MariaDB). */
const NAMES_FULL = /ENOSPC|no space left|disk is full|SQLITE_FULL|MDB_MAP_FULL|NoSpace/i;

function safeName(id: string): string {
  return id.replace(/[^A-Za-z0-9._+-]+/g, '_');
}

/** The case's directory in the run's work directory: `003-raw_sync_w1_v128_unique_t0`. */
export function caseDirOf(planned: { readonly id: string }, ctx: { readonly workDir: string; readonly caseIndex: number }): string {
  return path.join(ctx.workDir, `${String(ctx.caseIndex).padStart(3, '0')}-${safeName(planned.id)}`);
}

/** What the writers measured (those that measured anything). */
function measuredOf(outcomes: readonly WriterOutcome[]): WriterMeasurement[] {
  return outcomes.map((o) => o.measurement).filter((m): m is WriterMeasurement => m !== null);
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
  const measured = measuredOf(outcomes);
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

/** The message of anything thrown, on one line. */
export function messageOf(err: unknown): string {
  return String((err as Error)?.message ?? err).replace(/\s*\n\s*/g, ' ');
}

/** The errno code of anything thrown (ENOSPC, EIO), or null. */
export function codeOf(err: unknown): string | null {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  return typeof code === 'string' ? code : null;
}

/** A case that failed outside its writers (its directory, the coordinator): errored, with what its writers measured. */
export function erroredCase(planned: PlannedCase, times: { startedAt: string; finishedAt: string }, reason: string, code: string | null, outcomes: readonly WriterOutcome[], intervalMs: number): CaseResult {
  const measured = measuredOf(outcomes);
  return {
    id: planned.id,
    key: planned.key,
    params: planned.params,
    ...times,
    state: 'errored',
    reason,
    code,
    partialMetrics: measured.length > 0 ? mergeWriterMeasurements(measured, intervalMs) : null,
  };
}

/**
 * The device counters over a case's measured window, from the writers' own readings at its edges
 * (workers/writer-worker.ts): the first writer to switch to measuring reads them just before its
 * first measured commit, the last writer whose loop ended reads them just after the case's last
 * measured commit, and no writer closes its engine before that. So the window is exactly the
 * measurement: not the setup (opening the engine, the warm-up, whose writes and flushes are not in
 * the measured commits) and not the cleanup (closing the engine may flush what `none` left in the
 * page cache, removing the files writes metadata), which, counted against the measured commits,
 * would make `none` look like it flushes — however busy the coordinator's event loop is.
 */
export function deviceTruthOf(device: CaseDevice, measurements: readonly WriterMeasurement[], commits: number, committedBytes: number): DeviceTruth {
  if (device.state !== 'found') return { state: 'unavailable', reason: device.reason };
  const problem = measurements.find((m) => m.device?.problem !== undefined)?.device?.problem;
  if (problem !== undefined) return { state: 'unavailable', reason: problem };
  const atStart = measurements.find((m) => m.device?.atStart !== undefined)?.device?.atStart;
  const atEnd = measurements.find((m) => m.device?.atEnd !== undefined)?.device?.atEnd;
  if (!atStart || !atEnd) return { state: 'unavailable', reason: 'no writer read the device counters at an edge of the measured window (a writer ended before measuring)' };
  return deviceTruth(device.name, device.approximate, counterDelta(atStart, atEnd), commits, committedBytes);
}

/** A problem while removing the case's files: appended to an errored case, or it makes a completed case errored. */
function withCleanupProblem(result: CaseResult, problem: string, code: string | null): CaseResult {
  if (result.state === 'errored') return { ...result, reason: `${result.reason}; then ${problem}` };
  if (result.state === 'completed') {
    return { id: result.id, key: result.key, params: result.params, startedAt: result.startedAt, finishedAt: result.finishedAt, state: 'errored', reason: problem, code, partialMetrics: result.metrics };
  }
  return result;
}

/**
 * Run one case. Never throws: whatever fails — creating the case's directories, a writer (open,
 * warm-up, measure, close), merging, removing the files — makes the case `errored` with the first
 * error as its reason and later problems appended, and every writer has stopped and closed its
 * engine when this returns.
 */
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
  const caseDir = caseDirOf(planned, ctx);
  const control = new SharedControl(key.writers);
  const tasks: Promise<WriterOutcome>[] = [];
  const outcomes: WriterOutcome[] = [];
  let progressTimer: NodeJS.Timeout | null = null;
  let created = false;
  let result: CaseResult;
  let runningServer: RunningServer | null = null;
  let serverProblem: string | null = null;
  ctx.onControl(control);
  // A shared log: one directory, one zeroed shared memory of the size the engine asks for.
  const sharedLog = shareOf(key) === 'log' && planned.factory.sharedLog ? planned.factory.sharedLog : null;
  const share = sharedLog ? { kind: 'log' as const, memory: new SharedArrayBuffer(sharedLog.memoryBytes(key.writers)), writers: key.writers } : null;
  const sharedDir = share ? path.join(caseDir, 'log') : null;
  try {
    fs.mkdirSync(caseDir);
    created = true;
    if (sharedDir) fs.mkdirSync(sharedDir);
    let server: RunningServer | null = null;
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
        throw new Error(`server did not start: ${(err as Error).message}`);
      }
    }
    runningServer = server;
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
        ...(server ? { server: server.endpoint } : {}),
        workload: { seed: params.seed, writer: w, valueBytes: key.valueBytes, workload: key.workload },
        warmupMs: params.warmupMs,
        durationMs: params.durationMs,
        commitsPerWriter: params.commitsPerWriter,
        intervalMs: ctx.intervalMs,
        timelineMaxPoints: ctx.timelineMaxPoints,
        control: control.buffer,
        barrierTimeoutMs: ctx.barrierTimeoutMs,
        deviceName: ctx.device.state === 'found' ? ctx.device.name : null,
      };
      tasks.push(
        ctx.pool.run(task).then((outcome) => {
          // One failed writer stops the case: the others stop at their next commit.
          if (outcome.state === 'errored') control.abort();
          outcomes.push(outcome);
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
    await Promise.all(tasks);
    // In the order they ended: the writer that failed first gives the reason.
    const ended = caseFromOutcomes(planned, outcomes, { startedAt, finishedAt: new Date().toISOString() }, ctx.intervalMs, ctx.signal.aborted);
    const facts = serverFacts(planned.factory, durabilityOf(key), planned.engineOptions);
    const withFacts = ended.state === 'completed' && facts ? { ...ended, server: facts } : ended;
    result = withFacts.state === 'completed' ? { ...withFacts, device: deviceTruthOf(ctx.device, measuredOf(outcomes), withFacts.metrics.commits, withFacts.metrics.bytes) } : withFacts;
  } catch (err) {
    // Outside the writers: a directory could not be created (ENOSPC, EROFS, EIO), a server did not
    // start, or merging failed. Writers already started must stop and close their engines before the files go.
    control.abort();
    control.release(process.hrtime.bigint());
    await Promise.all(tasks);
    const what = created ? 'the case failed' : 'could not create the case directory';
    result = erroredCase(planned, { startedAt, finishedAt: new Date().toISOString() }, `${what}: ${messageOf(err)}`, codeOf(err), outcomes, ctx.intervalMs);
  } finally {
    if (progressTimer) clearInterval(progressTimer);
    ctx.onControl(null);
    if (runningServer) {
      // Read before the stop removes it: a client sees only "connection closed", the server's own log says why (the disk full, EIO).
      serverProblem = (runningServer as RunningServer).logProblem();
      await (runningServer as RunningServer).stop();
    }
  }
  if (serverProblem !== null && result.state === 'errored' && !result.reason.includes(serverProblem)) {
    result = { ...result, reason: `${result.reason}; the server's log says: ${serverProblem}` };
  }
  if (result.state === 'errored' && !NAMES_FULL.test(result.reason)) {
    // The error did not say the disk is full (a client's "connection closed", a server's "short write"), but it is.
    const full = spaceProblem(created ? caseDir : path.dirname(caseDir));
    if (full) result = { ...result, reason: `${result.reason}; ${full}` };
  }
  if (!ctx.keep && created) {
    try {
      removeTree(caseDir);
    } catch (err) {
      result = withCleanupProblem(result, `removing its files failed: ${messageOf(err)}`, codeOf(err));
    }
  }
  return result;
}
