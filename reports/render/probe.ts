/**
 * A probe report as a document: one table per comparison (methods × targets), what each method
 * does, unsupported and errored methods, warnings, and the provenance; in HTML a bar chart of ops/s
 * per comparison. The console view is the tables and the problems. Pure.
 */
import { methodLabel, type ProbeReport } from '../../model/probe-report.js';
import { chart, heading, list, paragraph, table, warnings as warningsBlock, type Block, type Doc } from '../document/model.js';
import { barChart } from './charts.js';
import { PARALLEL_LEGEND, parallelTables } from './probe-parallel.js';
import { probeTables, problemLines } from './probe-table.js';
import { provenanceBlocks, targetSummary } from './provenance.js';

const LEGEND =
  "ops/s = 1 / mean latency of one operation (concurrent-sync methods: all threads' operations per second of wall time); percentiles from each operation's latency (HDR histogram); ±rme = tinybench's relative margin of error of the mean (95 %; concurrent-sync methods: of the 5 slices' rates).";

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
  const results = report.results.filter((r) => r.method.group === group);
  const labels = [...new Set(results.map((r) => methodLabel(r.method, several)))];
  const groups = report.settings.targets.map((t) => ({
    name: t,
    values: labels.map((l) => {
      const r = results.find((x) => x.target === t && methodLabel(x.method, several) === l);
      return r && r.state === 'completed' ? r.metrics.opsPerSec : null;
    }),
  }));
  if (groups.every((g) => g.values.every((v) => v === null))) return [];
  return [chart(barChart(`${group}: ops/s`, labels, groups, 'rate'), `Operations per second of each method, one bar per target (${group}).`)];
}

export function probeDoc(report: ProbeReport, opts: { charts: boolean }): Doc {
  const blocks: Block[] = [
    heading(1, 'durabench probe'),
    paragraph(`${report.startedAt} → ${report.finishedAt ?? 'unfinished'}, status **${report.status}**; ${settingsLine(report)}; targets ${report.settings.targets.map((t) => `\`${t}\``).join(', ')}.`),
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
  blocks.push(...provenanceBlocks(report.tool, report.host));
  return { title: 'durabench probe', blocks };
}
