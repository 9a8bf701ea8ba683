/**
 * A run report as a document: the console summary (the case table and the tally), and the full
 * report — the summary and the warnings first, then the case table, problems, the batch sweep,
 * measured loss, the percentile plots (grouped by engine or by mode) and the timelines, repeats,
 * sync kinds and engine phases, stalls, and the environment last. The same document is written as
 * Markdown and HTML; only HTML draws the charts. Pure.
 */
import { SERVER_TABLE_NOTE, serverRunTable } from './servers.js';
import { verdictText } from '../../analysis/crash-verdict.js';
import { intervalText } from '../../analysis/repeat-stats.js';
import { crashLabel } from './crash-table.js';
import { engineLabel } from '../../model/case.js';
import { HEADLINE_METRICS, formatMetric } from '../../model/metrics.js';
import type { CaseResult, CompletedCase, RunReport } from '../../model/run-report.js';
import type { Warning } from '../../model/warning.js';
import { formatNs, plural } from '../../model/units.js';
import { fact, heading, list, paragraph, summary as summaryBlock, table, warnings as warningsBlock, type Block, type Doc } from '../document/model.js';
import { caseTable, caseTableCaption } from './case-table.js';
import { environmentBlocks, sessionFacts, targetItems } from './provenance.js';
import { percentileBlocks, timelineBlocks } from './run-charts.js';
import { scalingBlocks, scalingConsoleBlocks } from './scaling.js';
import { tuneBlocks } from './tune.js';

/** `3 cases: 2 completed, 1 errored, 0 skipped (interrupted)`. */
export function tallyLine(report: RunReport): string {
  const counts = { completed: 0, errored: 0, skipped: 0 };
  for (const c of report.cases) counts[c.state] += 1;
  const n = report.cases.length;
  return `${plural(n, 'case')}: ${counts.completed} completed, ${counts.errored} errored, ${counts.skipped} skipped${report.status === 'interrupted' ? ' (interrupted)' : ''}`;
}

/** Every warning of the report: the run's own, then each completed case's (named). */
export function allWarnings(report: RunReport): Warning[] {
  return [...report.warnings, ...report.cases.flatMap((c) => (c.state === 'completed' ? c.warnings.map((w) => ({ ...w, message: `${c.id}: ${w.message}` })) : []))];
}

/** What the console prints at the end of a run. */
export function runConsoleDoc(report: RunReport): Doc {
  const caption = caseTableCaption(report);
  const blocks: Block[] = [table(caseTable(report)), ...(caption ? [paragraph(caption)] : []), ...scalingConsoleBlocks(report), paragraph(tallyLine(report))];
  const servers = serverRunTable(report.cases);
  if (servers) blocks.push(paragraph('**Servers: the promise beside the measurement**'), table(servers));
  const n = allWarnings(report).length;
  if (n > 0) blocks.push(paragraph(`${plural(n, 'warning')} (on stderr and in the report)`));
  return { title: `durabench report — ${report.suite.name}`, blocks };
}

function repeatsBlocks(cases: readonly CompletedCase[]): Block[] {
  const rows: string[][] = [['case', 'metric', 'median', '95 % interval of the median', 'each repeat']];
  for (const c of cases) {
    if (!c.repeats || c.repeats.count < 2) continue;
    for (const m of HEADLINE_METRICS) {
      const s = c.repeats.metrics[m.id];
      if (!s) continue;
      rows.push([c.id, m.label, formatMetric(m, s.median), s.ciLow !== undefined && s.ciHigh !== undefined ? intervalText(m, s).replace(/^95 % interval /, '') : `none: ${intervalText(m, s)}`, s.values.map((v) => formatMetric(m, v)).join(', ')]);
    }
  }
  if (rows.length === 1) return [];
  return [
    heading(2, 'Repeats'),
    paragraph(
      'Every figure of the case table is the median of the repeats (the same number compare, gate, tune and the exports use). The interval is the distribution-free 95 % confidence interval of the median from order statistics (Conover, Practical Nonparametric Statistics, §3.2): two of the measured values, so never outside their range; it needs 6 repeats or more.',
    ),
    table(rows),
  ];
}

function crashBlocks(cases: readonly CompletedCase[]): Block[] {
  const withCrash = cases.filter((c) => c.crash);
  if (withCrash.length === 0) return [];
  const rows: string[][] = [['case', 'crash', 'states', 'errored', 'with loss', 'lost max', 'lost p99', 'loss window max', 'corrupt', 'verdict']];
  for (const c of withCrash) {
    const x = c.crash!;
    rows.push([c.id, crashLabel(x.setting), String(x.trials.length), String(x.trialsErrored), String(x.trialsWithLoss), String(x.lostMax), String(x.lostP99), `${x.lossWindowMsMax} ms`, String(x.corruptTotal), `${verdictText(x.verdict)}: ${x.verdictReason}`]);
  }
  const bugs = withCrash.filter((c) => c.crash!.verdict === 'durability-bug');
  return [
    heading(2, 'Crash lab: measured loss'),
    ...(bugs.length > 0 ? [paragraph(`DURABILITY BUG in ${bugs.map((c) => c.id).join(', ')}: measured loss exceeds the declared exposure.`, 'bug')] : []),
    table(rows),
  ];
}

