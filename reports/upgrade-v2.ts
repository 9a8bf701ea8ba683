/**
 * Reports of schema version 2 in today's shape (version 3), so every reader sees one shape. Only crash
 * summaries changed (in crash reports and in run reports' `crash`):
 * - the setting names the drive-cache model: version 2 power cuts kept every write the loop device
 *   completed (`none`); the crash window of random instants was 50–500 ms after the first ack;
 * - trials carry their outcome (a recovery that threw was an `error` with a prefix), crash image and
 *   declared durability. Version 2 did not stream the engine's claims, so the declared durability is
 *   the mode's nominal bound (acked − bound), which is what version 2 judged by, and the loss is taken
 *   as one tail (version 2 assumed it);
 * - a verdict of `consistent` without a verified trial, or with an errored one, becomes `inconclusive`
 *   (version 2 called such cases consistent);
 * - device truth and the syscall census were not measured.
 * Pure: JSON in, JSON out; the result is then checked against the current schema.
 */
import { lossDistribution, RECOVERY_FAILED } from '../analysis/crash-verdict.js';
import type { ReportKind } from '../model/report.js';

type Json = Record<string, unknown>;

function obj(v: unknown): Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : {};
}

function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

const NOT_MEASURED = { state: 'unavailable', reason: 'not measured (the report was written before schema version 3)' };

function setting(s: Json): Json {
  const power = s['kind'] === 'power';
  const random = (s['crashAt'] ?? 'random') === 'random';
  return { ...s, deviceCache: power ? 'none' : null, torn: false, reorderStates: 0, crashWindow: random ? '0.05..0.5' : null, runMs: random ? 500 : 20_000 };
}

function trial(t: Json, index: number, power: boolean, bound: number | null): Json {
  const error = typeof t['error'] === 'string' ? t['error'] : undefined;
  const outcome = error === undefined ? 'verified' : error.startsWith(RECOVERY_FAILED) ? 'recovery-failed' : 'errored';
  const acked = num(t['acked']);
  const lost = num(t['lost']);
  const declaredDurable = bound === null ? 0 : Math.max(0, acked - bound);
  return {
    ...t,
    outcome,
    instant: index,
    image: power ? 'device' : 'page-cache',
    declaredDurable,
    exposure: acked - declaredDurable,
    lostDeclared: bound === null ? 0 : Math.max(0, lost - bound),
    lostTail: lost,
    lostGap: 0,
    lostRanges: [],
    lostRangeCount: 0,
  };
}

function summary(s: Json): Json {
  const set = setting(obj(s['setting']));
  const bound = s['lossBoundCommits'] === null ? null : num(s['lossBoundCommits']);
  const trials = arr(s['trials']).map((t, i) => trial(obj(t), i, set['kind'] === 'power', bound));
  const ok = trials.filter((t) => t['outcome'] === 'verified');
  const errored = trials.filter((t) => t['outcome'] === 'errored').length;
  let verdict = s['verdict'];
  let reason = String(s['verdictReason'] ?? '');
  if (verdict === 'consistent' && (ok.length === 0 || errored > 0)) {
    verdict = 'inconclusive';
    reason = `${ok.length === 0 ? 'no trial was verified' : `${errored} trial(s) could not be verified`} (upgraded from schema version 2, which called this consistent: ${reason})`;
  }
  return {
    ...s,
    setting: set,
    trials,
    instants: trials.length,
    trialsVerified: ok.length,
    trialsErrored: errored,
    recoveryFailures: trials.filter((t) => t['outcome'] === 'recovery-failed').length,
    trialsWithGaps: 0,
    lostGapMax: 0,
    lostDeclaredMax: Math.max(0, ...ok.map((t) => num(t['lostDeclared']))),
    exposureMax: Math.max(0, ...ok.map((t) => num(t['exposure']))),
    lossDistribution: lossDistribution(ok.map((t) => num(t['lost']))),
    verdict,
    verdictReason: reason,
    wallMs: 0,
    trialsPerMinute: 0,
    destagedTrials: 0,
    device: NOT_MEASURED,
    syscalls: NOT_MEASURED,
  };
}

export function upgradeV2(report: Json, kind: ReportKind): Json {
  const out: Json = { ...report, schemaVersion: 3 };
  if (kind === 'run') {
    out['cases'] = arr(report['cases']).map((c) => {
      const x = obj(c);
      return x['crash'] === undefined ? x : { ...x, crash: summary(obj(x['crash'])) };
    });
  } else if (kind === 'crash') {
    out['cases'] = arr(report['cases']).map((c) => {
      const x = obj(c);
      const withSetting = { ...x, setting: setting(obj(x['setting'])) };
      return x['crash'] === undefined ? withSetting : { ...withSetting, crash: summary(obj(x['crash'])) };
    });
  }
  return out;
}
