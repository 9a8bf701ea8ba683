/**
 * Crash trials for `durabench run --crash kill|power` (and `tune --crash`): an `afterCase` hook for
 * the run coordinator that crashes every completed case as the crash command would (the same plan:
 * engine, durability, fault, options, value size, workload, seed and target) and attaches the
 * `CrashSummary` to the case, so latency and measured loss land in one report. Lab problems (power
 * cuts unavailable here, a lab failure) become warnings of the case; its latency figures stand.
 */
import type { PlannedCase } from '../coordinator/plan.js';
import type { CaseResult, RunReport } from '../model/run-report.js';
import type { Warning } from '../model/warning.js';
import { planCrashCases, type CrashPlanSettings } from './matrix.js';
import { crashInputs } from './crash-run.js';
import { CrashUnavailableError, runCrashTrials } from './run-trials.js';

export interface AttachSettings {
  /** One crash kind (the run's `--crash`), with its filesystem, drive-cache model, window and writeback. */
  readonly plan: CrashPlanSettings;
  readonly trials: number;
  readonly signal?: AbortSignal;
}

/** The `afterCase` hook: crash trials for every completed case. */
export function crashAfterCase(settings: AttachSettings): (result: CaseResult, planned: PlannedCase, report: RunReport) => Promise<void> {
  return async (result, planned) => {
    if (result.state !== 'completed' || settings.signal?.aborted) return;
    for (const c of planCrashCases([planned], settings.plan)) {
      const warn = (code: string, message: string, remedy: string): void => {
        result.warnings.push({ code, message: `crash trials (${c.setting.kind}) for ${result.id}: ${message}`, remedy } satisfies Warning);
      };
      if (c.skip !== null) {
        warn('crash-skipped', c.skip, 'the latency figures of the case are unaffected');
        continue;
      }
      try {
        result.crash = await runCrashTrials(...crashInputs(c, settings.trials, settings.signal ? { signal: settings.signal } : {}));
      } catch (err) {
        const unavailable = err instanceof CrashUnavailableError;
        warn(
          unavailable ? 'crash-unavailable' : 'crash-failed',
          (err as Error).message,
          unavailable ? 'run as root with loop devices and mkfs tools, or use --crash kill' : 'see the message; the latency figures of the case are unaffected',
        );
      }
    }
  };
}
