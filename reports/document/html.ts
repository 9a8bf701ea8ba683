/**
 * The HTML back end of the renderer model: one self-contained page — inline CSS, no script, no
 * external resource (charts are inline SVG) — so the file works offline and makes no request. Pure.
 *
 * Layout rules: the summary and the warnings come first; every table sits in its own box that
 * scrolls sideways if it must, so the page never does; a number and its unit never part
 * (non-breaking spaces), numeric cells and short identifiers never wrap, long identifiers break
 * only at their slashes; charts scale to their column; tabs are radio buttons styled with CSS
 * (the Content-Security-Policy forbids script).
 */
import { cellText, isNumeric, type Block, type Cell, type Doc, type Fact } from './model.js';

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** Units and number words that must stay on the line of the number before them. */
const UNIT = String.raw`(?:ns|µs|us|ms|s|min|h|B|KiB|MiB|GiB|TiB|×|%|commits?|trials?|syncs?|ops/s|commits/s|B/s|cases?|writers?|bytes)(?![\w/])`;
const NUMBER_UNIT = new RegExp(String.raw`(\d)[ \u00a0](${UNIT})`, 'g');
/** `≤ 15`, `p99 3.95`, `± 5`: a symbol or a percentile name glued to its number. */
const LEAD = /(≤|≥|<|>|±|≈|~|p\d+(?:\.\d+)?) (?=[\d−-])/g;

/** Non-breaking spaces where a line break would split a value: `3.95 ms`, `≤ 15 commits`. */
export function keepTogether(text: string): string {
  return text.replace(NUMBER_UNIT, '$1\u00a0$2').replace(LEAD, '$1\u00a0');
}

