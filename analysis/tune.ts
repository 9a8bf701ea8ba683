/**
 * `durabench tune`: from a batch-size sweep to a recommendation. Pure: report and loss budget in,
 * `TuneSummary` out.
 *
 * - A setting fits the budget when its *declared* exposure does (worst ack → sync time for a
 *   budget in ms; peak acked-unsynced commits × writers for a budget in commits) and, when crash
 *   trials ran, so does its *measured* loss (loss window in ms, or lost commits). Declared
 *   exposure is the engine's claim; measured loss is the truth; both must fit.
 * - The Pareto front: settings no other setting beats on throughput (↑), commit p99 (↓) and
 *   exposure (↓) at once.
 * - The recommendation: the highest throughput among the settings that fit (ties: less exposure).
 */
import { findMetric } from '../model/metrics.js';
import { measure } from './compare.js';
import { type CompletedCase, type LossBudget, type RunReport, type TunePoint, type TuneSummary } from '../model/run-report.js';
import { formatNs, formatRate } from '../model/units.js';
import { shareOf } from '../model/case.js';
import { durabilityLabel } from '../model/durability.js';

/** Declared exposure with `null` (unbounded) as +∞, for ordering. */
function unboundedAsInfinity(v: number | null): number {
  return v === null ? Infinity : v;
}

export function describeBudget(b: LossBudget): string {
  return b.kind === 'ms' ? `${b.ms} ms` : `${b.commits} commit${b.commits === 1 ? '' : 's'}`;
}

/** Why a point does not fit the budget, or null when it does. */
export function budgetProblem(p: Omit<TunePoint, 'pareto' | 'withinBudget' | 'budgetReason'>, b: LossBudget, writers: number): string | null {
  if (b.kind === 'ms') {
    if (p.exposureMaxNs === null) return 'unbounded declared exposure';
    const ms = p.exposureMaxNs / 1e6;
    if (!Number.isFinite(ms)) return 'unbounded declared exposure';
    if (ms > b.ms) return `declared exposure up to ${formatNs(p.exposureMaxNs)} > ${b.ms} ms`;
    if (p.lossWindowMsMax !== null && p.lossWindowMsMax > b.ms) return `measured loss window ${p.lossWindowMsMax} ms > ${b.ms} ms`;
    return null;
  }
  if (p.exposureMaxCommits === null) return 'unbounded declared exposure';
  const commits = p.exposureMaxCommits * writers;
  if (!Number.isFinite(commits)) return 'unbounded declared exposure';
  if (commits > b.commits) return `declared exposure up to ${commits} commits > ${b.commits}`;
  if (p.lostMax !== null && p.lostMax > b.commits) return `measured loss ${p.lostMax} commits > ${b.commits}`;
  return null;
}

/** Indexes of the Pareto-optimal points (maximise throughput, minimise p99 and exposure). */
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
  notes?: string[];
}

