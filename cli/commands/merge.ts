/** `durabench merge A.json B.json … --out merged.json`: the same cases of several reports merged exactly. */
import type { Argv, CommandModule } from 'yargs';
import { UsageError } from '../../coordinator/usage-error.js';
import { reportCaseKey } from '../../reports/compare.js';
import { mergeReports } from '../../reports/merge.js';
import { readReport } from '../../reports/read.js';
import { renderJson } from '../../reports/render/json.js';
import { writeTextFile } from '../write-text.js';

interface MergeArgs {
  reports: string[];
  out: string;
}

function handler(args: MergeArgs): void {
  const files = args.reports ?? [];
  if (files.length < 2) throw new UsageError('merge needs two or more reports');
  const loaded = files.map((file) => ({ file, report: readReport(file) }));
  const keys = loaded.map(({ report }) => new Set(report.cases.filter((c) => c.state === 'completed').map((c) => reportCaseKey(report, c))));
  const common = [...keys[0]!].some((k) => keys.slice(1).some((s) => s.has(k)));
  if (!common) throw new UsageError(`${files.join(', ')} have no completed case in common; merge reports of the same suite`);
  const merged = mergeReports(loaded, reportCaseKey);
  writeTextFile(args.out, renderJson(merged));
  process.stderr.write(`merged ${files.length} reports (${merged.cases.length} cases) into ${args.out}\n`);
}

export const mergeCommand: CommandModule<object, MergeArgs> = {
  command: 'merge <reports..>',
  describe: 'merge the histograms of the same cases from several reports exactly (runs from many machines add up)',
  builder: (y) =>
    y
      .positional('reports', { type: 'string', array: true, describe: 'report.json files of the same suite' })
      .option('out', { type: 'string', demandOption: true, describe: 'the merged report.json to write' }) as unknown as Argv<MergeArgs>,
  handler,
};
