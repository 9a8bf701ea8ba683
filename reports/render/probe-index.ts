/** Every file format a probe report can be written in: name → file extension and pure renderer. */
import type { ProbeReport } from '../schema.js';
import { renderProbeCsv } from './probe-csv.js';
import { renderProbeMarkdown } from './probe-markdown.js';

export interface ProbeRenderer {
  readonly extension: string;
  render(report: ProbeReport): string;
}

export const PROBE_RENDERERS = {
  json: { extension: 'json', render: (r: ProbeReport) => JSON.stringify(r, null, 2) + '\n' },
  csv: { extension: 'csv', render: renderProbeCsv },
  md: { extension: 'md', render: renderProbeMarkdown },
} satisfies Record<string, ProbeRenderer>;

export type ProbeFormat = keyof typeof PROBE_RENDERERS;

export function isProbeFormat(f: string): f is ProbeFormat {
  return Object.hasOwn(PROBE_RENDERERS, f);
}
