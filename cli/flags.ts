/**
 * The one flag table (fio's options.c is the model): every option of every command once — name,
 * type, list or single, the suite key it sets, its limits, its help — and the helpers that declare
 * a set of them on a yargs command and read them back as checked values. `run`, `tune` and `crash`
 * declare the same matrix flags from here, so they are spelled, typed and checked the same way
 * everywhere; engine options (built-in and plugin) are accepted by every command that runs engines.
 *
 * Values reach yargs as strings (booleans as booleans) and are converted here, so a message quotes
 * exactly what the user typed.
 */
import type { Argv } from 'yargs';
import {
  COMPARE_ALPHA,
  COMPARE_MIN_EFFECT,
  DEFAULT_CRASH_RUN_MS,
  DEFAULT_CRASH_WINDOW,
  DEFAULT_DEVICE_CACHE,
  DEFAULT_FORMATS,
  DEFAULT_REORDER_STATES,
  DEFAULT_TRIALS,
  LIMITS,
  OUT_ROOT,
  PROBE_DEFAULT_BLOCK_BYTES,
  PROBE_DEFAULT_PASSES,
  PROBE_DEFAULT_PATTERNS,
  PROBE_DEFAULT_SECONDS,
  PROBE_SYNC_THREADS,
  RUN_FS_IMAGE_MIB,
  SUITE_DEFAULTS,
  TUNE_EXPOSURE_STATISTIC,
  type SuiteInput,
} from '../coordinator/defaults.js';
import { allOptionSpecs } from '../engines/options.js';
import { builtinEngines } from '../engines/registry.js';
import type { EngineOptionValue } from '../engines/types.js';
import { UsageError } from '../model/errors.js';
import { checkNumber, quote, type NumberRule } from '../model/validate.js';

/** `repeated`: each occurrence is one value, never split at commas (gate rules contain commas). */
export type FlagKind = 'string' | 'number' | 'boolean' | 'strings' | 'numbers' | 'repeated';

export interface FlagSpec {
  /** Kebab-case flag name, without dashes. */
  readonly name: string;
  /** `strings`/`numbers`: repeatable, and each value may be a comma list. */
  readonly kind: FlagKind;
  readonly describe: string;
  /** Numbers (and each item of a number list) must fit this. */
  readonly rule?: NumberRule;
  readonly choices?: readonly string[];
  /** What one of the choices is called in messages: `--mode 'fast' is not a mode; use sync, batch or none`. */
  readonly noun?: string;
  /** Old spellings still accepted for one release: a deprecation line goes to stderr. */
  readonly deprecated?: readonly string[];
  /** Shown in --help; the real default lives in coordinator/defaults.ts. */
  readonly defaultText?: string;
}

const f = (spec: FlagSpec): FlagSpec => spec;
const list = (xs: readonly unknown[]): string => xs.map(String).join(',');

