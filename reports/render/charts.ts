/**
 * Server-side SVG charts for the HTML reports, drawn by Apache ECharts in SSR mode (`ssr: true`,
 * `renderToSVGString()`: no DOM, no browser, no script in the output). With echarts-parts.ts (the
 * parts list) the only importer of echarts; it is loaded on first use (CommonJS, synchronously) so
 * commands that never render HTML do not pay for it: the build's parts (echarts-parts.ts) where
 * there is a build, the whole package otherwise. Pure apart from that lazy load: data in, SVG text out.
 *
 * Titles are not drawn into the SVG (the document puts them above the figure, where they cannot
 * collide with the plot). Every colour that draws data comes from `SERIES_COLORS`, so a test can
 * tell a drawn series from axes and grid lines.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import type * as EChartsModule from 'echarts';
import { decodeHistogram } from '../../stats/hdr.js';
import { formatNs, formatRate, sig } from '../../model/units.js';
import { builtFile } from '../../workspace/entry-point.js';

type ECharts = typeof EChartsModule;
type Option = EChartsModule.EChartsOption;
type Any = Record<string, unknown>;

/**
 * Width of a character in em, as DejaVu Sans draws it — the widest sans-serif a Linux browser
 * commonly falls back to (glyph advances from the font's hmtx table, rounded up). ECharts lays out
 * legends and labels with these widths (its own table is Helvetica's, ~12 % narrower), and so does
 * `placeLabels`: text laid out for DejaVu Sans fits in any narrower font.
 */
