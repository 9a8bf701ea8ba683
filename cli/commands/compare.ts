/**
 * `durabench compare A.json B.json [C.json …]`: cases lined up by key across reports (or across the
 * targets of one report with `--by target`), ratios against the first, verdicts with a noise
 * allowance. Each `--format` is printed, or with `--out DIR` written as DIR/compare.<ext>.
 */
import type { Argv, CommandModule } from 'yargs';
import { compareSides, DEFAULT_NOISE, sidesFromReports, sidesFromTargets } from '../../analysis/compare.js';
import { UsageError } from '../../model/errors.js';
import { readReport } from '../../reports/read.js';
import { declareFlags, FLAGS, readNumber, readString, type FlagSpec } from '../flags.js';
import { emit, outputFlags } from '../emit.js';

type Args = Record<string, unknown> & { reports?: string[] };

const BY: FlagSpec = { name: 'by', kind: 'string', choices: ['report', 'target'], noun: 'a way to line cases up', describe: 'line up reports, or the targets (--dir) of one report', defaultText: 'report' };
const NOISE: FlagSpec = { name: 'noise', kind: 'number', rule: { min: 0, max: 1, exclusiveMin: false }, describe: 'relative noise allowance when a side has no repeats (0.05 = ±5 %)', defaultText: String(DEFAULT_NOISE) };

export const COMPARE_FLAGS: readonly FlagSpec[] = [BY, NOISE, FLAGS.format, FLAGS.out, FLAGS.force];

function builder(y: Argv): Argv<Args> {
  return declareFlags(y.positional('reports', { type: 'string', array: true, describe: 'report.json files; the first is the baseline' }), COMPARE_FLAGS, ['console', 'json', 'csv', 'md', 'html'], ['console'])
    .example('$0 compare nvme/report.json sata/report.json', 'two hosts side by side')
    .example('$0 compare run.json --by target --format md', 'the targets of one run, as Markdown') as Argv<Args>;
}

function handler(args: Args): void {
  const { formats, outDir } = outputFlags(args, 'compare', 'compare');
  const noise = readNumber(args, NOISE) ?? DEFAULT_NOISE;
  if (noise >= 1) throw new UsageError(`--noise must be a fraction below 1 (0.05 = ±5 %), got '${String(args['noise'])}'`);
  const by = (readString(args, BY) ?? 'report') as 'report' | 'target';
  const files = args.reports ?? [];
  if (by === 'target' && files.length !== 1) throw new UsageError(`--by target compares the targets of one report; give exactly one report (got ${files.length})`);
  if (by === 'report' && files.length < 2) throw new UsageError('compare needs two or more reports (or one report with --by target)');
  const loaded = files.map((file) => ({ file, report: readReport(file) }));
  const sides = by === 'target' ? sidesFromTargets(loaded[0]!.report) : sidesFromReports(loaded);
  emit('compare', compareSides(sides, { by, noise }), formats, outDir, 'compare');
}

export const compareCommand: CommandModule<object, Args> = {
  command: 'compare <reports..>',
  describe: 'compare reports (hosts, filesystems, commits) or the targets of one report, with ratios and noise',
  builder,
  handler,
};
