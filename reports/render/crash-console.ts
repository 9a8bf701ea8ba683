/** The crash report as a console table (the command prints it at the end). Pure. */
import type { CrashReport } from '../schema.js';
import { crashTable, seedTable } from './crash-table.js';
import { textTable } from './format.js';

export function renderCrashConsole(r: CrashReport): string {
  const bugs = r.cases.filter((c) => c.state === 'completed' && c.crash.verdict === 'DURABILITY BUG').length;
  const parts = [textTable(crashTable(r))];
  if (r.suite) parts.push('', textTable(seedTable(r)));
  parts.push('', bugs > 0 ? `${bugs} case(s): DURABILITY BUG (acked commits lost beyond what the mode declares)` : 'verdict: consistent in every case');
  return parts.join('\n') + '\n';
}
