/**
 * `durabench run`: expand the matrix from flags and/or a suite, run it in a session (the reports
 * are rewritten after every case), print the summary table. With no flags: the quick default suite
 * in a temporary directory on the filesystem of the current directory.
 */
import type { Argv, CommandModule } from 'yargs';
import { DEFAULT_TRIALS, SUITE_DEFAULTS, type SuiteInput } from '../../coordinator/defaults.js';
import { silentProgress, StderrProgress } from '../../coordinator/progress.js';
import { loadEngines, loadSuite, resolveSuite } from '../../coordinator/resolve.js';
import { executeRun, newRunReport } from '../../coordinator/run.js';
import type { ResolvedSuite } from '../../model/run-report.js';
import { fileFormatsOf, render } from '../../reports/formats.js';
import { allWarnings } from '../../reports/render/run.js';
import { checkCrashMarkers, checkImageSpace, crashSettingsFromFlags, typedImageMib } from '../crash-flags.js';
import { planCases } from '../../coordinator/plan.js';
import { planCrashCases } from '../../lab/matrix.js';
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
  readString,
  rejectPositionals,
  suiteInputFromFlags,
  type FlagSpec,
} from '../flags.js';
import { exitForCases, setExitCode } from '../exit.js';
import { closeSession, openSession, printPaths, printWarnings, sessionOutput } from '../session.js';
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

async function handler(args: Args): Promise<void> {
  rejectPositionals(args, 'run');
  const o = { kind: 'run', args, baseName: 'report' } as const;
  const out = sessionOutput(o);
  const suite = await suiteFromArgs(args, 'run', declaredNames(RUN_FLAGS));
  const factories = await loadEngines(suite.engines);
  const crash = crashSettingsFromFlags(args, 'run');
  if (crash) {
    checkCrashMarkers(crash.plan, factories);
    checkImageSpace(planCrashCases(planCases(suite, factories), crash.plan), typedImageMib(args));
  }
  const report = newRunReport(suite);
  const session = openSession(o, out, report);
  printWarnings(report.warnings);
  await executeRun({
    suite,
    factories,
    session,
    progress: out.quiet ? silentProgress : new StderrProgress(),
    keep: args['keep'] === true,
    ...(crash ? { afterCase: crashAfterCase({ plan: crash.plan, trials: crash.trials ?? DEFAULT_TRIALS, signal: stopSignal() }) } : {}),
  });
  process.stdout.write(render('run', 'console', report));
  printWarnings(allWarnings(report).slice(report.warnings.length));
  printPaths(session.paths);
  setExitCode(exitForCases(report.cases));
  closeSession(session);
}

export const runCommand: CommandModule<object, Args> = {
  command: 'run',
  describe: 'run a benchmark matrix (engines × modes × batch sizes × writers × value sizes × targets)',
  builder,
  handler,
};
