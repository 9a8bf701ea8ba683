/**
 * A whole run: plan the matrix, create a marked work directory in every target, start the writer
 * pool, run every case in order inside a session (the report is rewritten after every case), clean
 * up. When the session's stop signal fires (SIGINT, SIGTERM) the running case stops at its next
 * commit; the partial report is written and the work directories are removed.
 */
import { caseSyncPlausibilityWarnings, targetWarnings } from '../analysis/warnings.js';
import type { EngineFactory } from '../engines/types.js';
import type { CaseResult, CompletedCase, ResolvedSuite, RunReport } from '../model/run-report.js';
import type { Warning } from '../model/warning.js';
import { release } from '../workspace/registry.js';
import { createWorkDir, newRunId, removeWorkDir } from '../workspace/workdir.js';
import type { SharedControl } from '../workers/control.js';
import { planCases, type PlannedCase } from './plan.js';
import { WriterPool } from './pool.js';
import type { ProgressSink } from './progress.js';
import { repeatSchedule, RepeatCollector } from './repeat.js';
import { runCase } from './run-case.js';
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
  /** Timeline interval, ms. */
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

/** Run every planned case; the session's report holds the results. */
export async function executeRun(settings: RunSettings): Promise<RunReport> {
  const { suite, progress, session } = settings;
  const report = session.report;
  const cases = planCases(suite, settings.factories);
  const runId = newRunId();
  const workDirs = new Map<string, string>();
  const pool = new WriterPool(Math.max(...suite.writers));
  let control: SharedControl | null = null;
  const onStop = (): void => control?.abort();
  session.signal.addEventListener('abort', onStop);
  try {
    return await session.run(async () => {
      for (const t of suite.targets) workDirs.set(t, createWorkDir(t, runId));
      // --repeat: interleaved rounds; each case keeps one entry in the report (coordinator/repeat.ts).
      const schedule = repeatSchedule(cases, suite.repeat);
      const repeats = new RepeatCollector(report);
      for (const run of schedule) {
        if (session.stopping) break;
        const { planned, index } = run;
        progress.caseStarted(index, schedule.length, run.label);
        const result = await runCase(planned, {
          pool,
          workDir: workDirs.get(planned.key.target)!,
          caseIndex: index,
          intervalMs: settings.intervalMs ?? 1000,
          barrierTimeoutMs: settings.barrierTimeoutMs ?? 120_000,
          keep: settings.keep,
          signal: session.signal,
          onControl: (c) => {
            control = c;
            if (c && session.stopping) c.abort();
          },
          onProgress: (n) => progress.caseProgress(n),
        });
        const entry = repeats.record(run, result);
        // Once per case, after its last repeat, on the merged entry (e.g. crash trials).
        if (run.last && entry.state === 'completed') entry.warnings.push(...syncWarnings(report, entry));
        if (run.last) await settings.afterCase?.(entry, planned, report);
        progress.caseFinished(result);
        session.save();
      }
      settings.afterAll?.(report);
    });
  } finally {
    session.signal.removeEventListener('abort', onStop);
    progress.done();
    await pool.close();
    for (const d of workDirs.values()) {
      if (settings.keep) release({ kind: 'dir', path: d });
      else removeWorkDir(d);
    }
  }
}
