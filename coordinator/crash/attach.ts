/**
 * Crash trials for `durabench run --crash kill|power --trials N`: an `afterCase` hook for the run
 * coordinator that runs the crash lab on every completed case (same engine, mode, batch, fault,
 * options, value size, workload, seed and target) and attaches the `CrashSummary` to the case, so
 * latency and measured loss land in one report. The lab runs one writer per trial whatever the
 * case's writer count (the loss bound is per writer).
 */
import type { CaseResult, RunReport, Warning } from '../../reports/schema.js';
import type { PlannedCase } from '../plan.js';
import { UsageError } from '../usage-error.js';
import { isLabFs, type LabFs } from './image.js';
import { CrashUnavailableError, runCrashTrials } from './run-trials.js';

export interface RunCrashSettings {
  readonly kind: 'kill' | 'power';
  readonly trials: number;
  readonly fs?: LabFs;
  readonly mountOptions?: string | null;
  readonly imageMib?: number;
  readonly isInterrupted?: () => boolean;
}

/** Validate `--crash`, `--trials`, `--fs` of the run command; null when `--crash` was not given. */
export function runCrashSettings(crash: string | undefined, trials: number | undefined, fsName: string | undefined): RunCrashSettings | null {
  if (crash === undefined) {
    if (trials !== undefined) throw new UsageError('--trials needs --crash kill or --crash power');
    return null;
  }
  if (crash !== 'kill' && crash !== 'power') throw new UsageError(`--crash must be kill or power, got '${crash}'`);
  const n = trials ?? 5;
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--trials must be a whole number ≥ 1, got '${String(trials)}'`);
  const fs = fsName ?? 'ext4';
  if (!isLabFs(fs)) throw new UsageError(`--fs '${fs}' is not supported; use ext4, xfs or btrfs`);
  return { kind: crash, trials: n, fs };
}

/** The `afterCase` hook: crash trials for every completed case; lab problems become warnings. */
export function crashAfterCase(settings: RunCrashSettings): (result: CaseResult, planned: PlannedCase, report: RunReport) => Promise<void> {
  return async (result, planned) => {
    if (result.state !== 'completed' || settings.isInterrupted?.()) return;
    const k = planned.key;
    try {
      result.crash = await runCrashTrials(
        {
          engine: k.engine,
          mode: k.mode,
          batchSize: k.batchSize ?? 1,
          batchMs: k.batchMs,
          fault: k.fault,
          engineOptions: planned.params.engineOptions,
          valueBytes: k.valueBytes,
          workload: k.workload,
          seed: planned.params.seed,
          dir: k.target,
        },
        settings,
      );
    } catch (err) {
      const unavailable = err instanceof CrashUnavailableError;
      const w: Warning = {
        code: unavailable ? 'crash-unavailable' : 'crash-failed',
        message: `crash trials (${settings.kind}) for ${result.id}: ${(err as Error).message}`,
        remedy: unavailable ? 'run as root with loop devices and mkfs tools, or use --crash kill' : 'see the message; the latency figures of the case are unaffected',
      };
      result.warnings.push(w);
    }
  };
}
