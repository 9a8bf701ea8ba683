/**
 * From what the user gave (flags, a suite file, or nothing) to a fully resolved suite, or one
 * `UsageError` line naming the option and the fix. Pure apart from reading the suite file and
 * checking that target directories exist and are writable.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { builtinEngines, isModulePath, loadEngine, EngineLoadError } from '../engines/registry.js';
import { allOptionSpecs, resolveEngineOptions } from '../engines/options.js';
import { MODES, type EngineFactory, type EngineOptionValue, type Mode } from '../engines/types.js';
import { parseWorkload } from '../workers/workload.js';
import type { ResolvedSuite } from '../reports/schema.js';
import { UsageError } from './usage-error.js';

/** What a suite file or the command line may set. Lists expand the matrix. */
export interface SuiteInput {
  name?: string;
  engines?: string[];
  modes?: string[];
  batchSizes?: number[];
  batchMs?: number | null;
  writers?: number[];
  valueBytes?: number[];
  workloads?: string[];
  targets?: string[];
  faults?: (string | null)[];
  engineOptions?: Record<string, EngineOptionValue>;
  seed?: number;
  warmupMs?: number;
  durationMs?: number | null;
  commitsPerWriter?: number | null;
  repeat?: number;
}

const SUITES_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'suites');

/** Directory of the bundled suites (`suites/` at the repository root). */
export function suitesDir(): string {
  // From dist/coordinator this is ../../suites; from coordinator/ under tsx it is ../suites.
  return fs.existsSync(SUITES_DIR) ? SUITES_DIR : path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'suites');
}

/** Load a suite by bundled name (`default`, `seed`, ...) or by file path. */
export function loadSuite(nameOrPath: string): SuiteInput {
  const file = nameOrPath.endsWith('.json') || nameOrPath.includes('/') ? nameOrPath : path.join(suitesDir(), `${nameOrPath}.json`);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    const bundled = fs.existsSync(suitesDir())
      ? fs
          .readdirSync(suitesDir())
          .filter((f) => f.endsWith('.json'))
          .map((f) => f.slice(0, -5))
      : [];
    throw new UsageError(`--suite '${nameOrPath}' not found; give a suite file path or one of: ${bundled.join(', ')}`);
  }
  try {
    const parsed = JSON.parse(text) as SuiteInput;
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
    return parsed;
  } catch (err) {
    throw new UsageError(
      `--suite '${nameOrPath}' is not valid suite JSON (${(err as Error).message}); see suites/default.json for the format`,
    );
  }
}

const DEFAULTS: Required<Omit<SuiteInput, 'engineOptions'>> & { engineOptions: Record<string, EngineOptionValue> } = {
  name: 'custom',
  engines: ['raw', 'wal'],
  modes: ['sync', 'batch', 'none'],
  batchSizes: [16],
  batchMs: null,
  writers: [1],
  valueBytes: [128],
  workloads: ['unique'],
  targets: ['.'],
  faults: [null],
  engineOptions: {},
  seed: 1,
  warmupMs: 200,
  durationMs: 1000,
  commitsPerWriter: null,
  repeat: 1,
};

function positiveInts(list: readonly number[], flag: string, allowZero = false): number[] {
  if (list.length === 0) throw new UsageError(`${flag} needs at least one value`);
  for (const v of list) {
    if (!Number.isInteger(v) || v < (allowZero ? 0 : 1)) {
      throw new UsageError(`${flag} must be ${allowZero ? 'a non-negative' : 'a positive'} integer, got '${v}'`);
    }
  }
  return [...new Set(list)];
}

function positiveNumber(v: number, flag: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) throw new UsageError(`${flag} must be a positive number, got '${v}'`);
  return v;
}

/** Check that a target exists, is a directory and is writable. */
export function checkTarget(dir: string): void {
  let st: fs.Stats;
  try {
    st = fs.statSync(dir);
  } catch {
    throw new UsageError(`--dir '${dir}' does not exist; create it first or give an existing directory`);
  }
  if (!st.isDirectory()) throw new UsageError(`--dir '${dir}' is not a directory; give a directory on the disk to test`);
  try {
    fs.accessSync(dir, fs.constants.W_OK);
  } catch {
    throw new UsageError(`--dir '${dir}' is not writable; give a directory you can write to`);
  }
}

/** Load every engine named (built-in or module path), with one clear line for an unknown one. */
export async function loadEngines(names: readonly string[]): Promise<EngineFactory[]> {
  const out: EngineFactory[] = [];
  for (const n of names) {
    try {
      out.push(await loadEngine(n));
    } catch (err) {
      if (err instanceof EngineLoadError) throw new UsageError(`--engine: ${err.message}`);
      throw err;
    }
  }
  return out;
}

