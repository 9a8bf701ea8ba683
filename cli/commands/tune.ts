/**
 * `durabench tune --engine E --batch-sizes 1,2,4,…,1024 [--loss-budget-ms X | --loss-budget-commits N]`:
 * a batch-size sweep through the normal run (coordinator/run.ts), optionally with crash trials per
 * setting, then the Pareto front and the recommendation (reports/tune.ts). The report (with its
 * `tune` section) is written like a run's; the HTML has the sweep chart.
 */
import path from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { crashAfterCase, runCrashSettings } from '../../coordinator/crash/attach.js';
import { silentProgress, StderrProgress } from '../../coordinator/progress.js';
import { loadEngines, resolveSuite, type SuiteInput } from '../../coordinator/resolve.js';
import { Run } from '../../coordinator/run.js';
import { UsageError } from '../../coordinator/usage-error.js';
import { newRunId } from '../../coordinator/workdir.js';
import { ReportOutput } from '../../reports/output.js';
import { isReportFormat, type ReportFormat } from '../../reports/render/index.js';
import { renderTuneConsole } from '../../reports/render/tune-console.js';
import type { LossBudget } from '../../reports/schema.js';
import { analyzeSweep } from '../../reports/tune.js';
import { listOption, numberList, parseFormats, withEngineOptionFlags, engineOptionsFromArgs } from '../options.js';
import { interruptible } from '../interrupt.js';

const DEFAULT_BATCH_SIZES = ['1', '2', '4', '8', '16', '32', '64', '128', '256', '512', '1024'];

interface TuneArgs {
  engine: string;
  'batch-sizes': string[];
  'batch-ms'?: number;
  'loss-budget-ms'?: number;
  'loss-budget-commits'?: number;
  crash?: string;
  trials?: number;
  'crash-fs'?: string;
  dir?: string;
  duration?: number;
  warmup?: number;
  writers?: number;
  'value-bytes'?: number;
  repeat?: number;
  seed?: number;
  out?: string;
  format: string[];
  quiet: boolean;
  [engineOption: string]: unknown;
}

function builder(y: Argv): Argv<TuneArgs> {
  let b = y
    .option('engine', { type: 'string', demandOption: true, describe: 'the engine to tune (see durabench engines)' })
    .option('batch-sizes', { ...listOption('batch sizes to sweep (comma list)'), default: DEFAULT_BATCH_SIZES })
    .option('batch-ms', { type: 'number', describe: 'also sync once the oldest unsynced commit is this many ms old' })
    .option('loss-budget-ms', { type: 'number', describe: 'the most a crash may lose, in ms of acked writes' })
    .option('loss-budget-commits', { type: 'number', describe: 'the most a crash may lose, in acked commits' })
    .option('crash', { type: 'string', describe: 'measure loss per setting: kill or power (needs root)' })
    .option('trials', { type: 'number', describe: 'crash trials per setting with --crash (default 5)' })
    .option('crash-fs', { type: 'string', describe: 'image filesystem for --crash power: ext4, xfs, btrfs' })
    .option('dir', { type: 'string', describe: 'target directory (default: the current directory)' })
    .option('duration', { type: 'number', describe: 'measured seconds per setting (default 1)' })
    .option('warmup', { type: 'number', describe: 'warm-up seconds per setting (default 0.2)' })
    .option('writers', { type: 'number', describe: 'concurrent writers (default 1)' })
    .option('value-bytes', { type: 'number', describe: 'value size in bytes (default 128)' })
    .option('repeat', { type: 'number', describe: 'run each setting N times, interleaved (medians decide)' })
    .option('seed', { type: 'number', describe: 'workload seed' })
    .option('out', { type: 'string', describe: 'report directory (default durabench-out/<run id>)' })
    .option('format', { ...listOption('report formats: json, csv, md, html (comma list)'), default: ['json', 'md', 'html'] })
    .option('quiet', { type: 'boolean', default: false, describe: 'no progress on stderr' })
    .conflicts('loss-budget-ms', 'loss-budget-commits') as unknown as Argv<TuneArgs>;
  return withEngineOptionFlags(b).example(
    '$0 tune --engine wal --loss-budget-ms 5 --dir /mnt/nvme',
    'the fastest group commit that loses at most 5 ms of acked writes',
  );
}

