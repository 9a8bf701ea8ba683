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
  const warnings = report.warnings.length + report.cases.reduce((n, c) => n + (c.state === 'completed' ? c.warnings.length : 0), 0);
  if (warnings > 0) lines.push(`${warnings} warning${warnings === 1 ? '' : 's'} (on stderr and in the report)`);
  return lines.join('\n') + '\n';
}
