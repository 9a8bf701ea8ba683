/** The probe's Markdown report: settings, results per comparison, problems, warnings, provenance. Pure. */
import type { ProbeReport } from '../schema.js';
import { markdownTable } from './format.js';
import { renderProvenanceMarkdown } from './probe-provenance.js';
import { probeTables, problemLines } from './probe-table.js';

export function renderProbeMarkdown(report: ProbeReport): string {
  const s = report.settings;
  const out: string[] = [
    '# durabench probe',
    '',
    `${report.startedAt} → ${report.finishedAt ?? 'unfinished'}, status **${report.status}**; ${s.seconds} s per method and target (warm-up ${s.warmupSeconds} s), writes of ${s.blockBytes.join(', ')} bytes; targets ${s.targets.map((t) => `\`${t}\``).join(', ')}.`,
    '',
    'ops/s is 1 / the mean latency of one operation; p50…max come from every operation\'s latency (HDR histogram, ns); ±rme is tinybench\'s relative margin of error of the mean (95 %).',
  ];
  for (const g of probeTables(report)) {
    out.push('', `## ${g.group}`, '', markdownTable(g.rows));
    const descr = [...new Map(report.results.filter((r) => r.method.group === g.group).map((r) => [r.method.id, r.method.description])).entries()];
    out.push('', ...descr.map(([id, d]) => `- \`${id}\`: ${d}`));
  }
  const problems = problemLines(report);
  if (problems.length > 0) out.push('', '## Unsupported and errored', '', ...problems.map((p) => `- ${p}`));
  if (report.warnings.length > 0) {
    out.push('', '## Warnings', '', ...report.warnings.map((w) => `- **${w.code}**: ${w.message}. ${w.remedy}`));
  }
  out.push('', renderProvenanceMarkdown(report.tool, report.host));
  return out.join('\n') + '\n';
}
