/**
 * `durabench tune`: from a batch-size sweep to a recommendation. Pure: report and loss budget in,
 * `TuneSummary` out.
 *
 * - Every figure is the one every view shows (analysis/metric-value.ts): with `--repeat`, the
 *   median of the repeats.
 * - Exposure is a named statistic of the declared ack → covering-sync time (`--exposure`, default
 *   p99.9; `max` available). The maximum is one event — a single slow fdatasync sets it for a whole
 *   run — so it would rule out every batch size larger than 1 on any disk with the odd stall; p99.9
 *   says "almost every acked commit is durable within". A budget in commits is held against the
 *   peak of acked-unsynced commits × writers (a count has no tail to choose from).
 * - With crash trials the measured loss must fit as well: the largest loss window (ms) or the most
 *   commits lost in any verified trial. A setting whose trials did not complete, or that lost more
 *   than it declares (DURABILITY BUG), does not fit: it could not be shown to keep its promise.
 * - The Pareto front is computed over all three objectives at once — throughput up, commit p99
 *   down, exposure down: a setting is on it when no other is at least as good on all three and
 *   better on one.
 * - The recommendation: the highest throughput among the settings that fit (ties: less exposure);
 *   the explanation says why each faster setting did not fit.
 */
import { shareOf } from '../model/case.js';
import { lossMeasured } from '../model/crash-report.js';
import { durabilityLabel } from '../model/durability.js';
import { findMetric, type MetricDef } from '../model/metrics.js';
import type { CompletedCase, ExposureStatistic, LossBudget, RunReport, TunePoint, TuneSummary } from '../model/run-report.js';
import { formatNs, formatRate, sig } from '../model/units.js';
import { metricValue } from './metric-value.js';

/** A number of ms for people: whole numbers as they are, others to 3 significant digits. */
const ms = (x: number): string => (Number.isInteger(x) ? String(x) : sig(x));

const EXPOSURE_METRIC: Record<ExposureStatistic, string> = { p50: 'exposure_p50_ns', p99: 'exposure_p99_ns', 'p99.9': 'exposure_p999_ns', max: 'exposure_max_ns' };

/** Declared exposure with `null` (unbounded) as +∞, for ordering. */
function unboundedAsInfinity(v: number | null | undefined): number {
  return v === null || v === undefined ? Infinity : v;
}

export function describeBudget(b: LossBudget): string {
  return b.kind === 'ms' ? `${b.ms} ms` : `${b.commits} commit${b.commits === 1 ? '' : 's'}`;
}

type PointBase = Omit<TunePoint, 'pareto' | 'withinBudget' | 'budgetReason'>;

interface Judged {
  readonly crashRequested: boolean;
  readonly bug: boolean;
}

/** Why a point does not fit the budget, or null when it does. */
export function budgetProblem(p: PointBase, b: LossBudget, writers: number, statistic: ExposureStatistic = 'p99.9', j: Judged = { crashRequested: false, bug: false }): string | null {
  if (b.kind === 'ms') {
    const ns = p.exposureNs === undefined ? p.exposureMaxNs : p.exposureNs;
    if (ns === null || !Number.isFinite(ns)) return 'unbounded declared exposure';
    if (ns / 1e6 > b.ms) return `declared exposure ${statistic} ${formatNs(ns)} > ${b.ms} ms`;
  } else {
    if (p.exposureMaxCommits === null || !Number.isFinite(p.exposureMaxCommits)) return 'unbounded declared exposure';
    const commits = p.exposureMaxCommits * writers;
    if (commits > b.commits) return `declared exposure up to ${commits} commits${writers > 1 ? ` (${p.exposureMaxCommits} × ${writers} writers)` : ''} > ${b.commits}`;
  }
  if (j.crashRequested && (p.lostMax === null || (p.crashTrials ?? 1) === 0)) return 'no verified crash trial: its loss was not measured (see the warnings)';
  if (j.bug) return `DURABILITY BUG: the crash trials lost more than it declares (${p.lostMax} commits)`;
  if (b.kind === 'ms' && p.lossWindowMsMax !== null && p.lossWindowMsMax > b.ms) return `measured loss window ${ms(p.lossWindowMsMax)} ms > ${b.ms} ms`;
  if (b.kind === 'commits' && p.lostMax !== null && p.lostMax > b.commits) return `measured loss ${p.lostMax} commits > ${b.commits}`;
  return null;
}

