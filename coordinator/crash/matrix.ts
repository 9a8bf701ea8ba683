/**
 * The crash command's matrix: from flags or a crash suite (`suites/seed.json`) to planned cases.
 * Pure given the loaded engine factories; problems are one-line UsageErrors naming the option.
 */
import { MODES, type EngineFactory, type EngineOptionValue, type Mode } from '../../engines/types.js';
import type { CrashCaseKey } from '../../reports/schema.js';
import { UsageError } from '../usage-error.js';
import { parseCrashPoint, parseCrashSweep, type CrashPoint, type CrashSweep } from './crash-point.js';
import { DEFAULT_IMAGE_MIB, isLabFs, MIN_IMAGE_MIB, type LabFs } from './image.js';

/** One crash kind of a suite: `kill`, or `power` on a filesystem. */
export interface CrashKindSpec {
  readonly kind: 'kill' | 'power';
  readonly fs?: LabFs;
  /** Power: `random` writes back a random half of the unsynced blocks before the cut. */
  readonly writeback?: 'none' | 'random';
}

/** One case line of a crash suite (or of the flag matrix). */
export interface CrashCaseLine {
  readonly engine: string;
  readonly mode: Mode;
  readonly batchSize?: number;
  readonly fault?: string | null;
  readonly crashAt?: string;
  readonly crashSweep?: string;
  readonly engineOptions?: Record<string, EngineOptionValue>;
  /** Crash kinds for this line only (instead of the suite's). */
  readonly kinds?: readonly CrashKindSpec[];
}

/** A crash suite file: explicit case lines × crash kinds. */
export interface CrashSuiteFile {
  readonly name: string;
  readonly description?: string;
  readonly kind: 'crash';
  readonly trials?: number;
  readonly valueBytes?: number;
  readonly seed?: number;
  readonly batchMs?: number | null;
  readonly kinds: readonly CrashKindSpec[];
  readonly cases: readonly CrashCaseLine[];
}

export interface CrashMatrixSettings {
  readonly kinds: readonly CrashKindSpec[];
  readonly valueBytes: readonly number[];
  /** `unique` and/or `overwrite:K` (default unique). */
  readonly workloads?: readonly string[];
  readonly batchMs: number | null;
  readonly mountOptions: string | null;
  readonly imageMib: number | null;
  readonly seed: number;
  readonly engineOptions: Readonly<Record<string, EngineOptionValue>>;
}

export interface PlannedCrashCase {
  readonly id: string;
  readonly key: CrashCaseKey;
  readonly engineOptions: Record<string, EngineOptionValue>;
  readonly batchSize: number;
  readonly crashAt: CrashPoint;
  readonly sweep: CrashSweep | null;
  readonly imageMib: number;
  /** Set when the case cannot run here (unknown engine, unsupported mode): it is reported as skipped. */
  readonly skip: string | null;
}

/** Expand flag lists into case lines: engines × modes × batch sizes (batch only) × faults of each engine. */
export function linesFromFlags(
  engines: readonly string[],
  modes: readonly string[],
  batchSizes: readonly number[],
  faults: readonly (string | null)[],
  crashAt: string | undefined,
  crashSweep: string | undefined,
  factories: ReadonlyMap<string, EngineFactory | null>,
): CrashCaseLine[] {
  for (const m of modes) if (!(MODES as readonly string[]).includes(m)) throw new UsageError(`--mode '${m}' is not a mode; use sync, batch or none`);
  for (const b of batchSizes) if (!Number.isInteger(b) || b < 1) throw new UsageError(`--batch-size must be a whole number ≥ 1, got ${b}`);
  for (const f of faults) {
    if (f !== null && ![...factories.values()].some((e) => e?.faults.some((x) => x.name === f))) {
      const known = [...new Set([...factories.values()].flatMap((e) => e?.faults.map((x) => x.name) ?? []))];
      throw new UsageError(`--fault '${f}' is not a fault of ${engines.join(', ')}; ${known.length ? `choose from ${known.join(', ')}` : 'these engines have no fault switches'}`);
    }
  }
  const lines: CrashCaseLine[] = [];
  for (const engine of engines) {
    const factory = factories.get(engine) ?? null;
    for (const mode of modes as Mode[]) {
      for (const batchSize of mode === 'batch' ? batchSizes : [1]) {
        for (const fault of faults) {
          if (fault !== null && factory && !factory.faults.some((x) => x.name === fault)) continue;
          lines.push({ engine, mode, batchSize, fault, ...(crashAt ? { crashAt } : {}), ...(crashSweep ? { crashSweep } : {}) });
        }
      }
    }
  }
  return lines;
}

function caseId(k: CrashCaseKey): string {
  const mode = k.mode === 'batch' ? `batch${k.batchSize}` : k.mode;
  const where = k.crashKind === 'power' ? `power-${k.filesystem}${k.writeback === 'random' ? '-writeback' : ''}` : 'kill';
  return [k.engine, mode, `v${k.valueBytes}`, ...(k.workload === 'unique' ? [] : [k.workload]), k.fault ?? 'correct', where, k.crashAt].join('/');
}

