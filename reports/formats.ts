/**
 * The one format registry: for every kind of output durabench writes, the formats it can be written
 * in, each with its file extension and pure renderer. Commands look formats up here; nothing else
 * maps a format name to a renderer.
 */
import type { Comparison } from '../analysis/compare.js';
import type { GateResult } from '../analysis/gate.js';
import type { CrashReport } from '../model/crash-report.js';
import type { ProbeReport } from '../model/probe-report.js';
import type { EnvReport } from '../model/report.js';
import type { RunReport } from '../model/run-report.js';
import { renderHtml } from './document/html.js';
import { renderMarkdown } from './document/markdown.js';
import { renderText, type TextOptions } from './document/text.js';
import { compareConsoleDoc, compareDoc, renderCompareCsv } from './render/compare.js';
import { crashConsoleDoc, crashDoc, renderCrashCsv } from './render/crash.js';
import { renderCsv } from './render/csv.js';
import { enginesDoc, type EngineEntry } from './render/engines.js';
import { gateDoc } from './render/gate.js';
import { probeConsoleDoc, probeDoc } from './render/probe.js';
import { renderProbeCsv } from './render/probe-csv.js';
import { envDoc } from './render/provenance.js';
import { runConsoleDoc, runDoc } from './render/run.js';

/** How the console view is drawn (the CLI decides from the locale); files ignore it. */
export type RenderOptions = TextOptions;

export interface Renderer<T> {
  readonly extension: string;
  render(value: T, opts?: RenderOptions): string;
  /** Expensive to render (charts): a session writes it once, at the end. */
  readonly costly?: boolean;
}

const json = <T>(): Renderer<T> => ({ extension: 'json', render: (v: T) => JSON.stringify(v, null, 2) + '\n' });

export const FORMATS = {
  run: {
    console: { extension: 'txt', render: (r: RunReport, o?: RenderOptions) => renderText(runConsoleDoc(r), o) },
    json: json<RunReport>(),
    csv: { extension: 'csv', render: renderCsv },
    md: { extension: 'md', render: (r: RunReport) => renderMarkdown(runDoc(r, { charts: false })) },
    html: { extension: 'html', render: (r: RunReport) => renderHtml(runDoc(r, { charts: true })), costly: true },
  },
  crash: {
    console: { extension: 'txt', render: (r: CrashReport, o?: RenderOptions) => renderText(crashConsoleDoc(r), o) },
    json: json<CrashReport>(),
    csv: { extension: 'csv', render: renderCrashCsv },
    md: { extension: 'md', render: (r: CrashReport) => renderMarkdown(crashDoc(r, { charts: false })) },
    html: { extension: 'html', render: (r: CrashReport) => renderHtml(crashDoc(r, { charts: true })), costly: true },
  },
  probe: {
    console: { extension: 'txt', render: (r: ProbeReport, o?: RenderOptions) => renderText(probeConsoleDoc(r), o) },
    json: json<ProbeReport>(),
    csv: { extension: 'csv', render: renderProbeCsv },
    md: { extension: 'md', render: (r: ProbeReport) => renderMarkdown(probeDoc(r, { charts: false })) },
    html: { extension: 'html', render: (r: ProbeReport) => renderHtml(probeDoc(r, { charts: true })), costly: true },
  },
  env: {
    console: { extension: 'txt', render: (r: EnvReport, o?: RenderOptions) => renderText(envDoc(r), o) },
    json: json<EnvReport>(),
    md: { extension: 'md', render: (r: EnvReport) => renderMarkdown(envDoc(r)) },
  },
  engines: {
    console: { extension: 'txt', render: (c: EngineEntry[], o?: RenderOptions) => renderText(enginesDoc(c), o) },
    json: json<EngineEntry[]>(),
    md: { extension: 'md', render: (c: EngineEntry[]) => renderMarkdown(enginesDoc(c)) },
  },
  compare: {
    console: { extension: 'txt', render: (c: Comparison, o?: RenderOptions) => renderText(compareConsoleDoc(c), o) },
    json: { extension: 'json', render: (c: Comparison) => JSON.stringify({ ...c, cases: c.cases.map((cc) => ({ ...cc, metrics: cc.metrics.map((m) => ({ metric: m.metric.id, cells: m.cells })) })) }, null, 2) + '\n' },
    csv: { extension: 'csv', render: renderCompareCsv },
    md: { extension: 'md', render: (c: Comparison) => renderMarkdown(compareDoc(c, { charts: false })) },
    html: { extension: 'html', render: (c: Comparison) => renderHtml(compareDoc(c, { charts: true })), costly: true },
  },
  gate: {
    console: { extension: 'txt', render: (g: GateResult, o?: RenderOptions) => renderText(gateDoc(g), o) },
    json: json<GateResult>(),
    md: { extension: 'md', render: (g: GateResult) => renderMarkdown(gateDoc(g)) },
  },
} as const satisfies { [K in keyof OutputValues]: Record<string, Renderer<OutputValues[K]>> };

/** What each kind of output renders. */
export interface OutputValues {
  run: RunReport;
  crash: CrashReport;
  probe: ProbeReport;
  env: EnvReport;
  engines: EngineEntry[];
  compare: Comparison;
  gate: GateResult;
}

export type OutputKind = keyof OutputValues;
export type FormatOf<K extends OutputKind> = keyof (typeof FORMATS)[K] & string;
export type ValueOf<K extends OutputKind> = OutputValues[K];

/** The formats `kind` can be written in, in registry order. */
export function formatsOf<K extends OutputKind>(kind: K): FormatOf<K>[] {
  return Object.keys(FORMATS[kind]) as FormatOf<K>[];
}

/** The file formats of `kind` (everything but the console view). */
export function fileFormatsOf<K extends OutputKind>(kind: K): FormatOf<K>[] {
  return formatsOf(kind).filter((f) => f !== 'console');
}

export function rendererOf<K extends OutputKind>(kind: K, format: FormatOf<K>): Renderer<ValueOf<K>> {
  return (FORMATS[kind] as Record<string, Renderer<ValueOf<K>>>)[format]!;
}

export function render<K extends OutputKind>(kind: K, format: FormatOf<K>, value: ValueOf<K>, opts?: RenderOptions): string {
  return rendererOf(kind, format).render(value, opts);
}
