/**
 * A run report as a document: the console summary (the case table and the tally), and the full
 * report (provenance, warnings, the case table, repeats, the batch sweep, measured loss, sync kinds
 * and engine phases, stalls, problems, and per case an HDR percentile curve and a timeline). The
 * same document is written as Markdown and HTML; only HTML draws the charts. Pure.
 */
import { SERVER_TABLE_NOTE, serverRunTable } from './servers.js';
import { verdictText } from '../../analysis/crash-verdict.js';
import { crashLabel } from './crash-table.js';
import { engineLabel } from '../../model/case.js';
import { HEADLINE_METRICS, formatMetric } from '../../model/metrics.js';
import type { CaseResult, CompletedCase, RunReport } from '../../model/run-report.js';
import type { Warning } from '../../model/warning.js';
import { formatNs } from '../../model/units.js';
import { chart, heading, list, paragraph, table, warnings as warningsBlock, type Block, type Doc } from '../document/model.js';
import { caseTable } from './case-table.js';
import { percentileChart, timelineChart } from './charts.js';
import { provenanceLine, targetItems } from './provenance.js';
import { tuneBlocks } from './tune.js';

/** `3 cases: 2 completed, 1 errored, 0 skipped (interrupted)`. */
export function tallyLine(report: RunReport): string {
  const counts = { completed: 0, errored: 0, skipped: 0 };
  for (const c of report.cases) counts[c.state] += 1;
  const n = report.cases.length;
  return `${n} case${n === 1 ? '' : 's'}: ${counts.completed} completed, ${counts.errored} errored, ${counts.skipped} skipped${report.status === 'interrupted' ? ' (interrupted)' : ''}`;
}

/** Every warning of the report: the run's own, then each completed case's (named). */
export function allWarnings(report: RunReport): Warning[] {
  return [...report.warnings, ...report.cases.flatMap((c) => (c.state === 'completed' ? c.warnings.map((w) => ({ ...w, message: `${c.id}: ${w.message}` })) : []))];
}

/** What the console prints at the end of a run. */
export function runConsoleDoc(report: RunReport): Doc {
  const blocks: Block[] = [table(caseTable(report)), paragraph(tallyLine(report))];
  const servers = serverRunTable(report.cases);
  if (servers) blocks.push(paragraph('**Servers: the promise beside the measurement**'), table(servers));
  const n = allWarnings(report).length;
  if (n > 0) blocks.push(paragraph(`${n} warning${n === 1 ? '' : 's'} (on stderr and in the report)`));
  return { title: `durabench report — ${report.suite.name}`, blocks };
}

function repeatsBlocks(cases: readonly CompletedCase[]): Block[] {
  const rows: string[][] = [['case', 'metric', 'median', '95 % interval', 'repeats', 'method']];
  for (const c of cases) {
    if (!c.repeats || c.repeats.count < 2) continue;
    for (const m of HEADLINE_METRICS) {
      const s = c.repeats.metrics[m.id];
      if (!s) continue;
      rows.push([c.id, m.label, formatMetric(m, s.median), `${formatMetric(m, s.ciLow)} … ${formatMetric(m, s.ciHigh)}`, String(c.repeats.count), s.ciMethod ?? '']);
    }
  }
  if (rows.length === 1) return [];
  return [
    heading(2, 'Repeats'),
    paragraph("Median over the repeats and its 95 % confidence interval. The case table merges every repeat's histograms exactly."),
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

function caseCharts(c: CompletedCase): Block[] {
  const m = c.metrics;
  const out: Block[] = [heading(3, c.id, c.id)];
  if (m.commitLatency.count > 0) {
    const series = [{ name: 'commit', histogram: m.commitLatency.histogram, count: m.commitLatency.count, maxNs: m.commitLatency.maxNs }];
    if (m.syncLatency.count > 0) series.push({ name: 'sync (all kinds)', histogram: m.syncLatency.histogram, count: m.syncLatency.count, maxNs: m.syncLatency.maxNs });
    out.push(chart(percentileChart(`${c.id}: latency by percentile`, series), 'HDR-style percentile curve: x is 1/(1−p) on a log scale, so 90 %, 99 %, 99.9 % are evenly spaced; y is log latency.'));
  }
  if (m.timeline.length > 0) {
    const t = (f: (p: (typeof m.timeline)[number]) => number): [number, number][] => m.timeline.filter((p) => p.commits > 0).map((p) => [p.startMs / 1000, Math.max(1, f(p))]);
    out.push(
      chart(
        timelineChart(`${c.id}: commit latency per ${m.timelineIntervalMs} ms`, [
          { name: 'p50', data: t((p) => p.p50Ns) },
          { name: 'p99', data: t((p) => p.p99Ns) },
          { name: 'max', data: t((p) => p.maxNs) },
        ]),
        'Commit latency per interval of the measurement: a flush, compaction or device stall shows as a spike.',
      ),
    );
  }
  return out;
}

/** The full report. `charts`: draw the per-case charts (HTML); Markdown leaves them out. */
/** Server engines: each setting's documented promise beside its latency (and loss, with --crash). */
function serverBlocks(report: RunReport): Block[] {
  const t = serverRunTable(report.cases);
  if (!t) return [];
  return [heading(2, 'Servers: the promise beside the measurement'), paragraph(SERVER_TABLE_NOTE, 'muted'), table(t)];
}

export function runDoc(report: RunReport, opts: { charts: boolean }): Doc {
  const completed = report.cases.filter((c): c is CompletedCase => c.state === 'completed');
  const problems = report.cases.filter((c): c is Exclude<CaseResult, CompletedCase> => c.state !== 'completed');
  const ws = allWarnings(report);
  const blocks: Block[] = [
    heading(1, `durabench report — ${report.suite.name}`),
    paragraph(`${provenanceLine(report.tool, report.host)}; ${report.startedAt} → ${report.finishedAt ?? 'unfinished'}, status **${report.status}**`),
    paragraph('Targets:'),
    list(targetItems(report.host)),
    ...(report.mergedFrom ? [paragraph(`Merged from: ${report.mergedFrom.map((m) => `${m.file} (${m.hostname}, ${m.startedAt})`).join('; ')}`, 'muted')] : []),
    ...(ws.length > 0 ? [heading(2, 'Warnings'), warningsBlock(ws)] : []),
    heading(2, 'Cases'),
    table(caseTable(report)),
    paragraph(
      "Commit latency is the wall time of one commit until its ack; sync latency is every sync call the engine made (all kinds). Exposure is the engine's declared window: acked commits not yet covered by a sync.",
      'muted',
    ),
    ...serverBlocks(report),
    ...repeatsBlocks(completed),
    ...(report.tune ? tuneBlocks(report.tune, opts) : []),
    ...crashBlocks(completed),
    ...syncAndPhaseBlocks(completed),
    ...(problems.length > 0 ? [heading(2, 'Errored and skipped cases'), list(problems.map((c) => `**${c.id}** (${engineLabel(c.key.engine)}): ${c.state}: ${c.reason}`))] : []),
    ...(opts.charts && completed.length > 0 ? [heading(2, 'Latency per case'), ...completed.flatMap(caseCharts)] : []),
  ];
  return { title: `durabench — ${report.suite.name}`, blocks };
}