/** Every option of every command, by name. */
export const FLAGS = {
  // The matrix (run, tune, crash).
  suite: f({ name: 'suite', kind: 'string', describe: 'a bundled suite (default, full, seed) or a suite JSON file; flags override its settings' }),
  engine: f({ name: 'engine', kind: 'strings', describe: 'engines (comma list): built-in names or a module path like ./my-engine.mjs; see durabench engines', defaultText: list(SUITE_DEFAULTS.engines) }),
  mode: f({ name: 'mode', kind: 'strings', choices: ['sync', 'batch', 'delay', 'pipelined', 'none'], noun: 'a mode', describe: 'durability modes (comma list); delay and pipelined need --share log', defaultText: list(SUITE_DEFAULTS.modes) }),
  batchSize: f({ name: 'batch-size', kind: 'numbers', rule: LIMITS.batchSize, describe: 'commits per sync in batch mode (comma list)', deprecated: ['batch-sizes'], defaultText: list(SUITE_DEFAULTS.batchSizes) }),
  batchMs: f({ name: 'batch-ms', kind: 'number', rule: LIMITS.batchMs, describe: 'batch mode: also sync once the oldest unsynced commit is this many ms old' }),
  ack: f({ name: 'ack', kind: 'string', choices: ['after-sync', 'before-sync'], noun: 'an ack point', describe: 'batch mode: ack a commit after the sync covering it (durable group commit; shared log only) or on write (asynchronous commit)', defaultText: 'after-sync on a shared log, before-sync per writer' }),
  commitDelayUs: f({ name: 'commit-delay-us', kind: 'numbers', rule: LIMITS.commitDelayUs, describe: "delay mode: µs the sync leader waits for more commits (PostgreSQL's commit_delay) (comma list)", defaultText: list(SUITE_DEFAULTS.commitDelaysUs) }),
  commitSiblings: f({ name: 'commit-siblings', kind: 'number', rule: LIMITS.commitSiblings, describe: "delay mode: wait only when at least this many other writers are active (PostgreSQL's commit_siblings)", defaultText: String(SUITE_DEFAULTS.commitSiblings) }),
  syncParallelism: f({ name: 'sync-parallelism', kind: 'numbers', rule: LIMITS.syncParallelism, describe: 'pipelined mode: the most syncs in flight at once (comma list)', defaultText: list(SUITE_DEFAULTS.syncParallelisms) }),
  writers: f({ name: 'writers', kind: 'numbers', rule: LIMITS.writers, describe: 'concurrent writers, each on its own thread (comma list; one curve of throughput against writers)', defaultText: list(SUITE_DEFAULTS.writers) }),
  share: f({ name: 'share', kind: 'strings', choices: ['none', 'log'], noun: 'a way to share storage', describe: 'none: each writer its own engine instance and directory; log: all writers on one shared log with group commit (wal) (comma list)', defaultText: 'none' }),
  valueBytes: f({ name: 'value-bytes', kind: 'numbers', rule: LIMITS.valueBytes, describe: 'value size in bytes (comma list)', defaultText: list(SUITE_DEFAULTS.valueBytes) }),
  workload: f({ name: 'workload', kind: 'strings', describe: 'unique (a new key per commit) or overwrite:K (K keys per writer) (comma list)', defaultText: list(SUITE_DEFAULTS.workloads) }),
  fault: f({ name: 'fault', kind: 'strings', describe: 'fault switches to run (comma list; "none" = the correct engine), e.g. flush-no-fsync', defaultText: 'none' }),
  dir: f({ name: 'dir', kind: 'strings', describe: 'target directory (repeatable: one target each)', defaultText: 'the current directory' }),
  seed: f({ name: 'seed', kind: 'number', rule: LIMITS.seed, describe: 'workload seed (keys and values are a pure function of it)', defaultText: String(SUITE_DEFAULTS.seed) }),
  // Measurement (run, tune).
  duration: f({ name: 'duration', kind: 'number', rule: LIMITS.duration, describe: 'measured seconds per case', defaultText: String((SUITE_DEFAULTS.durationMs ?? 0) / 1000) }),
  commits: f({ name: 'commits', kind: 'number', rule: LIMITS.commits, describe: 'measured commits per writer (instead of --duration)' }),
  warmup: f({ name: 'warmup', kind: 'number', rule: LIMITS.warmup, describe: 'warm-up seconds before measurement', defaultText: String(SUITE_DEFAULTS.warmupMs / 1000) }),
  repeat: f({ name: 'repeat', kind: 'number', rule: LIMITS.repeat, describe: 'run every case N times, interleaved; the report gives medians and 95 % intervals', defaultText: '1' }),
  intervalMs: f({ name: 'interval-ms', kind: 'number', rule: LIMITS.intervalMs, describe: 'timeline interval in ms (at least 10)', defaultText: 'adapts to the case: 80–200 points, e.g. 10 ms for 1 s' }),
  keep: f({ name: 'keep', kind: 'boolean', describe: 'keep the engine files in <dir>/durabench-<run id>' }),
  // Crash trials (run and tune: --crash KIND; crash: --kind KINDS).
  crash: f({ name: 'crash', kind: 'string', choices: ['kill', 'power'], noun: 'a crash kind', describe: 'also run crash trials per case: kill (SIGKILL) or power (power cut on a loop image; root)' }),
  kind: f({ name: 'kind', kind: 'strings', choices: ['kill', 'power'], noun: 'a crash kind', describe: 'crash kinds (comma list): kill (SIGKILL of the writer) and/or power (page cache lost; needs root)', defaultText: 'kill' }),
  trials: f({ name: 'trials', kind: 'number', rule: LIMITS.trials, describe: 'crash instants per case (each yields one crash state, or several under --device-cache reorder or --torn)', defaultText: String(DEFAULT_TRIALS) }),
  fs: f({
    name: 'fs',
    kind: 'strings',
    describe:
      'run on loop-mounted images of these filesystems, made in each --dir (comma list; mount options after colons: ext4:data=journal, xfs:logbsize=256k). run and tune run the whole matrix on each (root); crash runs its power trials on them',
    deprecated: ['crash-fs'],
  }),
  mountOptions: f({ name: 'mount-options', kind: 'string', describe: 'mount options of every image durabench makes (--fs images, power-crash images), e.g. data=journal' }),
  imageMib: f({ name: 'image-mib', kind: 'number', rule: LIMITS.imageMib, describe: 'size of every image durabench makes, MiB (sparse)', defaultText: `--fs images ${RUN_FS_IMAGE_MIB}; power-crash images ext4 64, xfs 300, btrfs 128` }),
  writeback: f({ name: 'writeback', kind: 'string', choices: ['none', 'random'], noun: 'a writeback model', describe: 'power crashes: none (the filesystem\'s whole page cache is lost) or random (a seeded random half of its unsynced file blocks reaches the medium first)', defaultText: 'none' }),
  crashAt: f({
    name: 'crash-at',
    kind: 'string',
    describe: 'random, op:K (after the K-th io operation), marker:NAME[:N], or syscall:NAME:K[:before] (the K-th fdatasync, fsync, rename, unlink, write, msync, sync_file_range… of one thread, via strace)',
    defaultText: 'random',
  }),
  crashSweep: f({ name: 'crash-sweep', kind: 'string', describe: 'one crash at every io operation between two markers (marker:A..marker:B) or at every call of a system call in a range (syscall:NAME:A..syscall:NAME:B[:before])' }),
  deviceCache: f({
    name: 'device-cache',
    kind: 'strings',
    choices: ['none', 'volatile', 'reorder'],
    noun: 'a drive-cache model',
    describe: 'power crashes: the drive\'s write cache at the cut (comma list): none (every completed write survives), volatile (only flushed writes survive), reorder (flushed writes plus random subsets of the cached blocks)',
    defaultText: DEFAULT_DEVICE_CACHE,
  }),
  torn: f({ name: 'torn', kind: 'boolean', describe: 'power crashes: one more crash state per instant in which one cached block is torn at a sector boundary' }),
  reorderStates: f({ name: 'reorder-states', kind: 'number', rule: LIMITS.reorderStates, describe: '--device-cache reorder: random subsets of the cached blocks verified per crash instant', defaultText: String(DEFAULT_REORDER_STATES) }),
  crashWindow: f({ name: 'crash-window', kind: 'string', describe: 'where random crash instants fall: A..B seconds after the first ack, or A%..B% of the writer run (spread uniformly)', defaultText: DEFAULT_CRASH_WINDOW }),
  crashDuration: f({ name: 'duration', kind: 'number', rule: LIMITS.duration, describe: 'seconds a writer run lasts: random crash instants are spread over it (see --crash-window); with a crash point, how long the writer may take to reach it (default 20)', defaultText: String(DEFAULT_CRASH_RUN_MS / 1000) }),
  // tune.
  lossBudgetMs: f({ name: 'loss-budget-ms', kind: 'number', rule: LIMITS.lossBudgetMs, describe: 'the most a crash may lose, in ms of acked writes' }),
  lossBudgetCommits: f({ name: 'loss-budget-commits', kind: 'number', rule: LIMITS.lossBudgetCommits, describe: 'the most a crash may lose, in acked commits' }),
  exposure: f({
    name: 'exposure',
    kind: 'string',
    choices: ['p50', 'p99', 'p99.9', 'max'],
    noun: 'an exposure statistic',
    describe: 'which statistic of the declared ack → sync time a budget in ms is held against',
    defaultText: TUNE_EXPOSURE_STATISTIC,
  }),
  // compare.
  by: f({ name: 'by', kind: 'string', choices: ['report', 'target', 'host', 'fs'], noun: 'a way to line cases up', describe: 'sides: each report, the targets of one report, each host, or each filesystem (run --fs images)', defaultText: 'report' }),
  alpha: f({ name: 'alpha', kind: 'number', rule: LIMITS.alpha, describe: 'significance level of the Mann–Whitney test on the repeats', defaultText: String(COMPARE_ALPHA) }),
  minEffect: f({ name: 'min-effect', kind: 'number', rule: LIMITS.minEffect, describe: 'a significant change of the medians smaller than this fraction is noise (0.01 = 1 %)', deprecated: ['noise'], defaultText: String(COMPARE_MIN_EFFECT) }),
  // gate.
  baseline: f({ name: 'baseline', kind: 'string', describe: 'baseline report for relative rules (overrides the rule file)' }),
  rules: f({ name: 'rules', kind: 'string', describe: 'a JSON rule file (see docs/compare-gate-tune.md)' }),
  rule: f({ name: 'rule', kind: 'repeated', describe: "a rule (repeatable; grammar below): 'commit_p99_ns +10%', 'sync_p99_ns < 10ms [mode=sync]'" }),
  normalize: f({ name: 'normalize', kind: 'string', choices: ['raw-sync-p50'], noun: 'a normalisation', describe: "normalise the relative --rule rules by each report's own raw sync p50 (runner speed)" }),
  summary: f({ name: 'summary', kind: 'string', describe: 'also append the Markdown summary to this file (e.g. $GITHUB_STEP_SUMMARY)' }),
  export: f({ name: 'export', kind: 'strings', choices: ['github-action-benchmark', 'bencher'], noun: 'an export', describe: 'CI exports (comma list), written to --out' }),
  allowMissing: f({ name: 'allow-missing', kind: 'boolean', describe: 'a rule that checks nothing (no matching case, the metric not measured) is listed instead of failing with exit 2' }),
  // probe.
  probeDuration: f({ name: 'duration', kind: 'number', rule: LIMITS.duration, describe: 'measured seconds per method and target', deprecated: ['seconds'], defaultText: String(PROBE_DEFAULT_SECONDS) }),
  probeWarmup: f({ name: 'warmup', kind: 'number', rule: LIMITS.warmup, describe: 'warm-up seconds per method and target', defaultText: 'a fifth of --duration, at most 0.2' }),
  blockBytes: f({ name: 'block-bytes', kind: 'numbers', rule: LIMITS.blockBytes, describe: 'write size in bytes of the block-size methods (comma list)', defaultText: String(PROBE_DEFAULT_BLOCK_BYTES) }),
  threads: f({ name: 'threads', kind: 'numbers', rule: LIMITS.threads, describe: 'thread counts of the sync-parallelism methods: K threads syncing at once (comma list)', defaultText: list(PROBE_SYNC_THREADS) }),
  method: f({ name: 'method', kind: 'strings', describe: 'only these probe methods (comma list); see durabench probe --help' }),
  pattern: f({ name: 'pattern', kind: 'strings', choices: ['rewrite', 'sequential'], noun: 'an access pattern', describe: "where the overwrite methods write (comma list): rewrite = the same block(s) at offset 0 every operation (pg_test_fsync's), sequential = stepping through a 16 MiB file", defaultText: list(PROBE_DEFAULT_PATTERNS) }),
  passes: f({ name: 'passes', kind: 'number', rule: LIMITS.passes, describe: 'round-robin passes: every method and target runs this many times, in turn, for a share of --duration', defaultText: String(PROBE_DEFAULT_PASSES) }),
  // Output (every command).
  out: f({ name: 'out', kind: 'string', describe: 'output directory (created if missing; existing report files are kept: new ones go to a fresh <run id> subdirectory unless --force), or - for standard output (one --format, written when the run ends; progress stays on stderr)', defaultText: `${OUT_ROOT}/<run id>` }),
  force: f({ name: 'force', kind: 'boolean', describe: 'overwrite existing files in --out instead of writing to a fresh subdirectory' }),
  format: f({ name: 'format', kind: 'strings', describe: 'output formats (comma list)', deprecated: ['json'], defaultText: list(DEFAULT_FORMATS) }),
  quiet: f({ name: 'quiet', kind: 'boolean', describe: 'no progress on stderr' }),
} as const;

