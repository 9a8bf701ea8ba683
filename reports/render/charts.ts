/**
 * Server-side SVG charts for the HTML reports, drawn by Apache ECharts in SSR mode (`ssr: true`,
 * `renderToSVGString()`: no DOM, no browser, no script in the output). The only importer of
 * echarts; it is loaded on first use (its CommonJS build, synchronously) so commands that never
 * render HTML do not pay for it. Pure apart from that lazy load: data in, SVG text out.
 */
import { createRequire } from 'node:module';
import type * as EChartsModule from 'echarts';
import { decodeHistogram } from '../../stats/hdr.js';
import { formatNs, formatRate } from '../../model/units.js';

type ECharts = typeof EChartsModule;
type Option = EChartsModule.EChartsOption;

let echartsModule: ECharts | null = null;
function echarts(): ECharts {
  echartsModule ??= createRequire(import.meta.url)('echarts') as ECharts;
  return echartsModule;
}

const WIDTH = 760;
const HEIGHT = 320;
/** A colour-blind-safe palette (Okabe–Ito). */
const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#D55E00', '#CC79A7', '#56B4E9', '#F0E442', '#000000'];

function render(option: Option, height = HEIGHT): string {
  const chart = echarts().init(null, null, { renderer: 'svg', ssr: true, width: WIDTH, height });
  try {
    chart.setOption({ animation: false, color: PALETTE, textStyle: { fontFamily: 'system-ui, sans-serif' }, ...option });
    return chart.renderToSVGString();
  } finally {
    // SSR charts keep an animation timer alive until disposed.
    chart.dispose();
  }
}

/** `1/(1−p)` → the percentile it stands for: 10 → 90 %, 1000 → 99.9 %. */
function percentileLabel(x: number): string {
  const p = 100 * (1 - 1 / x);
  if (x <= 1) return '0 %';
  const digits = Math.max(0, Math.round(Math.log10(x)) - 2);
  return `${p.toFixed(digits)} %`;
}

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

export function percentileChart(title: string, series: readonly PercentileSeries[]): string {
  const data = series.map((s) => ({ name: s.name, data: percentileCurve(s) })).filter((s) => s.data.length > 0);
  return render({
    title: { text: title, left: 'center', textStyle: { fontSize: 13 } },
    legend: { bottom: 0 },
    grid: { left: 70, right: 24, top: 40, bottom: 72 },
    xAxis: { type: 'log', name: 'percentile', nameLocation: 'middle', nameGap: 28, min: 1, axisLabel: { formatter: (v: number) => percentileLabel(v) } },
    yAxis: { type: 'log', name: 'latency', axisLabel: { formatter: (v: number) => formatNs(v) } },
    series: data.map((d) => ({ type: 'line', name: d.name, data: d.data, showSymbol: false, step: 'end' })),
  });
}

export interface TimelineSeries {
  name: string;
  /** [seconds since start, ns] */
  data: [number, number][];
}

export function timelineChart(title: string, series: readonly TimelineSeries[]): string {
  return render({
    title: { text: title, left: 'center', textStyle: { fontSize: 13 } },
    legend: { bottom: 0 },
    grid: { left: 70, right: 24, top: 40, bottom: 72 },
    xAxis: { type: 'value', name: 'seconds since start of measurement', nameLocation: 'middle', nameGap: 28 },
    yAxis: { type: 'log', name: 'commit latency', axisLabel: { formatter: (v: number) => formatNs(v) } },
    series: series.map((s) => ({ type: 'line', name: s.name, data: s.data, showSymbol: s.data.length <= 30 })),
  });
}

export interface SweepPoint {
  label: string;
  /** Declared exposure (ms) at the sweep's exposure statistic. */
  exposureMs: number;
  commitsPerSec: number;
  commitP99Ns: number;
  /** On the 3-D Pareto front (throughput, commit p99, exposure); dominated points are drawn hollow. */
  pareto: boolean;
  recommended: boolean;
  withinBudget: boolean;
}

/**
 * Throughput against declared exposure, one point per setting. The front is three-dimensional
 * (commit p99 is the third objective), so it is not drawn as a line through this projection — a
 * line would pass points it does not dominate here; each point says itself whether it is on the
 * front (filled) or dominated (hollow, labelled), and its commit p99 is in its label.
 */
