/**
 * Structural validation of probe and env reports (pure): what a reader of a saved report may rely
 * on. Returns the problems found, each naming the field's path; empty means valid.
 */
import { FIO_PERCENTILES, SCHEMA_VERSION } from '../reports/schema.js';
import { fioPercentileKey } from '../reports/summary.js';
import { checkHost, checkTool, checkWarnings, field, isNumber, isObject, isString, isStringOrNull, type Problems } from '../provenance/validate.js';

const RESULT_STATES = ['completed', 'unsupported', 'errored'];

function checkLatency(p: Problems, v: unknown, where: string): void {
  if (!isObject(v)) return void p.push(`${where}: expected a latency summary`);
  for (const k of ['count', 'minNs', 'meanNs', 'stddevNs', 'maxNs', 'p50Ns', 'p90Ns', 'p99Ns', 'p999Ns', 'p9999Ns']) field(p, v, where, k, 'a number', isNumber);
  field(p, v, where, 'histogram', 'an encoded histogram', (x) => typeof x === 'string' && x.length > 0);
  const pct = v['percentilesNs'];
  if (!isObject(pct)) p.push(`${where}.percentilesNs: expected an object`);
  else for (const q of FIO_PERCENTILES) field(p, pct, `${where}.percentilesNs`, fioPercentileKey(q), 'a number', isNumber);
  const n = v as Record<string, number>;
  if (isNumber(n['p50Ns']) && isNumber(n['p99Ns']) && isNumber(n['maxNs']) && !(n['p50Ns']! <= n['p99Ns']! && n['p99Ns']! <= n['maxNs']!)) {
    p.push(`${where}: percentiles out of order (p50 ${n['p50Ns']}, p99 ${n['p99Ns']}, max ${n['maxNs']})`);
  }
}

function checkResult(p: Problems, v: unknown, where: string): void {
  if (!isObject(v)) return void p.push(`${where}: expected an object`);
  field(p, v, where, 'target', 'a string', isString);
  field(p, v, where, 'state', RESULT_STATES.join(' | '), (x) => RESULT_STATES.includes(x as string));
  const m = v['method'];
  if (!isObject(m)) p.push(`${where}.method: expected an object`);
  else {
    for (const k of ['id', 'group', 'description']) field(p, m, `${where}.method`, k, 'a string', isString);
    for (const k of ['blockBytes', 'bytesPerOp', 'writesPerOp', 'syncsPerOp']) field(p, m, `${where}.method`, k, 'a number', isNumber);
  }
  if (v['state'] === 'completed') {
    const x = v['metrics'];
    if (!isObject(x)) return void p.push(`${where}.metrics: expected an object`);
    for (const k of ['samples', 'opsPerSec', 'measuredNs', 'rmePercent']) field(p, x, `${where}.metrics`, k, 'a number', isNumber);
    field(p, x, `${where}.metrics`, 'sliceOpsPerSec', 'a number array', (a) => Array.isArray(a) && a.every(isNumber));
    field(p, x, `${where}.metrics`, 'notes', 'a string array', (a) => Array.isArray(a) && a.every(isString));
    checkLatency(p, x['latency'], `${where}.metrics.latency`);
    const lat = x['latency'];
    if (isObject(lat) && lat['count'] !== x['samples']) p.push(`${where}.metrics: samples ${String(x['samples'])} ≠ latency.count ${String(lat['count'])}`);
  } else if (v['state'] === 'unsupported' || v['state'] === 'errored') {
    field(p, v, where, 'reason', 'a non-empty string', (s) => typeof s === 'string' && s !== '');
    field(p, v, where, 'code', 'a string or null', isStringOrNull);
  }
}

function checkHeader(p: Problems, r: Record<string, unknown>, kind: string): void {
  field(p, r, 'report', 'kind', `"${kind}"`, (x) => x === kind);
  field(p, r, 'report', 'schemaVersion', `an integer 1..${SCHEMA_VERSION}`, (x) => Number.isInteger(x) && (x as number) >= 1 && (x as number) <= SCHEMA_VERSION);
  checkTool(p, r['tool']);
  checkHost(p, r['host']);
  checkWarnings(p, r['warnings']);
}

/** Problems of a probe report (`durabench probe`'s report.json). */
export function validateProbeReport(value: unknown): Problems {
  const p: Problems = [];
  if (!isObject(value)) return ['report: expected a JSON object'];
  checkHeader(p, value, 'probe');
  field(p, value, 'report', 'startedAt', 'an ISO time', isString);
  field(p, value, 'report', 'finishedAt', 'an ISO time or null', isStringOrNull);
  field(p, value, 'report', 'status', 'running | completed | interrupted', (x) => ['running', 'completed', 'interrupted'].includes(x as string));
  const s = value['settings'];
  if (!isObject(s)) p.push('report.settings: expected an object');
  else {
    field(p, s, 'settings', 'seconds', 'a number', isNumber);
    field(p, s, 'settings', 'warmupSeconds', 'a number', isNumber);
    field(p, s, 'settings', 'blockBytes', 'a number array', (a) => Array.isArray(a) && a.every(isNumber));
    field(p, s, 'settings', 'targets', 'a string array', (a) => Array.isArray(a) && a.every(isString));
  }
  if (!Array.isArray(value['results'])) p.push('report.results: expected an array');
  else value['results'].forEach((r, i) => checkResult(p, r, `results[${i}]`));
  return p;
}

/** Problems of `durabench env --json` output. */
export function validateEnvReport(value: unknown): Problems {
  const p: Problems = [];
  if (!isObject(value)) return ['report: expected a JSON object'];
  checkHeader(p, value, 'env');
  return p;
}