/** `given` holds only what the user set; `explicit` says which keys came from the command line. */
export async function resolveSuite(given: SuiteInput, explicit: ReadonlySet<string> = new Set()): Promise<ResolvedSuite> {
  const s = { ...DEFAULTS, ...Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined)) };

  const engines = await loadEngines(s.engines);
  if (engines.length === 0) throw new UsageError('--engine needs at least one engine; see durabench engines');

  for (const m of s.modes) {
    if (!MODES.includes(m as Mode)) throw new UsageError(`--mode '${m}' is not a mode; use sync, batch or none`);
  }
  const modes = [...new Set(s.modes)] as Mode[];
  if (modes.length === 0) throw new UsageError('--mode needs at least one of sync, batch, none');

  const batchSizes = positiveInts(s.batchSizes, '--batch-size');
  if (!modes.includes('batch') && (explicit.has('batchSizes') || explicit.has('batchMs'))) {
    throw new UsageError(
      `--${explicit.has('batchSizes') ? 'batch-size' : 'batch-ms'} only applies to --mode batch; add batch to --mode or drop the option`,
    );
  }
  const batchMs = s.batchMs === null ? null : positiveNumber(s.batchMs, '--batch-ms');
  const writers = positiveInts(s.writers, '--writers');
  if (Math.max(...writers) > 256) throw new UsageError('--writers must be at most 256');
  const valueBytes = positiveInts(s.valueBytes, '--value-bytes', true);
  if (Math.max(...valueBytes) > 64 * 1024 * 1024) throw new UsageError('--value-bytes must be at most 64 MiB');
  for (const w of s.workloads) {
    if (!parseWorkload(w)) throw new UsageError(`--workload '${w}' is not a workload; use unique or overwrite:K (K keys per writer)`);
  }

  if (explicit.has('durationMs') && explicit.has('commitsPerWriter')) {
    throw new UsageError('give either --duration or --commits, not both');
  }
  const commitsPerWriter = explicit.has('durationMs') ? null : s.commitsPerWriter;
  const durationMs = commitsPerWriter !== null ? null : s.durationMs;
  if (durationMs !== null) positiveNumber(durationMs, '--duration');
  if (commitsPerWriter !== null) positiveInts([commitsPerWriter], '--commits');
  if (durationMs === null && commitsPerWriter === null) throw new UsageError('give --duration SECONDS or --commits N');
  if (!(Number.isFinite(s.warmupMs) && s.warmupMs >= 0))
    throw new UsageError(`--warmup must be zero or a positive number of seconds, got '${s.warmupMs / 1000}'`);
  if (!Number.isInteger(s.seed) || s.seed < 0) throw new UsageError(`--seed must be a non-negative integer, got '${s.seed}'`);
  positiveInts([s.repeat], '--repeat');

  if (s.targets.length === 0) throw new UsageError('--dir needs at least one directory');
  for (const t of s.targets) checkTarget(t);

  // Faults: each must exist on at least one selected engine.
  const faults = [...new Set(s.faults)];
  for (const f of faults) {
    if (f !== null && !engines.some((e) => e.faults.some((x) => x.name === f))) {
      const known = [...new Set(engines.flatMap((e) => e.faults.map((x) => x.name)))];
      throw new UsageError(
        `--fault '${f}' is not a fault of ${s.engines.join(', ')}; ${known.length ? `choose from ${known.join(', ')}` : 'these engines have no fault switches'} (see durabench engines)`,
      );
    }
  }

  // Engine options: every given option must belong to some selected engine and pass its checks.
  const specs = allOptionSpecs(engines);
  for (const name of Object.keys(s.engineOptions)) {
    if (!specs.some((o) => o.name === name)) {
      const owners = allOptionSpecs(builtinEngines()).some((o) => o.name === name);
      if (!owners) {
        throw new UsageError(
          `unknown option --${name}: not an option of durabench run or of ${s.engines.join(', ')} (see durabench run --help and durabench engines)`,
        );
      }
      throw new UsageError(`--${name} does not apply to ${s.engines.join(', ')} (it belongs to another engine; see durabench engines)`);
    }
  }
  for (const e of engines) {
    const { options, problem } = resolveEngineOptions(e, s.engineOptions);
    if (problem) throw new UsageError(problem);
    for (const m of modes) {
      if (!e.modes.includes(m)) continue;
      const p = e.check?.(m, options);
      if (p && modes.length === 1) throw new UsageError(p);
    }
  }

  return {
    name: s.name,
    engines: s.engines.map((n) => (isModulePath(n) ? path.resolve(n) : n)),
    modes,
    batchSizes,
    batchMs,
    writers,
    valueBytes,
    workloads: [...new Set(s.workloads)],
    targets: [...new Set(s.targets)],
    faults,
    engineOptions: s.engineOptions,
    seed: s.seed,
    warmupMs: s.warmupMs,
    durationMs,
    commitsPerWriter,
    repeat: s.repeat,
  };
}
