/**
 * A crash-lab run (`durabench crash`): every planned case in order inside a session (the report is
 * rewritten after every case: a later failure or a stop signal loses nothing), its trials through
 * `runCrashTrials`. A case whose power crashes cannot run here is `skipped` with the reason; a lab
 * failure makes the case `errored` and the run continues.
 */
import { sessionHeader, type Session } from '../coordinator/session.js';
import type { CrashCaseResult, CrashReport, CrashTrial } from '../model/crash-report.js';
import type { PlannedCrashCase } from './matrix.js';
import { CrashUnavailableError, runCrashTrials, type CrashCaseSpec, type CrashOptions } from './run-trials.js';

/** A fresh crash report: the header and the run's settings. */
export function newCrashReport(targets: readonly string[], suite: string | null, trialsPerCase: number): CrashReport {
  return { ...sessionHeader('crash', targets), suite, trialsPerCase, cases: [] };
}

/** What `runCrashTrials` needs for a planned case. */
export function crashInputs(c: PlannedCrashCase, trials: number, extra: Pick<CrashOptions, 'onTrial' | 'signal'> = {}): [CrashCaseSpec, CrashOptions] {
  const { crashAt: _at, crashWindow: _w, runMs, ...setting } = c.setting;
  const isPoint = c.point.kind !== 'random' || c.sweep !== null;
  return [
    { key: c.key, engineOptions: c.params.engineOptions, seed: c.params.seed },
    {
      setting,
      trials,
      ...(c.imageMib ? { imageMib: c.imageMib } : {}),
      point: c.point,
      ...(c.sweep ? { sweep: c.sweep } : {}),
      window: c.window,
      ...(isPoint ? { pointCapMs: runMs } : { runMs }),
      ...extra,
    },
  ];
}

export interface CrashRunSettings {
  readonly cases: readonly PlannedCrashCase[];
  readonly session: Session<CrashReport>;
  readonly trials: number;
  readonly onCaseStart?: (index: number, total: number, id: string) => void;
  readonly onTrial?: (trial: CrashTrial, index: number, total: number) => void;
  readonly onCaseEnd?: (result: CrashCaseResult) => void;
}

export async function executeCrash(s: CrashRunSettings): Promise<CrashReport> {
  const { cases, session } = s;
  return session.run(async () => {
    for (let i = 0; i < cases.length; i++) {
      if (session.stopping) break;
      const c = cases[i]!;
      s.onCaseStart?.(i + 1, cases.length, c.id);
      const startedAt = new Date().toISOString();
      const base = { id: c.id, key: c.key, setting: c.setting, params: c.params, ...(c.expect !== undefined ? { expect: c.expect } : {}), startedAt };
      let result: CrashCaseResult;
      if (c.skip !== null) {
        result = { ...base, finishedAt: startedAt, state: 'skipped', reason: c.skip };
      } else {
        try {
          const crash = await runCrashTrials(...crashInputs(c, s.trials, { ...(s.onTrial ? { onTrial: s.onTrial } : {}), signal: session.signal }));
          result = { ...base, finishedAt: new Date().toISOString(), state: 'completed', crash };
        } catch (err) {
          const reason = (err as Error).message ?? String(err);
          result =
            err instanceof CrashUnavailableError
              ? { ...base, finishedAt: new Date().toISOString(), state: 'skipped', reason }
              : { ...base, finishedAt: new Date().toISOString(), state: 'errored', reason };
        }
      }
      session.report.cases.push(result);
      s.onCaseEnd?.(result);
      session.save();
    }
  });
}
