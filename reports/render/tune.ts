/**
 * The batch sweep of `durabench tune` as document blocks: the verdict and why the faster settings
 * did not fit, the front's three 2-D projections (throughput, commit p99, declared exposure at the
 * sweep's exposure statistic: each point marked by its standing on the full three-objective front,
 * the budget line, the recommendation highlighted, labels that never collide), and the table of
 * every setting with its cost, its exposure, its measured loss, whether it is on the front and
 * whether it fits the budget. `sweepPoints` is the one place that reads a sweep's points for the
 * charts. Pure.
 */
import type { TunePoint, TuneSummary } from '../../model/run-report.js';
import { formatNs, formatRate, plural, sig } from '../../model/units.js';
import { chart, grid, heading, list, paragraph, table, type Block, type Doc } from '../document/model.js';
import { projectionChart, type ProjectionAxis, type ProjectionPoint } from './charts.js';

function exposureCommits(p: TunePoint): string {
  return p.exposureMaxCommits === null ? 'unbounded' : plural(p.exposureMaxCommits, 'commit');
}

function statisticOf(t: TuneSummary): string {
  return t.exposureStatistic ?? 'max';
}

/** Declared exposure at the sweep's statistic (reports before the statistic was recorded: the max). */
function exposureNs(p: TunePoint): number | null {
  return p.exposureNs === undefined ? p.exposureMaxNs : p.exposureNs;
}

function tuneRows(t: TuneSummary): string[][] {
  // A sweep over writers and policies names each setting; a batch-size sweep shows the batch.
  const named = t.points.some((p) => p.label !== undefined);
  const rows = [[...(named ? ['setting'] : ['batch', 'batch ms']), 'commits/s', 'commit p99', `exposure ${statisticOf(t)}`, 'exposure peak', 'measured loss', 'Pareto', 'budget']];
  for (const p of t.points) {
    const e = exposureNs(p);
    rows.push([
      ...(named ? [p.label ?? String(p.batchSize)] : [String(p.batchSize), p.batchMs === null ? '—' : String(p.batchMs)]),
      formatRate(p.commitsPerSec),
      formatNs(p.commitP99Ns),
      e === null ? 'unbounded' : formatNs(e),
      exposureCommits(p),
      p.lostMax === null
        ? '—'
        : `${plural(p.lostMax, 'commit')} / ${Number.isInteger(p.lossWindowMsMax ?? 0) ? (p.lossWindowMsMax ?? 0) : sig(p.lossWindowMsMax ?? 0)} ms (${p.crashTrials === undefined ? '? trials' : plural(p.crashTrials, 'trial')})`,
      p.pareto ? 'front' : 'dominated',
      t.budget === null ? '—' : p.withinBudget ? (t.recommendation?.caseId === p.caseId ? 'RECOMMENDED' : 'fits') : `out: ${p.budgetReason}`,
    ]);
  }
  return rows;
}

const FRONT_NOTE =
  'Pareto: "front" when no other setting has at least the throughput, at most the commit p99 and at most the exposure, and is better in one of them; otherwise "dominated".';

/** One point of the sweep as the charts see it: its three objectives and its standing. */
export interface SweepPoint {
  label: string;
  commitsPerSec: number;
  commitP99Ns: number;
  /**
   * Declared exposure in the budget's unit: ms at the sweep's exposure statistic, or with a commit
   * budget the peak of acked-unsynced commits (what that budget is held against); null: unbounded.
   */
  exposure: number | null;
  front: boolean;
  withinBudget: boolean;
  recommended: boolean;
}

