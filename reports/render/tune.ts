/**
 * The batch sweep of `durabench tune` as document blocks: the verdict and why the faster settings
 * did not fit, the sweep chart (HTML), the table of every setting with its cost, its exposure, its
 * measured loss, whether it is on the three-objective Pareto front and whether it fits the budget.
 * Pure.
 */
import type { TunePoint, TuneSummary } from '../../model/run-report.js';
import { formatNs, formatRate, sig } from '../../model/units.js';
import { chart, heading, list, paragraph, table, type Block, type Doc } from '../document/model.js';
import { sweepChart } from './charts.js';

function exposureCommits(p: TunePoint): string {
  return p.exposureMaxCommits === null ? 'unbounded' : `${p.exposureMaxCommits} commits`;
}

function statisticOf(t: TuneSummary): string {
  return t.exposureStatistic ?? 'max';
}

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
      p.lostMax === null ? '—' : `${p.lostMax} commits / ${Number.isInteger(p.lossWindowMsMax ?? 0) ? (p.lossWindowMsMax ?? 0) : sig(p.lossWindowMsMax ?? 0)} ms (${p.crashTrials ?? '?'} trials)`,
      p.pareto ? 'front' : 'dominated',
      t.budget === null ? '—' : p.withinBudget ? (t.recommendation?.caseId === p.caseId ? 'RECOMMENDED' : 'fits') : `out: ${p.budgetReason}`,
    ]);
  }
  return rows;
}

const FRONT_NOTE =
  'Pareto: "front" when no other setting has at least the throughput, at most the commit p99 and at most the exposure, and is better in one of them; otherwise "dominated".';

/** The sweep section of a run report (the chart only when `charts`). */
export function tuneBlocks(t: TuneSummary, opts: { charts: boolean }): Block[] {
  const budgetMs = t.budget?.kind === 'ms' ? t.budget.ms : null;
  const points = t.points.map((p) => ({
    label: p.label ?? `b${p.batchSize}${p.batchMs !== null ? `/${p.batchMs}ms` : ''}`,
    exposureMs: (exposureNs(p) ?? Infinity) / 1e6,
    commitsPerSec: p.commitsPerSec,
    commitP99Ns: p.commitP99Ns,
    pareto: p.pareto,
    recommended: t.recommendation?.caseId === p.caseId,
    withinBudget: p.withinBudget,
  }));
  return [
    heading(2, 'Batch sweep'),
    paragraph(t.verdict, 'verdict'),
    ...((t.explanation ?? []).length > 0 ? [list(t.explanation!)] : []),
    ...(opts.charts && points.length > 0
      ? [
          chart(
            sweepChart(`${t.engine}: throughput against declared exposure ${statisticOf(t)}`, points.filter((p) => Number.isFinite(p.exposureMs)), budgetMs, `declared exposure ${statisticOf(t)}`),
            'Each point is one batch setting (red: recommended, blue: inside the budget, grey: over it). Filled points are on the Pareto front of throughput, commit p99 and exposure together, hollow ones are dominated; the front is three-dimensional, so this projection draws no front line.',
          ),
        ]
      : []),
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
