/**
 * Reading saved reports: a JSON file → a `RunReport`, or one line saying what is wrong with it (not
 * JSON, not a durabench report, a schema newer than this durabench understands). Every problem is a
 * `UsageError`, so the CLI prints the line and exits 2.
 */
import fs from 'node:fs';
import { UsageError } from '../coordinator/usage-error.js';
import { SCHEMA_VERSION, TOOL_NAME, type RunReport } from './schema.js';

/** Check already-parsed JSON (pure). `name` is how the input is named in the message (a file path). */
export function parseReport(value: unknown, name: string): RunReport {
  const r = value as Partial<RunReport> | null;
  const isObject = typeof r === 'object' && r !== null && !Array.isArray(r);
  if (!isObject || r.tool?.name !== TOOL_NAME || typeof r.schemaVersion !== 'number' || !Array.isArray(r.cases)) {
    throw new UsageError(`${name} is not a durabench report (no tool.name "durabench", schemaVersion and cases); give a report.json written by durabench run`);
  }
  if (r.schemaVersion > SCHEMA_VERSION) {
    throw new UsageError(
      `${name} has schemaVersion ${r.schemaVersion} (written by durabench ${String(r.tool.version)}), newer than the schemaVersion ${SCHEMA_VERSION} this durabench reads; upgrade durabench to read it`,
    );
  }
  if (!Number.isInteger(r.schemaVersion) || r.schemaVersion < 1) {
    throw new UsageError(`${name} has an invalid schemaVersion '${String(r.schemaVersion)}'; it is not a durabench report`);
  }
  for (const c of r.cases) {
    if (typeof c !== 'object' || c === null || typeof c.id !== 'string' || typeof c.key !== 'object' || !['completed', 'errored', 'skipped'].includes(c.state)) {
      throw new UsageError(`${name} is not a durabench report (a case has no id, key or state); was it edited by hand?`);
    }
  }
  return r as RunReport;
}

/** Parse report text (pure). */
export function parseReportText(text: string, name: string): RunReport {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${name} is not JSON (${(err as Error).message}); give a report.json written by durabench run`);
  }
  return parseReport(value, name);
}

/** Read and check one report file. */
export function readReport(file: string): RunReport {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'does not exist' : code === 'EISDIR' ? 'is a directory' : `cannot be read (${code ?? (err as Error).message})`;
    throw new UsageError(`report ${file} ${why}; give the path of a report.json written by durabench run`);
  }
  return parseReportText(text, file);
}
