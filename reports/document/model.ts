/**
 * The renderer model: every human-readable report (run, crash, probe, env, compare, gate, tune,
 * engines) is built once as a `Doc` — headings, paragraphs, tables, lists, warnings, charts — and
 * written by one of three back ends (text.ts for the console, markdown.ts, html.ts). A report's
 * layout lives in one place; each back end only knows how to draw a block (hyperfine's
 * MarkupExporter works the same way).
 *
 * Inline text may use `code` spans and **bold**; each back end draws them its own way.
 */
import type { Warning } from '../../model/warning.js';

/** How a cell or paragraph should stand out (colour in HTML, nothing in text). */
export type Tone = 'bug' | 'worse' | 'better' | 'noise' | 'muted' | 'verdict' | 'ok' | 'warn';

/** The colour of a summary box: all good, a finding, a caution, or nothing to judge. */
export type SummaryTone = 'ok' | 'bug' | 'warn' | 'neutral';

/** One label and its value (header facts: host, run id, crash window, …). */
export interface Fact {
  readonly label: string;
  readonly value: string;
}

export type Cell = string | { readonly text: string; readonly tone?: Tone };

export type Block =
  | { readonly kind: 'heading'; readonly level: 1 | 2 | 3; readonly text: string; readonly id?: string }
  | { readonly kind: 'paragraph'; readonly text: string; readonly tone?: Tone }
  /** The first row is the header. */
  | { readonly kind: 'table'; readonly rows: readonly (readonly Cell[])[] }
  | { readonly kind: 'list'; readonly items: readonly string[]; readonly ordered?: boolean }
  | { readonly kind: 'warnings'; readonly warnings: readonly Warning[] }
  /** An inline SVG chart: drawn by the HTML back end only; `title` above it (HTML, so it never collides with the plot). */
  | { readonly kind: 'chart'; readonly svg: string; readonly caption: string; readonly title?: string }
  /** The verdict first: a headline and the facts it rests on, at the top of a report. */
  | { readonly kind: 'summary'; readonly tone: SummaryTone; readonly headline: string; readonly facts: readonly Fact[] }
  /** Labels and values (a header). */
  | { readonly kind: 'facts'; readonly facts: readonly Fact[] }
  /** Blocks side by side where there is room (small multiples, a chart beside its table); one after another elsewhere. */
  | { readonly kind: 'grid'; readonly blocks: readonly Block[]; readonly minWidthPx?: number }
  /** Alternative views of the same data (HTML: tabs, without script); text and Markdown show each under its label. */
  | { readonly kind: 'tabs'; readonly tabs: readonly { readonly label: string; readonly blocks: readonly Block[] }[] }
  /** Collapsible in Markdown and HTML, inline in text. */
  | { readonly kind: 'details'; readonly summary: string; readonly blocks: readonly Block[] };

export interface Doc {
  readonly title: string;
  readonly blocks: readonly Block[];
}

export const heading = (level: 1 | 2 | 3, text: string, id?: string): Block => ({ kind: 'heading', level, text, ...(id ? { id } : {}) });
export const paragraph = (text: string, tone?: Tone): Block => ({ kind: 'paragraph', text, ...(tone ? { tone } : {}) });
export const table = (rows: readonly (readonly Cell[])[]): Block => ({ kind: 'table', rows });
export const list = (items: readonly string[], ordered = false): Block => ({ kind: 'list', items, ordered });
export const warnings = (ws: readonly Warning[]): Block => ({ kind: 'warnings', warnings: ws });
export const chart = (svg: string, caption: string, title?: string): Block => ({ kind: 'chart', svg, caption, ...(title ? { title } : {}) });
export const summary = (tone: SummaryTone, headline: string, facts: readonly Fact[] = []): Block => ({ kind: 'summary', tone, headline, facts });
export const facts = (fs: readonly Fact[]): Block => ({ kind: 'facts', facts: fs });
export const grid = (blocks: readonly Block[], minWidthPx?: number): Block => ({ kind: 'grid', blocks, ...(minWidthPx ? { minWidthPx } : {}) });
export const tabs = (ts: readonly { label: string; blocks: readonly Block[] }[]): Block => ({ kind: 'tabs', tabs: ts });
export const fact = (label: string, value: string): Fact => ({ label, value });
export const details = (summary: string, blocks: readonly Block[]): Block => ({ kind: 'details', summary, blocks });

export function cellText(c: Cell): string {
  return typeof c === 'string' ? c : c.text;
}

/** A cell that reads as a number (right-aligned in tables). */
export function isNumeric(text: string): boolean {
  return /^[-+]?[\d.,]+\s*(ns|µs|ms|s|×|%|B|KiB|MiB|GiB)?(\/s)?$/.test(text) || text === '—';
}
