/**
 * The console back end of the renderer model: aligned plain-text tables, no markup. With `ascii`
 * (a terminal whose locale is not UTF-8) the rules are dashes and every character durabench prints
 * is spelled in ASCII (µs → us, ≤ → <=). Pure.
 */
import { asciiText } from '../../model/units.js';
import type { Warning } from '../../model/warning.js';
import { cellText, isNumeric, type Block, type Doc, type Fact } from './model.js';

/** Inline markup removed: `code` and **bold** read as plain text. */
export function plain(text: string): string {
  return text.replace(/\*\*([^*]+)\*\*/g, '$1').replace(/`([^`]+)`/g, '$1');
}

export interface TextOptions {
  /** ASCII only: rules drawn with `-`, other characters transliterated. */
  readonly ascii?: boolean;
}

/** Lay out rows as an aligned plain-text table (first row is the header). Right-aligns numbers. */
export function textTable(rows: readonly (readonly string[])[], opts: TextOptions = {}): string {
  if (rows.length === 0) return '';
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, [...c].length)));
  const [head, ...body] = rows;
  // A column of numbers is right-aligned as a whole; one word in it makes it a text column.
  const numeric = head!.map((_, i) => body.some((r) => (r[i] ?? '') !== '') && body.every((r) => (r[i] ?? '') === '' || isNumeric(r[i]!)));
  const pad = (c: string, w: number): string => ' '.repeat(Math.max(0, w - [...c].length));
  const line = (r: readonly string[], isBody: boolean): string =>
    r
      .map((c, i) => (isBody && numeric[i] ? pad(c, widths[i]!) + c : c + pad(c, widths[i]!)))
      .join('  ')
      .trimEnd();
  const rule = opts.ascii ? '-' : '─';
  return [line(head!, false), widths.map((w) => rule.repeat(w)).join('  '), ...body.map((r) => line(r, true))].join('\n');
}

export function warningLine(w: Warning): string {
  return `warning [${w.code}]: ${w.message}. Remedy: ${w.remedy}`;
}

/** `label: value` lines, the labels padded to one width. */
function factLines(fs: readonly Fact[]): string {
  const w = Math.max(0, ...fs.map((f) => [...f.label].length));
  return fs.map((f) => `${f.label.padEnd(w)}  ${plain(f.value)}`).join('\n');
}

function joined(blocks: readonly Block[], opts: TextOptions): string | null {
  const parts = blocks.map((x) => block(x, opts)).filter((x): x is string => x !== null && x !== '');
  return parts.length > 0 ? parts.join('\n\n') : null;
}

function block(b: Block, opts: TextOptions): string | null {
  switch (b.kind) {
    case 'heading':
      return plain(b.text);
    case 'paragraph':
      return plain(b.text);
    case 'table':
      return textTable(
        b.rows.map((r) => r.map((c) => (opts.ascii ? asciiText(plain(cellText(c))) : plain(cellText(c))))),
        opts,
      );
    case 'list':
      return b.items.map((item, i) => `${b.ordered ? `${i + 1}.` : '-'} ${plain(item)}`).join('\n');
    case 'warnings':
      return b.warnings.length === 0 ? null : b.warnings.map(warningLine).join('\n');
    case 'chart':
      return null;
    case 'details':
      return [plain(b.summary), ...b.blocks.map((x) => block(x, opts)).filter((x): x is string => x !== null)].join('\n\n');
    case 'summary':
      return [plain(b.headline), factLines(b.facts)].filter((x) => x !== '').join('\n');
    case 'facts':
      return factLines(b.facts) || null;
    case 'grid':
      return joined(b.blocks, opts);
    case 'tabs':
      return b.tabs.map((t) => joined([{ kind: 'heading', level: 3, text: t.label }, ...t.blocks], opts)).filter((x) => x !== null).join('\n\n') || null;
  }
}

export function renderText(doc: Doc, opts: TextOptions = {}): string {
  const text = doc.blocks.map((b) => block(b, opts)).filter((x): x is string => x !== null && x !== '').join('\n\n') + '\n';
  return opts.ascii ? asciiText(text) : text;
}