export type FlagName = keyof typeof FLAGS;

/** The matrix flags every command that runs engines declares (run, tune, crash). */
export const MATRIX_FLAGS: readonly FlagSpec[] = [
  FLAGS.suite,
  FLAGS.engine,
  FLAGS.mode,
  FLAGS.batchSize,
  FLAGS.batchMs,
  FLAGS.ack,
  FLAGS.commitDelayUs,
  FLAGS.commitSiblings,
  FLAGS.syncParallelism,
  FLAGS.writers,
  FLAGS.share,
  FLAGS.valueBytes,
  FLAGS.workload,
  FLAGS.fault,
  FLAGS.dir,
  FLAGS.seed,
];
/** How long to measure (run, tune). */
export const MEASURE_FLAGS: readonly FlagSpec[] = [FLAGS.duration, FLAGS.commits, FLAGS.warmup, FLAGS.repeat, FLAGS.intervalMs, FLAGS.keep];
/** How to crash (shared by run/tune --crash and crash --kind). */
export const CRASH_TRIAL_FLAGS: readonly FlagSpec[] = [FLAGS.trials, FLAGS.fs, FLAGS.deviceCache, FLAGS.torn, FLAGS.reorderStates, FLAGS.mountOptions, FLAGS.imageMib, FLAGS.writeback, FLAGS.crashAt, FLAGS.crashSweep, FLAGS.crashWindow];
export const OUTPUT_FLAGS: readonly FlagSpec[] = [FLAGS.out, FLAGS.force, FLAGS.format, FLAGS.quiet];