/** Indexes of the Pareto-optimal points (maximise throughput, minimise p99 and exposure, all at once). */
export function paretoFront(points: readonly { commitsPerSec: number; commitP99Ns: number; exposure: number }[]): Set<number> {
  const front = new Set<number>();
  points.forEach((p, i) => {
    const dominated = points.some(
      (q, j) =>
        j !== i &&
        q.commitsPerSec >= p.commitsPerSec &&
        q.commitP99Ns <= p.commitP99Ns &&
        q.exposure <= p.exposure &&
        (q.commitsPerSec > p.commitsPerSec || q.commitP99Ns < p.commitP99Ns || q.exposure < p.exposure),
    );
    if (!dominated) front.add(i);
  });
  return front;
}

function label(p: { label?: string | undefined; batchSize: number; batchMs: number | null }): string {
  return p.label ?? `batch size ${p.batchSize}${p.batchMs !== null ? ` with --batch-ms ${p.batchMs}` : ''}`;
}

/**
 * A setting for people. A plain batch-size sweep says `batch size 16`; a sweep over writers and
 * policies (a shared log's group commit) names the policy and the writers.
 */
function pointLabel(c: CompletedCase, wide: boolean): string | undefined {
  if (!wide) return undefined;
  const k = c.key;
  const who = shareOf(k) === 'log' ? `${k.writers} writer${k.writers === 1 ? '' : 's'} on one log` : `${k.writers} writer${k.writers === 1 ? '' : 's'}, each its own`;
  return `${durabilityLabel(k)}, ${who}`;
}

export interface TuneInput {
  report: RunReport;
  engine: string;
  budget: LossBudget | null;
  crash: TuneSummary['crash'];
  /** Default p99.9. */
  exposure?: ExposureStatistic;
  notes?: string[];
}

function value(c: CompletedCase, m: MetricDef): number | null {
  return metricValue(c, m).value;
}

function lossText(p: TunePoint): string {
  return p.lostMax === null ? '' : `, measured loss ≤ ${p.lostMax} commits / ${ms(p.lossWindowMsMax ?? 0)} ms in ${p.crashTrials ?? '?'} trial${p.crashTrials === 1 ? '' : 's'}`;
}

