/** The comparison as a self-contained HTML page: the side-by-side table and a bar chart per metric. Pure. */
import type { Comparison } from '../compare.js';
import { cellText } from './compare-text.js';
import { barChart } from './html-charts.js';
import { chartFigure, escapeHtml, htmlPage } from './html-page.js';

export function renderCompareHtml(c: Comparison): string {
  const body: string[] = [];
  body.push('<h1>durabench comparison</h1>');
  body.push(`<p>${c.by === 'target' ? 'Targets of one report' : 'Reports'}, against the first (baseline). A change inside the noise allowance (±${(c.defaultNoise * 100).toFixed(0)} % without repeats; overlapping 95 % intervals with repeats on both sides) is shown as noise, not as a win or a loss.</p>`);
  body.push('<ol>' + c.sides.map((s) => `<li><b>${escapeHtml(s.label)}</b> — ${escapeHtml(s.description)}</li>`).join('') + '</ol>');

  const head = ['case', 'metric', ...c.sides.map((s, i) => (i === 0 ? `${s.label} (baseline)` : s.label))];
  const rows: string[] = [];
  for (const cc of c.cases) {
    cc.metrics.forEach((mc, i) => {
      if (mc.cells.every((x) => x.value === null) && cc.present.some((p) => p)) return;
      const cells = mc.cells.map((cell) => `<td class="${cell.verdict === 'worse' ? 'worse' : cell.verdict === 'better' ? 'better' : cell.verdict === 'noise' ? 'noise' : ''}">${escapeHtml(cellText(mc.metric, cell))}</td>`);
      rows.push(`<tr><td>${i === 0 ? escapeHtml(cc.key) : ''}</td><td>${escapeHtml(mc.metric.label)}</td>${cells.join('')}</tr>`);
    });
  }
  body.push('<h2>Side by side</h2>');
  body.push(`<table><thead><tr>${head.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>${rows.join('\n')}</tbody></table>`);
  if (c.missing.length > 0) {
    body.push('<h2>Missing cases</h2><ul>' + c.missing.map((m) => `<li><code>${escapeHtml(m.key)}</code> is not in ${escapeHtml(m.missingFrom.join(', '))}</li>`).join('') + '</ul>');
  }

  body.push('<h2>Charts</h2>');
  const metrics = c.cases[0]?.metrics.map((m) => m.metric) ?? [];
  for (const [mi, m] of metrics.entries()) {
    const cases = c.cases.filter((cc) => cc.metrics[mi]!.cells.some((x) => x.value !== null));
    if (cases.length === 0) continue;
    const groups = c.sides.map((s, si) => ({ name: s.label, values: cases.map((cc) => cc.metrics[mi]!.cells[si]!.value) }));
    const svg = barChart(m.label, cases.map((cc) => cc.key), groups, m.unit === 'ns' ? 'ns' : 'rate');
    body.push(chartFigure(svg, `${m.label} per case and ${c.by === 'target' ? 'target' : 'report'} (${m.better} is better).`));
  }
  return htmlPage('durabench comparison', body.join('\n'));
}
