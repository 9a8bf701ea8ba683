/**
 * From what the user gave (flags, a suite file, or nothing) to a fully resolved suite, or one
 * `UsageError` line naming the option and the fix. Pure apart from reading the suite file, loading
 * the engines and checking that target directories exist and are writable.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import os from 'node:os';
import { allOptionSpecs, coerceOptionValue, resolveEngineOptions } from '../engines/options.js';
import { builtinEngines, EngineLoadError, isModulePath, loadEngine } from '../engines/registry.js';
import type { EngineFactory } from '../engines/types.js';
import { SHARES, type Share } from '../model/case.js';
import { ACKS, engineModeOf, isCaseMode, isGroupMode, type Ack, type CaseMode } from '../model/durability.js';
import { UsageError } from '../model/errors.js';
import type { ResolvedSuite } from '../model/run-report.js';
import { checkNumber, nonEmpty, unique } from '../model/validate.js';
import { parseWorkload } from '../workers/workload.js';
import { writeProblem } from '../workspace/workdir.js';
import { LIMITS, MAX_SCHEDULED_RUNS, maxWriters, SUITE_DEFAULTS, WRITERS_PER_CORE, type SuiteInput } from './defaults.js';
import { planCases } from './plan.js';
import { checkRunSuite } from './suite-file.js';

export type { SuiteInput } from './defaults.js';

/** Directory of the bundled suites (`suites/` at the package root, from dist/coordinator or coordinator/). */
export function suitesDir(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!fs.existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return path.join(dir, 'suites');
}

/** Read a suite file (bundled name or path) as JSON; its shape is checked by the caller (suite-file.ts). */
export function readSuiteJson(nameOrPath: string): unknown {
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
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`--suite '${nameOrPath}' is not valid JSON (${(err as Error).message}); see suites/full.json for the format`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new UsageError(`--suite '${nameOrPath}' must hold a JSON object of suite fields; see suites/full.json for the format`);
  return parsed;
}

/** Load and check a run suite by bundled name (`default`, `full`) or by file path. */
export function loadSuite(nameOrPath: string): SuiteInput {
  const s = checkRunSuite(readSuiteJson(nameOrPath), nameOrPath);
  return { ...s } as SuiteInput;
}

/** Is the suite file a crash suite (`"kind": "crash"`)? */
export function isCrashSuite(nameOrPath: string): boolean {
  return (readSuiteJson(nameOrPath) as Record<string, unknown>)['kind'] === 'crash';
}

/**
 * Check that a target exists, is a directory and (unless `write: false`) takes new files: an empty
 * file is created and removed there, because access(2) says yes to root on /proc and on read-only
 * bind mounts alike.
 */
export function checkTarget(dir: string, opts: { write?: boolean } = {}): void {
  let st: fs.Stats;
  try {
    st = fs.statSync(dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UsageError(`--dir '${dir}' does not exist; create it first or give an existing directory`);
    throw new UsageError(`--dir '${dir}' cannot be used (${code ?? (err as Error).message}); give a directory on the disk to test`);
  }
  if (!st.isDirectory()) throw new UsageError(`--dir '${dir}' is not a directory; give a directory on the disk to test`);
  if (opts.write === false) return;
  const p = writeProblem(dir);
  if (p) throw new UsageError(`--dir '${dir}' is not writable (${p.message}); give a directory on the disk to test that you can write to`);
}

/**
 * Targets checked and de-duplicated by their real path (`--dir X --dir X/` or a symlink to X is
 * one target), in the order given, each as the user typed it first.
 */
export function uniqueTargets(dirs: readonly string[], opts: { write?: boolean } = {}): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const d of dirs) {
    checkTarget(d, opts);
    const real = fs.realpathSync(d);
    if (seen.has(real)) continue;
    seen.add(real);
    out.push(d);
  }
  return out;
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

function numbers(list: readonly number[], rule: (typeof LIMITS)[keyof typeof LIMITS], flag: string, example: string): number[] {
  return unique(nonEmpty(list, flag, example).map((v) => checkNumber(v, rule, flag)));
}

/**
 * `given` holds what the suite file and the flags set (flags win); `explicit` says which keys came
 * from the command line (a stop condition given there replaces the suite's).
 */