function syncAndPhaseBlocks(cases: readonly CompletedCase[]): Block[] {
  const detail: string[][] = [['case', 'sync kind', 'count', 'p50', 'p99', 'max']];
  for (const c of cases) {
    for (const [kind, s] of Object.entries(c.metrics.syncLatencyByKind)) {
      if (s) detail.push([c.id, kind, String(s.count), formatNs(s.p50Ns), formatNs(s.p99Ns), formatNs(s.maxNs)]);
    }
    for (const [phase, s] of Object.entries(c.metrics.phaseLatency)) {
      detail.push([c.id, `phase: ${phase}`, String(s.count), formatNs(s.p50Ns), formatNs(s.p99Ns), formatNs(s.maxNs)]);
    }
  }
  const stalls: string[][] = [['case', 'commits during a phase', 'p99.9 during', 'commits outside', 'p99.9 outside']];
  for (const c of cases) {
    const d = c.metrics.commitLatencyDuringPhase;
    if (!d) continue;
    const o = c.metrics.commitLatencyOutsidePhase;
    stalls.push([c.id, String(d.count), formatNs(d.p999Ns), String(o?.count ?? 0), formatNs(o?.p999Ns)]);
  }
  return [
    ...(detail.length > 1 ? [heading(2, 'Sync calls and engine phases'), table(detail)] : []),
    ...(stalls.length > 1 ? [heading(2, 'Stalls: commits that ran an engine phase (flush, compaction, checkpoint, rotation)'), table(stalls)] : []),
  ];
}

/** The verdict first: what ran, what failed, what the sweep recommends, what the crash lab found. */
export function runSummary(report: RunReport): Block {
  const completed = report.cases.filter((c): c is CompletedCase => c.state === 'completed');
  const n = report.cases.length;
  const errored = report.cases.filter((c) => c.state === 'errored').length;
  const bugs = completed.filter((c) => c.crash?.verdict === 'durability-bug');
  const parts: string[] = [];
  if (report.status === 'interrupted') parts.push(`interrupted${report.stopSignal ? ` by ${report.stopSignal}` : ''} after ${plural(n, 'case')}`);
  else if (report.status === 'running') parts.push(`still running: ${plural(n, 'case')} so far`);
  parts.push(n === 0 ? 'no case ran' : errored === 0 && completed.length === n ? `${plural(n, 'case')} completed` : tallyLine(report).replace(/^\d[\d,]* cases?: /, ''));
  if (bugs.length > 0) parts.push(`DURABILITY BUG in ${plural(bugs.length, 'case')}`);
  else if (completed.some((c) => c.crash)) parts.push('crash trials: no durability bug');
  const ws = allWarnings(report).length;
  if (ws > 0) parts.push(plural(ws, 'warning'));
  const tone = bugs.length > 0 ? 'bug' : errored > 0 || report.status !== 'completed' ? 'warn' : n === 0 ? 'neutral' : 'ok';
  const headline = parts.join(' · ');
  const facts = [fact('suite', report.suite.name), ...sessionFacts(report)];
  if (report.tune) facts.unshift(fact('batch sweep', report.tune.verdict));
  return summaryBlock(tone, headline.charAt(0).toUpperCase() + headline.slice(1), facts);
}

/** Server engines: each setting's documented promise beside its latency (and loss, with --crash). */
function serverBlocks(report: RunReport): Block[] {
  const t = serverRunTable(report.cases);
  if (!t) return [];
  return [heading(2, 'Servers: the promise beside the measurement'), paragraph(SERVER_TABLE_NOTE, 'muted'), table(t)];
}

/** The full report. `charts`: draw the charts (HTML); Markdown leaves them out. */
export function runDoc(report: RunReport, opts: { charts: boolean }): Doc {
  const completed = report.cases.filter((c): c is CompletedCase => c.state === 'completed');
  const problems = report.cases.filter((c): c is Exclude<CaseResult, CompletedCase> => c.state !== 'completed');
  const ws = allWarnings(report);
  const blocks: Block[] = [
    heading(1, `durabench report — ${report.suite.name}`),
    runSummary(report),
    ...(report.mergedFrom ? [paragraph(`Merged from: ${report.mergedFrom.map((m) => `${m.file} (${m.hostname}, ${m.startedAt})`).join('; ')}`, 'muted')] : []),
    ...(ws.length > 0 ? [heading(2, 'Warnings'), warningsBlock(ws)] : []),
    heading(2, 'Cases'),
    // In HTML the measured loss is in the crash lab section below, not 7 more columns here.
    table(caseTable(report, { crash: !opts.charts })),
    ...(caseTableCaption(report) ? [paragraph(caseTableCaption(report), 'muted')] : []),
    paragraph(
      "Commit latency is the wall time of one commit until its ack; sync latency is every sync call the engine made (all kinds). Exposure is the engine's declared window: acked commits not yet covered by a sync.",
      'muted',
    ),
    ...scalingBlocks(report, opts),
    ...serverBlocks(report),
    ...(problems.length > 0 ? [heading(2, 'Errored and skipped cases'), list(problems.map((c) => `**${c.id}** (${engineLabel(c.key.engine)}): ${c.state}: ${c.reason}`))] : []),
    ...(report.tune ? tuneBlocks(report.tune, opts) : []),
    ...crashBlocks(completed),
    ...(opts.charts ? percentileBlocks(completed) : []),
    ...(opts.charts ? timelineBlocks(completed) : []),
    ...repeatsBlocks(completed),
    ...syncAndPhaseBlocks(completed),
    heading(2, 'Targets'),
    list(targetItems(report.host)),
    ...environmentBlocks(report.tool, report.host),
  ];
  return { title: `durabench — ${report.suite.name}`, blocks };
}
