/**
 * The crash lab's matrix: the run's planned cases (the same flags, the same plan) × crash kinds,
 * or the explicit lines of a crash suite (`suites/seed.json`) × its kinds. Pure given the loaded
 * engine factories; problems are one-line UsageErrors naming the option.
 */
import type { PlannedCase } from '../coordinator/plan.js';
import type { EngineFactory, EngineOptionValue } from '../engines/types.js';
import { caseKey, keyWithoutTarget, shareOf, type CaseKey } from '../model/case.js';
import { LAB_FILESYSTEMS, type CrashKind, type CrashSetting, type LabFs } from '../model/crash-report.js';
import { isMode, type Durability, type Mode } from '../model/durability.js';
import { UsageError } from '../model/errors.js';
import { DEFAULT_IMAGE_MIB, MIN_IMAGE_MIB } from '../workspace/image.js';
import { formatCrashPoint, parseCrashPoint, parseCrashSweep, type CrashPoint, type CrashSweep } from './crash-point.js';

/** One crash kind: `kill`, or `power` on a filesystem (optionally with random partial writeback). */
export interface CrashKindSpec {
  readonly kind: CrashKind;
  readonly fs?: LabFs;
  readonly writeback?: 'none' | 'random';
}

/** One case line of a crash suite. */
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

/** How every case is crashed (from the flags; a suite's lines may override kinds and crash points). */
export interface CrashPlanSettings {
  readonly kinds: readonly CrashKindSpec[];
  readonly mountOptions: string | null;
  readonly imageMib: number | null;
  /** `random` (default), `op:K` or `marker:NAME[:N]`. */
  readonly crashAt?: string;
  /** `marker:A..marker:B`. */
  readonly crashSweep?: string;
}

export interface PlannedCrashCase {
  readonly id: string;
  readonly key: CaseKey;
  readonly setting: CrashSetting;
  readonly params: { readonly engineOptions: Record<string, EngineOptionValue>; readonly seed: number };
  readonly point: CrashPoint;
  readonly sweep: CrashSweep | null;
  readonly imageMib: number;
  /** Set when the case cannot run here (unknown engine, unsupported mode): it is reported as skipped. */
  readonly skip: string | null;
}

/** `kill`, `power-ext4`, `power-xfs-writeback`. */
function kindId(s: CrashSetting): string {
  return s.kind === 'power' ? `power-${s.filesystem}${s.writeback === 'random' ? '-writeback' : ''}` : 'kill';
}

function crashCaseId(key: CaseKey, targetIndex: number, s: CrashSetting): string {
  return `${keyWithoutTarget(key)}/t${targetIndex}/${kindId(s)}/${s.crashAt}`;
}

function point(text: string | undefined): CrashPoint {
  const p = parseCrashPoint(text ?? 'random');
  if (typeof p === 'string') throw new UsageError(p);
  return p;
}

function sweep(text: string | undefined): CrashSweep | null {
  if (text === undefined) return null;
  const s = parseCrashSweep(text);
  if (typeof s === 'string') throw new UsageError(s);
  return s;
}

function settingOf(kind: CrashKindSpec, mountOptions: string | null, crashAt: string): CrashSetting {
  if (kind.kind === 'kill') return { kind: 'kill', filesystem: null, mountOptions: null, crashAt, writeback: 'none' };
  return { kind: 'power', filesystem: kind.fs ?? 'ext4', mountOptions, crashAt, writeback: kind.writeback ?? 'none' };
}

function imageMibOf(s: CrashSetting, given: number | null): number {
  if (s.filesystem === null) return 0;
  const mib = given ?? DEFAULT_IMAGE_MIB[s.filesystem];
  if (mib < MIN_IMAGE_MIB[s.filesystem]) throw new UsageError(`--image-mib ${mib} is too small for ${s.filesystem}; use at least ${MIN_IMAGE_MIB[s.filesystem]}`);
  return mib;
}

/** Why a case cannot be crashed as asked (markers the engine never announces, several writers), or null. */
function crashSkip(factory: EngineFactory | null, key: CaseKey, p: CrashPoint, sw: CrashSweep | null): string | null {
  if (!factory) return `engine '${key.engine}' is not available in this build`;
  const markers = [p.kind === 'marker' ? p.name : null, sw?.from.name, sw?.to.name].filter((m): m is string => !!m);
  const missing = markers.find((m) => !factory.markers.includes(m));
  if (missing) return `engine '${key.engine}' announces no marker '${missing}' (it has: ${factory.markers.join(', ') || 'none'})`;
  // A shared log must crash with all its writers in the child; until trials run several writers, say so rather than crash a single writer's log.
  if (shareOf(key) === 'log') return 'crash trials of a shared log need all its writers in one trial, which this crash lab does not run yet';
  if (key.writers > 1) return `the crash lab runs one writer per trial; run this case with --writers 1 (its loss bound is per writer)`;
  return null;
}