function emWidth(ch: string): number {
  if (/[0-9]/.test(ch)) return 0.64;
  if (ch === ' ' || ch === '\u00a0') return 0.32;
  if (/[.,:;'|!ilj]/.test(ch)) return 0.3;
  if (/[ftr()\[\]\-/]/.test(ch)) return 0.42;
  if (/[mw%MW]/.test(ch)) return 1.0;
  if (/[A-Z×−µ≤≥]/.test(ch)) return 0.84;
  if (/[a-z]/.test(ch)) return 0.64;
  return 0.84;
}

/** Width in px of `text` at `fontPx` (see emWidth). */
export function textWidth(text: string, fontPx: number): number {
  let em = 0;
  for (const ch of text) em += emWidth(ch);
  return em * fontPx;
}

/** Which ECharts draws: the build's parts (echarts-parts.ts, bundled into dist/vendor/echarts.cjs), or the whole package where there is no build (under tsx). */
export type EChartsBuild = 'parts' | 'package';
let loaded: { build: EChartsBuild; module: ECharts } | null = null;

function withTextWidths(m: ECharts): ECharts {
  m.setPlatformAPI({
    measureText: (text: string, font?: string) =>
      ({ width: textWidth(text ?? '', Number(/(\d+(?:\.\d+)?)px/.exec(font ?? '')?.[1] ?? 12)) }) as unknown as ReturnType<
        NonNullable<Parameters<ECharts['setPlatformAPI']>[0]['measureText']>
      >,
  });
  return m;
}

function load(): { build: EChartsBuild; module: ECharts } {
  const require = createRequire(import.meta.url);
  const parts = builtFile('vendor/echarts.cjs');
  if (parts !== null && fs.existsSync(parts)) return { build: 'parts', module: withTextWidths(require(parts) as ECharts) };
  return { build: 'package', module: withTextWidths(require('echarts') as ECharts) };
}

function echarts(): ECharts {
  loaded ??= load();
  return loaded.module;
}

/** Which ECharts this process draws with (loads it). */
export function echartsBuild(): EChartsBuild {
  loaded ??= load();
  return loaded.build;
}

/** Draw `fn`'s charts with the whole package instead (the test that the parts draw the same SVG). */
export function withWholePackage<T>(fn: () => T): T {
  const saved = loaded;
  loaded = { build: 'package', module: withTextWidths(createRequire(import.meta.url)('echarts') as ECharts) };
  try {
    return fn();
  } finally {
    loaded = saved;
  }
}

/** A colour-blind-safe palette (Okabe–Ito), the yellow last: it is faint on white. */
export const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#D55E00', '#CC79A7', '#56B4E9', '#000000', '#F0E442'] as const;
/** Verdicts and states: worse/bug, better/ok, noise/dominated, the recommendation. */
export const VERDICT_COLORS = {
  worse: '#CF222E',
  better: '#1A7F37',
  noise: '#8C959F',
  recommended: '#D55E00',
  front: '#0072B2',
  bound: '#24292F',
} as const;
/** Engine phases shaded on timelines: none of the timeline's line colours. */
export const PHASE_COLORS = ['#E69F00', '#A371F7', '#BF8700', '#8C959F', '#F0E442'] as const;
/** The phases every built-in engine names keep one colour in every report. */
const PHASE_COLOR_OF: Record<string, string> = {
  flush: '#E69F00',
  compaction: '#A371F7',
  merge: '#A371F7',
  checkpoint: '#BF8700',
  rotate: '#8C959F',
  preallocate: '#8C959F',
};
/** Every colour a data series is drawn in (the browser test counts elements drawn in these). */
export const SERIES_COLORS: readonly string[] = [...new Set([...PALETTE, ...Object.values(VERDICT_COLORS), ...PHASE_COLORS])];

/** A grid whose left/right/top/bottom are the plot's exact edges (ECharts 6 otherwise moves them to fit the axis labels). */
const EXACT = { containLabel: false, outerBoundsMode: 'none' } as const;

const FONT = 'system-ui, -apple-system, "Segoe UI", sans-serif';
const AXIS_NAME = { fontSize: 11, color: '#59636e' };

/** ECharts' option types do not follow object spreads and `as const` well; options are checked by drawing them in tests. */
function render(option: Any, width: number, height: number): string {
  const chart = echarts().init(null, null, { renderer: 'svg', ssr: true, width, height });
  try {
    chart.setOption({ animation: false, color: [...PALETTE], textStyle: { fontFamily: FONT }, ...option } as Option);
    return chart.renderToSVGString();
  } finally {
    // SSR charts keep an animation timer alive until disposed.
    chart.dispose();
  }
}

const log10 = Math.log10;
const decadeBelow = (v: number): number => 10 ** Math.floor(log10(v));
const decadeAbove = (v: number): number => 10 ** Math.ceil(log10(v));

/** How many rows a bottom legend of `names` takes in `width` px (icon, gap and text per item). */
function legendRows(names: readonly string[], width: number, fontPx = 11, icon = 18): number {
  let rows = 1;
  let x = 0;
  for (const n of names) {
    const w = icon + 5 + textWidth(n, fontPx) + 10;
    if (x > 0 && x + w > width - 20) {
      rows += 1;
      x = 0;
    }
    x += w;
  }
  return rows;
}

/** `1/(1−p)` → the percentile it stands for: 1 → 0 %, 10 → 90 %, 1000 → 99.9 %. */
export function percentileLabel(x: number): string {
  if (x <= 1) return '0 %';
  const p = 100 * (1 - 1 / x);
  const digits = Math.max(0, Math.round(log10(x)) - 2);
  return `${p.toFixed(digits)} %`;
}

// ── HDR percentile plots ────────────────────────────────────────────────────────────────────────

export interface PercentileSeries {
  name: string;
  /** Compressed base64 HDR histogram (ns). */
  histogram: string;
  count: number;
  maxNs: number;
}

/**
 * Points of an HDR percentile curve: x = 1/(1−p) on a log axis (so 90 %, 99 %, 99.9 % are evenly
 * spaced, as HdrHistogram's plotter draws them), y = latency in ns. Stops at the last measured
 * percentile (1 − 1/count) and ends at the exact maximum.
 */
export function percentileCurve(s: PercentileSeries, stepsPerDecade = 20): [number, number][] {
  if (s.count === 0) return [];
  const h = decodeHistogram(s.histogram);
  const lastX = Math.max(1, s.count);
  const pts: [number, number][] = [];
  for (let t = 0; ; t += 1 / stepsPerDecade) {
    const x = 10 ** t;
    if (x > lastX) break;
    const p = 100 * (1 - 1 / x);
    pts.push([x, Math.max(1, Math.min(h.getValueAtPercentile(p), s.maxNs))]);
  }
  pts.push([lastX, Math.max(1, s.maxNs)]);
  return pts;
}

/** Axis ranges several percentile charts share, so small multiples compare at a glance. */
export interface PercentileAxes {
  /** Largest 1/(1−p) shown (a power of ten). */
  xMax: number;
  yMinNs: number;
  yMaxNs: number;
}

/** The axes that hold every curve of every group (decade bounds). */
export function sharedPercentileAxes(curves: readonly (readonly [number, number][])[]): PercentileAxes {
  const xs = curves.flatMap((c) => c.map((p) => p[0]));
  const ys = curves.flatMap((c) => c.map((p) => p[1]));
  if (ys.length === 0) return { xMax: 100, yMinNs: 1000, yMaxNs: 1e6 };
  return {
    xMax: Math.max(100, decadeAbove(Math.max(...xs))),
    yMinNs: decadeBelow(Math.max(1, Math.min(...ys))),
    yMaxNs: decadeAbove(Math.max(...ys) * 1.01),
  };
}

export interface OverlaySeries {
  name: string;
  /** From `percentileCurve`. */
  points: [number, number][];
  /** A stable colour per case across charts (index into PALETTE). */
  colorIndex: number;
}

/** Every case of a group on the HdrHistogram axes: one step line per case, shared axis ranges. */
export function overlayPercentileChart(
  series: readonly OverlaySeries[],
  axes: PercentileAxes,
  yName: string,
  width = 580,
  height = 330,
): string {
  const rows = legendRows(
    series.map((s) => s.name),
    width,
  );
  return render(
    {
      legend: { bottom: 0, itemWidth: 18, textStyle: { fontSize: 11 } },
      grid: { left: 80, right: 30, top: 12, bottom: 50 + 20 * rows, ...EXACT },
      xAxis: {
        type: 'log',
        min: 1,
        max: axes.xMax,
        name: 'percentile',
        nameLocation: 'middle',
        nameGap: 24,
        nameTextStyle: AXIS_NAME,
        axisLabel: { formatter: (v: number) => percentileLabel(v), fontSize: 10 },
        splitLine: { show: true, lineStyle: { color: '#eaeef2' } },
      },
      yAxis: {
        type: 'log',
        min: axes.yMinNs,
        max: axes.yMaxNs,
        name: yName,
        nameLocation: 'middle',
        nameGap: 58,
        nameTextStyle: AXIS_NAME,
        axisLabel: { formatter: (v: number) => formatNs(v), fontSize: 10 },
        splitLine: { lineStyle: { color: '#eaeef2' } },
      },
      series: series.map((s) => ({
        type: 'line',
        name: s.name,
        data: s.points,
        showSymbol: false,
        step: 'end',
        lineStyle: { width: 1.8 },
        color: PALETTE[s.colorIndex % PALETTE.length],
      })),
    },
    width,
    height,
  );
}

// ── Timeline ───────────────────────────────────────────────────────────────────────────────────

export interface TimelineInput {
  /** Interval start (s since the start of measurement) and length (s). */
  points: readonly {
    startS: number;
    lengthS: number;
    commits: number;
    p50Ns: number;
    p99Ns: number;
    maxNs: number;
    syncP99Ns: number | null;
  }[];
  durationS: number;
  /** Engine phases: name, start and end (s). */
  phases: readonly { phase: string; startS: number; endS: number }[];
}

/**
 * Spans of one phase joined where they overlap or nearly touch (many writers, or thousands of
 * rotations), and widened to a visible minimum: shading is for seeing when, not for counting.
 */
export function shadeSpans(spans: readonly { startS: number; endS: number }[], rangeS: number): [number, number][] {
  const minWidth = rangeS * 0.004;
  const joinGap = rangeS * 0.002;
  const sorted = [...spans].sort((a, b) => a.startS - b.startS);
  const out: [number, number][] = [];
  for (const s of sorted) {
    let a = s.startS;
    let b = Math.max(s.endS, s.startS + minWidth);
    if (b > rangeS) {
      b = rangeS;
      a = Math.min(a, Math.max(0, b - minWidth));
    }
    const last = out[out.length - 1];
    if (last && a <= last[1] + joinGap) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out;
}

/**
 * Per interval: commit p50, p99 and max and sync p99 (log latency, top), commits/s (bottom), with
 * the engine phases shaded across both.
 */
export function timelineChart(t: TimelineInput, width = 580, height = 380): string {
  const x = (p: TimelineInput['points'][number]): number => Number((p.startS + p.lengthS / 2).toFixed(6));
  const withCommits = t.points.filter((p) => p.commits > 0);
  const lat = (f: (p: TimelineInput['points'][number]) => number | null): (number | null)[][] =>
    t.points.map((p) => {
      const v = p.commits > 0 || f === syncOf ? f(p) : null;
      return [x(p), v !== null && v > 0 ? v : null];
    });
  const syncOf = (p: TimelineInput['points'][number]): number | null => p.syncP99Ns;
  const hasSync = t.points.some((p) => (p.syncP99Ns ?? 0) > 0);
  // The last interval may be a sliver of the measurement: its rate would be noise.
  const rate = t.points
    .filter((p) => p.lengthS > 0 && (p.lengthS >= 0.25 * (t.points[0]?.lengthS ?? 0) || t.points.length === 1))
    .map((p) => [x(p), p.commits / p.lengthS]);
  const ys = withCommits
    .flatMap((p) => [p.p50Ns, p.maxNs])
    .concat(hasSync ? t.points.map((p) => p.syncP99Ns ?? 0).filter((v) => v > 0) : []);
  const yMin = ys.length > 0 ? decadeBelow(Math.max(1, Math.min(...ys))) : 1000;
  const yMax = ys.length > 0 ? decadeAbove(Math.max(...ys) * 1.01) : 1e6;
  const rangeS = Math.max(t.durationS, ...t.points.map((p) => p.startS + p.lengthS), 1e-3);
  const phaseNames = [...new Set(t.phases.map((p) => p.phase))];
  const plotTop = 24;
  const rows = legendRows(
    ['commit max', 'commit p99', 'commit p50', ...(hasSync ? ['sync p99'] : []), 'commits/s', ...phaseNames.map((n) => `${n} (phase)`)],
    width,
    11,
    16,
  );
  // Each extra legend row makes the chart taller rather than the plots smaller.
  const h = height + 20 * (rows - 1);
  const splitY = Math.round((h - 44 - 20 * rows) * 0.62);
  const phaseSeries = phaseNames.flatMap((name, i) => {
    const color = PHASE_COLOR_OF[name] ?? PHASE_COLORS[i % PHASE_COLORS.length]!;
    const areas = shadeSpans(
      t.phases.filter((p) => p.phase === name),
      rangeS,
    ).map(([a, b]) => [{ xAxis: a }, { xAxis: b }]);
    return [0, 1].map((axis) => ({
      type: 'line',
      name: `${name} (phase)`,
      xAxisIndex: axis,
      yAxisIndex: axis,
      data: [],
      color,
      itemStyle: { color },
      markArea: { silent: true, itemStyle: { color, opacity: 0.22 }, data: areas },
    }));
  });
  const line = (name: string, data: (number | null)[][], color: string, extra: Any = {}): Any => ({
    type: 'line',
    name,
    data,
    showSymbol: data.length <= 20,
    symbolSize: 4,
    connectNulls: false,
    color,
    lineStyle: { width: 1.5, ...((extra['lineStyle'] as Any) ?? {}) },
    ...extra,
  });
  return render(
    {
      legend: { bottom: 0, itemWidth: 16, textStyle: { fontSize: 11 } },
      grid: [
        { left: 80, right: 22, top: plotTop, height: splitY - plotTop, ...EXACT },
        { left: 80, right: 22, top: splitY + 16, bottom: 44 + 20 * rows, ...EXACT },
      ],
      xAxis: [
        {
          type: 'value',
          gridIndex: 0,
          min: 0,
          max: Number(rangeS.toFixed(6)),
          axisLabel: { show: false },
          splitLine: { lineStyle: { color: '#eaeef2' } },
        },
        {
          type: 'value',
          gridIndex: 1,
          min: 0,
          max: Number(rangeS.toFixed(6)),
          name: 'seconds since the start of measurement',
          nameLocation: 'middle',
          nameGap: 22,
          nameTextStyle: AXIS_NAME,
          axisLabel: { fontSize: 10, formatter: (v: number) => sig(v) },
          splitLine: { lineStyle: { color: '#eaeef2' } },
        },
      ],
      yAxis: [
        {
          type: 'log',
          gridIndex: 0,
          min: yMin,
          max: yMax,
          name: 'latency',
          nameLocation: 'middle',
          nameGap: 58,
          nameTextStyle: AXIS_NAME,
          axisLabel: { formatter: (v: number) => formatNs(v), fontSize: 10 },
          splitLine: { lineStyle: { color: '#eaeef2' } },
        },
        {
          type: 'value',
          gridIndex: 1,
          min: 0,
          name: 'commits/s',
          nameLocation: 'middle',
          nameGap: 58,
          nameTextStyle: AXIS_NAME,
          splitNumber: 2,
          axisLabel: { formatter: (v: number) => formatRate(v), fontSize: 10 },
          splitLine: { lineStyle: { color: '#eaeef2' } },
        },
      ],
      series: [
        line(
          'commit max',
          lat((p) => p.maxNs),
          '#CC79A7',
          { lineStyle: { width: 1 } },
        ),
        line(
          'commit p99',
          lat((p) => p.p99Ns),
          '#D55E00',
        ),
        line(
          'commit p50',
          lat((p) => p.p50Ns),
          '#0072B2',
        ),
        ...(hasSync ? [line('sync p99', lat(syncOf), '#009E73', { lineStyle: { type: 'dashed' } })] : []),
        { ...line('commits/s', rate, '#56B4E9'), xAxisIndex: 1, yAxisIndex: 1, areaStyle: { opacity: 0.18 } },
        ...phaseSeries,
      ],
    },
    width,
    h,
  );
}

// ── Compare: ratios on a log axis ──────────────────────────────────────────────────────────────

export interface RatioRow {
  /** The case. */
  label: string;
  /** One entry per non-baseline side. */
  sides: { side: string; ratio: number | null; low: number | null; high: number | null; verdict: 'better' | 'worse' | 'noise' | 'other' }[];
}

const SIDE_SYMBOLS = ['circle', 'diamond', 'triangle', 'rect', 'pin', 'roundRect'] as const;

/** `1.07×`, `0.93×`, `12×`. */
function ratioText(r: number): string {
  return r >= 10 || r <= 0.1 ? `${sig(r)}×` : `${r.toFixed(2)}×`;
}

/**
 * Each case's ratio against the baseline on a log axis (log2 internally: 0.5× and 2× are equally far
 * from 1×), its interval as an error bar, the verdict as colour, and `allowance` (the smallest
 * change called a difference) as a band around 1×.
 */
export function ratioChart(rows: readonly RatioRow[], allowance: number | null, width = 560): string {
  const l2 = (v: number): number => Math.log2(v);
  const values = rows.flatMap((r) => r.sides.flatMap((s) => [s.ratio, s.low, s.high])).filter((v): v is number => v !== null && v > 0);
  const reach = Math.max(l2(1.25), ...values.map((v) => Math.abs(l2(v))), allowance !== null ? l2(1 + allowance) : 0) * 1.12;
  const height = Math.max(180, 70 + rows.length * (16 + 8 * rows[0]!.sides.length) + 40);
  const sideCount = Math.max(1, ...rows.map((r) => r.sides.length));
  const offset = (i: number): number => (sideCount === 1 ? 0 : (i - (sideCount - 1) / 2) * 8);
  const colorOf = (v: RatioRow['sides'][number]['verdict']): string =>
    v === 'worse' ? VERDICT_COLORS.worse : v === 'better' ? VERDICT_COLORS.better : VERDICT_COLORS.noise;
  const sides = rows[0]?.sides.map((s) => s.side) ?? [];
  const series: Any[] = [];
  sides.forEach((side, si) => {
    const pts = rows.map((r, ri) => ({ r, ri, s: r.sides[si]! })).filter((x) => x.s && x.s.ratio !== null && x.s.ratio > 0);
    series.push({
      type: 'custom',
      name: `${side} interval`,
      legendHoverLink: false,
      data: pts
        .filter((p) => p.s.low !== null && p.s.high !== null)
        .map((p) => ({ value: [l2(p.s.low!), l2(p.s.high!), p.ri], itemStyle: { color: colorOf(p.s.verdict) } })),
      renderItem: (params: Any, api: Any): Any => {
        const value = api['value'] as (i: number) => number;
        const coord = api['coord'] as (v: number[]) => number[];
        // The data item's itemStyle colour, as ECharts hands it to a custom series (api.style is deprecated).
        const visual = api['visual'] as (key: string) => string | undefined;
        const [x1, y] = coord([value(0), value(2)]) as [number, number];
        const [x2] = coord([value(1), value(2)]) as [number, number];
        const yy = y + offset(si);
        const stroke = visual('color') ?? VERDICT_COLORS.noise;
        const seg = (a: number, b: number, c: number, d: number): Any => ({
          type: 'line',
          shape: { x1: a, y1: b, x2: c, y2: d },
          style: { stroke, lineWidth: 1.6 },
        });
        void params;
        return { type: 'group', children: [seg(x1, yy, x2, yy), seg(x1, yy - 4, x1, yy + 4), seg(x2, yy - 4, x2, yy + 4)] };
      },
      encode: { x: [0, 1], y: 2 },
      z: 2,
    });
    series.push({
      type: 'scatter',
      name: side,
      symbol: SIDE_SYMBOLS[si % SIDE_SYMBOLS.length],
      symbolSize: 10,
      symbolOffset: [0, offset(si)],
      itemStyle: { color: '#59636E' },
      data: pts.map((p) => ({ value: [l2(p.s.ratio!), p.ri], itemStyle: { color: colorOf(p.s.verdict) } })),
      z: 3,
      ...(si === 0
        ? {
            markLine: {
              silent: true,
              symbol: 'none',
              label: { show: false },
              lineStyle: { color: '#24292F', type: 'solid', width: 1 },
              data: [{ xAxis: 0 }],
            },
            ...(allowance !== null
              ? {
                  markArea: {
                    silent: true,
                    itemStyle: { color: '#8C959F', opacity: 0.15 },
                    data: [[{ xAxis: l2(1 - allowance) }, { xAxis: l2(1 + allowance) }]],
                  },
                }
              : {}),
          }
        : {}),
    });
  });
  // Legend entries for the verdict colours (no data: the points above carry them).
  for (const [name, color] of [
    ['worse', VERDICT_COLORS.worse],
    ['better', VERDICT_COLORS.better],
    ['within noise / no verdict', VERDICT_COLORS.noise],
  ] as const) {
    series.push({ type: 'scatter', name, data: [], itemStyle: { color }, symbol: 'roundRect' });
  }
  return render(
    {
      legend: { bottom: 0, itemWidth: 12, textStyle: { fontSize: 11 }, data: [...sides, 'worse', 'better', 'within noise / no verdict'] },
      grid: { left: 12, right: 24, top: 12, bottom: 56, containLabel: true },
      xAxis: {
        type: 'value',
        min: -reach,
        max: reach,
        name: 'ratio to the baseline (log scale)',
        nameLocation: 'middle',
        nameGap: 24,
        nameTextStyle: AXIS_NAME,
        axisLabel: { fontSize: 10, formatter: (v: number) => ratioText(2 ** v), hideOverlap: true },
        splitLine: { lineStyle: { color: '#eaeef2' } },
      },
      yAxis: {
        type: 'category',
        data: rows.map((r) => r.label),
        inverse: true,
        axisLabel: { fontSize: 10, width: 220, overflow: 'truncate' },
        axisTick: { show: false },
      },
      series,
    },
    width,
    height,
  );
}

// ── Tune: projections of the Pareto front ──────────────────────────────────────────────────────

export interface ProjectionPoint {
  label: string;
  x: number;
  y: number;
  /** Its standing on the full (3-D) front, not in this projection. */
  front: boolean;
  withinBudget: boolean;
  recommended: boolean;
}

type PointKind = 'recommended' | 'front' | 'front-over' | 'dominated' | 'dominated-over';

function kindOf(p: ProjectionPoint): PointKind {
  if (p.recommended) return 'recommended';
  if (p.front) return p.withinBudget ? 'front' : 'front-over';
  return p.withinBudget ? 'dominated' : 'dominated-over';
}

export interface ProjectionAxis {
  name: string;
  format: (v: number) => string;
  /** An axis that starts at 0 gets a separate `0` column left of its log scale (a log axis has no 0). */
  zeroColumn?: boolean;
}

interface Box {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

const overlaps = (a: Box, b: Box): boolean => a.x1 < b.x2 && b.x1 < a.x2 && a.y1 < b.y2 && b.y1 < a.y2;

/** Width of a label's box in px: the text as DejaVu Sans draws it, and a little air. */
export function labelWidth(text: string, fontPx = 11): number {
  return textWidth(text, fontPx) + 4;
}

export interface PlacedLabel {
  /** Offset of the label's anchor from the point, px, and how the text hangs from it. */
  dx: number;
  dy: number;
  align: 'left' | 'center' | 'right';
  verticalAlign: 'top' | 'middle' | 'bottom';
  box: Box;
}

/**
 * Labels that never collide: for each point in priority order, the first of eight positions
 * around it whose box stays inside the plot and touches no other label, no point and no reserved
 * area; a point where none fits goes without a label (the table lists every point). Pure.
 */
export function placeLabels(
  points: readonly { px: number; py: number; r: number; text: string }[],
  plot: Box,
  reserved: readonly Box[] = [],
  fontPx = 11,
): (PlacedLabel | null)[] {
  const h = fontPx + 3;
  const symbols: Box[] = points.map((p) => ({ x1: p.px - p.r - 1, y1: p.py - p.r - 1, x2: p.px + p.r + 1, y2: p.py + p.r + 1 }));
  const placed: Box[] = [...reserved];
  return points.map((p, i) => {
    const w = labelWidth(p.text, fontPx);
    const g = p.r + 3;
    const candidates: Omit<PlacedLabel, 'box'>[] = [
      { dx: g, dy: 0, align: 'left', verticalAlign: 'middle' },
      { dx: 0, dy: -g, align: 'center', verticalAlign: 'bottom' },
      { dx: -g, dy: 0, align: 'right', verticalAlign: 'middle' },
      { dx: 0, dy: g, align: 'center', verticalAlign: 'top' },
      { dx: g, dy: -g, align: 'left', verticalAlign: 'bottom' },
      { dx: g, dy: g, align: 'left', verticalAlign: 'top' },
      { dx: -g, dy: -g, align: 'right', verticalAlign: 'bottom' },
      { dx: -g, dy: g, align: 'right', verticalAlign: 'top' },
    ];
    for (const c of candidates) {
      const ax = p.px + c.dx;
      const ay = p.py + c.dy;
      const x1 = c.align === 'left' ? ax : c.align === 'right' ? ax - w : ax - w / 2;
      const y1 = c.verticalAlign === 'top' ? ay : c.verticalAlign === 'bottom' ? ay - h : ay - h / 2;
      const box = { x1, y1, x2: x1 + w, y2: y1 + h };
      if (box.x1 < plot.x1 || box.x2 > plot.x2 || box.y1 < plot.y1 || box.y2 > plot.y2) continue;
      // Kept 2 px clear of every other label and point: the browser's glyph boxes differ from the
      // font metrics by a pixel or two (ascenders, hinting), and touching labels read as one.
      const clear = { x1: box.x1 - 2, y1: box.y1 - 2, x2: box.x2 + 2, y2: box.y2 + 2 };
      if (placed.some((b) => overlaps(b, clear))) continue;
      if (symbols.some((b, j) => j !== i && overlaps(b, clear))) continue;
      placed.push(box);
      return { ...c, box };
    }
    return null;
  });
}

const KIND_STYLE: Record<PointKind, { name: string; color: string; symbol: string; size: number; hollow: boolean }> = {
  recommended: { name: 'recommended', color: VERDICT_COLORS.recommended, symbol: 'diamond', size: 16, hollow: false },
  front: { name: 'on the Pareto front', color: VERDICT_COLORS.front, symbol: 'circle', size: 10, hollow: false },
  'front-over': { name: 'on the front, over the budget', color: VERDICT_COLORS.worse, symbol: 'circle', size: 10, hollow: false },
  dominated: { name: 'dominated', color: VERDICT_COLORS.noise, symbol: 'circle', size: 9, hollow: true },
  'dominated-over': { name: 'dominated, over the budget', color: VERDICT_COLORS.worse, symbol: 'circle', size: 9, hollow: true },
};

const KIND_ORDER: readonly PointKind[] = ['recommended', 'front', 'front-over', 'dominated', 'dominated-over'];

/**
 * One 2-D projection of a sweep: points marked by their 3-D standing (recommended, on the front,
 * dominated, over the budget), a budget line, labels placed so they never collide.
 */
export function projectionChart(
  points: readonly ProjectionPoint[],
  xAxis: ProjectionAxis,
  yAxis: ProjectionAxis,
  budgetX: number | null,
  width = 580,
  height = 340,
): string {
  const positiveX = points.map((p) => p.x).filter((v) => v > 0);
  const hasZero = xAxis.zeroColumn === true && points.some((p) => p.x <= 0);
  const ys = points.map((p) => p.y).filter((v) => v > 0);
  const xMin = positiveX.length > 0 ? decadeBelow(Math.min(...positiveX, budgetX ?? Infinity)) : 0.1;
  const xMax = positiveX.length > 0 ? decadeAbove(Math.max(...positiveX, budgetX ?? 0) * 1.01) : 10;
  const yMin = ys.length > 0 ? decadeBelow(Math.min(...ys)) : 1;
  const yMax = ys.length > 0 ? decadeAbove(Math.max(...ys) * 1.01) : 10;
  const left = 76;
  const zeroWidth = hasZero ? 30 : 0;
  // Room between the 0 column and the log scale for the scale's first label (centred on its tick).
  const gap = hasZero ? 26 : 0;
  const right = 20;
  const top = 16;
  const kinds = KIND_ORDER.filter((k) => points.some((p) => kindOf(p) === k)).map((k) => KIND_STYLE[k].name);
  const bottom = 54 + 20 * legendRows([...kinds, ...(budgetX !== null ? ['loss budget'] : [])], width, 11, 14);
  const mainLeft = left + zeroWidth + gap;
  const plot: Box = { x1: left, y1: top, x2: width - right, y2: height - bottom };
  const fy = (v: number): number => top + (1 - (log10(v) - log10(yMin)) / (log10(yMax) - log10(yMin))) * (height - top - bottom);
  const fx = (v: number): number =>
    v <= 0 ? left + zeroWidth / 2 : mainLeft + ((log10(v) - log10(xMin)) / (log10(xMax) - log10(xMin))) * (width - right - mainLeft);
  const ranked = points
    .map((p, i) => ({ p, i }))
    .sort((a, b) => KIND_ORDER.indexOf(kindOf(a.p)) - KIND_ORDER.indexOf(kindOf(b.p)) || b.p.y - a.p.y);
  const budgetLabel = budgetX !== null ? `budget ${xAxis.format(budgetX)}` : '';
  const reserved: Box[] =
    budgetX !== null ? [{ x1: fx(budgetX) - 2, y1: top, x2: fx(budgetX) + labelWidth(budgetLabel) + 4, y2: top + 15 }] : [];
  const placements = placeLabels(
    ranked.map(({ p }) => ({ px: fx(p.x), py: fy(p.y), r: KIND_STYLE[kindOf(p)].size / 2, text: p.label })),
    plot,
    reserved,
  );
  const labelOf = new Map<number, PlacedLabel | null>(ranked.map(({ i }, k) => [i, placements[k]!]));
  const dataOf = (p: ProjectionPoint, i: number, onZero: boolean): Any => {
    const st = KIND_STYLE[kindOf(p)];
    const l = labelOf.get(i) ?? null;
    return {
      value: onZero ? ['0', p.y] : [p.x, p.y],
      name: p.label,
      label: l
        ? {
            show: true,
            formatter: p.label,
            fontSize: 11,
            color: '#1F2328',
            position: [st.size / 2 + l.dx, st.size / 2 + l.dy],
            align: l.align,
            verticalAlign: l.verticalAlign,
          }
        : { show: false },
    };
  };
  const series: Any[] = [];
  for (const kind of [...KIND_ORDER].reverse()) {
    const st = KIND_STYLE[kind];
    const mine = points.map((p, i) => ({ p, i })).filter(({ p }) => kindOf(p) === kind);
    if (mine.length === 0) continue;
    const style = st.hollow
      ? { color: '#FFFFFF', borderColor: st.color, borderWidth: 1.8 }
      : { color: st.color, borderColor: '#FFFFFF', borderWidth: kind === 'recommended' ? 1.5 : 0.5 };
    const base = {
      type: 'scatter',
      name: st.name,
      symbol: st.symbol,
      symbolSize: st.size,
      itemStyle: style,
      z: kind === 'recommended' ? 5 : 3,
      labelLayout: { hideOverlap: false },
    };
    series.push({
      ...base,
      xAxisIndex: hasZero ? 1 : 0,
      yAxisIndex: hasZero ? 1 : 0,
      data: mine.filter(({ p }) => !(hasZero && p.x <= 0)).map(({ p, i }) => dataOf(p, i, false)),
    });
    if (hasZero)
      series.push({ ...base, xAxisIndex: 0, yAxisIndex: 0, data: mine.filter(({ p }) => p.x <= 0).map(({ p, i }) => dataOf(p, i, true)) });
  }
  if (budgetX !== null) {
    series.push({
      type: 'line',
      name: 'loss budget',
      xAxisIndex: hasZero ? 1 : 0,
      yAxisIndex: hasZero ? 1 : 0,
      data: [],
      color: VERDICT_COLORS.worse,
      showSymbol: false,
      symbol: 'none',
      lineStyle: { type: 'dashed', color: VERDICT_COLORS.worse },
      markLine: {
        silent: true,
        symbol: 'none',
        lineStyle: { color: VERDICT_COLORS.worse, type: 'dashed', width: 1.5 },
        label: { formatter: budgetLabel, position: 'end', fontSize: 10, color: VERDICT_COLORS.worse, distance: [4, -12], align: 'left' },
        data: [{ xAxis: budgetX }],
      },
    });
  }
  const yAxisBase = { type: 'log', min: yMin, max: yMax, splitLine: { lineStyle: { color: '#eaeef2' } } };
  const xAxisMain = {
    type: 'log',
    min: xMin,
    max: xMax,
    name: xAxis.name,
    nameLocation: 'middle',
    nameGap: 26,
    nameTextStyle: AXIS_NAME,
    axisLabel: { fontSize: 10, formatter: (v: number) => xAxis.format(v), hideOverlap: true },
    splitLine: { show: true, lineStyle: { color: '#eaeef2' } },
  };
  const option: Any = hasZero
    ? {
        grid: [
          { left, width: zeroWidth, top, bottom, ...EXACT },
          { left: mainLeft, right, top, bottom, ...EXACT },
        ],
        xAxis: [
          { type: 'category', gridIndex: 0, data: ['0'], axisLabel: { fontSize: 10 }, axisTick: { show: false } },
          { ...xAxisMain, gridIndex: 1 },
        ],
        yAxis: [
          {
            ...yAxisBase,
            gridIndex: 0,
            name: yAxis.name,
            nameLocation: 'middle',
            nameGap: 56,
            nameTextStyle: AXIS_NAME,
            axisLabel: { fontSize: 10, formatter: (v: number) => yAxis.format(v) },
          },
          { ...yAxisBase, gridIndex: 1, axisLabel: { show: false } },
        ],
      }
    : {
        grid: { left, right, top, bottom, ...EXACT },
        xAxis: xAxisMain,
        yAxis: {
          ...yAxisBase,
          name: yAxis.name,
          nameLocation: 'middle',
          nameGap: 56,
          nameTextStyle: AXIS_NAME,
          axisLabel: { fontSize: 10, formatter: (v: number) => yAxis.format(v) },
        },
      };
  // The budget's legend entry is a dashed rule like its line (a line series would show a dot too).
  const legendData = [...kinds, ...(budgetX !== null ? [{ name: 'loss budget', icon: 'path://M0 4h5v2H0zM8 4h5v2H8zM16 4h5v2h-5z' }] : [])];
  return render({ ...option, legend: { bottom: 0, itemWidth: 14, textStyle: { fontSize: 11 }, data: legendData }, series }, width, height);
}

// ── Probe: grouped bars on a log axis ──────────────────────────────────────────────────────────

export interface BarGroup {
  name: string;
  values: (number | null)[];
}

/** Horizontal grouped bars on a log axis: one category per method, one bar per target. */
export function logBarChart(
  categories: readonly string[],
  groups: readonly BarGroup[],
  valueName: string,
  format: (v: number) => string,
  width = 1160,
): string {
  const values = groups.flatMap((g) => g.values).filter((v): v is number => v !== null && v > 0);
  const min = values.length > 0 ? decadeBelow(Math.min(...values)) : 1;
  const max = values.length > 0 ? decadeAbove(Math.max(...values) * 1.01) : 10;
  const height = Math.max(200, 70 + categories.length * (10 + 12 * groups.length));
  return render(
    {
      legend: { bottom: 0, textStyle: { fontSize: 11 } },
      grid: { left: 12, right: 28, top: 10, bottom: 56, containLabel: true },
      yAxis: { type: 'category', data: [...categories], inverse: true, axisLabel: { fontSize: 10 }, axisTick: { show: false } },
      xAxis: {
        type: 'log',
        min,
        max,
        name: valueName,
        nameLocation: 'middle',
        nameGap: 24,
        nameTextStyle: AXIS_NAME,
        axisLabel: { fontSize: 10, formatter: (v: number) => format(v) },
        splitLine: { lineStyle: { color: '#eaeef2' } },
      },
      series: groups.map((g) => ({
        type: 'bar',
        name: g.name,
        data: g.values.map((v) => (v !== null && v > 0 ? v : null)),
        barMaxWidth: 14,
      })),
    },
    width,
    height,
  );
}

// ── Crash: measured loss per crash state ───────────────────────────────────────────────────────

export interface LossRow {
  label: string;
  /** Each verified crash state: acked commits lost, and whether it broke a promise (lost a commit declared durable, or returned a value never written). */
  states: readonly { lost: number; broken: boolean }[];
  /** The case's largest declared exposure at a crash instant (null: none recorded). */
  bound: number | null;
}

const LOSS_SERIES = {
  within: 'crash states (within what was declared)',
  broken: 'crash states (DURABILITY BUG)',
  bound: 'largest declared exposure',
} as const;

/**
 * The loss distribution per case: each verified crash state's lost commits as a dot (identical
 * values stacked into one larger dot), 0 in its own column left of a log scale, the largest declared
 * exposure as a bar, red for the states that broke a durability promise.
 */
export function lossChart(rows: readonly LossRow[], width = 1160): string {
  const positive = rows.flatMap((r) => [...r.states.map((s) => s.lost), r.bound ?? 0]).filter((v) => v > 0);
  const hasPositive = positive.length > 0;
  const min = hasPositive ? decadeBelow(Math.min(...positive)) : 1;
  const max = hasPositive ? decadeAbove(Math.max(...positive) * 1.01) : 10;
  const height = Math.max(160, 60 + rows.length * 26 + 40);
  const left = Math.min(420, Math.max(120, 16 + Math.max(...rows.map((r) => textWidth(r.label, 10)))));
  const zeroWidth = 36;
  const dots = (zero: boolean, broken: boolean): Any[] =>
    rows.flatMap((r, ri) => {
      const counts = new Map<number, number>();
      for (const s of r.states) if (s.broken === broken && s.lost <= 0 === zero) counts.set(s.lost, (counts.get(s.lost) ?? 0) + 1);
      return [...counts].map(([v, n]) => ({
        value: [zero ? '0' : v, ri],
        symbolSize: 7 + 3 * Math.sqrt(n - 1),
        name: `${n} crash state${n === 1 ? '' : 's'}`,
      }));
    });
  const bounds = (zero: boolean): Any[] =>
    rows.flatMap((r, ri) => (r.bound === null || r.bound <= 0 !== zero ? [] : [{ value: [zero ? '0' : r.bound, ri] }]));
  const series: Any[] = [];
  for (const zero of [true, false]) {
    if (!zero && !hasPositive) continue;
    const axis = zero ? 0 : 1;
    series.push(
      {
        type: 'scatter',
        name: LOSS_SERIES.within,
        xAxisIndex: axis,
        yAxisIndex: axis,
        data: dots(zero, false),
        itemStyle: { color: VERDICT_COLORS.front, opacity: 0.85 },
      },
      {
        type: 'scatter',
        name: LOSS_SERIES.broken,
        xAxisIndex: axis,
        yAxisIndex: axis,
        data: dots(zero, true),
        itemStyle: { color: VERDICT_COLORS.worse, opacity: 0.9 },
      },
      {
        type: 'scatter',
        name: LOSS_SERIES.bound,
        xAxisIndex: axis,
        yAxisIndex: axis,
        symbol: 'rect',
        symbolSize: [3, 16],
        data: bounds(zero),
        itemStyle: { color: VERDICT_COLORS.bound },
      },
    );
  }
  const yBase = { type: 'category', data: rows.map((r) => r.label), inverse: true, axisTick: { show: false } };
  return render(
    {
      legend: { bottom: 0, textStyle: { fontSize: 11 }, data: [LOSS_SERIES.within, LOSS_SERIES.broken, LOSS_SERIES.bound] },
      grid: [
        { left, width: zeroWidth, top: 10, bottom: 60, ...EXACT },
        { left: left + zeroWidth + 10, right: 24, top: 10, bottom: 60, ...EXACT },
      ],
      xAxis: [
        { type: 'category', gridIndex: 0, data: ['0'], axisTick: { show: false }, axisLabel: { fontSize: 10 } },
        {
          type: 'log',
          gridIndex: 1,
          min,
          max,
          name: 'acked commits lost per crash state',
          nameLocation: 'middle',
          nameGap: 24,
          nameTextStyle: AXIS_NAME,
          axisLabel: { fontSize: 10, formatter: (v: number) => formatRate(v) },
          splitLine: { lineStyle: { color: '#eaeef2' } },
        },
      ],
      yAxis: [
        { ...yBase, gridIndex: 0, axisLabel: { fontSize: 10, width: left - 12, overflow: 'truncate' } },
        { ...yBase, gridIndex: 1, axisLabel: { show: false } },
      ],
      series,
    },
    width,
    height,
  );
}

export interface CurveSeries {
  name: string;
  /** [x, y] points, x ascending (writer counts). */
  points: [number, number][];
}

/** One line per series against a log-scale x (writer counts 1, 2, 4, … are evenly spaced). */
export function curveChart(title: string, series: readonly CurveSeries[], unit: 'ns' | 'rate', width = 580): string {
  const fmt = (v: number): string => (unit === 'ns' ? formatNs(v) : formatRate(v));
  return render(
    {
      title: { text: title, left: 'center', textStyle: { fontSize: 13 } },
      legend: { bottom: 0, type: 'scroll' },
      tooltip: { trigger: 'axis' },
      grid: { left: 80, right: 24, top: 40, bottom: 80 },
      xAxis: {
        type: 'log',
        logBase: 2,
        name: 'writers',
        nameLocation: 'middle',
        nameGap: 28,
        axisLabel: { formatter: (v: number) => String(v) },
      },
      yAxis: { type: unit === 'ns' ? 'log' : 'value', axisLabel: { formatter: (v: number) => fmt(v) } },
      series: series.map((s) => ({ type: 'line', name: s.name, data: s.points, showSymbol: true })),
    },
    width,
    380,
  );
}
