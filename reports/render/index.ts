/** Every file format a run report can be written in: name → file extension and pure renderer. */
import type { RunReport } from '../schema.js';
import { renderCsv } from './csv.js';
import { renderHtml } from './html.js';
import { renderJson } from './json.js';
import { renderMarkdown } from './markdown.js';

export interface Renderer {
  readonly extension: string;
  render(report: RunReport): string;
}

export const RENDERERS = {
  json: { extension: 'json', render: renderJson },
  csv: { extension: 'csv', render: renderCsv },
  md: { extension: 'md', render: renderMarkdown },
  html: { extension: 'html', render: renderHtml },
} satisfies Record<string, Renderer>;

export type ReportFormat = keyof typeof RENDERERS;

export function isReportFormat(f: string): f is ReportFormat {
  return Object.hasOwn(RENDERERS, f);
}
