/**
 * The self-contained HTML page every HTML report uses: inline CSS, no script, no external resource
 * (fonts, images and charts are all inline), so the file works offline and makes no request. Pure.
 */

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** A table from rows (first row is the header); cells are escaped. */
export function htmlTable(rows: readonly (readonly string[])[], className = ''): string {
  if (rows.length === 0) return '';
  const [head, ...body] = rows;
  const numeric = (c: string): boolean => /^[-+]?[\d.,]+\s*(ns|µs|ms|s|×|%|B|KiB|MiB|GiB)?(\/s)?$/.test(c);
  return [
    `<table${className ? ` class="${className}"` : ''}><thead><tr>${head!.map((c) => `<th>${escapeHtml(c)}</th>`).join('')}</tr></thead><tbody>`,
    ...body.map((r) => `<tr>${r.map((c) => `<td${numeric(c) ? ' class="num"' : ''}>${escapeHtml(c)}</td>`).join('')}</tr>`),
    '</tbody></table>',
  ].join('\n');
}

/** A chart's SVG inside a figure (the browser test counts `figure.chart > svg`). */
export function chartFigure(svg: string, caption: string): string {
  return `<figure class="chart">${svg}<figcaption>${escapeHtml(caption)}</figcaption></figure>`;
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
.bug { color: #b00020; font-weight: bold; } .muted { color: #666; font-size: 0.85rem; }
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
