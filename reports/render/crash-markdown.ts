/** The crash report as Markdown: the seed table, then every case in detail. Pure. */
import type { CrashReport } from '../schema.js';
import { crashTable, seedTable } from './crash-table.js';
import { markdownTable } from './format.js';

export function renderCrashMarkdown(r: CrashReport): string {
  const bugs = r.cases.filter((c) => c.state === 'completed' && c.crash.verdict === 'DURABILITY BUG');
  const lines = [
    `# durabench crash report${r.suite ? ` — suite ${r.suite}` : ''}`,
    '',
    `${r.tool.name} ${r.tool.version}${r.tool.gitSha ? ` (${r.tool.gitSha.slice(0, 10)})` : ''} on ${r.host.hostname}, ${r.host.os}, Node ${r.host.nodeVersion}. ` +
      `Started ${r.startedAt}${r.finishedAt ? `, finished ${r.finishedAt}` : ''}; status ${r.status}; ${r.trialsPerCase} trial(s) per case.`,
    '',
    'Loss is measured: acked commits (from the ledger outside the engine) not read back intact after the crash and the engine\'s own recovery. ' +
      '`kill` = SIGKILL of the writer (page cache survives); `power` = the image copied as the loop device held it (page cache lost).',
    '',
    '## Which implementation loses what',
    '',
    markdownTable(seedTable(r)),
    '',
    bugs.length > 0 ? `**${bugs.length} DURABILITY BUG(S) found** — a mode that claims durability lost acked commits:` : 'No durability bug found: every measured loss fits what the mode declares.',
    ...bugs.map((c) => (c.state === 'completed' ? `- \`${c.id}\`: ${c.crash.verdictReason}` : '')),
    '',
    '## Cases',
    '',
    markdownTable(crashTable(r)),
    '',
  ];
  return lines.join('\n');
}