/** Declare flags on a command; `formats` becomes the --format choices in the help text. */
export function declareFlags<T>(y: Argv<T>, specs: readonly FlagSpec[], formats?: readonly string[], defaultFormats?: readonly string[]): Argv<T> {
  let b = y;
  for (const spec of specs) {
    const isFormat = spec.name === 'format' && formats;
    const describe = [
      spec.describe + (isFormat ? `: ${formats.join(', ')}` : spec.choices ? `: ${spec.choices.join(', ')}` : ''),
      isFormat && defaultFormats ? `(default ${defaultFormats.join(',')})` : spec.defaultText ? `(default ${spec.defaultText})` : '',
    ]
      .filter((x) => x !== '')
      .join(' ');
    b = b.option(spec.name, {
      type: spec.kind === 'boolean' ? 'boolean' : 'string',
      ...(spec.kind === 'strings' || spec.kind === 'numbers' || spec.kind === 'repeated' ? { array: true } : {}),
      describe,
    }) as Argv<T>;
    for (const old of spec.deprecated ?? []) {
      b = b.option(old, { type: old === 'json' ? 'boolean' : 'string', ...(spec.kind === 'strings' || spec.kind === 'numbers' ? { array: true } : {}), hidden: true }) as Argv<T>;
    }
  }
  return b;
}