export function analyzeSweep(input: TuneInput): TuneSummary {
  const { report, budget } = input;
  const statistic = input.exposure ?? 'p99.9';
  const crashRequested = input.crash !== 'not-requested';
  const cases = report.cases.filter((c): c is CompletedCase => c.state === 'completed' && c.key.mode !== 'none');
  const m = (id: string): MetricDef => findMetric(id)!;
  // More than a batch-size sweep: several modes, writer counts or ways to share the log.
  const wide = new Set(cases.map((c) => `${c.key.mode}/${c.key.writers}/${shareOf(c.key)}`)).size > 1 || cases.some((c) => c.key.mode !== 'batch' || shareOf(c.key) === 'log');
  const base = cases.map((c) => {
    const unbounded = c.metrics.exposure.unbounded;
    const exposureNs = unbounded ? null : value(c, m(EXPOSURE_METRIC[statistic]));
    const point: PointBase = {
      caseId: c.id,
      ...(wide ? { label: pointLabel(c, wide)!, writers: c.key.writers, share: shareOf(c.key) } : {}),
      batchSize: c.key.mode === 'batch' ? c.key.batchSize : 1,
      batchMs: c.key.mode === 'batch' ? c.key.batchMs : null,
      commitsPerSec: value(c, m('commits_per_sec')) ?? 0,
      commitP99Ns: value(c, m('commit_p99_ns')) ?? 0,
      // null: unbounded (none mode): no sync ever covers the commits.
      exposureMaxCommits: unbounded ? null : (value(c, m('exposure_max_commits')) ?? c.metrics.exposure.maxCommits),
      exposureMaxNs: unbounded ? null : (value(c, m('exposure_max_ns')) ?? 0),
      exposureNs: exposureNs === null || !Number.isFinite(exposureNs) ? null : exposureNs,
      // A crash summary with nothing verified measured nothing: no loss figure, not a loss of 0.
      lostMax: lossMeasured(c.crash) ? c.crash.lostMax : null,
      lossWindowMsMax: lossMeasured(c.crash) ? c.crash.lossWindowMsMax : null,
      crashTrials: c.crash ? c.crash.trialsVerified : 0,
    };
    return { point, writers: c.key.writers, bug: c.crash?.verdict === 'durability-bug' };
  });
  const exposureAxis = (p: PointBase): number => unboundedAsInfinity(budget?.kind === 'commits' ? p.exposureMaxCommits : p.exposureNs);
  const front = paretoFront(base.map(({ point }) => ({ ...point, exposure: exposureAxis(point) })));
  const points: TunePoint[] = base.map(({ point, writers, bug }, i) => {
    const problem = budget ? budgetProblem(point, budget, writers, statistic, { crashRequested, bug }) : null;
    return { ...point, pareto: front.has(i), withinBudget: problem === null, budgetReason: problem };
  });
  const fitting = points.filter((p) => p.withinBudget);
  const best = [...fitting].sort((a, b) => b.commitsPerSec - a.commitsPerSec || exposureAxis(a) - exposureAxis(b))[0];
  const notes = [...(input.notes ?? [])];
  if (!crashRequested) notes.push('No crash trials ran: the budget was checked against declared exposure only (add --crash kill|power --trials K to measure loss).');
  if (budget?.kind === 'ms') notes.push(`Exposure is the ${statistic} of the declared ack → sync time per commit (--exposure ${statistic}; max is one event, a single slow sync).`);
  if (points.some((p) => p.exposureMaxNs === null)) notes.push('Settings with unbounded exposure never fit a budget.');
  const maxWriters = Math.max(1, ...base.map((p) => p.writers));
  if (budget?.kind === 'commits' && maxWriters > 1) notes.push(`With ${maxWriters} writers the declared exposure in commits is the per-writer peak × ${maxWriters}.`);

  const out = (p: TunePoint): string => `${label(p)} (${formatRate(p.commitsPerSec)} commits/s): ${p.budgetReason}`;
  let verdict: string;
  let explanation: string[] = [];
  let recommendation: TuneSummary['recommendation'] = null;
  const frontText = wide ? points.filter((p) => p.pareto).map((p) => label(p)).join('; ') : `batch size ${points.filter((p) => p.pareto).map((p) => p.batchSize).join(', ')}`;
  if (points.length === 0) {
    verdict = 'No setting completed: nothing to recommend (see the errored cases).';
  } else if (!budget) {
    verdict = `No loss budget given: the Pareto front (throughput, commit p99 and exposure ${statistic} together) is ${frontText}. Give --loss-budget-ms or --loss-budget-commits for a recommendation.`;
  } else if (!best) {
    verdict = `No setting fits the loss budget of ${describeBudget(budget)}. Use sync mode, smaller batch sizes or --batch-ms.`;
    explanation = [...points].sort((a, b) => b.commitsPerSec - a.commitsPerSec).map(out);
  } else {
    const exposure = budget.kind === 'ms' ? `declared exposure ${statistic} ${formatNs(best.exposureNs)}` : `declared exposure ≤ ${best.exposureMaxCommits} commits per writer`;
    const reason = `${label(best)}: ${formatRate(best.commitsPerSec)} commits/s, commit p99 ${formatNs(best.commitP99Ns)}, ${exposure}${lossText(best)} — the highest throughput inside the loss budget of ${describeBudget(budget)}`;
    recommendation = { caseId: best.caseId, ...(best.label !== undefined ? { label: best.label } : {}), batchSize: best.batchSize, batchMs: best.batchMs, reason };
    verdict = `Recommended: ${reason}.`;
    const faster = points.filter((p) => p !== best && !p.withinBudget && p.commitsPerSec >= best.commitsPerSec).sort((a, b) => b.commitsPerSec - a.commitsPerSec);
    explanation = faster.length > 0 ? faster.map((p) => `Faster, but out: ${out(p)}`) : ['No setting was faster.'];
  }
  return { engine: input.engine, budget, exposureStatistic: statistic, points, recommendation, verdict, explanation, crash: input.crash, notes };
}
