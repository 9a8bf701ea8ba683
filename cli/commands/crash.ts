/**
 * `durabench crash`: measured loss of acked commits after a process kill or a power cut, per engine
 * setting, with a verdict against what the setting declares. The matrix comes from the same flags
 * as `run` (the same plan), or from a crash suite (`--suite seed`: the analysed code's table
 * reproduced as measurements).
 */
import type { Argv, CommandModule } from 'yargs';
import { DEFAULT_SUITE_TRIALS, DEFAULT_TRIALS, SUITE_DEFAULTS } from '../../coordinator/defaults.js';
import { planCases } from '../../coordinator/plan.js';
import { checkTarget, loadEngines, loadSuite } from '../../coordinator/resolve.js';
import { loadEngine } from '../../engines/registry.js';
import type { EngineFactory } from '../../engines/types.js';
import { crashExitCode, verdictText } from '../../analysis/crash-verdict.js';
import { executeCrash, newCrashReport } from '../../lab/crash-run.js';
import { checkCrashSuite, planCrashCases, planSuiteLines, type PlannedCrashCase } from '../../lab/matrix.js';
import { lossMeasured } from '../../model/crash-report.js';
import { UsageError } from '../../model/errors.js';
import { fileFormatsOf, render } from '../../reports/formats.js';
import { parseWorkload } from '../../workers/workload.js';
import { crashSettingsFromFlags } from '../crash-flags.js';
import {
  CRASH_TRIAL_FLAGS,
  declaredNames,
  declareEngineOptions,
  declareFlags,
  engineOptionsFromArgs,
  FLAGS,
  MATRIX_FLAGS,
  OUTPUT_FLAGS,
  readNumber,
  readNumbers,
  readString,
  readStrings,
  rejectPositionals,
  type FlagSpec,
} from '../flags.js';
import { openSession, printPaths, sessionOutput } from '../session.js';
import { suiteFromArgs } from './run.js';

type Args = Record<string, unknown>;

const CRASH_FLAGS: readonly FlagSpec[] = [...MATRIX_FLAGS, FLAGS.kind, ...CRASH_TRIAL_FLAGS, FLAGS.crashDuration, ...OUTPUT_FLAGS];

function builder(y: Argv): Argv<Args> {
  const b = declareFlags(y.strict(false), CRASH_FLAGS, fileFormatsOf('crash'));
  return declareEngineOptions(b)
    .example('$0 crash --engine raw --mode sync,none --kind kill,power --fs ext4,xfs', 'loss under kill and power cut')
    .example('$0 crash --suite seed', 'which implementation loses what: correct engines, faults and none mode, kill and power')
    .example('$0 crash --engine lsm --crash-sweep marker:flush-start..marker:wal-truncated --kind power', 'every io operation of one flush')
    .example('$0 crash --engine wal --kind power --device-cache reorder --torn --trials 30', 'a drive that reorders its cache and tears a sector')
    .example('$0 crash --engine sqlite --journal delete --kind power --crash-sweep syscall:fdatasync:1..syscall:fdatasync:12', 'a crash after each of the first 12 fdatasyncs')
    .example('$0 crash --engine leveldb --mode none --kind power --duration 40 --crash-window 5..40', 'crashes 5 to 40 s into the run: across journal commits and writeback')
    .epilogue('Exit status: 0 every case consistent (or as its suite expects), 1 a DURABILITY BUG (or a fault the lab missed), 3 some case inconclusive (nothing verified, a trial errored, or skipped), 2 bad input.') as Argv<Args>;
}

/** Load every engine of a crash suite; one that cannot load here becomes a skipped case. */
async function suiteFactories(names: readonly string[]): Promise<Map<string, EngineFactory | null>> {
  const m = new Map<string, EngineFactory | null>();
  for (const n of new Set(names)) m.set(n, await loadEngine(n).catch(() => null));
  return m;
}