export async function resolveSuite(given: SuiteInput, explicit: ReadonlySet<string> = new Set(), command = 'run'): Promise<ResolvedSuite> {
  const s: Required<SuiteInput> = { ...SUITE_DEFAULTS, ...Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined)) };

  if (!Array.isArray(s.engines)) throw new UsageError(`--engine needs a list of engines; got ${JSON.stringify(s.engines)}`);
  const engines = await loadEngines(s.engines);
  if (engines.length === 0) throw new UsageError('--engine needs at least one engine; see durabench engines');

  for (const m of s.modes) if (!isCaseMode(m)) throw new UsageError(`--mode '${m}' is not a mode; use sync, batch, delay, pipelined or none`);
  const modes = unique(nonEmpty(s.modes, '--mode', '--mode sync,batch')) as CaseMode[];

  if (!Array.isArray(s.shares)) throw new UsageError(`--share needs a list of none and/or log; got ${JSON.stringify(s.shares)}`);
  for (const x of s.shares) if (!(SHARES as readonly string[]).includes(x)) throw new UsageError(`--share '${x}' is not a way to share storage; use none or log`);
  const shares = unique(nonEmpty(s.shares, '--share', '--share log')) as Share[];
  const shared = shares.includes('log');
  for (const m of modes) {
    if (isGroupMode(m) && !shared) throw new UsageError(`--mode ${m} runs only on a shared log; add --share log (with --engine wal)`);
  }
  if (s.ack !== null && !(ACKS as readonly string[]).includes(s.ack)) throw new UsageError(`--ack '${s.ack}' is not an ack point; use after-sync or before-sync`);
  const ack = s.ack as Ack | null;
  if (ack !== null && !modes.includes('batch')) throw new UsageError('--ack only applies to --mode batch; add batch to --mode or drop the option');
  if (ack === 'after-sync' && !shared) {
    throw new UsageError('--ack after-sync needs --share log: a writer alone cannot fill a batch while it waits for it (per writer, batch acks before the sync)');
  }
  const onlyFor = (key: keyof SuiteInput, flag: string, mode: CaseMode): void => {
    if (explicit.has(key) && !modes.includes(mode)) throw new UsageError(`--${flag} only applies to --mode ${mode}; add ${mode} to --mode or drop the option`);
  };
  onlyFor('commitDelaysUs', 'commit-delay-us', 'delay');
  onlyFor('commitSiblings', 'commit-siblings', 'delay');
  onlyFor('syncParallelisms', 'sync-parallelism', 'pipelined');
  const commitDelaysUs = numbers(s.commitDelaysUs, LIMITS.commitDelayUs, '--commit-delay-us', '--commit-delay-us 100');
  const commitSiblings = checkNumber(s.commitSiblings, LIMITS.commitSiblings, '--commit-siblings');
  const syncParallelisms = numbers(s.syncParallelisms, LIMITS.syncParallelism, '--sync-parallelism', '--sync-parallelism 1,2,4');

  const batchSizes = numbers(s.batchSizes, LIMITS.batchSize, '--batch-size', '--batch-size 16');
  if (!modes.includes('batch') && (explicit.has('batchSizes') || explicit.has('batchMs'))) {
    throw new UsageError(`--${explicit.has('batchSizes') ? 'batch-size' : 'batch-ms'} only applies to --mode batch; add batch to --mode or drop the option`);
  }
  const batchMs = s.batchMs === null ? null : checkNumber(s.batchMs, LIMITS.batchMs, '--batch-ms');
  const writers = numbers(s.writers, LIMITS.writers, '--writers', '--writers 1,4');
  // Writers are threads with their own engine: far more than the cores can run only measures the scheduler.
  const most = maxWriters();
  const tooMany = writers.find((w) => w > most);
  if (tooMany !== undefined) {
    const cores = os.availableParallelism();
    throw new UsageError(`${explicit.has('writers') ? '--writers' : 'the suite\'s "writers"'} ${tooMany} is more than this machine runs: at most ${most} (${WRITERS_PER_CORE} per CPU core × ${cores} core${cores === 1 ? '' : 's'})`);
  }
  const valueBytes = numbers(s.valueBytes, LIMITS.valueBytes, '--value-bytes', '--value-bytes 128');
  for (const w of s.workloads) {
    if (!parseWorkload(w)) throw new UsageError(`--workload '${w}' is not a workload; use unique or overwrite:K (K keys per writer)`);
  }
  const workloads = unique(nonEmpty(s.workloads, '--workload', '--workload unique'));

  if (explicit.has('durationMs') && explicit.has('commitsPerWriter')) throw new UsageError('give either --duration or --commits, not both');
  const commitsPerWriter = explicit.has('durationMs') ? null : s.commitsPerWriter;
  const durationMs = commitsPerWriter !== null ? null : s.durationMs;
  if (durationMs !== null) checkNumber(durationMs / 1000, LIMITS.duration, '--duration');
  if (commitsPerWriter !== null) checkNumber(commitsPerWriter, LIMITS.commits, '--commits');
  if (durationMs === null && commitsPerWriter === null) throw new UsageError('give --duration SECONDS or --commits N');
  checkNumber(s.warmupMs / 1000, LIMITS.warmup, '--warmup');
  checkNumber(s.seed, LIMITS.seed, '--seed');
  checkNumber(s.repeat, LIMITS.repeat, '--repeat');

  const targets = uniqueTargets(nonEmpty(s.targets, '--dir', '--dir /mnt/nvme'));

  if (shared && !engines.some((e) => e.sharedLog)) {
    throw new UsageError(`--share log: ${s.engines.join(', ')} ${engines.length === 1 ? 'does' : 'do'} not run a shared log; use --engine wal`);
  }

  // Faults: each must exist on at least one selected engine.
  const faults = unique(s.faults);
  for (const f of faults) {
    if (f !== null && !engines.some((e) => e.faults.some((x) => x.name === f))) {
      const known = unique(engines.flatMap((e) => e.faults.map((x) => x.name)));
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
        throw new UsageError(`unknown option --${name}: not an option of durabench ${command} or of ${s.engines.join(', ')} (see durabench ${command} --help and durabench engines)`);
      }
      throw new UsageError(`--${name} does not apply to ${s.engines.join(', ')} (it belongs to another engine; see durabench engines)`);
    }
  }
  for (const e of engines) {
    const { options, problem } = resolveEngineOptions(e, s.engineOptions);
    if (problem) throw new UsageError(problem);
    for (const cm of modes) {
      const m = engineModeOf(cm);
      if (!e.modes.includes(m)) continue;
      const p = e.check?.(m, options);
      if (p && modes.length === 1) throw new UsageError(p);
    }
  }
  // The given options in their types (text from the command line becomes numbers and switches).
  const engineOptions = Object.fromEntries(
    Object.entries(s.engineOptions).map(([name, v]) => {
      const c = coerceOptionValue(specs.find((o) => o.name === name)!, v);
      if (c.problem !== null) throw new UsageError(c.problem);
      return [name, c.value];
    }),
  );

  const resolved: ResolvedSuite = {
    name: s.name,
    engines: s.engines.map((n) => (isModulePath(n) ? path.resolve(n) : n)),
    modes,
    batchSizes,
    batchMs,
    ack,
    commitDelaysUs,
    commitSiblings,
    syncParallelisms,
    writers,
    shares,
    valueBytes,
    workloads,
    targets,
    faults,
    engineOptions,
    seed: s.seed,
    warmupMs: s.warmupMs,
    durationMs,
    commitsPerWriter,
    repeat: s.repeat,
  };
  // Every run is kept in memory until the report is written (repeats are merged from all of them).
  const cases = planCases(resolved, engines).filter((c) => c.skip === null).length;
  if (cases * resolved.repeat > MAX_SCHEDULED_RUNS) {
    throw new UsageError(
      `the matrix has ${cases} cases${resolved.repeat > 1 ? ` × --repeat ${resolved.repeat}` : ''} = ${cases * resolved.repeat} runs; at most ${MAX_SCHEDULED_RUNS} per command: narrow the matrix (fewer engines, modes, sizes, writers)${resolved.repeat > 1 ? ' or lower --repeat' : ''}`,
    );
  }
  return resolved;
}
