/** The batch sweep as a console table with the verdict. Pure. */
import type { TuneSummary } from '../schema.js';
import { formatNs, formatRate, textTable } from './format.js';

export function renderTuneConsole(t: TuneSummary): string {
  const rows = [['batch', 'batch ms', 'commits/s', 'commit p99', 'exposure', 'exposure max', 'measured loss', 'Pareto', 'budget']];
  for (const p of t.points) {
    rows.push([
      String(p.batchSize),
      p.batchMs === null ? '—' : String(p.batchMs),
      formatRate(p.commitsPerSec),
      formatNs(p.commitP99Ns),
      `${p.exposureMaxCommits} commits`,
      formatNs(p.exposureMaxNs),
      p.lostMax === null ? '—' : `${p.lostMax} commits / ${p.lossWindowMsMax} ms`,
      p.pareto ? 'front' : '',
      p.withinBudget ? (t.recommendation?.caseId === p.caseId ? 'RECOMMENDED' : 'fits') : `over: ${p.budgetReason}`,
    ]);
  }
  return [textTable(rows), '', t.verdict, ...t.notes.map((n) => `note: ${n}`)].join('\n') + '\n';
}
