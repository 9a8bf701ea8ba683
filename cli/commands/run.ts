/**
 * `durabench run`: expand the matrix from flags and/or a suite, run it, write the reports after
 * every case, print the summary table. With no flags: the quick default suite in a temporary
 * directory on the filesystem of the current directory.
 */
import path from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import type { EngineOptionValue } from '../../engines/types.js';
import { loadEngines, loadSuite, resolveSuite, type SuiteInput } from '../../coordinator/resolve.js';
import { Run } from '../../coordinator/run.js';
import { silentProgress, StderrProgress } from '../../coordinator/progress.js';
import { UsageError } from '../../coordinator/usage-error.js';
import { newRunId } from '../../coordinator/workdir.js';
import { interruptible } from '../interrupt.js';
import { ReportOutput } from '../../reports/output.js';
import type { Warning } from '../../reports/schema.js';
import { renderConsole } from '../../reports/render/console.js';
import { isReportFormat, type ReportFormat } from '../../reports/render/index.js';
import { listOption, numberList, parseFormats, withEngineOptionFlags } from '../options.js';
// crash lab (issue 4): --crash kill|power --trials N attaches measured loss to each case
import { crashAfterCase, runCrashSettings } from '../../coordinator/crash/attach.js';

interface RunArgs {
  _?: (string | number)[];
  suite?: string;
  engine?: string[];
  mode?: string[];
  'batch-size'?: string[];
  'batch-ms'?: number;
  writers?: string[];
  'value-bytes'?: string[];
  workload?: string[];
  fault?: string[];
  duration?: number;
  commits?: number;
  warmup?: number;
  dir?: string[];
  out?: string;
  format: string[];
  seed?: number;
  repeat?: number;
  keep: boolean;
  quiet: boolean;
  crash?: string;
  trials?: number;
  'crash-fs'?: string;
  [engineOption: string]: unknown;
}

/** Options of `run` itself (engine options are everything else). */
const DECLARED = new Set([
  'suite',
  'engine',
  'mode',
  'batch-size',
  'batch-ms',
  'writers',
  'value-bytes',
  'workload',
  'fault',
  'duration',
  'commits',
  'warmup',
  'dir',
  'out',
  'format',
  'seed',
  'repeat',
  'keep',
  'quiet',
  // crash lab (issue 4)
  'crash',
  'trials',
  'crash-fs',
  'help',
  'version',
  'h',
]);

function builder(y: Argv): Argv<RunArgs> {
  let b = y
    // Unknown flags may be options of a user engine module: resolveSuite checks them.
    .strict(false)
    .option('suite', { type: 'string', describe: 'a bundled suite name (default, full, ...) or a suite JSON file; flags override it' })
    .option('engine', listOption('engines to run (comma list); see durabench engines'))
    .option('mode', listOption('durability modes: sync, batch, none (comma list)'))
    .option('batch-size', listOption('commits per sync in batch mode (comma list)'))
    .option('batch-ms', { type: 'number', describe: 'batch mode: also sync once the oldest unsynced commit is this many ms old' })
    .option('writers', listOption('concurrent writers, each on its own thread and engine instance (comma list)'))
    .option('value-bytes', listOption('value size in bytes (comma list)'))
    .option('workload', listOption('unique (a new key per commit) or overwrite:K (comma list)'))
    .option('fault', listOption('fault switches to run besides the correct engine, e.g. flush-no-fsync (comma list; "none" = correct)'))
    .option('duration', { type: 'number', describe: 'measured seconds per case (default 1)' })
    .option('commits', { type: 'number', describe: 'measured commits per writer (instead of --duration)' })
    .option('warmup', { type: 'number', describe: 'warm-up seconds before measurement (default 0.2)' })
    .option('dir', {
      type: 'string',
      array: true,
      describe: 'target directory (repeatable: one target each); default: the current directory',
    })
    .option('out', { type: 'string', describe: 'report directory (default durabench-out/<run id>)' })
    .option('format', { ...listOption('report formats: json, csv, md, html (comma list)'), default: ['json', 'csv', 'md'] })
    .option('seed', { type: 'number', describe: 'workload seed (keys and values are a pure function of it)' })
    .option('repeat', { type: 'number', describe: 'run every case N times, interleaved; the report gives medians and 95 % intervals' })
    .option('keep', { type: 'boolean', default: false, describe: 'keep the engine files in <dir>/durabench-<run id>' })
    .option('quiet', { type: 'boolean', default: false, describe: 'no progress on stderr' })
    // crash lab (issue 4)
    .option('crash', {
      type: 'string',
      describe: 'also run crash trials per case: kill (SIGKILL) or power (power cut on a loop image; root)',
    })
    .option('trials', { type: 'number', describe: 'crash trials per case with --crash (default 5)' })
    .option('crash-fs', {
      type: 'string',
      describe: 'filesystem of the image for --crash power: ext4, xfs, btrfs (default ext4)',
    }) as unknown as Argv<RunArgs>;
  return withEngineOptionFlags(b)
    .example('$0 run', 'the quick default suite in the current directory')
    .example(
      '$0 run --engine raw,wal --mode sync --value-bytes 128,4096 --dir /mnt/nvme --duration 10',
      'raw and wal in sync mode on one disk, two value sizes',
    );
}