export function analyzeSweep(input: TuneInput): TuneSummary {
  const { report, budget } = input;
  const cases = report.cases.filter((c): c is CompletedCase => c.state === 'completed' && c.key.mode !== 'none');
  const cps = findMetric('commits_per_sec')!;
  const p99 = findMetric('commit_p99_ns')!;
  // More than a batch-size sweep: several modes, writer counts or ways to share the log.
  const wide = new Set(cases.map((c) => `${c.key.mode}/${c.key.writers}/${shareOf(c.key)}`)).size > 1 || cases.some((c) => c.key.mode !== 'batch' || shareOf(c.key) === 'log');
  const base = cases.map((c) => ({
    caseId: c.id,
    ...(wide ? { label: pointLabel(c, wide)!, share: shareOf(c.key) } : {}),
    batchSize: c.key.mode === 'batch' ? c.key.batchSize : 1,
    batchMs: c.key.mode === 'batch' ? c.key.batchMs : null,
    commitsPerSec: measure(c, cps).value ?? 0,
    commitP99Ns: measure(c, p99).value ?? 0,
    // null: unbounded (none mode): no sync ever covers the commits.
    exposureMaxCommits: c.metrics.exposure.unbounded ? null : c.metrics.exposure.maxCommits,
    exposureMaxNs: c.metrics.exposure.unbounded ? null : (c.metrics.exposure.maxNs ?? 0),
    lostMax: c.crash ? c.crash.lostMax : null,
    lossWindowMsMax: c.crash ? c.crash.lossWindowMsMax : null,
    writers: c.key.writers,
  }));
  const front = paretoFront(base.map((p) => ({ ...p, exposure: unboundedAsInfinity(budget?.kind === 'commits' ? p.exposureMaxCommits : p.exposureMaxNs) })));
  const points: TunePoint[] = base.map(({ writers, ...p }, i) => {
    const problem = budget ? budgetProblem(p, budget, writers) : null;
    return { ...p, ...(wide ? { writers } : {}), pareto: front.has(i), withinBudget: problem === null, budgetReason: problem };
  });
  const fitting = points.filter((p) => p.withinBudget);
  const best = [...fitting].sort((a, b) => b.commitsPerSec - a.commitsPerSec || unboundedAsInfinity(a.exposureMaxNs) - unboundedAsInfinity(b.exposureMaxNs))[0];
  const notes = [...(input.notes ?? [])];
  if (input.crash === 'not-requested') notes.push('No crash trials ran: the budget was checked against declared exposure only (add --crash kill|power --trials K to measure loss).');
  if (points.some((p) => p.exposureMaxNs === null)) notes.push('Settings with unbounded exposure never fit a budget.');
  const maxWriters = Math.max(1, ...base.map((p) => p.writers));
  if (budget?.kind === 'commits' && maxWriters > 1) notes.push(`With ${maxWriters} writers the declared exposure in commits is the per-writer peak × ${maxWriters}.`);

  let verdict: string;
  let recommendation: TuneSummary['recommendation'] = null;
  const frontText = wide ? points.filter((p) => p.pareto).map((p) => label(p)).join('; ') : `batch size ${points.filter((p) => p.pareto).map((p) => p.batchSize).join(', ')}`;
  if (points.length === 0) {
    verdict = 'No setting completed: nothing to recommend (see the errored cases).';
  } else if (!budget) {
    verdict = `No loss budget given: the Pareto front is ${frontText}. Give --loss-budget-ms or --loss-budget-commits for a recommendation.`;
  } else if (!best) {
    const least = [...points].sort((a, b) => (budget.kind === 'ms' ? unboundedAsInfinity(a.exposureMaxNs) - unboundedAsInfinity(b.exposureMaxNs) : unboundedAsInfinity(a.exposureMaxCommits) - unboundedAsInfinity(b.exposureMaxCommits)))[0]!;
    verdict = `No setting fits the loss budget of ${describeBudget(budget)}: the smallest, ${label(least)}, has ${least.budgetReason}. Use sync mode, smaller batch sizes or --batch-ms.`;
  } else {
    const reason = `${label(best)}: ${formatRate(best.commitsPerSec)} commits/s, commit p99 ${formatNs(best.commitP99Ns)}, declared exposure ≤ ${best.exposureMaxCommits} commits / ${formatNs(best.exposureMaxNs)}${best.lostMax !== null ? `, measured loss ≤ ${best.lostMax} commits / ${best.lossWindowMsMax} ms` : ''} — the highest throughput inside the loss budget of ${describeBudget(budget)}`;
    recommendation = { caseId: best.caseId, ...(best.label !== undefined ? { label: best.label } : {}), batchSize: best.batchSize, batchMs: best.batchMs, reason };
    verdict = `Recommended: ${reason}.`;
  }
  return { engine: input.engine, budget, points, recommendation, verdict, crash: input.crash, notes };
}
