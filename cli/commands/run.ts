/**
 * `durabench run`: expand the matrix from flags and/or a suite, run it in a session (the reports
 * are rewritten after every case), print the summary table. With no flags: the quick default suite
 * in a temporary directory on the filesystem of the current directory.
 */
import type { Argv, CommandModule } from 'yargs';
import { DEFAULT_TRIALS, RUN_FS_IMAGE_MIB, SUITE_DEFAULTS, type SuiteInput } from '../../coordinator/defaults.js';
import { createFsImages, fsImagesUnavailable, onImages, type FsImages } from '../../coordinator/fs-targets.js';
import type { PlannedCase } from '../../coordinator/plan.js';
import { silentProgress, StderrProgress } from '../../coordinator/progress.js';
import { loadEngines, loadSuite, resolveSuite } from '../../coordinator/resolve.js';
import { executeRun, newRunReport, type RunSettings } from '../../coordinator/run.js';
import { LAB_FILESYSTEMS, type LabFs } from '../../model/crash-report.js';
import { UsageError } from '../../model/errors.js';
import type { FsSpec } from '../../model/fs-spec.js';
import type { ResolvedSuite, RunReport } from '../../model/run-report.js';
import { fileFormatsOf, render } from '../../reports/formats.js';
import { allWarnings } from '../../reports/render/run.js';
import { newRunId } from '../../workspace/workdir.js';
import { fsSpecsFromFlags, runCrashFromFlags, runCrashPlan, type RunCrashFlags } from '../crash-flags.js';
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
import { openSession, printPaths, printWarnings, sessionOutput } from '../session.js';
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
export function prepareTargets(args: Args, suite: ResolvedSuite): RunTargets {
  const specs = fsSpecsFromFlags(args);
  const crash = runCrashFromFlags(args);
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

async function handler(args: Args): Promise<void> {
  rejectPositionals(args, 'run');
  const o = { kind: 'run', args, baseName: 'report' } as const;
  const out = sessionOutput(o);
  const resolved = await suiteFromArgs(args, 'run', declaredNames(RUN_FLAGS));
  const factories = await loadEngines(resolved.engines);
  const targets = prepareTargets(args, resolved);
  const keep = args['keep'] === true;
  try {
    const report = newRunReport(targets.suite);
    const afterCase = targets.afterCase(report);
    const session = openSession(o, out, report);
    printWarnings(report.warnings);
    await executeRun({
      suite: targets.suite,
      factories,
      session,
      progress: out.quiet ? silentProgress : new StderrProgress(),
      keep,
      ...(afterCase ? { afterCase } : {}),
    });
    process.stdout.write(render('run', 'console', report));
    printWarnings(allWarnings(report).slice(report.warnings.length));
    printPaths(session.paths);
  } finally {
    targets.release(keep);
  }
}

export const runCommand: CommandModule<object, Args> = {
  command: 'run',
  describe: 'run a benchmark matrix (engines × modes × batch sizes × writers × value sizes × targets)',
  builder,
  handler,
};