/** Translate parsed flags into a suite input and the set of keys the user set explicitly. */
export function suiteInputFromArgs(args: RunArgs): { input: SuiteInput; explicit: Set<string> } {
  const input: SuiteInput = {};
  const explicit = new Set<string>();
  const set = <K extends keyof SuiteInput>(k: K, v: SuiteInput[K] | undefined): void => {
    if (v === undefined) return;
    input[k] = v;
    explicit.add(k);
  };
  set('engines', args.engine);
  set('modes', args.mode);
  set('batchSizes', args['batch-size'] && numberList(args['batch-size'], '--batch-size'));
  set('batchMs', args['batch-ms']);
  set('writers', args.writers && numberList(args.writers, '--writers'));
  set('valueBytes', args['value-bytes'] && numberList(args['value-bytes'], '--value-bytes'));
  set('workloads', args.workload);
  set(
    'faults',
    args.fault?.map((f) => (f === 'none' ? null : f)),
  );
  set('durationMs', args.duration === undefined ? undefined : args.duration * 1000);
  set('commitsPerWriter', args.commits);
  set('warmupMs', args.warmup === undefined ? undefined : args.warmup * 1000);
  set('targets', args.dir);
  set('seed', args.seed);
  set('repeat', args.repeat);
  const extra = (args._ ?? []).slice(1);
  if (extra.length > 0)
    throw new UsageError(`unexpected argument '${String(extra[0])}' for durabench run; options start with -- (see durabench run --help)`);
  // Engine options: the built-in engines' flags are declared; flags of user engine modules are not
  // known until the module loads, so every other kebab-case flag is passed on as an engine option
  // and checked against the selected engines' option specs by resolveSuite (one clear line if no
  // engine has it).
  const engineOptions: Record<string, EngineOptionValue> = {};
  for (const [k, v] of Object.entries(args)) {
    if (k === '_' || k === '$0' || /[A-Z]/.test(k) || DECLARED.has(k) || v === undefined) continue;
    engineOptions[k] = v as EngineOptionValue;
  }
  if (Object.keys(engineOptions).length > 0) set('engineOptions', engineOptions);
  for (const k of ['duration', 'commits', 'warmup', 'batch-ms', 'seed', 'repeat'] as const) {
    const v = args[k];
    if (v !== undefined && (typeof v !== 'number' || Number.isNaN(v))) throw new UsageError(`--${k} must be a number`);
  }
  return { input, explicit };
}

async function handler(args: RunArgs): Promise<void> {
  const formats = parseFormats(args.format, isReportFormat, 'json, csv, md, html') as ReportFormat[];
  const { input, explicit } = suiteInputFromArgs(args);
  // The default suite (or --suite) is the base; flags override its settings.
  const base: SuiteInput = loadSuite(args.suite ?? 'default');
  // Flags override the suite; a stop condition given on the command line replaces the suite's.
  const merged: SuiteInput = { ...base, ...input };
  if (explicit.has('commitsPerWriter')) merged.durationMs = null;
  if (explicit.has('durationMs') && !explicit.has('commitsPerWriter')) merged.commitsPerWriter = null;
  const suite = await resolveSuite(merged, explicit);
  const factories = await loadEngines(suite.engines);
  const outDir = path.resolve(args.out ?? path.join('durabench-out', newRunId()));
  const output = new ReportOutput(outDir, formats);
  // crash lab (issue 4): measured loss of the same case, attached as `case.crash`
  const crash = runCrashSettings(args.crash, args.trials, args['crash-fs']);
  let runRef: Run | undefined;
  const afterCase = crash ? crashAfterCase({ ...crash, isInterrupted: () => runRef?.wasInterrupted ?? false }) : undefined;
  const run = new Run({
    suite,
    factories,
    output,
    progress: args.quiet ? silentProgress : new StderrProgress(),
    keep: args.keep,
    ...(afterCase ? { afterCase } : {}),
  });
  runRef = run;

  const printWarnings = (ws: readonly Warning[]): void => {
    for (const w of ws) process.stderr.write(`durabench: warning: ${w.message} — ${w.remedy}\n`);
  };
  printWarnings(run.report.warnings);

  await interruptible(run, 'stopping the current case and writing the partial report', async () => {
    const report = await run.execute();
    process.stdout.write(renderConsole(report));
    printWarnings(report.cases.flatMap((c) => (c.state === 'completed' ? c.warnings : [])));
    process.stderr.write(`reports: ${output.paths().join(', ')}\n`);
    if (run.wasInterrupted) process.exitCode = 130;
  });
}

export const runCommand: CommandModule<object, RunArgs> = {
  command: 'run',
  describe: 'run a benchmark matrix (engines × modes × batch sizes × writers × value sizes × targets)',
  builder,
  handler,
};
