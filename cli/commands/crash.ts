/**
 * `durabench crash`: measured loss of acked commits after a process kill or a power cut, per engine
 * setting, with a verdict against what the mode declares. A matrix from flags (comma lists), or a
 * crash suite (`--suite seed`: the analysed code's table reproduced as measurements).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { loadEngine } from '../../engines/registry.js';
import type { EngineFactory } from '../../engines/types.js';
import { loadSuite } from '../../coordinator/resolve.js';
import { UsageError } from '../../coordinator/usage-error.js';
import { newRunId } from '../../coordinator/workdir.js';
import { CrashRun, isCrashReportFormat } from '../../coordinator/crash/crash-run.js';
import {
  checkCrashSuite,
  kindsFromFlags,
  linesFromFlags,
  planCrashCases,
  type CrashCaseLine,
  type CrashKindSpec,
} from '../../coordinator/crash/matrix.js';
import { renderCrashConsole } from '../../reports/render/crash-console.js';
import { parseWorkload } from '../../workers/workload.js';
import { listOption, numberList, parseFormats, withEngineOptionFlags, engineOptionsFromArgs } from '../options.js';
import { interruptible } from '../interrupt.js';

interface CrashArgs {
  suite?: string;
  engine?: string[];
  mode?: string[];
  'batch-size'?: string[];
  'batch-ms'?: number;
  fault?: string[];
  kind?: string[];
  fs?: string[];
  'mount-options'?: string;
  'image-mib'?: number;
  writeback?: string;
  trials?: number;
  'crash-at'?: string;
  'crash-sweep'?: string;
  'value-bytes'?: string[];
  workload?: string[];
  seed?: number;
  dir?: string;
  out?: string;
  format: string[];
  quiet: boolean;
  [engineOption: string]: unknown;
}

function builder(y: Argv): Argv<CrashArgs> {
  let b = y
    .option('suite', {
      type: 'string',
      describe: "a crash suite: seed (the analysed code's table) or a suite JSON file; flags override its trials, seed, dir",
    })
    .option('engine', listOption('engines (comma list; default raw)'))
    .option('mode', listOption('durability modes: sync, batch, none (comma list; default sync)'))
    .option('batch-size', listOption('commits per sync in batch mode (comma list; default 16)'))
    .option('batch-ms', { type: 'number', describe: 'batch mode: also sync once the oldest unsynced commit is this many ms old' })
    .option('fault', listOption('fault switches (comma list; "none" = the correct engine; default none)'))
    .option('kind', listOption('crash kinds: kill (SIGKILL of the writer) and/or power (page cache lost; needs root) (default kill)'))
    .option('fs', listOption('power: filesystems of the loop-mounted image: ext4, xfs, btrfs (comma list; default ext4)'))
    .option('mount-options', { type: 'string', describe: 'power: mount options of the image, e.g. data=journal' })
    .option('writeback', {
      type: 'string',
      describe:
        'power: none (default: the whole page cache is lost) or random (a seeded random half of the unsynced blocks reaches the disk first)',
    })
    .option('image-mib', { type: 'number', describe: 'power: image size in MiB (default ext4 64, xfs 300, btrfs 128)' })
    .option('trials', { type: 'number', describe: 'crash trials per case (default 5; the seed suite: 3)' })
    .option('crash-at', { type: 'string', describe: 'random (default), op:K (after the K-th io operation) or marker:NAME[:N]' })
    .option('crash-sweep', { type: 'string', describe: 'one trial at every io operation between two markers: marker:A..marker:B' })
    .option('value-bytes', listOption('value size in bytes (comma list; default 128)'))
    .option('workload', listOption('unique (a new key per commit) or overwrite:K (comma list; default unique)'))
    .option('seed', { type: 'number', describe: 'workload and crash-instant seed (default 1)' })
    .option('dir', { type: 'string', describe: 'target directory: scratch files and images go there (default: the current directory)' })
    .option('out', { type: 'string', describe: 'report directory (default durabench-out/crash-<run id>)' })
    .option('format', { ...listOption('report formats: json, md (comma list)'), default: ['json', 'md'] })
    .option('quiet', { type: 'boolean', default: false, describe: 'no progress on stderr' }) as unknown as Argv<CrashArgs>;
  return withEngineOptionFlags(b)
    .example('$0 crash --engine raw --mode sync,none --kind kill,power --fs ext4,xfs', 'loss under kill and power cut')
    .example('$0 crash --suite seed', 'which implementation loses what: correct engines, faults and none mode, kill and power')
    .example(
      '$0 crash --engine lsm --crash-sweep marker:flush-start..marker:wal-truncated --kind power',
      'every io operation of one flush',
    );
}

function positive(v: number | undefined, flag: string, min: number): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v) || !Number.isInteger(v) || v < min)
    throw new UsageError(`${flag} must be a whole number ≥ ${min}, got '${String(v)}'`);
  return v;
}

/** Load every named engine; an unknown built-in name becomes a skipped case only inside a suite. */
async function loadFactories(names: readonly string[], strict: boolean): Promise<Map<string, EngineFactory | null>> {
  const m = new Map<string, EngineFactory | null>();
  for (const n of new Set(names)) {
    try {
      m.set(n, await loadEngine(n));
    } catch (err) {
      if (strict) throw new UsageError(`--engine: ${(err as Error).message}`);
      m.set(n, null);
    }
  }
  return m;
}