/** Escaped text with `code` spans and **bold** drawn, values kept on one line. */
export function inline(text: string): string {
  return escapeHtml(keepTogether(text))
    .replace(/\*\*([^*]+)\*\*/g, '<b>$1</b>')
    .replace(/`([^`]+)`/g, '<code>$1</code>');
}

/** A long identifier (`wal+flush-no-fsync/batch-32/w1/…`) breaks only after its slashes. */
function identifier(text: string): string {
  return text
    .split('/')
    .map((part) => `<span class="nw">${escapeHtml(part)}</span>`)
    .join('/<wbr>');
}

function cellHtml(c: Cell, tag: 'th' | 'td', column: number, numericColumn: boolean): string {
  const text = cellText(c);
  const classes: string[] = [];
  let body: string;
  if (tag === 'th') {
    if (numericColumn) classes.push('num');
    // A header like `device flushes/commit` may wrap after its slash (never a unit: `commits/s`): headers set a column's width.
    body = inline(text).replace(/([a-z])\/([a-z]{3,})/g, '$1/<wbr>$2');
  } else if (numericColumn && (isNumeric(text) || text === '')) {
    classes.push('num');
    body = inline(text);
  } else if (!/\s/.test(text) && text.length > 24 && text.includes('/')) {
    classes.push('id');
    body = identifier(text);
  } else if (!/\s/.test(text) || column === 0 || text.length <= 20) {
    // One token, a row's key, or a short value: on one line.
    classes.push('nw');
    body = inline(text);
  } else {
    classes.push('prose');
    body = inline(text);
  }
  if (typeof c !== 'string' && c.tone) classes.push(c.tone);
  return `<${tag}${classes.length ? ` class="${classes.join(' ')}"` : ''}>${body}</${tag}>`;
}

/** A table from rows (first row is the header), in its own scroll box; cells are escaped. */
export function htmlTable(rows: readonly (readonly Cell[])[]): string {
  if (rows.length === 0) return '';
  const [head, ...body] = rows;
  // A column of numbers is right-aligned as a whole; one word in it makes it a text column.
  const numeric = head!.map((_, i) => body.length > 0 && body.every((r) => r[i] === undefined || cellText(r[i]!) === '' || isNumeric(cellText(r[i]!))) && body.some((r) => r[i] !== undefined && cellText(r[i]!) !== ''));
  return [
    `<div class="table-wrap"><table><thead><tr>${head!.map((c, i) => cellHtml(c, 'th', i, numeric[i]!)).join('')}</tr></thead><tbody>`,
    ...body.map((r) => `<tr>${r.map((c, i) => cellHtml(c, 'td', i, numeric[i] ?? false)).join('')}</tr>`),
    '</tbody></table></div>',
  ].join('\n');
}

/** A chart's SVG inside a figure (the browser test finds `figure.chart > svg`). */
export function chartFigure(svg: string, caption: string, title?: string): string {
  return `<figure class="chart">${title ? `<div class="chart-title">${inline(title)}</div>` : ''}${svg}<figcaption>${inline(caption)}</figcaption></figure>`;
}

function factsHtml(fs: readonly Fact[]): string {
  if (fs.length === 0) return '';
  return `<dl class="facts">${fs.map((f) => `<div><dt>${inline(f.label)}</dt><dd>${inline(f.value)}</dd></div>`).join('')}</dl>`;
}

/** Per page: tab groups need names of their own. */
interface Context {
  tabGroups: number;
}

function block(b: Block, ctx: Context): string {
  switch (b.kind) {
    case 'heading':
      return `<h${b.level}${b.id ? ` id="${escapeHtml(b.id)}"` : ''}>${inline(b.text)}</h${b.level}>`;
    case 'paragraph':
      return `<p${b.tone ? ` class="${b.tone}"` : ''}>${inline(b.text)}</p>`;
    case 'table':
      return htmlTable(b.rows);
    case 'list':
      return `<${b.ordered ? 'ol' : 'ul'}>${b.items.map((i) => `<li>${inline(i)}</li>`).join('')}</${b.ordered ? 'ol' : 'ul'}>`;
    case 'warnings':
      return b.warnings.map((w) => `<div class="warning"><b>${escapeHtml(w.code)}</b>: ${inline(w.message)}. <span class="remedy">${inline(w.remedy)}</span></div>`).join('\n');
    case 'chart':
      return chartFigure(b.svg, b.caption, b.title);
    case 'details':
      return `<details><summary>${inline(b.summary)}</summary>\n${b.blocks.map((x) => block(x, ctx)).join('\n')}\n</details>`;
    case 'summary':
      return `<section class="summary ${b.tone}"><div class="headline">${inline(b.headline)}</div>${factsHtml(b.facts)}</section>`;
    case 'facts':
      return factsHtml(b.facts);
    case 'grid':
      return `<div class="grid"${b.minWidthPx ? ` style="--col: ${Math.round(b.minWidthPx)}px"` : ''}>${b.blocks.map((x) => `<div class="cell">${block(x, ctx)}</div>`).join('\n')}</div>`;
    case 'tabs': {
      ctx.tabGroups += 1;
      const name = `tabs${ctx.tabGroups}`;
      const inputs = b.tabs.map((t, i) => `<input type="radio" name="${name}" id="${name}-${i}"${i === 0 ? ' checked' : ''}><label for="${name}-${i}">${inline(t.label)}</label>`).join('');
      const panels = b.tabs.map((t, i) => `<div class="panel" data-tab="${escapeHtml(t.label)}" id="${name}-panel-${i}">${t.blocks.map((x) => block(x, ctx)).join('\n')}</div>`).join('\n');
      return `<div class="tabs">${inputs}<div class="panels">${panels}</div></div>`;
    }
  }
}

export function renderHtml(doc: Doc): string {
  const ctx: Context = { tabGroups: 0 };
  return htmlPage(doc.title, doc.blocks.map((b) => block(b, ctx)).join('\n'));
}

/** Up to this many tabs per group get a CSS rule (`:checked` → its panel). */
const MAX_TABS = 8;

const TAB_RULES = Array.from(
  { length: MAX_TABS },
  (_, i) => `.tabs > input:nth-of-type(${i + 1}):checked ~ .panels > .panel:nth-of-type(${i + 1})`,
).join(',\n');

const CSS = `
:root { color-scheme: light; --fg: #1f2328; --muted: #59636e; --line: #d1d9e0; --soft: #f6f8fa; --accent: #0969da;
  --ok: #1a7f37; --ok-bg: #dafbe1; --bug: #cf222e; --bug-bg: #ffebe9; --warn: #9a6700; --warn-bg: #fff8c5; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); margin: 0; background: #fff; }
main { max-width: 1240px; margin: 0 auto; padding: 20px 24px 48px; }
h1 { font-size: 1.55rem; margin: 0.2rem 0 0.8rem; }
h2 { font-size: 1.18rem; margin: 2rem 0 0.6rem; padding-bottom: 0.25rem; border-bottom: 1px solid var(--line); }
h3 { font-size: 1rem; margin: 1.2rem 0 0.4rem; }
p { margin: 0.4rem 0 0.8rem; }
code { font: 0.86em ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background: var(--soft); padding: 0 0.25em; border-radius: 3px; white-space: nowrap; }
.summary { border: 1px solid var(--line); border-left: 6px solid var(--muted); border-radius: 6px; padding: 0.7rem 1rem; margin: 0.6rem 0 1rem; background: var(--soft); }
.summary .headline { font-size: 1.1rem; font-weight: 600; }
.summary.ok { border-left-color: var(--ok); background: var(--ok-bg); }
.summary.bug { border-left-color: var(--bug); background: var(--bug-bg); }
.summary.warn { border-left-color: #d4a72c; background: var(--warn-bg); }
dl.facts { display: flex; flex-wrap: wrap; gap: 0.3rem 1.6rem; margin: 0.5rem 0 0.2rem; }
dl.facts div { min-width: 0; }
dl.facts dt { font-size: 0.72rem; text-transform: uppercase; letter-spacing: 0.04em; color: var(--muted); }
dl.facts dd { margin: 0; overflow-wrap: anywhere; }
.warning { background: var(--warn-bg); border-left: 4px solid #d4a72c; border-radius: 4px; padding: 0.45rem 0.8rem; margin: 0.35rem 0; }
.warning .remedy { color: var(--muted); }
.table-wrap { width: fit-content; max-width: 100%; overflow-x: auto; margin: 0.5rem 0 1rem; border: 1px solid var(--line); border-radius: 6px; }
table { border-collapse: collapse; font-size: 0.84rem; font-variant-numeric: tabular-nums; }
th, td { padding: 0.3rem 0.55rem; text-align: left; vertical-align: top; border-bottom: 1px solid var(--line); }
th { background: var(--soft); font-weight: 600; vertical-align: bottom; min-width: 4.2em; }
tbody tr:last-child td { border-bottom: 0; }
tbody tr:nth-child(even) td { background: #fbfcfd; }
td.num, th.num { text-align: right; white-space: nowrap; } th.num { white-space: normal; }
td.nw, .nw { white-space: nowrap; }
td.prose { min-width: 10em; max-width: 34em; }
td.id { min-width: 10em; max-width: 22em; }
td.worse, td.bug { background: var(--bug-bg) !important; color: #82071e; }
td.better, td.ok { background: var(--ok-bg) !important; color: #116329; }
td.noise { color: var(--muted); }
.bug { color: var(--bug); font-weight: 600; } .ok { color: var(--ok); } .warn { color: var(--warn); }
.muted { color: var(--muted); font-size: 0.88rem; } .verdict { font-weight: 600; }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, var(--col, 520px)), 1fr)); gap: 0.8rem 1.2rem; align-items: start; }
.grid > .cell { min-width: 0; }
figure.chart { margin: 0.5rem 0 1rem; border: 1px solid var(--line); border-radius: 6px; padding: 0.5rem 0.6rem 0.4rem; background: #fff; }
figure.chart svg { display: block; width: 100%; height: auto; }
.chart-title { font-weight: 600; font-size: 0.92rem; margin: 0 0 0.2rem 0.2rem; overflow-wrap: anywhere; }
figcaption { font-size: 0.8rem; color: var(--muted); margin-top: 0.2rem; }
.tabs > input { position: absolute; opacity: 0; pointer-events: none; }
.tabs > label { display: inline-block; padding: 0.25rem 0.8rem; margin: 0 0.3rem 0.5rem 0; border: 1px solid var(--line); border-radius: 999px; cursor: pointer; color: var(--muted); user-select: none; }
.tabs > input:checked + label { background: var(--accent); border-color: var(--accent); color: #fff; }
.tabs > input:focus-visible + label { outline: 2px solid var(--accent); outline-offset: 2px; }
.tabs .panel { display: none; }
${TAB_RULES} { display: block; }
details { margin: 0.5rem 0; } summary { cursor: pointer; }
@media print { .tabs .panel { display: block !important; } .tabs > label { display: none; } .panel::before { content: attr(data-tab); font-weight: 600; } }
`;

export function htmlPage(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${escapeHtml(title)}</title>
<style>${CSS}</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`;
}
