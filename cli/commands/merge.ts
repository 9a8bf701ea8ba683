/**
 * `durabench merge A.json B.json … --out merged.json`: the same cases of several reports merged
 * exactly (histograms add). Only reports of one CPU architecture and one kernel are pooled: an x86
 * and an arm runner, or two kernels, are different distributions, and their sum describes neither
 * (`compare --by host` lines them up instead); `--force` merges anyway.
 */
import type { Argv, CommandModule } from 'yargs';
import { mergeReports } from '../../analysis/merge.js';
import { hostLabel, reportCaseKey } from '../../analysis/lineup.js';
import { UsageError } from '../../model/errors.js';
import { render } from '../../reports/formats.js';
import { writeOutputFile } from '../../reports/output.js';
import { readReport } from '../../reports/read.js';
import { declareFlags, FLAGS, readBoolean } from '../flags.js';

interface MergeArgs {
  reports: string[];
  out: string;
  [k: string]: unknown;
}

function handler(args: MergeArgs): void {
  const files = args.reports ?? [];
  if (files.length < 2) throw new UsageError('merge needs two or more reports');
  if (typeof args.out !== 'string' || args.out.trim() === '') throw new UsageError('--out needs the path of the merged report.json to write');
  const loaded = files.map((file) => ({ file, report: readReport(file) }));
  if (!readBoolean(args, FLAGS.force)) {
    const first = loaded[0]!;
    for (const other of loaded.slice(1)) {
      const a = first.report.host;
      const b = other.report.host;
      const what = a.arch !== b.arch ? 'CPU architectures' : a.kernel !== b.kernel ? 'kernels' : null;
      if (what) {
        throw new UsageError(
          `${first.file} (${hostLabel(a)}) and ${other.file} (${hostLabel(b)}) ran on different ${what}: pooling their histograms describes neither; line them up with durabench compare --by host, or merge anyway with --force`,
        );
      }
    }
  }
  const keys = loaded.map(({ report }) => new Set(report.cases.filter((c) => c.state === 'completed').map((c) => reportCaseKey(report, c))));
  const common = [...keys[0]!].some((k) => keys.slice(1).some((s) => s.has(k)));
  if (!common) throw new UsageError(`${files.join(', ')} have no completed case in common; merge reports of the same suite`);
  const merged = mergeReports(loaded, reportCaseKey);
  writeOutputFile(args.out, render('run', 'json', merged));
  process.stderr.write(`merged ${files.length} reports (${merged.cases.length} cases) into ${args.out}\n`);
}

export const mergeCommand: CommandModule<object, MergeArgs> = {
  command: 'merge <reports..>',
  describe: 'merge the histograms of the same cases from several reports of one architecture and kernel exactly (runs from many machines add up)',
  builder: (y) =>
    declareFlags(
      y.positional('reports', { type: 'string', array: true, describe: 'report.json files of the same suite' }).option('out', { type: 'string', demandOption: true, describe: 'the merged report.json to write' }),
      [FLAGS.force],
    ) as unknown as Argv<MergeArgs>,
  handler,
};
