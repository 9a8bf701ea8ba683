/**
 * A whole run: plan the matrix, create a marked work directory in every target, start the writer
 * pool, run every case in order inside a session (the report is rewritten after every case), clean
 * up. When the session's stop signal fires (SIGINT, SIGTERM) the running case stops at its next
 * commit; the partial report is written and the work directories are removed.
 */
import { caseSyncPlausibilityWarnings, targetWarnings } from '../analysis/warnings.js';
import type { EngineFactory } from '../engines/types.js';
import type { CaseResult, CompletedCase, ResolvedSuite, RunReport } from '../model/run-report.js';
import type { CaseDevice } from '../model/device.js';
import type { Warning } from '../model/warning.js';
import { blockDeviceUnder } from '../provenance/case-device.js';
import { createWorkDir, keepWorkDir, newRunId, removeWorkDir, targetDown } from '../workspace/workdir.js';
import type { SharedControl } from '../workers/control.js';
import { adaptiveIntervalMs, TIMELINE } from './defaults.js';
import { planCases, type PlannedCase } from './plan.js';
import { WriterPool } from './pool.js';
import type { ProgressSink } from './progress.js';
import { repeatSchedule, RepeatCollector } from './repeat.js';
import { runCaseInChild } from './case-process.js';
import { codeOf, messageOf, runCase } from './run-case.js';
import { sessionHeader, type Session } from './session.js';

/** A fresh run report: the header (with the targets' warnings, said before anything runs) and the suite. */
export function newRunReport(suite: ResolvedSuite): RunReport {
  const header = sessionHeader('run', suite.targets);
  // A target on tmpfs, a network filesystem or a write-back cache: said once, before anything runs.
  header.warnings = header.host.targets.flatMap((t) => targetWarnings(t));
  return { ...header, suite, cases: [] };
}

export interface RunSettings {
  readonly suite: ResolvedSuite;
  readonly factories: readonly EngineFactory[];
  readonly session: Session<RunReport>;
  readonly progress: ProgressSink;
  /** Keep the work directories (engine files) after the run. */
  readonly keep: boolean;
  /** Timeline interval, ms (`--interval-ms`); unset: it adapts to each case's length (defaults.ts). */
  readonly intervalMs?: number;
  readonly barrierTimeoutMs?: number;
  /** Called after each case (after its last repeat) with the report so far (e.g. crash trials). */
  readonly afterCase?: (result: CaseResult, planned: PlannedCase, report: RunReport) => Promise<void> | void;
  /** Called once after the last case (also after a stop), before the report is finished: analyses of the whole run (tune). */
  readonly afterAll?: (report: RunReport) => void;
}

/** A data sync faster than the target's device class makes plausible (the cache may be lying). */
function syncWarnings(report: RunReport, result: CompletedCase): Warning[] {
  const target = report.host.targets[report.suite.targets.indexOf(result.key.target)];
  return target ? caseSyncPlausibilityWarnings(target, result) : [];
}

/** A case that did not run because its target is unusable: errored at once, with the target's reason. */
function targetDownCase(planned: PlannedCase, reason: string, code: string | null): CaseResult {
  const now = new Date().toISOString();
  return { id: planned.id, key: planned.key, params: planned.params, startedAt: now, finishedAt: now, state: 'errored', reason, code, partialMetrics: null };
}

/**
 * Run every planned case; the session's report holds the results. No case ends the run: a case
 * that fails is `errored` with its reason and the next one runs; a target that is gone, read-only or
 * failing makes its remaining cases `errored` at once; the work directories are removed inside the
 * session, so a problem removing them is a warning of the report.
 */
