/**
 * A probe report as a document: the summary (the fastest durable write per target) and the
 * warnings first, then per comparison the methods × targets as grouped bars on a log axis (HTML)
 * and the percentile table, what each method does, unsupported and errored methods, and the
 * environment. The console view is the tables and the problems. Pure.
 */
import { methodLabel, type ProbeReport, type ProbeResult } from '../../model/probe-report.js';
import { formatNs, formatRate, plural } from '../../model/units.js';
import { chart, fact, heading, list, paragraph, summary, table, warnings as warningsBlock, type Block, type Doc } from '../document/model.js';
import { logBarChart } from './charts.js';
import { PARALLEL_LEGEND, parallelTables } from './probe-parallel.js';
import { probeTables, problemLines } from './probe-table.js';
import { environmentBlocks, sessionFacts, targetSummary } from './provenance.js';

const LEGEND = "ops/s = 1 / mean latency of one operation (concurrent-sync methods: all threads' operations per second of wall time); percentiles from each operation's latency (HDR histogram); ±rme = relative margin of error of the mean (95 %, Student t over the round-robin passes or slices).";

function settingsLine(report: ProbeReport): string {
  const s = report.settings;
  return `${s.seconds} s per method and target (warm-up ${s.warmupSeconds} s), writes of ${s.blockBytes.join(', ')} bytes`;
}

export function probeConsoleDoc(report: ProbeReport): Doc {
  const blocks: Block[] = [
    paragraph(`durabench probe: ${settingsLine(report)}${report.status === 'interrupted' ? ' (interrupted)' : ''}`),
    list(report.host.targets.map(targetSummary)),
  ];
  for (const g of probeTables(report)) blocks.push(paragraph(g.group), table(g.rows));
  const parallel = parallelTables(report);
  if (parallel.length > 0) blocks.push(paragraph('Sync parallelism (aggregate syncs/s against threads):'));
  for (const t of parallel) blocks.push(paragraph(`${t.group}${report.settings.targets.length > 1 ? ` on ${t.target}` : ''}: ${t.reading}`), table(t.rows));
  const problems = problemLines(report);
  if (problems.length > 0) blocks.push(list(problems));
  blocks.push(paragraph(LEGEND));
  if (parallel.length > 0) blocks.push(paragraph(PARALLEL_LEGEND));
  return { title: 'durabench probe', blocks };
}

function opsChart(report: ProbeReport, group: string): Block[] {
  const several = report.settings.blockBytes.length > 1;
  const severalPatterns = (report.settings.patterns?.length ?? 1) > 1;
  const results = report.results.filter((r) => r.method.group === group);
  const labels = [...new Set(results.map((r) => methodLabel(r.method, several, severalPatterns)))];
  const groups = report.settings.targets.map((t) => ({
    name: t,
    values: labels.map((l) => {
      const r = results.find((x) => x.target === t && methodLabel(x.method, several, severalPatterns) === l);
      return r && r.state === 'completed' ? r.metrics.opsPerSec : null;
    }),
  }));
  if (groups.every((g) => g.values.every((v) => v === null))) return [];
  const targets = report.settings.targets.length;
  return [
    chart(
      logBarChart(labels, groups, 'operations per second (log scale)', (v) => formatRate(v)),
      `Operations per second of each method${targets > 1 ? ', one bar per target' : ''}, on a log scale: a method ten times faster is one grid line further. Unsupported methods have no bar.`,
      `${group}: ops/s`,
    ),
  ];
}

/** The verdict first: the fastest durable write on each target, and what could not run. */
function probeSummary(report: ProbeReport): Block {
  const several = report.settings.blockBytes.length > 1;
  const done = report.results.filter((r): r is Extract<ProbeResult, { state: 'completed' }> => r.state === 'completed');
  const errored = report.results.filter((r) => r.state === 'errored').length;
  const unsupported = report.results.filter((r) => r.state === 'unsupported').length;
  const best = report.settings.targets.flatMap((t) => {
    const durable = done.filter((r) => r.target === t && r.method.syncsPerOp > 0 && r.method.bytesPerOp > 0);
    if (durable.length === 0) return [];
    const top = durable.reduce((a, b) => (b.metrics.opsPerSec > a.metrics.opsPerSec ? b : a));
    return [fact(`fastest durable write${report.settings.targets.length > 1 ? `, ${t}` : ''}`, `\`${methodLabel(top.method, several)}\` ${formatRate(top.metrics.opsPerSec)} ops/s, p99 ${formatNs(top.metrics.latency.p99Ns)}`)];
  });
  const n = report.results.length;
  const parts = [`${plural(n, 'method')} measured on ${plural(report.settings.targets.length, 'target')}`];
  if (unsupported > 0) parts.push(`${unsupported} unsupported here`);
  if (errored > 0) parts.push(`${errored} errored`);
  if (report.status !== 'completed') parts.push(report.status);
  const tone = errored > 0 || report.status !== 'completed' ? 'warn' : n === 0 ? 'neutral' : 'ok';
  return summary(tone, parts.join(' · '), [...best, fact('settings', settingsLine(report)), ...sessionFacts(report)]);
}

export function probeDoc(report: ProbeReport, opts: { charts: boolean }): Doc {
  const blocks: Block[] = [
    heading(1, 'durabench probe'),
    probeSummary(report),
    ...(report.warnings.length > 0 ? [heading(2, 'Warnings'), warningsBlock(report.warnings)] : []),
    paragraph(LEGEND, 'muted'),
  ];
  for (const g of probeTables(report)) {
    blocks.push(heading(2, g.group), ...(opts.charts ? opsChart(report, g.group) : []), table(g.rows));
    const descr = [...new Map(report.results.filter((r) => r.method.group === g.group).map((r) => [r.method.id, r.method.description])).entries()];
    blocks.push(list(descr.map(([id, d]) => `\`${id}\`: ${d}`)));
  }
  const parallel = parallelTables(report);
  if (parallel.length > 0) {
    blocks.push(heading(2, 'Sync parallelism'), paragraph(PARALLEL_LEGEND, 'muted'));
    for (const t of parallel) blocks.push(heading(3, `${t.group} — ${t.target}`), paragraph(t.reading), table(t.rows));
  }
  const problems = problemLines(report);
  if (problems.length > 0) blocks.push(heading(2, 'Unsupported and errored'), list(problems));
  blocks.push(...environmentBlocks(report.tool, report.host));
  return { title: 'durabench probe', blocks };
}
