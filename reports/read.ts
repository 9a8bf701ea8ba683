/**
 * Reading saved reports: a JSON file → a report of the kind the caller needs, or one line saying
 * what is wrong with it (not JSON, not a durabench report, the wrong kind, a schema newer than this
 * durabench reads, a field that does not fit the schema). Every problem is a `UsageError`, so the
 * CLI prints the line and exits 2. Reports of older schema versions are upgraded step by step (1 → 2 → 3).
 *
 * The check is the JSON Schema of each report kind (model/*.ts, TypeBox: the same source as the
 * TypeScript types), compiled once; the same schemas are shipped as `schemas/*.schema.json`
 * (`npm run schemas` writes them, a test checks they match).
 *
 * After the check, what a report derives from its measurements is derived again with the current
 * methods, so every report reads the same way whichever durabench wrote it: the repeat statistics
 * from each repeat's values (analysis/repeat-stats.ts), and an exposure p99.9 missing from a case
 * from its exposure histogram.
 */
import fs from 'node:fs';
import type { TSchema } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import { CrashReport } from '../model/crash-report.js';
import { UsageError } from '../model/errors.js';
import { ProbeReport } from '../model/probe-report.js';
import { TOOL_NAME } from '../model/provenance.js';
import { EnvReport, REPORT_KINDS, SCHEMA_VERSION, type ReportKind } from '../model/report.js';
import { RunReport } from '../model/run-report.js';
import { recomputeRepeatSummary } from '../analysis/repeat-stats.js';
import type { CaseMetrics } from '../model/run-report.js';
import { decodeHistogram } from '../stats/hdr.js';
import { upgradeV1 } from './upgrade-v1.js';
import { upgradeV2 } from './upgrade-v2.js';

const SCHEMAS = { run: RunReport, crash: CrashReport, probe: ProbeReport, env: EnvReport } satisfies Record<ReportKind, TSchema>;

export interface ReportOfKind {
  run: RunReport;
  crash: CrashReport;
  probe: ProbeReport;
  env: EnvReport;
}
export type AnyReport = ReportOfKind[ReportKind];

const checks = new Map<ReportKind, TypeCheck<TSchema>>();
function checkerOf(kind: ReportKind): TypeCheck<TSchema> {
  let c = checks.get(kind);
  if (!c) {
    c = TypeCompiler.Compile(SCHEMAS[kind]);
    checks.set(kind, c);
  }
  return c;
}

/** The JSON Schema of each report kind (shipped as schemas/<kind>-report.schema.json by `npm run schemas`). */
export function reportSchemas(): Record<ReportKind, TSchema> {
  return SCHEMAS;
}

/** A case's exposure p99.9 from its histogram, when the report predates the field. */
function fillExposureP999(m: CaseMetrics | null): void {
  if (!m || m.exposure.p999Ns !== undefined) return;
  const e = m.exposure;
  if (e.unbounded) e.p999Ns = null;
  else if (e.histogram === null) e.p999Ns = 0;
  else {
    const h = decodeHistogram(e.histogram);
    e.p999Ns = h.totalCount === 0 ? 0 : Math.min(h.getValueAtPercentile(99.9), e.maxNs ?? Infinity);
  }
}

/** Derive again what a run report derives from its measurements (see the header). */
function rederive(report: RunReport): RunReport {
  for (const c of report.cases) {
    if (c.state === 'completed') {
      fillExposureP999(c.metrics);
      if (c.repeats) c.repeats = recomputeRepeatSummary(c.repeats);
    } else if (c.state === 'errored') fillExposureP999(c.partialMetrics);
  }
  return report;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Check already-parsed JSON (pure). `name` is how the input is named in messages (a file path). */
export function parseReport<K extends ReportKind>(value: unknown, name: string, kinds: readonly K[]): ReportOfKind[K] {
  if (!isObject(value) || !isObject(value['tool']) || value['tool']['name'] !== TOOL_NAME || typeof value['schemaVersion'] !== 'number') {
    throw new UsageError(`${name} is not a durabench report (no tool.name "durabench" and schemaVersion); give a report.json written by durabench`);
  }
  const version = value['schemaVersion'];
  if (version > SCHEMA_VERSION) {
    throw new UsageError(
      `${name} has schemaVersion ${version} (written by durabench ${String(value['tool']['version'])}), newer than the schemaVersion ${SCHEMA_VERSION} this durabench reads; upgrade durabench to read it`,
    );
  }
  if (!Number.isInteger(version) || version < 1) throw new UsageError(`${name} has an invalid schemaVersion '${String(version)}'; it is not a durabench report`);
  const kind = value['kind'];
  if (typeof kind !== 'string' || !(REPORT_KINDS as readonly string[]).includes(kind)) {
    throw new UsageError(`${name} has kind ${JSON.stringify(kind)}, which is not a durabench report kind (${REPORT_KINDS.join(', ')})`);
  }
  if (!(kinds as readonly string[]).includes(kind)) {
    throw new UsageError(`${name} is ${kind === 'env' ? 'an' : 'a'} ${kind} report; this command reads ${kinds.join(' or ')} reports`);
  }
  // The upgrade chain: each step takes a report one version forward.
  let current: Record<string, unknown> = value;
  if (version === 1) current = upgradeV1(current, kind as ReportKind);
  if (version <= 2) current = upgradeV2(current, kind as ReportKind);
  const check = checkerOf(kind as ReportKind);
  if (!check.Check(current)) {
    const first = check.Errors(current).First();
    const where = first?.path ? first.path : '/';
    throw new UsageError(`${name} is not a valid ${kind} report: at ${where}, ${first?.message.toLowerCase() ?? 'unexpected value'}; was it written by durabench and left unedited?`);
  }
  return (kind === 'run' ? rederive(current as RunReport) : current) as ReportOfKind[K];
}

/** Parse report text (pure). */
export function parseReportText<K extends ReportKind>(text: string, name: string, kinds: readonly K[]): ReportOfKind[K] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${name} is not JSON (${(err as Error).message}); give a report.json written by durabench`);
  }
  return parseReport(value, name, kinds);
}

/** Read and check one report file of one of the given kinds. */
export function readReportOf<K extends ReportKind>(file: string, kinds: readonly K[]): ReportOfKind[K] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'does not exist' : code === 'EISDIR' ? 'is a directory' : `cannot be read (${code ?? (err as Error).message})`;
    throw new UsageError(`report ${file} ${why}; give the path of a report.json written by durabench`);
  }
  return parseReportText(text, file, kinds);
}

/** Read and check one run report (compare, gate, merge). */
export function readReport(file: string): RunReport {
  return readReportOf(file, ['run']);
}
