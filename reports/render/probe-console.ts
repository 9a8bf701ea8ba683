/** The probe's console output: one table per comparison, then unsupported methods. Pure. */
import type { ProbeReport } from '../schema.js';
import { textTable } from './format.js';
import { targetSummary } from './probe-provenance.js';
import { probeTables, problemLines } from './probe-table.js';

export function renderProbeConsole(report: ProbeReport): string {
  const s = report.settings;
  const out: string[] = [
    `durabench probe: ${s.seconds} s per method and target, writes of ${s.blockBytes.join(', ')} bytes${report.status === 'interrupted' ? ' (interrupted)' : ''}`,
  ];
  for (const t of report.host.targets) out.push(`  ${targetSummary(t)}`);
  for (const g of probeTables(report)) out.push('', g.group, textTable(g.rows));
  const problems = problemLines(report);
  if (problems.length > 0) out.push('', ...problems);
  out.push('', 'ops/s = 1 / mean latency of one operation; percentiles from each operation\'s latency (HDR histogram); ±rme = tinybench\'s relative margin of error of the mean (95 %).');
  return out.join('\n') + '\n';
}
