/**
 * `durabench run`: expand the matrix from flags and/or a suite, run it in a session (the reports
 * are rewritten after every case), print the summary table. With no flags: the quick default suite
 * in a temporary directory on the filesystem of the current directory.
 */
import type { Argv, CommandModule } from 'yargs';
import { DEFAULT_TRIALS, RUN_FS_IMAGE_MIB, SUITE_DEFAULTS, type SuiteInput } from '../../coordinator/defaults.js';
import { createFsImages, fsImagesUnavailable, onImages, type FsImages } from '../../coordinator/fs-targets.js';
import { planCases, type PlannedCase } from '../../coordinator/plan.js';
import { RunProgress, silentProgress } from '../../coordinator/progress.js';
import { loadEngines, loadSuite, resolveSuite } from '../../coordinator/resolve.js';
import { executeRun, newRunReport, type RunSettings } from '../../coordinator/run.js';
import { LAB_FILESYSTEMS, type LabFs } from '../../model/crash-report.js';
import { UsageError } from '../../model/errors.js';
import type { FsSpec } from '../../model/fs-spec.js';
import type { ResolvedSuite, RunReport } from '../../model/run-report.js';
import type { EngineFactory } from '../../engines/types.js';
import { fileFormatsOf, render } from '../../reports/formats.js';
import { allWarnings } from '../../reports/render/run.js';
import { planCrashCases } from '../../lab/matrix.js';
import { newRunId } from '../../workspace/workdir.js';
import { checkCrashMarkers, checkImageSpace, fsSpecsFromFlags, runCrashFromFlags, runCrashPlan, typedImageMib, type RunCrashFlags } from '../crash-flags.js';
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
import { consoleOptions, closeSession, humanStream, openSession, printPaths, progressLine, printWarnings, sessionOutput } from '../session.js';
import { exitForCases, setExitCode } from '../exit.js';
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
    .example('$0 run --engine raw,wal --mode sync --value-bytes 128,4096 --dir /mnt/nvme --duration 10', 'raw and wal in sync mode on one disk, two value sizes')
    .example('$0 run --engine raw,wal --mode sync,batch --fs ext4,xfs,btrfs --dir /mnt/nvme', 'the same matrix on an ext4, an xfs and a btrfs image made on that disk (root)') as Argv<Args>;
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

/** What `--fs` and `--crash` add to a run: the images the matrix runs on and the crash trials after each case. */
export interface RunTargets {
  readonly suite: ResolvedSuite;
  readonly images: FsImages | null;
  /** Set up the crash hook once the report (with the targets' provenance) exists. */
  readonly afterCase: (report: RunReport) => RunSettings['afterCase'];
  /** Unmount and remove the images (every way out calls it); says what it kept or could not release. */
  readonly release: (keep: boolean) => void;
}

/**
 * `--fs` and `--crash`, read once for run and tune: make the images (root; one line and exit 2
 * without it) and move the matrix onto them; power trials cut power on an image of the filesystem
 * each case ran on — the `--fs` image's, or the target directory's own.
 */
export function prepareTargets(args: Args, suite: ResolvedSuite, factories: readonly EngineFactory[]): RunTargets {
  const specs = fsSpecsFromFlags(args);
  const crash = runCrashFromFlags(args);
  if (crash) {
    // Mistakes in the crash flags are one line now, before any image is made or case is run.
    const plans = (specs.length > 0 ? specs : [null]).map((s) => runCrashPlan(crash, s));
    checkCrashMarkers(plans[0]!, factories);
    const planned = planCases(suite, factories);
    for (const plan of plans) checkImageSpace(planCrashCases(planned, plan), typedImageMib(args));
  }
  let images: FsImages | null = null;
  if (specs.length > 0) {
    const why = fsImagesUnavailable(specs);
    if (why) throw new UsageError(why);
    images = createFsImages(suite.targets, specs, { imageMib: readNumber(args, FLAGS.imageMib) ?? RUN_FS_IMAGE_MIB, mountOptions: readString(args, FLAGS.mountOptions) ?? null }, newRunId());
  }
  const onFs = images ? onImages(suite, images.targets) : suite;
  return {
    suite: onFs,
    images,
    afterCase: (report) => (crash ? crashHook(crash, onFs, report) : undefined),
    release: (keep) => {
      const r = images?.release(keep);
      for (const p of r?.problems ?? []) process.stderr.write(`durabench: cleanup: ${p}\n`);
      if (r && r.kept.length > 0) process.stderr.write(`kept (unmounted) images: ${r.kept.join(', ')}\n`);
    },
  };
}

