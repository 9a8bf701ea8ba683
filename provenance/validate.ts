/**
 * Structural checks of provenance as it appears in saved reports (pure): every field present with
 * the right type, every `Known` either `{ value }` or `{ value: null, reason }`. Returns the problems
 * found (empty: valid), each naming the field's path.
 */
import type { HostInfo, TargetInfo, ToolInfo, Warning } from '../reports/schema.js';

export type Problems = string[];

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Check `obj[key]` with `ok`; push `where.key: expected what` when it fails. */
export function field(problems: Problems, obj: Record<string, unknown>, where: string, key: string, what: string, ok: (v: unknown) => boolean): void {
  if (!ok(obj[key])) problems.push(`${where}.${key}: expected ${what}, got ${JSON.stringify(obj[key])?.slice(0, 60) ?? 'undefined'}`);
}

export const isString = (v: unknown): boolean => typeof v === 'string';
export const isNumber = (v: unknown): boolean => typeof v === 'number' && Number.isFinite(v);
export const isStringOrNull = (v: unknown): boolean => v === null || typeof v === 'string';

/** `{ value: T }` with `isT(value)`, or `{ value: null, reason: string }`. */
export function isKnown(isT: (v: unknown) => boolean): (v: unknown) => boolean {
  return (v) => isObject(v) && (v['value'] === null ? typeof v['reason'] === 'string' && v['reason'] !== '' : isT(v['value']));
}

const optional = (ok: (v: unknown) => boolean) => (v: unknown) => v === undefined || ok(v);

export function checkTool(p: Problems, v: unknown, where = 'tool'): void {
  if (!isObject(v)) return void p.push(`${where}: expected an object`);
  field(p, v, where, 'name', '"durabench"', (x) => x === 'durabench');
  field(p, v, where, 'version', 'a string', isString);
  field(p, v, where, 'gitSha', 'a string or null', isStringOrNull);
  field(p, v, where, 'gitShaReason', 'a string', optional(isString));
  if (v['gitSha'] === null && v['gitShaReason'] === undefined) p.push(`${where}.gitShaReason: a null gitSha needs a reason`);
}

export function checkTarget(p: Problems, v: unknown, where: string): void {
  if (!isObject(v)) return void p.push(`${where}: expected an object`);
  field(p, v, where, 'dir', 'a string', isString);
  field(p, v, where, 'realPath', 'a string', isString);
  for (const k of ['fsType', 'mountPoint', 'mountOptions', 'device', 'model', 'writeCache', 'scheduler'] as const) {
    field(p, v, where, k, 'a Known<string>', isKnown(isString));
  }
  field(p, v, where, 'deviceChain', 'a Known<string[]>', isKnown((x) => Array.isArray(x) && x.every(isString)));
  field(p, v, where, 'rotational', 'a Known<boolean>', isKnown((x) => typeof x === 'boolean'));
  field(p, v, where, 'syncSemantics', 'a string', isString);
  field(p, v, where, 'mountSource', 'a Known<string>', optional(isKnown(isString)));
  const devices = v['devices'];
  if (devices !== undefined) {
    if (!Array.isArray(devices)) p.push(`${where}.devices: expected an array`);
    else
      devices.forEach((d, i) => {
        const w = `${where}.devices[${i}]`;
        if (!isObject(d)) return void p.push(`${w}: expected an object`);
        field(p, d, w, 'name', 'a string', isString);
        field(p, d, w, 'path', 'a string', isString);
        field(p, d, w, 'kind', 'a device kind', (x) => ['disk', 'partition', 'loop', 'dm', 'md', 'memory', 'other'].includes(x as string));
        for (const k of ['majorMinor', 'model', 'writeCache', 'scheduler']) field(p, d, w, k, 'a Known<string>', isKnown(isString));
        field(p, d, w, 'rotational', 'a Known<boolean>', isKnown((x) => typeof x === 'boolean'));
        field(p, d, w, 'parents', 'a string array', (x) => Array.isArray(x) && x.every(isString));
        field(p, d, w, 'backingFile', 'a Known<string>', optional(isKnown(isString)));
      });
  }
}

export function checkHost(p: Problems, v: unknown, where = 'host'): void {
  if (!isObject(v)) return void p.push(`${where}: expected an object`);
  for (const k of ['hostname', 'os', 'kernel', 'arch', 'cpuModel', 'nodeVersion'] as const) field(p, v, where, k, 'a string', isString);
  field(p, v, where, 'cpuCount', 'a number', isNumber);
  field(p, v, where, 'memoryBytes', 'a number', isNumber);
  field(p, v, where, 'uvThreadpoolSize', 'a string or null', isStringOrNull);
  field(p, v, where, 'osRelease', 'a Known<string>', optional(isKnown(isString)));
  if (!Array.isArray(v['targets'])) p.push(`${where}.targets: expected an array`);
  else v['targets'].forEach((t, i) => checkTarget(p, t, `${where}.targets[${i}]`));
}

export function checkWarnings(p: Problems, v: unknown, where = 'warnings'): void {
  if (!Array.isArray(v)) return void p.push(`${where}: expected an array`);
  v.forEach((w, i) => {
    if (!isObject(w)) return void p.push(`${where}[${i}]: expected an object`);
    for (const k of ['code', 'message', 'remedy'] as const) field(p, w, `${where}[${i}]`, k, 'a string', isString);
  });
}

/** Problems of a HostInfo (empty: valid). */
export function validateHost(v: unknown): Problems {
  const p: Problems = [];
  checkHost(p, v);
  return p;
}

// Type-level anchors: the checks above describe these types.
export type Checked = HostInfo | TargetInfo | ToolInfo | Warning;
