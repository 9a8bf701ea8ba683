/** Markdown report: provenance, the summary table, sync kinds, phases, problems. Pure. */
import type { CaseResult, CompletedCase, RunReport, TargetInfo } from '../schema.js';
import { caseTable } from './case-table.js';
import { engineLabel, formatBytes, formatNs, markdownTable } from './format.js';

function known(k: { value: unknown } | { value: null; reason: string }): string {
  return k.value === null ? `unknown (${(k as { reason: string }).reason})` : String(k.value);
}

function targetLine(t: TargetInfo): string {
  return `- \`${t.dir}\`: ${known(t.fsType)} (${known(t.mountOptions)}) on ${known(t.device)}, model ${known(t.model)}, rotational ${known(t.rotational)}, write cache ${known(t.writeCache)}`;
}

export function renderMarkdown(report: RunReport): string {
  const h = report.host;
  const out: string[] = [];
  out.push(`# durabench report — ${report.suite.name}`);
  out.push('');
  out.push(
    `${report.tool.name} ${report.tool.version}${report.tool.gitSha ? ` (${report.tool.gitSha.slice(0, 12)})` : ''}, ${report.startedAt} → ${report.finishedAt ?? 'unfinished'}, status **${report.status}**`,
  );
  out.push('');
  out.push(`Host: ${h.hostname}, ${h.os}, ${h.cpuModel} × ${h.cpuCount}, ${formatBytes(h.memoryBytes)} RAM, Node ${h.nodeVersion}`);
  out.push('');
  out.push('Targets:');
  for (const t of h.targets) out.push(targetLine(t));
  out.push('');
  out.push('## Cases');
  out.push('');
  out.push(markdownTable(caseTable(report)));
  out.push('');
  out.push(
    "Commit latency is the wall time of one commit until its ack; sync latency is every sync call the engine made (all kinds). Exposure is the engine's declared window: acked commits not yet covered by a sync.",
  );

  const detail: string[][] = [['case', 'sync kind', 'count', 'p50', 'p99', 'max']];
  for (const c of report.cases) {
    if (c.state !== 'completed') continue;
    for (const [kind, s] of Object.entries(c.metrics.syncLatencyByKind)) {
      if (s) detail.push([c.id, kind, String(s.count), formatNs(s.p50Ns), formatNs(s.p99Ns), formatNs(s.maxNs)]);
    }
    for (const [phase, s] of Object.entries(c.metrics.phaseLatency)) {
      detail.push([c.id, `phase: ${phase}`, String(s.count), formatNs(s.p50Ns), formatNs(s.p99Ns), formatNs(s.maxNs)]);
    }
  }
  if (detail.length > 1) {
    out.push('');
    out.push('## Sync calls and engine phases');
    out.push('');
    out.push(markdownTable(detail));
  }

  const stalls: string[][] = [['case', 'commits during a phase', 'p99.9 during', 'commits outside', 'p99.9 outside']];
  for (const c of report.cases) {
    if (c.state !== 'completed' || !c.metrics.commitLatencyDuringPhase) continue;
    const d = c.metrics.commitLatencyDuringPhase;
    const o = c.metrics.commitLatencyOutsidePhase;
    stalls.push([c.id, String(d.count), formatNs(d.p999Ns), String(o?.count ?? 0), formatNs(o?.p999Ns)]);
  }
  if (stalls.length > 1) {
    out.push('');
    out.push('## Stalls: commits that ran an engine phase (flush, compaction, checkpoint, rotation)');
    out.push('');
    out.push(markdownTable(stalls));
  }

  const problems = report.cases.filter((c): c is Exclude<CaseResult, CompletedCase> => c.state !== 'completed');
  if (problems.length > 0) {
    out.push('');
    out.push('## Errored and skipped cases');
    out.push('');
    for (const c of problems) out.push(`- **${c.id}** (${engineLabel(c.key.engine)}): ${c.state}: ${c.reason}`);
  }
  const warnings = [...report.warnings, ...report.cases.flatMap((c) => (c.state === 'completed' ? c.warnings : []))];
  if (warnings.length > 0) {
    out.push('');
    out.push('## Warnings');
    out.push('');
    for (const w of warnings) out.push(`- **${w.code}**: ${w.message} ${w.remedy}`);
  }
  return out.join('\n') + '\n';
}