/** The sweep's points for the charts, exposure in the unit of the budget. */
export function sweepPoints(t: TuneSummary): { points: SweepPoint[]; exposureUnit: 'ms' | 'commits'; budget: number | null } {
  const unit = t.budget?.kind === 'commits' ? 'commits' : 'ms';
  const points = t.points.map((p) => {
    const ns = exposureNs(p);
    return {
      label: p.label ?? `b${p.batchSize}${p.batchMs !== null ? `/${p.batchMs}ms` : ''}`,
      commitsPerSec: p.commitsPerSec,
      commitP99Ns: p.commitP99Ns,
      exposure: unit === 'commits' ? p.exposureMaxCommits : ns === null ? null : ns / 1e6,
      front: p.pareto,
      withinBudget: p.withinBudget,
      recommended: t.recommendation?.caseId === p.caseId,
    };
  });
  const budget = t.budget === null ? null : t.budget.kind === 'ms' ? t.budget.ms : t.budget.commits;
  return { points, exposureUnit: unit, budget };
}

function projections(t: TuneSummary): Block[] {
  const { points, exposureUnit, budget } = sweepPoints(t);
  if (points.length === 0) return [];
  const bounded = points.filter((p) => p.exposure !== null);
  const exposureAxis: ProjectionAxis = {
    name: exposureUnit === 'ms' ? `declared exposure ${statisticOf(t)}, ack → sync (ms)` : 'declared exposure (peak of acked commits not yet synced)',
    format: (v) => (exposureUnit === 'ms' ? `${sig(v)} ms` : formatRate(v)),
    zeroColumn: true,
  };
  const throughputAxis: ProjectionAxis = { name: 'commits/s', format: (v) => formatRate(v) };
  const p99Axis: ProjectionAxis = { name: 'commit p99', format: (v) => formatNs(v) };
  const as = (ps: readonly SweepPoint[], x: (p: SweepPoint) => number, y: (p: SweepPoint) => number): ProjectionPoint[] =>
    ps.map((p) => ({ label: p.label, x: x(p), y: y(p), front: p.front, withinBudget: p.withinBudget, recommended: p.recommended }));
  const unboundedNote = bounded.length < points.length ? ` Settings with unbounded exposure (${points.filter((p) => p.exposure === null).map((p) => p.label).join(', ')}) are left out.` : '';
  const legend =
    'Filled: on the Pareto front of all three objectives (no other setting has more throughput, lower commit p99 and less exposure at once); hollow: dominated; red: over the loss budget; the diamond is the recommendation. The front is three-dimensional, so no projection draws a front line. A label that does not fit is in the table.';
  return [
    grid([
      chart(projectionChart(as(bounded, (p) => p.exposure!, (p) => p.commitsPerSec), exposureAxis, throughputAxis, budget), `${legend}${unboundedNote}`, 'Throughput against declared exposure'),
      chart(projectionChart(as(points, (p) => p.commitP99Ns, (p) => p.commitsPerSec), p99Axis, throughputAxis, null), 'The same settings: throughput against commit p99.', 'Throughput against commit p99'),
      chart(projectionChart(as(bounded, (p) => p.exposure!, (p) => p.commitP99Ns), exposureAxis, p99Axis, budget), `The same settings: commit p99 against declared exposure.${unboundedNote}`, 'Commit p99 against declared exposure'),
    ]),
  ];
}

/** The sweep section of a run report (the charts only when `charts`). */
export function tuneBlocks(t: TuneSummary, opts: { charts: boolean }): Block[] {
  return [
    heading(2, 'Batch sweep'),
    paragraph(t.verdict, 'verdict'),
    ...((t.explanation ?? []).length > 0 ? [list(t.explanation!)] : []),
    ...(opts.charts ? projections(t) : []),
    table(tuneRows(t)),
    paragraph(FRONT_NOTE, 'muted'),
    ...t.notes.map((n) => paragraph(n, 'muted')),
  ];
}

/** What `durabench tune` prints: the table, the verdict, why the faster settings are out, the notes. */
export function tuneConsoleDoc(t: TuneSummary): Doc {
  return {
    title: 'durabench tune',
    blocks: [table(tuneRows(t)), paragraph(t.verdict), ...(t.explanation ?? []).map((e) => paragraph(`  ${e}`)), paragraph(FRONT_NOTE), ...t.notes.map((n) => paragraph(`note: ${n}`))],
  };
}
