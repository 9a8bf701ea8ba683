/** The console summary printed at the end of a run. Pure: report in, text out. */
import type { RunReport } from '../schema.js';
import { caseTable } from './case-table.js';
import { textTable } from './format.js';

export function renderConsole(report: RunReport): string {
  const lines = [textTable(caseTable(report))];
  const counts = { completed: 0, errored: 0, skipped: 0 };
  for (const c of report.cases) counts[c.state] += 1;
  lines.push('');
  lines.push(
    `${report.cases.length} cases: ${counts.completed} completed, ${counts.errored} errored, ${counts.skipped} skipped${report.status === 'interrupted' ? ' (interrupted)' : ''}`,
  );
  for (const w of report.warnings) lines.push(`warning: ${w.message} — ${w.remedy}`);
  return lines.join('\n') + '\n';
}
