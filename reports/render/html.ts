/**
 * The run report as one self-contained HTML file: provenance, the case table, repeats, the batch
 * sweep with its Pareto front (reports from `durabench tune`), per case an HDR percentile curve and
 * a per-interval commit-latency timeline (stalls show as spikes), and the crash lab's loss table.
 * Charts are SVG rendered here (html-charts.ts); the page has no script and loads nothing. Pure.
 */
import { HEADLINE_METRICS, formatMetric } from '../metrics-catalog.js';
import type { CompletedCase, RunReport, TargetInfo } from '../schema.js';
import { caseTable } from './case-table.js';
import { formatBytes, formatNs, formatRate } from './format.js';
import { percentileChart, sweepChart, timelineChart } from './html-charts.js';
import { chartFigure, escapeHtml, htmlPage, htmlTable } from './html-page.js';

function known(k: { value: unknown } | undefined): string {
  if (!k) return '?';
  return k.value === null ? `unknown (${(k as { reason?: string }).reason ?? ''})` : String(k.value);
}

function targetLine(t: TargetInfo): string {
  return `<li><code>${escapeHtml(t.dir)}</code>: ${escapeHtml(known(t.fsType))} (${escapeHtml(known(t.mountOptions))}) on ${escapeHtml(known(t.device))}, model ${escapeHtml(known(t.model))}, rotational ${escapeHtml(known(t.rotational))}, write cache ${escapeHtml(known(t.writeCache))}</li>`;
}

function repeatsSection(cases: readonly CompletedCase[]): string {
  const rows: string[][] = [['case', 'metric', 'median', '95 % interval', 'repeats', 'method']];
  for (const c of cases) {
    if (!c.repeats || c.repeats.count < 2) continue;
    for (const m of HEADLINE_METRICS) {
      const s = c.repeats.metrics[m.id];
      if (!s) continue;
      rows.push([c.id, m.label, formatMetric(m, s.median), `${formatMetric(m, s.ciLow)} … ${formatMetric(m, s.ciHigh)}`, String(c.repeats.count), s.ciMethod ?? '']);
    }
  }
  if (rows.length === 1) return '';
  return `<h2>Repeats</h2><p>Median over the repeats and its 95 % confidence interval (order statistics of the median from six repeats on; Student-t interval of the mean below that). The case table above merges every repeat's histograms exactly.</p>${htmlTable(rows)}`;
}

function tuneSection(report: RunReport): string {
  const t = report.tune;
  if (!t) return '';
  const budgetMs = t.budget?.kind === 'ms' ? t.budget.ms : null;
  const points = t.points.map((p) => ({
    label: `b${p.batchSize}${p.batchMs !== null ? `/${p.batchMs}ms` : ''}`,
    exposureMs: p.exposureMaxNs / 1e6,
    commitsPerSec: p.commitsPerSec,
    commitP99Ns: p.commitP99Ns,
    pareto: p.pareto,
    recommended: t.recommendation?.caseId === p.caseId,
    withinBudget: p.withinBudget,
  }));
  const rows: string[][] = [['batch size', 'batch ms', 'commits/s', 'commit p99', 'exposure (commits)', 'exposure (max)', 'measured loss', 'Pareto', 'budget']];
  for (const p of t.points) {
    rows.push([
      String(p.batchSize),
      p.batchMs === null ? '—' : String(p.batchMs),
      formatRate(p.commitsPerSec),
      formatNs(p.commitP99Ns),
      String(p.exposureMaxCommits),
      formatNs(p.exposureMaxNs),
      p.lostMax === null ? '—' : `${p.lostMax} commits, ${p.lossWindowMsMax ?? 0} ms`,
      p.pareto ? 'front' : '',
      p.withinBudget ? (t.recommendation?.caseId === p.caseId ? 'recommended' : 'fits') : (p.budgetReason ?? 'over'),
    ]);
  }
  return [
    '<h2>Batch sweep</h2>',
    `<p><b>${escapeHtml(t.verdict)}</b></p>`,
    chartFigure(sweepChart(`${t.engine}: throughput against declared exposure`, points, budgetMs), 'Each point is one batch setting (red: recommended, blue: inside the budget, grey: over it); the dashed line joins the Pareto front (no other setting has more throughput, lower commit p99 and less exposure at once).'),
    htmlTable(rows),
    ...t.notes.map((n) => `<p class="muted">${escapeHtml(n)}</p>`),
  ].join('\n');
}