function budgetFrom(args: TuneArgs): LossBudget | null {
  const ms = args['loss-budget-ms'];
  const commits = args['loss-budget-commits'];
  if (ms !== undefined && commits !== undefined) throw new UsageError('give either --loss-budget-ms or --loss-budget-commits, not both');
  if (ms !== undefined) {
    if (!(Number.isFinite(ms) && ms >= 0)) throw new UsageError(`--loss-budget-ms must be a number ≥ 0, got '${ms}'`);
    return { kind: 'ms', ms };
  }
  if (commits !== undefined) {
    if (!(Number.isInteger(commits) && commits >= 0))
      throw new UsageError(`--loss-budget-commits must be a whole number ≥ 0, got '${commits}'`);
    return { kind: 'commits', commits };
  }
  return null;
}

async function handler(args: TuneArgs): Promise<void> {
  const formats = parseFormats(args.format, isReportFormat, 'json, csv, md, html') as ReportFormat[];
  if (typeof args.engine !== 'string' || args.engine.includes(',')) throw new UsageError('--engine takes one engine for tune');
  const budget = budgetFrom(args);
  for (const k of ['duration', 'warmup', 'writers', 'value-bytes', 'repeat', 'seed', 'batch-ms', 'trials'] as const) {
    const v = args[k];
    if (v !== undefined && (typeof v !== 'number' || Number.isNaN(v))) throw new UsageError(`--${k} must be a number`);
  }
  const engineOptions = engineOptionsFromArgs(args);
  const input: SuiteInput = {
    name: `tune-${args.engine}`,
    engines: [args.engine],
    modes: ['batch'],
    batchSizes: numberList(args['batch-sizes'], '--batch-sizes'),
    batchMs: args['batch-ms'] ?? null,
    ...(args.writers !== undefined ? { writers: [args.writers] } : {}),
    ...(args['value-bytes'] !== undefined ? { valueBytes: [args['value-bytes']] } : {}),
    targets: [args.dir ?? '.'],
    faults: [null],
    engineOptions,
    ...(args.duration !== undefined ? { durationMs: args.duration * 1000 } : {}),
    ...(args.warmup !== undefined ? { warmupMs: args.warmup * 1000 } : {}),
    ...(args.repeat !== undefined ? { repeat: args.repeat } : {}),
    ...(args.seed !== undefined ? { seed: args.seed } : {}),
  };
  const explicit = new Set([
    'batchSizes',
    ...(args['batch-ms'] !== undefined ? ['batchMs'] : []),
    ...(args.duration !== undefined ? ['durationMs'] : []),
  ]);
  const suite = await resolveSuite(input, explicit);
  const factories = await loadEngines(suite.engines);
  const crash = runCrashSettings(args.crash, args.trials, args['crash-fs']);
  const outDir = path.resolve(args.out ?? path.join('durabench-out', newRunId()));
  const output = new ReportOutput(outDir, formats);
  let runRef: Run | undefined;
  const afterCase = crash ? crashAfterCase({ ...crash, isInterrupted: () => runRef?.wasInterrupted ?? false }) : undefined;
  const run = new Run({
    suite,
    factories,
    output,
    progress: args.quiet ? silentProgress : new StderrProgress(),
    keep: false,
    ...(afterCase ? { afterCase } : {}),
  });
  runRef = run;
  await interruptible(run, 'stopping the sweep and writing the partial report', async () => {
    const report = await run.execute();
    const measured = report.cases.some((c) => c.state === 'completed' && c.crash !== undefined);
    report.tune = analyzeSweep({
      report,
      engine: args.engine,
      budget,
      crash: crash === null ? 'not-requested' : measured ? 'measured' : 'pending',
      notes:
        crash !== null && !measured
          ? ['Crash trials were asked for but none completed (see the warnings): the budget was checked against declared exposure only.']
          : [],
    });
    output.write(report);
    process.stdout.write(renderTuneConsole(report.tune));
    process.stderr.write(`reports: ${output.paths().join(', ')}\n`);
    if (run.wasInterrupted) process.exitCode = 130;
  });
}

export const tuneCommand: CommandModule<object, TuneArgs> = {
  command: 'tune',
  describe: 'sweep batch sizes, mark the Pareto front and recommend the fastest setting inside a loss budget',
  builder,
  handler,
};