async function handler(args: CrashArgs): Promise<void> {
  const formats = parseFormats(args.format, isCrashReportFormat, 'json, md');
  const trialsFlag = positive(args.trials, '--trials', 1);
  const imageMib = positive(args['image-mib'], '--image-mib', 1);
  const seed = args.seed ?? undefined;
  if (seed !== undefined && !Number.isFinite(seed)) throw new UsageError(`--seed must be a number`);
  if (args['batch-ms'] !== undefined && !(Number.isFinite(args['batch-ms']) && args['batch-ms'] > 0))
    throw new UsageError('--batch-ms must be a number > 0');
  const dir = path.resolve(args.dir ?? '.');
  try {
    if (!fs.statSync(dir).isDirectory()) throw new Error('not a directory');
    fs.accessSync(dir, fs.constants.W_OK);
  } catch {
    throw new UsageError(`--dir '${args.dir ?? '.'}' is not a writable directory; create it or choose another`);
  }
  if (args['crash-at'] && args['crash-sweep']) throw new UsageError('--crash-at and --crash-sweep exclude each other; give one');
  const engineOptions = engineOptionsFromArgs(args);

  let lines: CrashCaseLine[];
  let kinds: CrashKindSpec[];
  let trials: number;
  let suiteName: string | null = null;
  let valueBytes: number[];
  let batchMs: number | null = args['batch-ms'] ?? null;
  let factories: Map<string, EngineFactory | null>;
  if (args.suite) {
    const suite = checkCrashSuite(loadSuite(args.suite), args.suite);
    suiteName = suite.name;
    factories = await loadFactories(
      suite.cases.map((c) => c.engine),
      false,
    );
    lines = [...suite.cases];
    kinds = args.kind ? kindsFromFlags(args.kind, args.fs ?? ['ext4'], args.writeback) : [...suite.kinds];
    trials = trialsFlag ?? suite.trials ?? 3;
    valueBytes = args['value-bytes'] ? numberList(args['value-bytes'], '--value-bytes') : [suite.valueBytes ?? 128];
    batchMs = args['batch-ms'] ?? suite.batchMs ?? null;
  } else {
    const engines = args.engine ?? ['raw'];
    factories = await loadFactories(engines, true);
    lines = linesFromFlags(
      engines,
      args.mode ?? ['sync'],
      args['batch-size'] ? numberList(args['batch-size'], '--batch-size') : [16],
      (args.fault ?? ['none']).map((f) => (f === 'none' ? null : f)),
      args['crash-at'],
      args['crash-sweep'],
      factories,
    );
    kinds = kindsFromFlags(args.kind ?? ['kill'], args.fs ?? ['ext4'], args.writeback);
    trials = trialsFlag ?? 5;
    valueBytes = args['value-bytes'] ? numberList(args['value-bytes'], '--value-bytes') : [128];
  }
  for (const v of valueBytes) if (!Number.isInteger(v) || v < 1) throw new UsageError(`--value-bytes must be a whole number ≥ 1, got ${v}`);
  const workloads = args.workload ?? ['unique'];
  for (const w of workloads)
    if (!parseWorkload(w)) throw new UsageError(`--workload '${w}' is not a workload; use unique or overwrite:K (K ≥ 1)`);
  const cases = planCrashCases(
    lines,
    {
      kinds,
      valueBytes,
      workloads,
      batchMs,
      mountOptions: args['mount-options'] ?? null,
      imageMib: imageMib ?? null,
      seed: seed ?? 1,
      engineOptions,
    },
    factories,
  );
  const outDir = path.resolve(args.out ?? path.join('durabench-out', `crash-${newRunId()}`));
  const say = (s: string): void => {
    if (!args.quiet) process.stderr.write(s);
  };
  const run = new CrashRun({
    cases,
    suite: suiteName,
    trials,
    seed: seed ?? 1,
    dir,
    outDir,
    formats,
    onCaseStart: (i, n, id) => say(`[${i}/${n}] ${id} `),
    onTrial: (t) => say(t.error ? 'E' : t.lost > 0 ? 'x' : '.'),
    onCaseEnd: (c) => say(c.state === 'completed' ? ` lost max ${c.crash.lostMax}, ${c.crash.verdict}\n` : ` ${c.state}: ${c.reason}\n`),
  });
  await interruptible(
    run,
    'finishing the current trial and writing the partial report',
    async () => {
      const report = await run.execute();
      process.stdout.write(renderCrashConsole(report));
      process.stderr.write(`reports: ${run.paths().join(', ')}\n`);
      if (run.wasInterrupted) process.exitCode = 130;
    },
    ['SIGINT', 'SIGTERM'],
  );
}

export const crashCommand: CommandModule<object, CrashArgs> = {
  command: 'crash',
  describe: 'crash trials (process kill or power cut): measured loss of acked commits and a durability verdict',
  builder,
  handler,
};