/** The filesystem a case's power trials run on: the `--fs` image's, or the target's own when the lab can make one. */
function powerFs(suite: ResolvedSuite, report: RunReport, target: string, mountOptions: string | null): FsSpec {
  const image = suite.filesystems?.find((f) => f.target === target);
  if (image) return { spec: image.spec, fs: image.fs, mountOptions: image.mountOptions };
  const fsType = report.host.targets.find((t) => t.dir === target)?.fsType.value ?? null;
  if (fsType === null || !(LAB_FILESYSTEMS as readonly string[]).includes(fsType)) {
    throw new UsageError(
      `--crash power cuts power on an image of the filesystem each case ran on, and --dir '${target}' is on ${fsType ?? 'an unknown filesystem'}; add --fs ${LAB_FILESYSTEMS.join(',')} (any of them) to run the matrix on such images`,
    );
  }
  return { spec: fsType, fs: fsType as LabFs, mountOptions };
}

function crashHook(crash: RunCrashFlags, suite: ResolvedSuite, report: RunReport): RunSettings['afterCase'] {
  const hooks = new Map<string, NonNullable<RunSettings['afterCase']>>();
  const crashDir = new Map<string, string>();
  for (const target of suite.targets) {
    const fsSpec = crash.kind === 'power' ? powerFs(suite, report, target, crash.mountOptions) : null;
    hooks.set(target, crashAfterCase({ plan: runCrashPlan(crash, fsSpec), trials: crash.trials ?? DEFAULT_TRIALS, signal: stopSignal() }));
    // Power trials make their own image: next to the --fs image on the disk under test, not inside it.
    crashDir.set(target, crash.kind === 'power' ? (suite.filesystems?.find((f) => f.target === target)?.dir ?? target) : target);
  }
  return async (result, planned, r) => {
    const where: PlannedCase = { ...planned, key: { ...planned.key, target: crashDir.get(planned.key.target) ?? planned.key.target } };
    await hooks.get(planned.key.target)?.(result, where, r);
  };
}

/** How run and tune differ around the one matrix session they share. */
export interface MatrixSession {
  readonly command: 'run' | 'tune';
  /** The report's suite name (default: the suite's own). */
  readonly name?: string;
  readonly afterAll?: RunSettings['afterAll'];
  /** The unit the closing line counts (tune: `setting`). */
  readonly unit?: string;
  /** Print the result on the human stream once the run ended. */
  print(report: RunReport, human: NodeJS.WritableStream): void;
  /** Run also says the run's warnings on stderr as they are known. */
  readonly warnings?: boolean;
}

/**
 * One matrix session for run and tune: `--fs` images and `--crash` hooks, the report session, the
 * progress line, the run itself, the closing lines, the exit code, and the images released on
 * every way out.
 */
/** Where a matrix session writes and its timeline interval: read first, before any work (bad input is one line, nothing made). */
export function matrixOutput(args: Args) {
  const o = { kind: 'run', args, baseName: 'report' } as const;
  return { o, out: sessionOutput(o), timeline: intervalFrom(args) };
}

export async function runMatrixSession(
  args: Args,
  { o, out, timeline }: ReturnType<typeof matrixOutput>,
  resolved: ResolvedSuite,
  factories: readonly EngineFactory[],
  m: MatrixSession,
): Promise<void> {
  const targets = prepareTargets(args, resolved, factories);
  const keep = args['keep'] === true;
  try {
    const report = newRunReport(m.name ? { ...targets.suite, name: m.name } : targets.suite);
    const afterCase = targets.afterCase(report);
    const session = openSession(o, out, report);
    if (m.warnings) printWarnings(report.warnings);
    const line = progressLine(m.command, out);
    const progress = line ? new RunProgress(line) : null;
    await executeRun({
      suite: report.suite,
      factories,
      session,
      progress: progress ?? silentProgress,
      keep,
      ...timeline,
      ...(afterCase ? { afterCase } : {}),
      ...(m.afterAll ? { afterAll: m.afterAll } : {}),
    });
    m.print(report, humanStream(out));
    if (m.warnings) printWarnings(allWarnings(report).slice(report.warnings.length));
    printPaths(session.paths);
    if (progress) progress.line.closing(progress.summary(m.unit));
    setExitCode(exitForCases(report.cases));
    closeSession(session);
  } finally {
    targets.release(keep);
  }
}

async function handler(args: Args): Promise<void> {
  rejectPositionals(args, 'run');
  const output = matrixOutput(args);
  const resolved = await suiteFromArgs(args, 'run', declaredNames(RUN_FLAGS));
  const factories = await loadEngines(resolved.engines);
  await runMatrixSession(args, output, resolved, factories, {
    command: 'run',
    warnings: true,
    print: (report, human) => human.write(render('run', 'console', report, consoleOptions())),
  });
}

export const runCommand: CommandModule<object, Args> = {
  command: 'run',
  describe: 'run a benchmark matrix (engines × modes × batch sizes × writers × value sizes × targets)',
  builder,
  handler,
};
