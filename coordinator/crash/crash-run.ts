/**
 * A crash-lab run (`durabench crash`): every planned case in order, its trials through
 * `runCrashTrials`, the report rewritten after every case (a later failure or Ctrl-C loses nothing).
 * A case whose power crashes cannot run here is `skipped` with the reason; a lab failure makes the
 * case `errored` and the run continues.
 */
import fs from 'node:fs';
import path from 'node:path';
import { collectHost } from '../../provenance/host.js';
import { collectToolInfo } from '../../provenance/tool.js';
import { SCHEMA_VERSION, type CrashCaseResult, type CrashReport, type CrashTrial } from '../../reports/schema.js';
import { renderCrashJson } from '../../reports/render/crash-json.js';
import { renderCrashMarkdown } from '../../reports/render/crash-markdown.js';
import type { PlannedCrashCase } from './matrix.js';
import { CrashUnavailableError, runCrashTrials } from './run-trials.js';

export type CrashReportFormat = 'json' | 'md';
const RENDER: Record<CrashReportFormat, (r: CrashReport) => string> = { json: renderCrashJson, md: renderCrashMarkdown };

export function isCrashReportFormat(f: string): f is CrashReportFormat {
  return f === 'json' || f === 'md';
}

export interface CrashRunSettings {
  readonly cases: readonly PlannedCrashCase[];
  readonly suite: string | null;
  readonly trials: number;
  readonly seed: number;
  /** Target directory for scratch files and images. */
  readonly dir: string;
  readonly outDir: string | null;
  readonly formats: readonly CrashReportFormat[];
  readonly onCaseStart?: (index: number, total: number, id: string) => void;
  readonly onTrial?: (trial: CrashTrial, index: number, total: number) => void;
  readonly onCaseEnd?: (result: CrashCaseResult) => void;
}

export class CrashRun {
  private interrupted = false;
  readonly report: CrashReport;

  constructor(private readonly s: CrashRunSettings) {
    this.report = {
      schemaVersion: SCHEMA_VERSION,
      kind: 'crash',
      tool: collectToolInfo(),
      host: collectHost([s.dir]),
      suite: s.suite,
      trialsPerCase: s.trials,
      startedAt: new Date().toISOString(),
      finishedAt: null,
      status: 'running',
      cases: [],
    };
  }

  interrupt(): void {
    this.interrupted = true;
  }

  get wasInterrupted(): boolean {
    return this.interrupted;
  }

  /** Files the report is written to. */
  paths(): string[] {
    return this.s.outDir ? this.s.formats.map((f) => path.join(this.s.outDir!, `crash-report.${f}`)) : [];
  }

  private write(): void {
    if (!this.s.outDir) return;
    fs.mkdirSync(this.s.outDir, { recursive: true });
    for (const f of this.s.formats) {
      const file = path.join(this.s.outDir, `crash-report.${f}`);
      const tmp = `${file}.tmp-${process.pid}`;
      fs.writeFileSync(tmp, RENDER[f](this.report));
      fs.renameSync(tmp, file);
    }
  }

  async execute(): Promise<CrashReport> {
    const { cases } = this.s;
    this.write();
    for (let i = 0; i < cases.length; i++) {
      if (this.interrupted) break;
      const c = cases[i]!;
      this.s.onCaseStart?.(i + 1, cases.length, c.id);
      const startedAt = new Date().toISOString();
      const base = { id: c.id, key: c.key, engineOptions: c.engineOptions, seed: this.s.seed, startedAt };
      let result: CrashCaseResult;
      if (c.skip !== null) {
        result = { ...base, finishedAt: startedAt, state: 'skipped', reason: c.skip };
      } else {
        try {
          const crash = await runCrashTrials(
            {
              engine: c.key.engine,
              mode: c.key.mode,
              batchSize: c.batchSize,
              batchMs: c.key.batchMs,
              fault: c.key.fault,
              engineOptions: c.engineOptions,
              valueBytes: c.key.valueBytes,
              workload: c.key.workload,
              seed: this.s.seed,
              dir: this.s.dir,
            },
            {
              kind: c.key.crashKind,
              trials: this.s.trials,
              ...(c.key.filesystem ? { fs: c.key.filesystem as 'ext4' | 'xfs' | 'btrfs' } : {}),
              mountOptions: c.key.mountOptions,
              writeback: c.key.writeback ?? 'none',
              imageMib: c.imageMib || undefined,
              crashAt: c.crashAt,
              ...(c.sweep ? { sweep: c.sweep } : {}),
              ...(this.s.onTrial ? { onTrial: this.s.onTrial } : {}),
              isInterrupted: () => this.interrupted,
            },
          );
          result = { ...base, finishedAt: new Date().toISOString(), state: 'completed', crash };
        } catch (err) {
          const reason = (err as Error).message ?? String(err);
          result =
            err instanceof CrashUnavailableError
              ? { ...base, finishedAt: new Date().toISOString(), state: 'skipped', reason }
              : { ...base, finishedAt: new Date().toISOString(), state: 'errored', reason };
        }
      }
      this.report.cases.push(result);
      this.s.onCaseEnd?.(result);
      this.write();
    }
    this.report.status = this.interrupted ? 'interrupted' : 'completed';
    this.report.finishedAt = new Date().toISOString();
    this.write();
    return this.report;
  }
}
