/**
 * The HTML back end of the renderer model: one self-contained page — inline CSS, no script, no
 * external resource (charts are inline SVG) — so the file works offline and makes no request. Pure.
 */
import { cellText, isNumeric, type Block, type Cell, type Doc } from './model.js';

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** Escaped text with `code` spans and **bold** drawn. */
export function inline(text: string): string {
  return escapeHtml(text)
    .replace(/\*\*([^*]+)\*\*/g, '<b>$1</b>')
    .replace(/`([^`]+)`/g, '<code>$1</code>');
}

function cellHtml(c: Cell, tag: 'th' | 'td'): string {
  const text = cellText(c);
  const classes = [tag === 'td' && isNumeric(text) ? 'num' : '', typeof c !== 'string' && c.tone ? c.tone : ''].filter((x) => x !== '');
  return `<${tag}${classes.length ? ` class="${classes.join(' ')}"` : ''}>${inline(text)}</${tag}>`;
}

/** A table from rows (first row is the header); cells are escaped. */
export function htmlTable(rows: readonly (readonly Cell[])[]): string {
  if (rows.length === 0) return '';
  const [head, ...body] = rows;
  return [
    `<table><thead><tr>${head!.map((c) => cellHtml(c, 'th')).join('')}</tr></thead><tbody>`,
    ...body.map((r) => `<tr>${r.map((c) => cellHtml(c, 'td')).join('')}</tr>`),
    '</tbody></table>',
  ].join('\n');
}

/** A chart's SVG inside a figure (the browser test counts `figure.chart > svg`). */
export function chartFigure(svg: string, caption: string): string {
  return `<figure class="chart">${svg}<figcaption>${escapeHtml(caption)}</figcaption></figure>`;
}

function block(b: Block): string {
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
      return b.warnings.map((w) => `<div class="warning"><b>${escapeHtml(w.code)}</b>: ${escapeHtml(w.message)}. ${escapeHtml(w.remedy)}</div>`).join('\n');
    case 'chart':
      return chartFigure(b.svg, b.caption);
    case 'details':
      return `<details><summary>${inline(b.summary)}</summary>\n${b.blocks.map(block).join('\n')}\n</details>`;
  }
}

export function renderHtml(doc: Doc): string {
  return htmlPage(doc.title, doc.blocks.map(block).join('\n'));
}

const CSS = `
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2rem auto; max-width: 1100px; padding: 0 1rem; color: #1a1a1a; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.2rem; margin-top: 2rem; border-bottom: 1px solid #ddd; } h3 { font-size: 1rem; }
table { border-collapse: collapse; font-size: 0.82rem; margin: 0.5rem 0 1rem; }
th, td { border: 1px solid #ddd; padding: 0.25rem 0.5rem; text-align: left; vertical-align: top; }
th { background: #f4f4f4; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
figure.chart { margin: 0.5rem 0 1.5rem; } figure.chart svg { max-width: 100%; height: auto; }
figcaption { font-size: 0.8rem; color: #555; }
.worse { background: #fde2e0; } .better { background: #e1f5e6; } .noise { color: #666; }
.bug { color: #b00020; font-weight: bold; } .muted { color: #666; font-size: 0.85rem; } .verdict { font-weight: bold; }
code { font-size: 0.85em; }
.warning { background: #fff7e0; border-left: 4px solid #e6a700; padding: 0.4rem 0.8rem; margin: 0.3rem 0; }
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
${body}
</body>
</html>
`;
}
