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
export type Tone = 'bug' | 'worse' | 'better' | 'noise' | 'muted' | 'verdict';

export type Cell = string | { readonly text: string; readonly tone?: Tone };

export type Block =
  | { readonly kind: 'heading'; readonly level: 1 | 2 | 3; readonly text: string; readonly id?: string }
  | { readonly kind: 'paragraph'; readonly text: string; readonly tone?: Tone }
  /** The first row is the header. */
  | { readonly kind: 'table'; readonly rows: readonly (readonly Cell[])[] }
  | { readonly kind: 'list'; readonly items: readonly string[]; readonly ordered?: boolean }
  | { readonly kind: 'warnings'; readonly warnings: readonly Warning[] }
  /** An inline SVG chart: drawn by the HTML back end only. */
  | { readonly kind: 'chart'; readonly svg: string; readonly caption: string }
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
export const chart = (svg: string, caption: string): Block => ({ kind: 'chart', svg, caption });
export const details = (summary: string, blocks: readonly Block[]): Block => ({ kind: 'details', summary, blocks });

export function cellText(c: Cell): string {
  return typeof c === 'string' ? c : c.text;
}

/** A cell that reads as a number (right-aligned in tables). */
export function isNumeric(text: string): boolean {
  return /^[-+]?[\d.,]+\s*(ns|µs|ms|s|×|%|B|KiB|MiB|GiB)?(\/s)?$/.test(text) || text === '—';
}
