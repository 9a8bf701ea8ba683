/**
 * The crash lab's matrix: the run's planned cases (the same flags, the same plan) × crash kinds,
 * or the explicit lines of a crash suite (`suites/seed.json`) × its kinds. Pure given the loaded
 * engine factories; problems are one-line UsageErrors naming the option.
 */
import type { PlannedCase } from '../coordinator/plan.js';
import type { EngineFactory, EngineOptionValue } from '../engines/types.js';
import { caseKey, keyWithoutTarget, type CaseKey } from '../model/case.js';
import { DEFAULT_CRASH_RUN_MS, DEFAULT_CRASH_WINDOW, DEFAULT_DEVICE_CACHE, DEFAULT_REORDER_STATES, CRASH_POINT_RUN_MS } from '../coordinator/defaults.js';
import { checkCrashSuiteFile } from '../coordinator/suite-file.js';
import { DEVICE_CACHES, LAB_FILESYSTEMS, type CrashKind, type CrashSetting, type CrashVerdict, type DeviceCache, type LabFs } from '../model/crash-report.js';
import type { Durability, Mode } from '../model/durability.js';
import { UsageError } from '../model/errors.js';
import { DEFAULT_IMAGE_MIB, MIN_IMAGE_MIB } from '../workspace/image.js';
import { hasProgram } from '../workspace/exec.js';
import { formatCrashPoint, formatCrashSweep, formatCrashWindow, parseCrashPoint, parseCrashSweep, parseCrashWindow, windowMs, type CrashPoint, type CrashSweep, type CrashWindow } from './crash-point.js';

/** One crash kind: `kill`, or `power` on a filesystem with a drive-cache model (optionally torn, optionally with random partial writeback). */
export interface CrashKindSpec {
  readonly kind: CrashKind;
  readonly fs?: LabFs;
  readonly writeback?: 'none' | 'random';
  readonly deviceCache?: DeviceCache;
  readonly torn?: boolean;
}

/**
 * A suite line's expected verdict: one for every kind, or by kind — `kill`, `power`, or `power-<fs>`
 * (the most specific key wins).
 */
export type ExpectSpec = CrashVerdict | Readonly<Record<string, CrashVerdict>>;

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
  /** What the lab must find (a fault switch: `durability-bug`); a case that meets it passes, one that does not fails the run. */
  readonly expect?: ExpectSpec;
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
  /** `marker:A..marker:B` or `syscall:NAME:A..syscall:NAME:B`. */
  readonly crashSweep?: string;
  /** `A..B` seconds after the first ack, or `A%..B%` of the run (default the whole run). */
  readonly crashWindow?: string;
  /** Writer run length, ms (default: the window's end when in seconds, else 1 s). */
  readonly runMs?: number;
  /** `reorder`: random cache subsets per instant. */
  readonly reorderStates?: number;
}

export interface PlannedCrashCase {
  readonly id: string;
  readonly key: CaseKey;
  readonly setting: CrashSetting;
  readonly params: { readonly engineOptions: Record<string, EngineOptionValue>; readonly seed: number };
  readonly point: CrashPoint;
  readonly sweep: CrashSweep | null;
  /** Random instants: where they fall. */
  readonly window: CrashWindow;
  readonly imageMib: number;
  /** Set when the case cannot run here (unknown engine, unsupported mode): it is reported as skipped. */
  readonly skip: string | null;
  /** The verdict a suite expects of this case. */
  readonly expect?: CrashVerdict;
}