function caseCharts(c: CompletedCase): string {
  const m = c.metrics;
  const out = [`<h3 id="${escapeHtml(c.id)}">${escapeHtml(c.id)}</h3>`];
  if (m.commitLatency.count > 0) {
    const series = [{ name: 'commit', histogram: m.commitLatency.histogram, count: m.commitLatency.count, maxNs: m.commitLatency.maxNs }];
    if (m.syncLatency.count > 0) series.push({ name: 'sync (all kinds)', histogram: m.syncLatency.histogram, count: m.syncLatency.count, maxNs: m.syncLatency.maxNs });
    out.push(chartFigure(percentileChart(`${c.id}: latency by percentile`, series), 'HDR-style percentile curve: x is 1/(1−p) on a log scale, so 90 %, 99 %, 99.9 % are evenly spaced; y is log latency.'));
  }
  if (m.timeline.length > 0) {
    const t = (f: (p: (typeof m.timeline)[number]) => number): [number, number][] => m.timeline.filter((p) => p.commits > 0).map((p) => [p.startMs / 1000, Math.max(1, f(p))]);
    out.push(
      chartFigure(
        timelineChart(`${c.id}: commit latency per ${m.timelineIntervalMs} ms`, [
          { name: 'p50', data: t((p) => p.p50Ns) },
          { name: 'p99', data: t((p) => p.p99Ns) },
          { name: 'max', data: t((p) => p.maxNs) },
        ]),
        'Commit latency per interval of the measurement: a flush, compaction or device stall shows as a spike.',
      ),
    );
  }
  return out.join('\n');
}

function crashSection(cases: readonly CompletedCase[]): string {
  const withCrash = cases.filter((c) => c.crash);
  if (withCrash.length === 0) return '';
  const rows: string[][] = [['case', 'crash', 'filesystem', 'trials', 'with loss', 'lost max', 'lost p99', 'loss window max', 'corrupt', 'verdict']];
  for (const c of withCrash) {
    const x = c.crash!;
    rows.push([c.id, x.crashKind, x.filesystem ?? '—', String(x.trials.length), String(x.trialsWithLoss), String(x.lostMax), String(x.lostP99), `${x.lossWindowMsMax} ms`, String(x.corruptTotal), `${x.verdict}: ${x.verdictReason}`]);
  }
  const bugs = withCrash.filter((c) => c.crash!.verdict === 'DURABILITY BUG');
  return [
    '<h2>Crash lab: measured loss</h2>',
    bugs.length > 0 ? `<p class="bug">DURABILITY BUG in ${bugs.map((c) => escapeHtml(c.id)).join(', ')}: measured loss exceeds the declared exposure.</p>` : '',
    htmlTable(rows),
  ].join('\n');
}

export function renderHtml(report: RunReport): string {
  const h = report.host;
  const completed = report.cases.filter((c): c is CompletedCase => c.state === 'completed');
  const body: string[] = [];
  body.push(`<h1>durabench report — ${escapeHtml(report.suite.name)}</h1>`);
  body.push(
    `<p>${escapeHtml(`${report.tool.name} ${report.tool.version}${report.tool.gitSha ? ` (${report.tool.gitSha.slice(0, 12)})` : ''}, ${report.startedAt} → ${report.finishedAt ?? 'unfinished'}, status ${report.status}`)}</p>`,
  );
  body.push(`<p>Host: ${escapeHtml(`${h.hostname}, ${h.os} ${h.kernel}, ${h.cpuModel} × ${h.cpuCount}, ${formatBytes(h.memoryBytes)} RAM, Node ${h.nodeVersion}`)}</p>`);
  body.push(`<ul>${(h.targets ?? []).map(targetLine).join('')}</ul>`);
  if (report.mergedFrom) body.push(`<p class="muted">Merged from: ${escapeHtml(report.mergedFrom.map((m) => `${m.file} (${m.hostname}, ${m.startedAt})`).join('; '))}</p>`);
  body.push('<h2>Cases</h2>', htmlTable(caseTable(report)));
  body.push(
    "<p class=\"muted\">Commit latency: wall time of one commit until its ack. Sync latency: every sync call the engine made. Exposure: the engine's declared window of acked commits not yet covered by a sync.</p>",
  );
  body.push(repeatsSection(completed));
  body.push(tuneSection(report));
  body.push(crashSection(completed));
  if (completed.length > 0) body.push('<h2>Latency per case</h2>', ...completed.map(caseCharts));
  const warnings = [...report.warnings, ...completed.flatMap((c) => c.warnings.map((w) => ({ ...w, message: `${c.id}: ${w.message}` })))];
  if (warnings.length > 0) {
    body.push('<h2>Warnings</h2>', ...warnings.map((w) => `<div class="warning"><b>${escapeHtml(w.code)}</b>: ${escapeHtml(w.message)} ${escapeHtml(w.remedy)}</div>`));
  }
  return htmlPage(`durabench — ${report.suite.name}`, body.filter((b) => b !== '').join('\n'));
}