/** The run's planned cases × crash kinds. A skipped run case stays skipped. */
export function planCrashCases(planned: readonly PlannedCase[], s: CrashPlanSettings): PlannedCrashCase[] {
  const p = point(s.crashAt);
  const sw = sweep(s.crashSweep);
  if (s.crashAt !== undefined && s.crashSweep !== undefined) throw new UsageError('--crash-at and --crash-sweep exclude each other; give one');
  const crashAt = s.crashSweep ?? formatCrashPoint(p);
  const targets = [...new Set(planned.map((c) => c.key.target))];
  const out: PlannedCrashCase[] = [];
  for (const c of planned) {
    for (const kind of s.kinds) {
      const setting = settingOf(kind, s.mountOptions, crashAt);
      out.push({
        id: crashCaseId(c.key, targets.indexOf(c.key.target), setting),
        key: c.key,
        setting,
        params: { engineOptions: c.engineOptions, seed: c.params.seed },
        point: p,
        sweep: sw,
        imageMib: imageMibOf(setting, s.imageMib),
        skip: c.skip ?? crashSkip(c.factory, c.key, p, sw),
      });
    }
  }
  return out;
}

/** What the lines of a crash suite share: the value size, seed, batch ms and target. */
export interface SuiteLineSettings {
  readonly valueBytes: number;
  readonly workload: string;
  readonly seed: number;
  readonly batchMs: number | null;
  readonly target: string;
  readonly mountOptions: string | null;
  readonly imageMib: number | null;
  /** Engine options from the command line (a line's own options win). */
  readonly engineOptions: Readonly<Record<string, EngineOptionValue>>;
  /** `--kind`/`--fs` given on the command line replace every line's kinds. */
  readonly kinds: readonly CrashKindSpec[] | null;
}

/** The explicit lines of a crash suite × their crash kinds. An engine missing here is skipped. */
export function planSuiteLines(suite: CrashSuiteFile, s: SuiteLineSettings, factories: ReadonlyMap<string, EngineFactory | null>): PlannedCrashCase[] {
  const out: PlannedCrashCase[] = [];
  for (const line of suite.cases) {
    const p = point(line.crashAt);
    const sw = sweep(line.crashSweep);
    const crashAt = line.crashSweep ?? formatCrashPoint(p);
    const factory = factories.get(line.engine) ?? null;
    const durability: Durability = line.mode === 'batch' ? { mode: 'batch', batchSize: line.batchSize ?? 16, batchMs: s.batchMs } : { mode: line.mode };
    const key = caseKey({ engine: line.engine, fault: line.fault ?? null, writers: 1, valueBytes: s.valueBytes, workload: s.workload, target: s.target }, durability);
    let skip = crashSkip(factory, key, p, sw);
    if (!skip && factory && !factory.modes.includes(line.mode)) skip = `engine '${line.engine}' does not run in ${line.mode} mode`;
    if (!skip && factory && line.fault && !factory.faults.some((f) => f.name === line.fault)) skip = `engine '${line.engine}' has no fault switch '${line.fault}'`;
    for (const kind of s.kinds ?? line.kinds ?? suite.kinds) {
      const setting = settingOf(kind, s.mountOptions, crashAt);
      out.push({
        id: crashCaseId(key, 0, setting),
        key,
        setting,
        params: { engineOptions: { ...s.engineOptions, ...(line.engineOptions ?? {}) }, seed: s.seed },
        point: p,
        sweep: sw,
        imageMib: imageMibOf(setting, s.imageMib),
        skip,
      });
    }
  }
  return out;
}

/** Parse `--kind` × `--fs` × `--writeback` into crash kinds. */
export function kindsFromFlags(kinds: readonly string[], fsList: readonly string[], writeback = 'none'): CrashKindSpec[] {
  if (writeback !== 'none' && writeback !== 'random') throw new UsageError(`--writeback must be none or random, got '${writeback}'`);
  const out: CrashKindSpec[] = [];
  for (const k of kinds) {
    if (k === 'kill') out.push({ kind: 'kill' });
    else if (k === 'power') {
      for (const f of fsList) {
        if (!(LAB_FILESYSTEMS as readonly string[]).includes(f)) throw new UsageError(`--fs '${f}' is not supported; use ext4, xfs or btrfs (comma list)`);
        out.push({ kind: 'power', fs: f as LabFs, writeback });
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
    if (typeof c.engine !== 'string' || !isMode(c.mode)) {
      throw new UsageError(`--suite '${name}': every case needs "engine" and "mode" (sync, batch or none); got ${JSON.stringify(c)}`);
    }
  }
  for (const k of [...s.kinds, ...s.cases.flatMap((c) => c.kinds ?? [])]) {
    const wbOk = k.writeback === undefined || k.writeback === 'none' || k.writeback === 'random';
    if (!wbOk || (k.kind !== 'kill' && !(k.kind === 'power' && (k.fs === undefined || (LAB_FILESYSTEMS as readonly string[]).includes(k.fs))))) {
      throw new UsageError(`--suite '${name}': kinds must be {"kind":"kill"} or {"kind":"power","fs":"ext4|xfs|btrfs","writeback":"none|random"}; got ${JSON.stringify(k)}`);
    }
  }
  return s as CrashSuiteFile;
}