/** `kill`, `power-ext4-volatile`, `power-xfs-reorder-torn`, `power-ext4-none-writeback`. */
function kindId(s: CrashSetting): string {
  if (s.kind !== 'power') return 'kill';
  return [`power-${s.filesystem}`, s.deviceCache ?? '', s.torn ? 'torn' : '', s.writeback === 'random' ? 'writeback' : ''].filter((x) => x !== '').join('-');
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

function crashWindow(text: string | undefined): CrashWindow {
  const w = parseCrashWindow(text ?? DEFAULT_CRASH_WINDOW);
  if (typeof w === 'string') throw new UsageError(w);
  return w;
}

/** The writer run's length: given, else the window's end when in seconds, else the default; the window must fit. */
function runMsOf(w: CrashWindow, given: number | undefined): number {
  const runMs = given ?? (w.unit === 's' ? w.to * 1000 : DEFAULT_CRASH_RUN_MS);
  if (windowMs(w, runMs)[1] > runMs) throw new UsageError(`--crash-window ${formatCrashWindow(w)} ends after the ${runMs / 1000} s run; give a longer --duration or an earlier end`);
  return runMs;
}

interface Timing {
  readonly crashAt: string;
  readonly isPoint: boolean;
  readonly window: CrashWindow;
  /** Random instants: the run's length; crash points: how long the writer may take to reach one. */
  readonly runMs: number;
  readonly reorderStates: number;
}

/** Random instants: the run's length (see runMsOf); crash points: `--duration`, else 20 s to reach the point. */
function timingOf(crashAt: string, isPoint: boolean, window: CrashWindow, runMs: number | undefined, reorderStates: number | undefined): Timing {
  return { crashAt, isPoint, window, runMs: isPoint ? (runMs ?? CRASH_POINT_RUN_MS) : runMsOf(window, runMs), reorderStates: reorderStates ?? DEFAULT_REORDER_STATES };
}

function settingOf(kind: CrashKindSpec, mountOptions: string | null, t: Timing): CrashSetting {
  const timing = { crashAt: t.crashAt, crashWindow: t.isPoint ? null : formatCrashWindow(t.window), runMs: t.runMs };
  if (kind.kind === 'kill') return { kind: 'kill', filesystem: null, mountOptions: null, writeback: 'none', deviceCache: null, torn: false, reorderStates: 0, ...timing };
  const deviceCache = kind.deviceCache ?? (DEFAULT_DEVICE_CACHE as DeviceCache);
  if (kind.writeback === 'random' && deviceCache === 'reorder') throw new UsageError('--writeback random applies to one crash state per instant: combine it with --device-cache none or volatile, not reorder');
  return {
    kind: 'power',
    filesystem: kind.fs ?? 'ext4',
    mountOptions,
    writeback: kind.writeback ?? 'none',
    deviceCache,
    torn: kind.torn ?? false,
    reorderStates: deviceCache === 'reorder' ? t.reorderStates : 0,
    ...timing,
  };
}

/** The expected verdict of a line for one crash setting: `power-<fs>`, then `power`/`kill`, then a plain verdict. */
function expectOf(e: ExpectSpec | undefined, s: CrashSetting): CrashVerdict | undefined {
  if (e === undefined) return undefined;
  if (typeof e === 'string') return e;
  return (s.kind === 'power' ? e[`power-${s.filesystem}`] : undefined) ?? e[s.kind];
}

function imageMibOf(s: CrashSetting, given: number | null, factory: EngineFactory | null): number {
  if (s.filesystem === null) return 0;
  // A database server's fresh data directory needs room of its own (initdb, InnoDB's files, etcd's preallocated WAL).
  const mib = given ?? Math.max(DEFAULT_IMAGE_MIB[s.filesystem], factory?.server?.imageMib ?? 0);
  if (mib < MIN_IMAGE_MIB[s.filesystem]) throw new UsageError(`--image-mib ${mib} is too small for ${s.filesystem}; use at least ${MIN_IMAGE_MIB[s.filesystem]}`);
  return mib;
}

/** Why a case cannot be crashed as asked (markers the engine never announces, syscall points without strace or with several writers), or null. */
function crashSkip(factory: EngineFactory | null, key: CaseKey, p: CrashPoint, sw: CrashSweep | null): string | null {
  if (!factory) return `engine '${key.engine}' is not available in this build`;
  const markers = [p.kind === 'marker' ? p.name : null, sw?.kind === 'marker' ? sw.from.name : null, sw?.kind === 'marker' ? sw.to.name : null].filter((m): m is string => !!m);
  const missing = markers.find((m) => !factory.markers.includes(m));
  if (missing) return `engine '${key.engine}' announces no marker '${missing}' (it has: ${factory.markers.join(', ') || 'none'})`;
  const syscall = p.kind === 'syscall' || sw?.kind === 'syscall';
  if (syscall && !hasProgram('strace')) return 'syscall crash points need strace (apt-get install -y strace)';
  if (syscall && key.writers > 1) return 'syscall crash points count calls per thread; run this case with --writers 1';
  return null;
}

/** The run's planned cases × crash kinds. A skipped run case stays skipped. */
export function planCrashCases(planned: readonly PlannedCase[], s: CrashPlanSettings): PlannedCrashCase[] {
  const p = point(s.crashAt);
  const sw = sweep(s.crashSweep);
  if (s.crashAt !== undefined && s.crashSweep !== undefined) throw new UsageError('--crash-at and --crash-sweep exclude each other; give one');
  const isPoint = p.kind !== 'random' || sw !== null;
  if (isPoint && s.crashWindow !== undefined) throw new UsageError('--crash-window places random crash instants; drop it with --crash-at or --crash-sweep');
  const window = crashWindow(s.crashWindow);
  const timing = timingOf(sw ? formatCrashSweep(sw) : formatCrashPoint(p), isPoint, window, s.runMs, s.reorderStates);
  const targets = [...new Set(planned.map((c) => c.key.target))];
  const out: PlannedCrashCase[] = [];
  for (const c of planned) {
    for (const kind of s.kinds) {
      const setting = settingOf(kind, s.mountOptions, timing);
      out.push({
        id: crashCaseId(c.key, targets.indexOf(c.key.target), setting),
        key: c.key,
        setting,
        params: { engineOptions: c.engineOptions, seed: c.params.seed },
        point: p,
        sweep: sw,
        window,
        imageMib: imageMibOf(setting, s.imageMib, c.factory),
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
  /** `--device-cache`/`--torn` given: applied to every power kind of every line. */
  readonly deviceCache: { readonly deviceCache?: DeviceCache; readonly torn?: boolean } | null;
  readonly crashWindow?: string;
  readonly runMs?: number;
  readonly reorderStates?: number;
}

/** The explicit lines of a crash suite × their crash kinds. An engine missing here is skipped. */
export function planSuiteLines(suite: CrashSuiteFile, s: SuiteLineSettings, factories: ReadonlyMap<string, EngineFactory | null>): PlannedCrashCase[] {
  const out: PlannedCrashCase[] = [];
  const window = crashWindow(s.crashWindow);
  for (const line of suite.cases) {
    const p = point(line.crashAt);
    const sw = sweep(line.crashSweep);
    const isPoint = p.kind !== 'random' || sw !== null;
    const timing = timingOf(sw ? formatCrashSweep(sw) : formatCrashPoint(p), isPoint, window, s.runMs, s.reorderStates);
    const factory = factories.get(line.engine) ?? null;
    const durability: Durability = line.mode === 'batch' ? { mode: 'batch', batchSize: line.batchSize ?? 16, batchMs: s.batchMs } : { mode: line.mode };
    const key = caseKey({ engine: line.engine, fault: line.fault ?? null, writers: 1, valueBytes: s.valueBytes, workload: s.workload, target: s.target }, durability);
    let skip = crashSkip(factory, key, p, sw);
    if (!skip && factory && !factory.modes.includes(line.mode)) skip = `engine '${line.engine}' does not run in ${line.mode} mode`;
    if (!skip && factory && line.fault && !factory.faults.some((f) => f.name === line.fault)) skip = `engine '${line.engine}' has no fault switch '${line.fault}'`;
    for (const lineKind of s.kinds ?? line.kinds ?? suite.kinds) {
      const kind = lineKind.kind === 'power' && s.deviceCache ? { ...lineKind, ...s.deviceCache } : lineKind;
      const setting = settingOf(kind, s.mountOptions, timing);
      const expect = expectOf(line.expect, setting);
      out.push({
        id: crashCaseId(key, 0, setting),
        key,
        setting,
        params: { engineOptions: { ...s.engineOptions, ...(line.engineOptions ?? {}) }, seed: s.seed },
        point: p,
        sweep: sw,
        window,
        imageMib: imageMibOf(setting, s.imageMib, factory),
        skip,
        ...(expect !== undefined ? { expect } : {}),
      });
    }
  }
  return out;
}

/** Parse `--kind` × `--fs` × `--device-cache` (× `--writeback`, `--torn`) into crash kinds. */
export function kindsFromFlags(kinds: readonly string[], fsList: readonly string[], writeback = 'none', deviceCaches: readonly string[] = [DEFAULT_DEVICE_CACHE], torn = false): CrashKindSpec[] {
  if (writeback !== 'none' && writeback !== 'random') throw new UsageError(`--writeback must be none or random, got '${writeback}'`);
  for (const c of deviceCaches) if (!(DEVICE_CACHES as readonly string[]).includes(c)) throw new UsageError(`--device-cache '${c}' is not a drive-cache model; use none, volatile or reorder`);
  const out: CrashKindSpec[] = [];
  for (const k of kinds) {
    if (k === 'kill') out.push({ kind: 'kill' });
    else if (k === 'power') {
      for (const f of fsList) {
        if (!(LAB_FILESYSTEMS as readonly string[]).includes(f)) throw new UsageError(`--fs '${f}' is not supported; use ext4, xfs or btrfs (comma list)`);
        for (const c of deviceCaches) out.push({ kind: 'power', fs: f as LabFs, writeback, deviceCache: c as DeviceCache, torn });
      }
    } else throw new UsageError(`--kind '${k}' is not a crash kind; use kill (process crash) or power (power cut on a loop-mounted image)`);
  }
  return out;
}

/** Validate a parsed crash suite file against its schema (coordinator/suite-file.ts); one line naming the file and the field. */
export function checkCrashSuite(x: unknown, name: string): CrashSuiteFile {
  return checkCrashSuiteFile(x, name) as CrashSuiteFile;
}