/** The cases of a crash suite file: its lines × its kinds (or the flags' kinds). */
async function suiteCases(args: Args, name: string, crash: NonNullable<ReturnType<typeof crashSettingsFromFlags>>): Promise<{ cases: PlannedCrashCase[]; trials: number; suiteName: string }> {
  const suite = checkCrashSuite(loadSuite(name), name);
  for (const flag of [FLAGS.engine, FLAGS.mode, FLAGS.batchSize, FLAGS.fault, FLAGS.writers]) {
    if (args[flag.name] !== undefined) throw new UsageError(`--${flag.name} cannot change a crash suite's cases; drop it or run the matrix without --suite`);
  }
  const target = readStrings(args, FLAGS.dir) ?? ['.'];
  if (target.length !== 1) throw new UsageError('--dir takes one directory with a crash suite');
  checkTarget(target[0]!);
  const valueBytes = readNumbers(args, FLAGS.valueBytes) ?? [suite.valueBytes ?? SUITE_DEFAULTS.valueBytes[0]!];
  const workloads = readStrings(args, FLAGS.workload) ?? ['unique'];
  for (const w of workloads) if (!parseWorkload(w)) throw new UsageError(`--workload '${w}' is not a workload; use unique or overwrite:K (K ≥ 1)`);
  const factories = await suiteFactories(suite.cases.map((c) => c.engine));
  const cases: PlannedCrashCase[] = [];
  for (const v of valueBytes) {
    for (const workload of workloads) {
      cases.push(
        ...planSuiteLines(
          suite,
          {
            valueBytes: v,
            workload,
            seed: readNumber(args, FLAGS.seed) ?? suite.seed ?? SUITE_DEFAULTS.seed,
            batchMs: readNumber(args, FLAGS.batchMs) ?? suite.batchMs ?? null,
            target: target[0]!,
            mountOptions: crash.plan.mountOptions,
            imageMib: crash.plan.imageMib,
            engineOptions: engineOptionsFromArgs(args, declaredNames(CRASH_FLAGS)),
            kinds: crash.kindsGiven ? crash.plan.kinds : null,
            deviceCache: crash.deviceCacheGiven,
            ...(crash.plan.crashWindow !== undefined ? { crashWindow: crash.plan.crashWindow } : {}),
            ...(crash.plan.runMs !== undefined ? { runMs: crash.plan.runMs } : {}),
            ...(crash.plan.reorderStates !== undefined ? { reorderStates: crash.plan.reorderStates } : {}),
          },
          factories,
        ),
      );
    }
  }
  return { cases, trials: crash.trials ?? suite.trials ?? DEFAULT_SUITE_TRIALS, suiteName: suite.name };
}

async function handler(args: Args): Promise<void> {
  rejectPositionals(args, 'crash');
  const o = { kind: 'crash', args, baseName: 'crash-report' } as const;
  const out = sessionOutput(o);
  const crash = crashSettingsFromFlags(args);
  const suiteArg = readString(args, FLAGS.suite);
  let cases: PlannedCrashCase[];
  let trials: number;
  let suiteName: string | null = null;
  if (suiteArg !== undefined && (loadSuite(suiteArg) as { kind?: unknown }).kind === 'crash') {
    ({ cases, trials, suiteName } = await suiteCases(args, suiteArg, crash));
  } else {
    if (suiteArg !== undefined) checkCrashSuite(loadSuite(suiteArg), suiteArg);
    const suite = await suiteFromArgs(args, 'crash', declaredNames(CRASH_FLAGS));
    const factories = await loadEngines(suite.engines);
    cases = planCrashCases(planCases(suite, factories), crash.plan);
    trials = crash.trials ?? DEFAULT_TRIALS;
  }
  const targets = [...new Set(cases.map((c) => c.key.target))];
  const report = newCrashReport(targets.length > 0 ? targets : ['.'], suiteName, trials);
  const session = openSession(o, out, report);
  const say = (s: string): void => {
    if (!out.quiet) process.stderr.write(s);
  };
  await executeCrash({
    cases,
    session,
    trials,
    onCaseStart: (i, n, id) => say(`[${i}/${n}] ${id} `),
    onTrial: (t) => say(t.outcome === 'errored' ? 'E' : t.outcome === 'recovery-failed' ? 'R' : t.corrupt > 0 ? 'C' : t.lost > 0 ? 'x' : '.'),
    onCaseEnd: (c) => say(c.state === 'completed' ? ` ${lossMeasured(c.crash) ? `lost max ${c.crash.lostMax}` : 'nothing verified'}, ${verdictText(c.crash.verdict)}\n` : ` ${c.state}: ${c.reason}\n`),
  });
  process.stdout.write(render('crash', 'console', report));
  printPaths(session.paths);
  // cli/main.ts keeps this unless a stop signal ended the run (130/143).
  process.exitCode = crashExitCode(report.cases);
}

export const crashCommand: CommandModule<object, Args> = {
  command: 'crash',
  describe: 'crash trials (process kill or power cut): measured loss of acked commits and a durability verdict',
  builder,
  handler,
};
