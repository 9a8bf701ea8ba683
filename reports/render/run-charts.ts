/**
 * The charts of a run report as document blocks. Percentile plots: one chart per metric (commit
 * latency, sync latency) per group with every case of the group on the HdrHistogram axes, grouped
 * by engine or by mode (two tabs); every chart shares one set of axes per metric, so small
 * multiples compare at a glance and a case keeps its colour everywhere. Timelines: one per case,
 * per-interval commit p50/p99/max, sync p99 and throughput, the engine phases shaded. Pure.
 */
import { engineLabel } from '../../model/case.js';
import { durabilityLabel } from '../../model/durability.js';
import type { CompletedCase } from '../../model/run-report.js';
import { formatBytes, plural, sig } from '../../model/units.js';
import { chart, grid, heading, paragraph, tabs, type Block } from '../document/model.js';
import { overlayPercentileChart, percentileCurve, sharedPercentileAxes, timelineChart, type OverlaySeries } from './charts.js';

/** The key fields that tell the cases of a group apart, as a short label (`batch 16`, `w4 v4.00 KiB`). */
function labelsWithin(cases: readonly CompletedCase[], skip: 'engine' | 'mode'): string[] {
  const parts = (c: CompletedCase): Record<string, string> => ({
    engine: c.key.fault ? `${engineLabel(c.key.engine)}+${c.key.fault}` : engineLabel(c.key.engine),
    mode: durabilityLabel(c.key),
    writers: `w${c.key.writers}`,
    value: formatBytes(c.key.valueBytes),
    workload: c.key.workload,
    target: c.id.slice(c.id.lastIndexOf('/') + 1),
  });
  const all = cases.map(parts);
  const keys = Object.keys(all[0] ?? {}).filter((k) => (k === skip ? false : new Set(all.map((p) => p[k])).size > 1));
  // Within a mode group the engine names the case; within an engine group the durability setting.
  const show = keys.length > 0 ? keys : [skip === 'engine' ? 'mode' : 'engine'];
  return all.map((p) => show.map((k) => p[k]).join(' '));
}

interface Curves {
  commit: [number, number][];
  sync: [number, number][];
}

function groupsBy(cases: readonly CompletedCase[], by: 'engine' | 'mode'): { name: string; cases: CompletedCase[] }[] {
  const out = new Map<string, CompletedCase[]>();
  for (const c of cases) {
    const name = by === 'engine' ? (c.key.fault ? `${engineLabel(c.key.engine)} +${c.key.fault}` : engineLabel(c.key.engine)) : c.key.mode;
    out.set(name, [...(out.get(name) ?? []), c]);
  }
  return [...out].map(([name, cs]) => ({ name, cases: cs }));
}

/** Percentile plots of every completed case, grouped by engine and by mode (one tab each). */
export function percentileBlocks(cases: readonly CompletedCase[]): Block[] {
  if (cases.length === 0) return [];
  const curves = new Map<string, Curves>();
  for (const c of cases) {
    const m = c.metrics;
    curves.set(c.id, {
      commit: percentileCurve({ name: c.id, histogram: m.commitLatency.histogram, count: m.commitLatency.count, maxNs: m.commitLatency.maxNs }),
      sync: m.syncLatency.count > 0 ? percentileCurve({ name: c.id, histogram: m.syncLatency.histogram, count: m.syncLatency.count, maxNs: m.syncLatency.maxNs }) : [],
    });
  }
  const colour = new Map(cases.map((c, i) => [c.id, i]));
  const commitAxes = sharedPercentileAxes([...curves.values()].map((c) => c.commit));
  const syncAxes = sharedPercentileAxes([...curves.values()].map((c) => c.sync).filter((c) => c.length > 0));
  const view = (by: 'engine' | 'mode'): Block[] => {
    const groups = groupsBy(cases, by);
    return groups.flatMap((g) => {
      const names = labelsWithin(g.cases, by);
      const series = (metric: keyof Curves): OverlaySeries[] =>
        g.cases.map((c, i) => ({ name: names[i]!, points: curves.get(c.id)![metric], colorIndex: colour.get(c.id)! })).filter((s) => s.points.length > 0);
      const commit = series('commit');
      const sync = series('sync');
      const what = by === 'engine' ? `engine ${g.name}` : `mode ${g.name}`;
      return [
        grid([
          chart(overlayPercentileChart(commit, commitAxes, 'commit latency'), `${plural(commit.length, 'case')} of ${what}: the wall time of each commit until its ack.`, `${g.name}: commit latency by percentile`),
          sync.length > 0
            ? chart(overlayPercentileChart(sync, syncAxes, 'sync latency'), `Every sync call (all kinds) of ${what}.`, `${g.name}: sync latency by percentile`)
            : paragraph(`${g.name}: no sync calls (the engine never synced during the measurement).`, 'muted'),
        ]),
      ];
    });
  };
  return [
    heading(2, 'Latency by percentile'),
    paragraph(
      'HdrHistogram axes: x is 1/(1−p) on a log scale, so 90 %, 99 %, 99.9 % and 99.99 % are evenly spaced; y is log latency. Each curve ends at its last measured percentile and its exact maximum. All charts of one metric share their axes; a case keeps its colour in every chart.',
      'muted',
    ),
    tabs([
      { label: 'by engine', blocks: view('engine') },
      { label: 'by mode', blocks: view('mode') },
    ]),
  ];
}

/** The interval's length in seconds (the last one ends with the measurement). */
function lengths(c: CompletedCase): number[] {
  const m = c.metrics;
  const step = m.timelineIntervalMs;
  const endMs = m.durationNs / 1e6;
  return m.timeline.map((p, i) => (i === m.timeline.length - 1 ? Math.max(0, Math.min(step, endMs - p.startMs)) : step) / 1000);
}

/** One timeline per case: per-interval latency and throughput, phases shaded. */
export function timelineBlocks(cases: readonly CompletedCase[]): Block[] {
  const withData = cases.filter((c) => c.metrics.timeline.length > 0);
  if (withData.length === 0) return [];
  const charts = withData.map((c) => {
    const m = c.metrics;
    const len = lengths(c);
    const spans = m.phaseSpans ?? [];
    const phases = [...new Set(spans.map((s) => s.phase))];
    const svg = timelineChart({
      points: m.timeline.map((p, i) => ({ startS: p.startMs / 1000, lengthS: len[i]!, commits: p.commits, p50Ns: p.p50Ns, p99Ns: p.p99Ns, maxNs: p.maxNs, syncP99Ns: p.syncs !== undefined && p.syncs > 0 ? (p.syncP99Ns ?? null) : null })),
      durationS: m.durationNs / 1e9,
      phases: spans.map((s) => ({ phase: s.phase, startS: s.startMs / 1000, endS: (s.startMs + s.durationMs) / 1000 })),
    });
    const phaseText = phases.length > 0 ? ` Shaded: ${phases.map((p) => `${p} (${spans.filter((s) => s.phase === p).length}×)`).join(', ')}${m.phaseSpansDropped ? `, and ${m.phaseSpansDropped} more phases not kept` : ''}.` : '';
    return chart(svg, `${plural(m.timeline.length, 'interval')} of ${sig(m.timelineIntervalMs)} ms.${phaseText}`, c.id);
  });
  return [
    heading(2, 'Timeline'),
    paragraph(
      'Per interval of the measurement: commit latency p50, p99 and max and sync p99 (log scale, top), commits per second (bottom). Engine phases (flush, compaction, checkpoint, merge, rotation) are shaded where they ran: a stall lines up with its cause.',
      'muted',
    ),
    grid(charts),
  ];
}