/** Names a command declared itself (everything else with a kebab-case name is an engine option). */
export function declaredNames(specs: readonly FlagSpec[], extra: readonly string[] = []): Set<string> {
  return new Set([...specs.flatMap((s) => [s.name, ...(s.deprecated ?? [])]), ...extra, 'help', 'version', 'h', '_', '$0']);
}

type Args = Readonly<Record<string, unknown>>;

/** Say once on stderr that an old spelling was used. */
function deprecation(old: string, spec: FlagSpec): void {
  const now = old === 'json' ? '--format json' : `--${spec.name}`;
  process.stderr.write(`durabench: --${old} is deprecated and will be removed in the next release; use ${now}\n`);
}

/** The raw values given for a flag (or its deprecated spellings), or undefined. */
function given(args: Args, spec: FlagSpec): unknown {
  if (args[spec.name] !== undefined) return args[spec.name];
  for (const old of spec.deprecated ?? []) {
    const v = args[old];
    if (v === undefined || v === false) continue;
    deprecation(old, spec);
    return old === 'json' ? ['json'] : v;
  }
  return undefined;
}

/** Comma lists and repeats flattened: `--mode sync,batch --mode none` → [sync, batch, none]. */
function items(v: unknown): string[] {
  return (Array.isArray(v) ? v : [v]).flatMap((x) => String(x).split(',')).map((x) => x.trim());
}

