/** The canonical crash report as JSON. Pure. */
import type { CrashReport } from '../schema.js';

export function renderCrashJson(report: CrashReport): string {
  return JSON.stringify(report, null, 2) + '\n';
}