/** Case lines × crash kinds × value sizes → planned cases. */
export function planCrashCases(
  lines: readonly CrashCaseLine[],
  s: CrashMatrixSettings,
  factories: ReadonlyMap<string, EngineFactory | null>,
): PlannedCrashCase[] {
  const out: PlannedCrashCase[] = [];
  for (const line of lines) {
    const point = parseCrashPoint(line.crashAt ?? 'random');
    if (typeof point === 'string') throw new UsageError(point);
    const sweep = line.crashSweep === undefined ? null : parseCrashSweep(line.crashSweep);
    if (typeof sweep === 'string') throw new UsageError(sweep);
    const factory = factories.get(line.engine) ?? null;
    let skip: string | null = null;
    if (!factory) skip = `engine '${line.engine}' is not available in this build`;
    else if (!factory.modes.includes(line.mode)) skip = `engine '${line.engine}' does not run in ${line.mode} mode`;
    else if (line.fault && !factory.faults.some((f) => f.name === line.fault)) skip = `engine '${line.engine}' has no fault switch '${line.fault}'`;
    else {
      const markers = [point.kind === 'marker' ? point.name : null, sweep?.from.name, sweep?.to.name].filter((m): m is string => !!m);
      const missing = markers.find((m) => !factory.markers.includes(m));
      if (missing) skip = `engine '${line.engine}' announces no marker '${missing}' (it has: ${factory.markers.join(', ') || 'none'})`;
    }
    for (const kind of line.kinds ?? s.kinds) {
      const fsType = kind.kind === 'power' ? (kind.fs ?? 'ext4') : null;
      const imageMib = fsType ? (s.imageMib ?? DEFAULT_IMAGE_MIB[fsType]) : 0;
      if (fsType && imageMib < MIN_IMAGE_MIB[fsType]) {
        throw new UsageError(`--image-mib ${imageMib} is too small for ${fsType}; use at least ${MIN_IMAGE_MIB[fsType]}`);
      }
      for (const valueBytes of s.valueBytes) for (const workload of s.workloads ?? ['unique']) {
        const key: CrashCaseKey = {
          engine: line.engine,
          mode: line.mode,
          batchSize: line.mode === 'batch' ? (line.batchSize ?? 16) : line.mode === 'sync' ? 1 : null,
          batchMs: line.mode === 'batch' ? s.batchMs : null,
          valueBytes,
          workload,
          fault: line.fault ?? null,
          crashKind: kind.kind,
          filesystem: fsType,
          mountOptions: fsType ? s.mountOptions : null,
          crashAt: line.crashSweep ?? line.crashAt ?? 'random',
          ...(fsType && kind.writeback === 'random' ? { writeback: 'random' as const } : {}),
        };
        out.push({
          id: caseId(key),
          key,
          engineOptions: { ...s.engineOptions, ...(line.engineOptions ?? {}) },
          batchSize: line.mode === 'batch' ? (line.batchSize ?? 16) : 1,
          crashAt: point,
          sweep,
          imageMib,
          skip,
        });
      }
    }
  }
  return out;
}

/** Parse `--kind` × `--fs` into crash kinds. */
export function kindsFromFlags(kinds: readonly string[], fsList: readonly string[], writeback = 'none'): CrashKindSpec[] {
  if (writeback !== 'none' && writeback !== 'random') throw new UsageError(`--writeback must be none or random, got '${writeback}'`);
  const out: CrashKindSpec[] = [];
  for (const k of kinds) {
    if (k === 'kill') out.push({ kind: 'kill' });
    else if (k === 'power') {
      for (const f of fsList) {
        if (!isLabFs(f)) throw new UsageError(`--fs '${f}' is not supported; use ext4, xfs or btrfs (comma list)`);
        out.push({ kind: 'power', fs: f, writeback });
      }
    } else throw new UsageError(`--kind '${k}' is not a crash kind; use kill (process crash) or power (power cut on a loop-mounted image)`);
  }
  return out;
}

/** Validate a parsed crash suite file; one line naming what is wrong. */
export function checkCrashSuite(x: unknown, name: string): CrashSuiteFile {
  const s = x as Partial<CrashSuiteFile>;
  if (typeof s !== 'object' || s === null || s.kind !== 'crash' || !Array.isArray(s.cases) || !Array.isArray(s.kinds)) {
    throw new UsageError(`--suite '${name}' is not a crash suite (needs "kind": "crash", "kinds" and "cases"); see suites/seed.json`);
  }
  for (const c of s.cases) {
    if (typeof c.engine !== 'string' || !(MODES as readonly string[]).includes(c.mode)) {
      throw new UsageError(`--suite '${name}': every case needs "engine" and "mode" (sync, batch or none); got ${JSON.stringify(c)}`);
    }
  }
  for (const k of [...s.kinds, ...s.cases.flatMap((c) => c.kinds ?? [])]) {
    const wbOk = k.writeback === undefined || k.writeback === 'none' || k.writeback === 'random';
    if (!wbOk || (k.kind !== 'kill' && !(k.kind === 'power' && (k.fs === undefined || isLabFs(k.fs))))) {
      throw new UsageError(`--suite '${name}': kinds must be {"kind":"kill"} or {"kind":"power","fs":"ext4|xfs|btrfs","writeback":"none|random"}; got ${JSON.stringify(k)}`);
    }
  }
  return s as CrashSuiteFile;
}