export async function executeRun(settings: RunSettings): Promise<RunReport> {
  const { suite, progress, session } = settings;
  const report = session.report;
  const cases = planCases(suite, settings.factories);
  const runId = report.runId ?? newRunId();
  const workDirs = new Map<string, string>();
  /** Targets that can no longer be used, with the reason (their remaining cases are errored at once). */
  const down = new Map<string, { reason: string; code: string | null }>();
  const pool = new WriterPool(Math.max(...suite.writers));
  let control: SharedControl | null = null;
  const onStop = (): void => control?.abort();
  session.signal.addEventListener('abort', onStop);
  const removeWorkDirs = (): string[] => {
    const problems: string[] = [];
    for (const [t, d] of workDirs) {
      workDirs.delete(t);
      if (settings.keep) {
        keepWorkDir(d);
        continue;
      }
      try {
        removeWorkDir(d);
      } catch (err) {
        problems.push(`could not remove the work directory ${d}: ${messageOf(err)}`);
      }
    }
    return problems;
  };
  try {
    return await session.run(async () => {
      for (const t of suite.targets) {
        try {
          workDirs.set(t, createWorkDir(t, runId));
        } catch (err) {
          down.set(t, { reason: `could not create the work directory in ${t}: ${messageOf(err)}`, code: codeOf(err) });
        }
      }
      // The device under each target, found once: a `run --fs` image's own loop device is exact;
      // a directory on a shared disk counts every other writer of that disk too (approximate).
      const devices = new Map<string, CaseDevice>();
      for (const t of suite.targets) {
        const found = blockDeviceUnder(t);
        const ownImage = suite.filesystems?.some((f) => f.target === t) ?? false;
        devices.set(t, found.state === 'found' ? { state: 'found', name: found.name, approximate: !ownImage } : found);
      }
      // --repeat: interleaved rounds; each case keeps one entry in the report (coordinator/repeat.ts).
      const schedule = repeatSchedule(cases, suite.repeat);
      const repeats = new RepeatCollector(report);
      progress.planned(schedule.map(({ planned: p }) => ({ ...p.params, writers: p.key.writers, skipped: p.skip !== null })));
      for (const run of schedule) {
        if (session.stopping) break;
        const { planned, index } = run;
        const target = planned.key.target;
        progress.caseStarted(index, schedule.length, run.label);
        const isDown = down.get(target);
        let result: CaseResult;
        if (isDown && planned.skip === null) {
          result = targetDownCase(planned, isDown.reason, isDown.code);
        } else {
          try {
            // Engines whose native library can crash the process run their cases in a child process.
            const runIt = planned.factory.isolation === 'process' ? runCaseInChild : runCase;
            result = await runIt(planned, {
              pool,
              workDir: workDirs.get(target)!,
              caseIndex: index,
              intervalMs: settings.intervalMs ?? adaptiveIntervalMs(planned.params.durationMs),
              timelineMaxPoints: settings.intervalMs === undefined ? TIMELINE.maxPoints : null,
              barrierTimeoutMs: settings.barrierTimeoutMs ?? 120_000,
              keep: settings.keep,
              device: devices.get(target)!,
              signal: session.signal,
              onControl: (c) => {
                control = c;
                if (c && session.stopping) c.abort();
              },
              onProgress: (n) => progress.caseProgress(n),
            });
          } catch (err) {
            // runCase never throws; should it ever, that is this case's error, not the run's end.
            const now = new Date().toISOString();
            result = { id: planned.id, key: planned.key, params: planned.params, startedAt: now, finishedAt: now, state: 'errored', reason: `the case failed: ${messageOf(err)}`, code: codeOf(err), partialMetrics: null };
          }
          // After a failure, is the target itself still usable? If not, say so once for all its remaining cases.
          if (result.state === 'errored' && !session.stopping) {
            const problem = targetDown(target, workDirs.get(target) ?? null);
            if (problem) down.set(target, { reason: `${problem.reason} (after ${planned.id} failed)`, code: problem.code });
          }
        }
        const entry = repeats.record(run, result);
        // Once per case, after its last repeat, on the merged entry (e.g. crash trials).
        if (run.last && entry.state === 'completed') entry.warnings.push(...syncWarnings(report, entry));
        if (run.last && !down.has(target)) {
          try {
            await settings.afterCase?.(entry, planned, report);
          } catch (err) {
            if (entry.state === 'completed') entry.warnings.push({ code: 'after-case-failed', message: `${entry.id}: ${messageOf(err)}`, remedy: 'the latency figures of the case are unaffected' });
          }
        }
        progress.caseFinished(result);
        session.save();
      }
      settings.afterAll?.(report);
      for (const problem of removeWorkDirs()) {
        report.warnings.push({ code: 'cleanup-failed', message: problem, remedy: 'durabench clean removes it once the filesystem can be written again (the next durabench command says so)' });
      }
    });
  } finally {
    session.signal.removeEventListener('abort', onStop);
    progress.done();
    await pool.close();
    // An exception above: the work directories still go (their problems are in the run record).
    removeWorkDirs();
  }
}