/** `a, b or c`. */
export function orList(xs: readonly string[]): string {
  return xs.length <= 1 ? (xs[0] ?? '') : `${xs.slice(0, -1).join(', ')} or ${xs.at(-1)}`;
}

function checkChoices(values: readonly string[], spec: FlagSpec): void {
  if (!spec.choices) return;
  for (const v of values) {
    if (!spec.choices.includes(v)) throw new UsageError(`--${spec.name} ${quote(v)} is not ${spec.noun ?? 'a valid value'}; use ${orList(spec.choices)}`);
  }
}

export function readString(args: Args, spec: FlagSpec): string | undefined {
  const v = given(args, spec);
  if (v === undefined) return undefined;
  const s = Array.isArray(v) ? String(v.at(-1)) : String(v);
  if (s.trim() === '') throw new UsageError(`--${spec.name} needs a value`);
  checkChoices([s], spec);
  return s;
}

export function readStrings(args: Args, spec: FlagSpec): string[] | undefined {
  const v = given(args, spec);
  if (v === undefined) return undefined;
  const out = items(v).filter((x) => x !== '');
  if (out.length === 0) throw new UsageError(`--${spec.name} needs at least one value`);
  checkChoices(out, spec);
  return out;
}

/** Every occurrence of a repeatable flag, as given (not split at commas). */
export function readRepeated(args: Args, spec: FlagSpec): string[] | undefined {
  const v = given(args, spec);
  if (v === undefined) return undefined;
  const out = (Array.isArray(v) ? v : [v]).map((x) => String(x));
  if (out.some((x) => x.trim() === '')) throw new UsageError(`--${spec.name} needs a value`);
  return out;
}

export function readNumber(args: Args, spec: FlagSpec): number | undefined {
  const v = given(args, spec);
  if (v === undefined) return undefined;
  return checkNumber(Array.isArray(v) ? String(v.at(-1)) : String(v), spec.rule ?? {}, `--${spec.name}`);
}

export function readNumbers(args: Args, spec: FlagSpec): number[] | undefined {
  const v = given(args, spec);
  if (v === undefined) return undefined;
  const raw = items(v);
  if (raw.length === 0 || raw.every((x) => x === '')) throw new UsageError(`--${spec.name} needs at least one value`);
  return raw.map((x) => checkNumber(x, spec.rule ?? {}, `--${spec.name}`));
}

export function readBoolean(args: Args, spec: FlagSpec): boolean {
  return given(args, spec) === true;
}

/** `--format`: every name one of `known`; `fallback` when not given. */
export function readFormats<F extends string>(args: Args, known: readonly F[], fallback: readonly F[]): F[] {
  const formats = readStrings(args, FLAGS.format);
  if (formats === undefined) return [...fallback];
  for (const x of formats) if (!(known as readonly string[]).includes(x)) throw new UsageError(`--format ${quote(x)} is not a format; use ${known.join(', ')}`);
  return [...new Set(formats)] as F[];
}

