/**
 * `durabench compare A.json B.json [C.json …]`: cases lined up by key across reports — or across
 * the targets of one report (`--by target`), the hosts (`--by host`) or the filesystems (`--by fs`,
 * the images of `run --fs`) of one or more — with ratios against the first side and verdicts backed
 * by a rank test on the repeats (analysis/compare.ts). Each `--format` is printed, or with
 * `--out DIR` written as DIR/compare.<ext>.
 */
import type { Argv, CommandModule } from 'yargs';
import { compareSides, sidesFromFilesystems, sidesFromHosts, sidesFromReports, sidesFromTargets, type CompareBy } from '../../analysis/compare.js';
import { COMPARE_ALPHA, COMPARE_MIN_EFFECT } from '../../coordinator/defaults.js';
import { UsageError } from '../../model/errors.js';
import { readReport } from '../../reports/read.js';
import { declareFlags, FLAGS, readNumber, readString } from '../flags.js';
import { emit, outputFlags } from '../emit.js';

type Args = Record<string, unknown> & { reports?: string[] };

function builder(y: Argv): Argv<Args> {
  return declareFlags(y.positional('reports', { type: 'string', array: true, describe: 'report.json files; the first is the baseline' }), [FLAGS.by, FLAGS.alpha, FLAGS.minEffect, FLAGS.format, FLAGS.out], ['console', 'json', 'csv', 'md', 'html'], ['console'])
    .example('$0 compare nvme/report.json sata/report.json', 'two hosts side by side')
    .example('$0 compare runner-*/report.json --by host', 'a fleet of runners, one column per host')
    .example('$0 compare run.json --by fs --format md', 'the filesystems of one run --fs ext4,xfs,btrfs, as Markdown') as Argv<Args>;
}

function handler(args: Args): void {
  const { formats, outDir } = outputFlags(args, 'compare');
  const alpha = readNumber(args, FLAGS.alpha) ?? COMPARE_ALPHA;
  const minEffect = readNumber(args, FLAGS.minEffect) ?? COMPARE_MIN_EFFECT;
  const by = (readString(args, FLAGS.by) ?? 'report') as CompareBy;
  const files = args.reports ?? [];
  if (by === 'target' && files.length !== 1) throw new UsageError(`--by target compares the targets of one report; give exactly one report (got ${files.length})`);
  if ((by === 'report' || by === 'host') && files.length < 2) throw new UsageError(`compare${by === 'host' ? ' --by host' : ''} needs two or more reports (or one report with --by target or --by fs)`);
  if (files.length === 0) throw new UsageError('compare needs a report');
  const loaded = files.map((file) => ({ file, report: readReport(file) }));
  const sides = by === 'target' ? sidesFromTargets(loaded[0]!.report) : by === 'host' ? sidesFromHosts(loaded) : by === 'fs' ? sidesFromFilesystems(loaded) : sidesFromReports(loaded);
  emit('compare', compareSides(sides, { by, alpha, minEffect }), formats, outDir, 'compare');
}

export const compareCommand: CommandModule<object, Args> = {
  command: 'compare <reports..>',
  describe: 'compare reports (hosts, filesystems, commits), or the targets, hosts or filesystems of reports: ratios, and verdicts only beyond the noise',
  builder,
  handler,
};
