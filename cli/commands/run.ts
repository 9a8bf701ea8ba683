/**
 * `durabench run`: expand the matrix from flags and/or a suite, run it in a session (the reports
 * are rewritten after every case), print the summary table. With no flags: the quick default suite
 * in a temporary directory on the filesystem of the current directory.
 */
import type { Argv, CommandModule } from 'yargs';
import { DEFAULT_TRIALS, SUITE_DEFAULTS, type SuiteInput } from '../../coordinator/defaults.js';
import { RunProgress, silentProgress } from '../../coordinator/progress.js';
import { loadEngines, loadSuite, resolveSuite } from '../../coordinator/resolve.js';
import { executeRun, newRunReport } from '../../coordinator/run.js';
import type { ResolvedSuite } from '../../model/run-report.js';
import { fileFormatsOf, render } from '../../reports/formats.js';
import { allWarnings } from '../../reports/render/run.js';
import { crashSettingsFromFlags } from '../crash-flags.js';
import {
  CRASH_TRIAL_FLAGS,
  declaredNames,
  declareEngineOptions,
  declareFlags,
  engineOptionsFromArgs,
  FLAGS,
  MATRIX_FLAGS,
  MEASURE_FLAGS,
  OUTPUT_FLAGS,
  readNumber,
  readString,
  rejectPositionals,
  suiteInputFromFlags,
  type FlagSpec,
} from '../flags.js';
import { consoleOptions, humanStream, openSession, printPaths, progressLine, printWarnings, sessionOutput } from '../session.js';
import { crashAfterCase } from '../../lab/attach.js';
import { stopSignal } from '../stop.js';

type Args = Record<string, unknown>;

/** The flags of run (tune declares the same and its own). */
export const RUN_FLAGS: readonly FlagSpec[] = [...MATRIX_FLAGS, ...MEASURE_FLAGS, FLAGS.crash, ...CRASH_TRIAL_FLAGS, ...OUTPUT_FLAGS];

function builder(y: Argv): Argv<Args> {
  // Unknown flags may be options of a user engine module: the suite resolver checks them.
  const b = declareFlags(y.strict(false), RUN_FLAGS, fileFormatsOf('run'));
  return declareEngineOptions(b)
    .example('$0 run', 'the quick default suite in the current directory')
    .example('$0 run --engine raw,wal --mode sync --value-bytes 128,4096 --dir /mnt/nvme --duration 10', 'raw and wal in sync mode on one disk, two value sizes') as Argv<Args>;
}

/**
 * The suite a matrix command runs: the suite file (or the defaults) overridden by the flags; a stop
 * condition given on the command line replaces the suite's. Shared by run, tune and crash.
 */
export async function suiteFromArgs(args: Args, command: string, declared: ReadonlySet<string>, overrides: SuiteInput = {}): Promise<ResolvedSuite> {
  // `overrides`: the command's own defaults (tune's sweep), below the flags and above the suite file.
  const suiteName = readString(args, FLAGS.suite);
  const base: SuiteInput = suiteName ? loadSuite(suiteName) : { name: SUITE_DEFAULTS.name };
  const { input, explicit } = suiteInputFromFlags(args);
  const engineOptions = engineOptionsFromArgs(args, declared);
  const merged: SuiteInput = { ...base, ...overrides, ...input, ...(Object.keys(engineOptions).length > 0 ? { engineOptions: { ...(base.engineOptions ?? {}), ...engineOptions } } : {}) };
  if (explicit.has('commitsPerWriter')) merged.durationMs = null;
  if (explicit.has('durationMs') && !explicit.has('commitsPerWriter')) merged.commitsPerWriter = null;
  return resolveSuite(merged, explicit, command);
}

/** `--interval-ms`: a fixed timeline interval; without it the interval adapts to each case. */
export function intervalFrom(args: Args): { intervalMs?: number } {
  const ms = readNumber(args, FLAGS.intervalMs);
  return ms === undefined ? {} : { intervalMs: ms };
}

async function handler(args: Args): Promise<void> {
  rejectPositionals(args, 'run');
  const o = { kind: 'run', args, baseName: 'report' } as const;
  const out = sessionOutput(o);
  const timeline = intervalFrom(args);
  const suite = await suiteFromArgs(args, 'run', declaredNames(RUN_FLAGS));
  const factories = await loadEngines(suite.engines);
  const crash = crashSettingsFromFlags(args, 'run');
  const report = newRunReport(suite);
  const session = openSession(o, out, report);
  printWarnings(report.warnings);
  const line = progressLine('run', out);
  const progress = line ? new RunProgress(line) : null;
  await executeRun({
    suite,
    factories,
    session,
    progress: progress ?? silentProgress,
    keep: args['keep'] === true,
    ...timeline,
    ...(crash ? { afterCase: crashAfterCase({ plan: crash.plan, trials: crash.trials ?? DEFAULT_TRIALS, signal: stopSignal() }) } : {}),
  });
  humanStream(out).write(render('run', 'console', report, consoleOptions()));
  printWarnings(allWarnings(report).slice(report.warnings.length));
  printPaths(session.paths);
  if (progress) progress.line.closing(progress.summary());
}

export const runCommand: CommandModule<object, Args> = {
  command: 'run',
  describe: 'run a benchmark matrix (engines × modes × batch sizes × writers × value sizes × targets)',
  builder,
  handler,
};
