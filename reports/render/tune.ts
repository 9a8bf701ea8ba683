/**
 * The batch sweep of `durabench tune` as document blocks: the verdict, the sweep chart (HTML), the
 * table of every setting with its cost, its exposure, its measured loss and whether it fits the
 * budget. Pure.
 */
import type { TunePoint, TuneSummary } from '../../model/run-report.js';
import { formatNs, formatRate } from '../../model/units.js';
import { chart, heading, paragraph, table, type Block, type Doc } from '../document/model.js';
import { sweepChart } from './charts.js';

function exposureCommits(p: TunePoint): string {
  return p.exposureMaxCommits === null ? 'unbounded' : `${p.exposureMaxCommits} commits`;
}

function tuneRows(t: TuneSummary): string[][] {
  // A sweep over writers and policies names each setting; a batch-size sweep shows the batch.
  const named = t.points.some((p) => p.label !== undefined);
  const rows = [[...(named ? ['setting'] : ['batch', 'batch ms']), 'commits/s', 'commit p99', 'exposure', 'exposure max', 'measured loss', 'Pareto', 'budget']];
  for (const p of t.points) {
    rows.push([
      ...(named ? [p.label ?? String(p.batchSize)] : [String(p.batchSize), p.batchMs === null ? '—' : String(p.batchMs)]),
      formatRate(p.commitsPerSec),
      formatNs(p.commitP99Ns),
      exposureCommits(p),
      p.exposureMaxNs === null ? 'unbounded' : formatNs(p.exposureMaxNs),
      p.lostMax === null ? '—' : `${p.lostMax} commits / ${p.lossWindowMsMax} ms`,
      p.pareto ? 'front' : '',
      p.withinBudget ? (t.recommendation?.caseId === p.caseId ? 'RECOMMENDED' : 'fits') : `over: ${p.budgetReason}`,
    ]);
  }
  return rows;
}

/** The sweep section of a run report (the chart only when `charts`). */
export function tuneBlocks(t: TuneSummary, opts: { charts: boolean }): Block[] {
  const budgetMs = t.budget?.kind === 'ms' ? t.budget.ms : null;
  const points = t.points.map((p) => ({
    label: p.label ?? `b${p.batchSize}${p.batchMs !== null ? `/${p.batchMs}ms` : ''}`,
    exposureMs: (p.exposureMaxNs ?? Infinity) / 1e6,
    commitsPerSec: p.commitsPerSec,
    commitP99Ns: p.commitP99Ns,
    pareto: p.pareto,
    recommended: t.recommendation?.caseId === p.caseId,
    withinBudget: p.withinBudget,
  }));
  return [
    heading(2, 'Batch sweep'),
    paragraph(t.verdict, 'verdict'),
    ...(opts.charts && points.length > 0
      ? [
          chart(
            sweepChart(`${t.engine}: throughput against declared exposure`, points.filter((p) => Number.isFinite(p.exposureMs)), budgetMs),
            'Each point is one batch setting (red: recommended, blue: inside the budget, grey: over it); the dashed line joins the Pareto front (no other setting has more throughput, lower commit p99 and less exposure at once).',
          ),
        ]
      : []),
    table(tuneRows(t)),
    ...t.notes.map((n) => paragraph(n, 'muted')),
  ];
}

/** What `durabench tune` prints: the table, the verdict, the notes. */
export function tuneConsoleDoc(t: TuneSummary): Doc {
  return { title: 'durabench tune', blocks: [table(tuneRows(t)), paragraph(t.verdict), ...t.notes.map((n) => paragraph(`note: ${n}`))] };
}
