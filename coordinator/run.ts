/**
 * A whole run: plan the matrix, create a marked work directory in every target, start the writer
 * pool, run every case in order, write the report after every case, clean up. `interrupt()` (SIGINT)
 * stops the running case at its next commit; the partial report is written and temporary
 * directories are removed.
 */
import { collectHost } from '../provenance/host.js';
import { collectToolInfo } from '../provenance/tool.js';
import type { EngineFactory } from '../engines/types.js';
import type { ReportOutput } from '../reports/output.js';
import {
  SCHEMA_VERSION,
  type CaseResult,
  type CompletedCase,
  type ResolvedSuite,
  type RunReport,
  type Warning,
} from '../reports/schema.js';
import { syncPlausibilityWarnings, targetWarnings } from '../provenance/warnings.js';
import type { SharedControl } from '../workers/control.js';
import { planCases, type PlannedCase } from './plan.js';
import { repeatSchedule, RepeatCollector } from './repeat.js';
import { WriterPool } from './pool.js';
import type { ProgressSink } from './progress.js';
import { runCase } from './run-case.js';
import { createWorkDir, newRunId, removeWorkDir } from './workdir.js';

export interface RunSettings {
  readonly suite: ResolvedSuite;
  readonly factories: readonly EngineFactory[];
  /** Where the report goes after every case (null: keep it in memory only). */
  readonly output: ReportOutput | null;
  readonly progress: ProgressSink;
  /** Keep the work directories (engine files) after the run. */
  readonly keep: boolean;
  /** Timeline interval, ms. */
  readonly intervalMs?: number;
  readonly barrierTimeoutMs?: number;
  /** Called after each case with the report so far (e.g. crash trials, tests). */
  readonly afterCase?: (result: CaseResult, planned: PlannedCase, report: RunReport) => Promise<void> | void;
}

export class Run {
  private interrupted = false;
  private control: SharedControl | null = null;
  readonly report: RunReport;
  readonly cases: PlannedCase[];

  constructor(private readonly settings: RunSettings) {
    this.cases = planCases(settings.suite, settings.factories);
    this.report = {
      schemaVersion: SCHEMA_VERSION,
      kind: 'run',
      tool: collectToolInfo(),
      host: collectHost(settings.suite.targets),
      suite: settings.suite,
      startedAt: new Date().toISOString(),
      finishedAt: null,
      status: 'running',
      cases: [],
      warnings: [],
    };
    // A target on tmpfs, a network filesystem or a write-back cache: said once, before anything runs.
    this.report.warnings = this.report.host.targets.flatMap((t) => targetWarnings(t));
  }

  /** A sync faster than the target's device class makes plausible (the cache may be lying). */
  private syncWarnings(result: CompletedCase): Warning[] {
    const target = this.report.host.targets[this.settings.suite.targets.indexOf(result.key.target)];
    const syncs = result.metrics.syncLatency;
    return target && syncs.count > 0 ? syncPlausibilityWarnings(target, syncs.p50Ns, `${result.id} sync`) : [];
  }

  /** Stop at the next commit; the run then writes its partial report and cleans up. */
  interrupt(): void {
    this.interrupted = true;
    this.control?.abort();
  }

  get wasInterrupted(): boolean {
    return this.interrupted;
  }

  async execute(): Promise<RunReport> {
    const { suite, progress, output } = this.settings;
    const runId = newRunId();
    const workDirs = new Map<string, string>();
    const threads = Math.max(...suite.writers);
    const pool = new WriterPool(threads);
    try {
      for (const t of suite.targets) workDirs.set(t, createWorkDir(t, runId));
      output?.write(this.report);
      // --repeat: interleaved rounds; each case keeps one entry in the report (coordinator/repeat.ts).
      const schedule = repeatSchedule(this.cases, suite.repeat);
      const repeats = new RepeatCollector(this.report);
      for (const run of schedule) {
        const { planned, index } = run;
        if (this.interrupted) break;
        progress.caseStarted(index, schedule.length, run.label);
        const result = await runCase(
          planned,
          {
            pool,
            workDir: workDirs.get(planned.key.target)!,
            caseIndex: index,
            intervalMs: this.settings.intervalMs ?? 1000,
            barrierTimeoutMs: this.settings.barrierTimeoutMs ?? 120_000,
            keep: this.settings.keep,
            onControl: (c) => {
              this.control = c;
              if (c && this.interrupted) c.abort();
            },
            onProgress: (n) => progress.caseProgress(n),
          },
          () => this.interrupted,
        );
        const entry = repeats.record(run, result);
        // Once per case, after its last repeat, on the merged entry (e.g. crash trials).
        if (run.last && entry.state === 'completed') entry.warnings.push(...this.syncWarnings(entry));
        if (run.last) await this.settings.afterCase?.(entry, planned, this.report);
        progress.caseFinished(result);
        output?.write(this.report);
      }
      this.report.status = this.interrupted ? 'interrupted' : 'completed';
      this.report.finishedAt = new Date().toISOString();
      output?.write(this.report);
      return this.report;
    } finally {
      progress.done();
      await pool.close();
      if (!this.settings.keep) for (const d of workDirs.values()) removeWorkDir(d);
    }
  }
}