/** The suite settings the matrix and measurement flags set, and which keys they set. */
export function suiteInputFromFlags(args: Args): { input: SuiteInput; explicit: Set<string> } {
  const input: SuiteInput = {};
  const explicit = new Set<string>();
  const set = <K extends keyof SuiteInput>(k: K, v: SuiteInput[K] | undefined): void => {
    if (v === undefined) return;
    input[k] = v;
    explicit.add(k);
  };
  set('engines', readStrings(args, FLAGS.engine));
  set('modes', readStrings(args, FLAGS.mode));
  set('batchSizes', readNumbers(args, FLAGS.batchSize));
  set('batchMs', readNumber(args, FLAGS.batchMs));
  set('ack', readString(args, FLAGS.ack));
  set('commitDelaysUs', readNumbers(args, FLAGS.commitDelayUs));
  set('commitSiblings', readNumber(args, FLAGS.commitSiblings));
  set('syncParallelisms', readNumbers(args, FLAGS.syncParallelism));
  set('writers', readNumbers(args, FLAGS.writers));
  set('shares', readStrings(args, FLAGS.share));
  set('valueBytes', readNumbers(args, FLAGS.valueBytes));
  set('workloads', readStrings(args, FLAGS.workload));
  set('faults', readStrings(args, FLAGS.fault)?.map((x) => (x === 'none' ? null : x)));
  set('targets', readStrings(args, FLAGS.dir));
  set('seed', readNumber(args, FLAGS.seed));
  const duration = readNumber(args, FLAGS.duration);
  set('durationMs', duration === undefined ? undefined : duration * 1000);
  set('commitsPerWriter', readNumber(args, FLAGS.commits));
  const warmup = readNumber(args, FLAGS.warmup);
  set('warmupMs', warmup === undefined ? undefined : warmup * 1000);
  set('repeat', readNumber(args, FLAGS.repeat));
  return { input, explicit };
}

/**
 * Declare every built-in engine's options (for --help; one spec per name: engines sharing a name
 * share its meaning). Unset flags leave the engine's own default.
 */
export function declareEngineOptions<T>(y: Argv<T>): Argv<T> {
  let b = y;
  for (const spec of allOptionSpecs(builtinEngines())) {
    // Numbers and words reach us as typed (the engine's own check quotes them); switches as booleans.
    b = b.option(spec.name, {
      type: spec.type === 'boolean' ? 'boolean' : 'string',
      describe: `${spec.describe}${spec.choices ? `: ${spec.choices.join(', ')}` : ''} (default ${String(spec.default)})`,
    }) as Argv<T>;
  }
  return b;
}

/**
 * Engine options the user gave: every kebab-case flag the command did not declare itself, as typed
 * (numbers stay text, so a message quotes exactly what was typed). Flags of user engine modules are
 * not known until the module loads, so they pass here and are converted and checked against the
 * selected engines' option specs by the suite resolver (one line if no engine has it).
 */
export function engineOptionsFromArgs(args: Args, declared: ReadonlySet<string>): Record<string, EngineOptionValue> {
  const out: Record<string, EngineOptionValue> = {};
  for (const [k, v] of Object.entries(args)) {
    if (declared.has(k) || /[A-Z]/.test(k) || v === undefined) continue;
    out[k] = (Array.isArray(v) ? v.at(-1) : v) as EngineOptionValue;
  }
  return out;
}

/** The first positional argument a command did not expect, as one clear line. */
export function rejectPositionals(args: Args, command: string, expected = 1): void {
  const extra = ((args['_'] as unknown[] | undefined) ?? []).slice(expected);
  if (extra.length > 0) throw new UsageError(`unexpected argument '${String(extra[0])}' for durabench ${command}; options start with -- (see durabench ${command} --help)`);
}

/** Flags whose value may be `-` (standard output). */
const DASH_VALUE_FLAGS = new Set([`--${FLAGS.out.name}`]);

/**
 * yargs reads a lone `-` as a positional argument, so `--out -` would lose its value: join such
 * pairs into `--out=-` before parsing.
 */
export function joinDashValues(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      out.push(...argv.slice(i));
      break;
    }
    if (DASH_VALUE_FLAGS.has(a) && argv[i + 1] === '-') {
      out.push(`${a}=-`);
      i += 1;
    } else out.push(a);
  }
  return out;
}

/**
 * Switches take no value: yargs reads `--keep=maybe` (or `--keep=1`) as false without a word, so
 * every `--name=value` given to a boolean option must be `true` or `false`. `argv` is the raw
 * command line, `booleans` the boolean options of the command that runs.
 */
export function checkSwitchValues(argv: readonly string[], booleans: readonly string[]): void {
  const names = new Set(booleans);
  for (const token of argv) {
    if (token === '--') break;
    const m = /^--(no-)?([^=]+)=(.*)$/s.exec(token);
    if (!m || !names.has(m[2]!)) continue;
    if (m[3] === 'true' || m[3] === 'false') continue;
    throw new UsageError(`--${m[2]} is a switch and takes no value (got '${token}'); give --${m[2]} or leave it out`);
  }
}
