/**
 * `durabench tune --engine E [--batch-size 1,2,4,…,1024] [--loss-budget-ms X | --loss-budget-commits N]`:
 * a batch-size sweep through the normal run (the same matrix flags, the same session), optionally
 * with crash trials per setting, then the Pareto front and the recommendation (analysis/tune.ts).
 * The report (with its `tune` section) is written like a run's; the HTML has the sweep chart.
 */
import type { Argv, CommandModule } from 'yargs';
import { analyzeSweep } from '../../analysis/tune.js';
import { TUNE_BATCH_SIZES, TUNE_EXPOSURE_STATISTIC } from '../../coordinator/defaults.js';
import { loadEngines } from '../../coordinator/resolve.js';
import { lossMeasured } from '../../model/crash-report.js';
import { UsageError } from '../../model/errors.js';
import type { ExposureStatistic, LossBudget } from '../../model/run-report.js';
import { fileFormatsOf } from '../../reports/formats.js';
import { renderText } from '../../reports/document/text.js';
import { tuneConsoleDoc } from '../../reports/render/tune.js';
import { runCrashFromFlags } from '../crash-flags.js';
import { declaredNames, declareEngineOptions, declareFlags, FLAGS, readNumber, readString, rejectPositionals, type FlagSpec } from '../flags.js';
import { consoleOptions } from '../session.js';
import { matrixOutput, RUN_FLAGS, runMatrixSession, suiteFromArgs } from './run.js';

type Args = Record<string, unknown>;

export const TUNE_FLAGS: readonly FlagSpec[] = [...RUN_FLAGS, FLAGS.lossBudgetMs, FLAGS.lossBudgetCommits, FLAGS.exposure];

function builder(y: Argv): Argv<Args> {
  const b = declareFlags(y.strict(false), TUNE_FLAGS, fileFormatsOf('run'));
  return declareEngineOptions(b)
    .example('$0 tune --engine wal --loss-budget-ms 5 --dir /mnt/nvme', 'the fastest group commit whose acked writes are durable within 5 ms (p99.9)')
    .example('$0 tune --engine wal --loss-budget-ms 5 --crash power --trials 5 --fs xfs --dir /mnt/nvme', 'the same, on an xfs image, with the loss measured by power cuts') as Argv<Args>;
}

function budgetFrom(args: Args): LossBudget | null {
  const ms = readNumber(args, FLAGS.lossBudgetMs);
  const commits = readNumber(args, FLAGS.lossBudgetCommits);
  if (ms !== undefined && commits !== undefined) throw new UsageError('give either --loss-budget-ms or --loss-budget-commits, not both');
  if (ms !== undefined) return { kind: 'ms', ms };
  if (commits !== undefined) return { kind: 'commits', commits };
  return null;
}

async function handler(args: Args): Promise<void> {
  rejectPositionals(args, 'tune');
  const output = matrixOutput(args);
  const budget = budgetFrom(args);
  const exposure = (readString(args, FLAGS.exposure) ?? TUNE_EXPOSURE_STATISTIC) as ExposureStatistic;
  if (budget?.kind === 'commits' && args[FLAGS.exposure.name] !== undefined) {
    throw new UsageError('--exposure chooses the statistic of exposure time for --loss-budget-ms; a budget in commits is held against the peak of acked-unsynced commits');
  }
  // The sweep: batch mode over the batch sizes unless the flags say otherwise.
  const suite = await suiteFromArgs(args, 'tune', declaredNames(TUNE_FLAGS), { modes: ['batch'], batchSizes: [...TUNE_BATCH_SIZES] });
  if (suite.engines.length !== 1) throw new UsageError(`--engine takes one engine for tune (got ${suite.engines.join(', ')}); tune one engine at a time`);
  const engine = suite.engines[0]!;
  const factories = await loadEngines(suite.engines);
  const crash = runCrashFromFlags(args);
  await runMatrixSession(args, output, suite, factories, {
    command: 'tune',
    name: `tune-${engine}`,
    unit: 'setting',
    // The sweep's analysis is part of the report, written with it.
    afterAll: (r) => {
      const measured = r.cases.some((c) => c.state === 'completed' && lossMeasured(c.crash));
      r.tune = analyzeSweep({
        report: r,
        engine,
        budget,
        exposure,
        crash: crash === null ? 'not-requested' : measured ? 'measured' : 'pending',
        notes: crash !== null && !measured ? ['Crash trials were asked for but none completed (see the warnings): no setting could be shown to fit.'] : [],
      });
    },
    print: (report, human) => {
      if (report.tune) human.write(renderText(tuneConsoleDoc(report.tune), consoleOptions()));
    },
  });
}

export const tuneCommand: CommandModule<object, Args> = {
  command: 'tune',
  describe: 'sweep batch sizes, mark the Pareto front and recommend the fastest setting inside a loss budget',
  builder,
  handler,
};
