/** The canonical JSON report. Pure. */
import type { RunReport } from '../schema.js';

export function renderJson(report: RunReport): string {
  return JSON.stringify(report, null, 2) + '\n';
}