export function sweepChart(title: string, points: readonly SweepPoint[], budgetMs: number | null, exposureName = 'declared exposure'): string {
  // Exposure 0 (batch size 1) cannot sit on a log axis: plot it at a floor a decade below the rest.
  const positive = points.map((p) => p.exposureMs).filter((x) => x > 0);
  const floor = positive.length > 0 ? Math.min(...positive) / 10 : 0.001;
  const x = (ms: number): number => Math.max(ms, floor);
  const point = (p: SweepPoint) => ({
    value: [x(p.exposureMs), p.commitsPerSec, p.commitP99Ns],
    name: p.label,
    symbol: p.pareto ? 'circle' : 'emptyCircle',
    symbolSize: p.recommended ? 16 : 9,
    itemStyle: { color: p.recommended ? '#D55E00' : p.withinBudget ? '#0072B2' : '#999999' },
    label: { show: true, formatter: `${p.label}${p.pareto ? '' : ' (dominated)'} · p99 ${formatNs(p.commitP99Ns)}`, position: 'top' as const, fontSize: 10 },
  });
  const option: Option = {
    title: { text: title, left: 'center', textStyle: { fontSize: 13 } },
    legend: { bottom: 0 },
    grid: { left: 80, right: 24, top: 40, bottom: 72 },
    xAxis: { type: 'log', name: `${exposureName} (ms)`, nameLocation: 'middle', nameGap: 28, axisLabel: { formatter: (v: number) => (v <= floor ? '0' : `${v}`) } },
    yAxis: { type: 'value', name: 'commits/s', axisLabel: { formatter: (v: number) => formatRate(v) } },
    series: [
      { type: 'scatter', name: 'on the Pareto front', data: points.filter((p) => p.pareto).map(point) },
      { type: 'scatter', name: 'dominated', data: points.filter((p) => !p.pareto).map(point) },
      ...(budgetMs !== null
        ? [{ type: 'line' as const, name: `loss budget ${budgetMs} ms`, data: [] as number[][], markLine: { symbol: 'none', label: { formatter: `budget ${budgetMs} ms`, position: 'insideEndBottom' as const }, data: [{ xAxis: Math.max(budgetMs, floor) }] } }]
        : []),
    ],
  };
  return render(option, 360);
}

export interface BarGroup {
  name: string;
  values: (number | null)[];
}

/** Grouped bars: one category per case, one bar per side (host / filesystem). */
export function barChart(title: string, categories: readonly string[], groups: readonly BarGroup[], unit: 'ns' | 'rate'): string {
  const fmt = (v: number): string => (unit === 'ns' ? formatNs(v) : formatRate(v));
  const height = Math.max(HEIGHT, 80 + categories.length * (18 + 10 * groups.length));
  return render(
    {
      title: { text: title, left: 'center', textStyle: { fontSize: 13 } },
      legend: { bottom: 0 },
      grid: { left: 240, right: 40, top: 40, bottom: 56 },
      yAxis: { type: 'category', data: [...categories], inverse: true, axisLabel: { fontSize: 10 } },
      xAxis: { type: 'value', axisLabel: { formatter: (v: number) => fmt(v) } },
      series: groups.map((g) => ({ type: 'bar', name: g.name, data: g.values.map((v) => v ?? 0) })),
    },
    height,
  );
}

export interface CurveSeries {
  name: string;
  /** [x, y] points, x ascending (writer counts). */
  points: [number, number][];
}

/** One line per series against a log-scale x (writer counts 1, 2, 4, … are evenly spaced). */
export function curveChart(title: string, series: readonly CurveSeries[], unit: 'ns' | 'rate'): string {
  const fmt = (v: number): string => (unit === 'ns' ? formatNs(v) : formatRate(v));
  return render(
    {
      title: { text: title, left: 'center', textStyle: { fontSize: 13 } },
      legend: { bottom: 0, type: 'scroll' },
      tooltip: { trigger: 'axis' },
      grid: { left: 80, right: 24, top: 40, bottom: 80 },
      xAxis: { type: 'log', logBase: 2, name: 'writers', nameLocation: 'middle', nameGap: 28, axisLabel: { formatter: (v: number) => String(v) } },
      yAxis: { type: unit === 'ns' ? 'log' : 'value', axisLabel: { formatter: (v: number) => fmt(v) } },
      series: series.map((s) => ({ type: 'line', name: s.name, data: s.points, showSymbol: true })),
    },
    380,
  );
}
