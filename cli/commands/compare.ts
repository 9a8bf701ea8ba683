/**
 * `durabench compare A.json B.json [C.json …]`: cases lined up by key across reports (or across the
 * targets of one report with `--by target`), ratios against the first, verdicts with a noise
 * allowance. Without --out every format is printed; with --out, files compare.<ext> are written.
 */
import path from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { UsageError } from '../../coordinator/usage-error.js';
import { compareSides, DEFAULT_NOISE, sidesFromReports, sidesFromTargets } from '../../reports/compare.js';
import { readReport } from '../../reports/read.js';
import { renderCompareConsole, renderCompareCsv, renderCompareMarkdown } from '../../reports/render/compare-text.js';
import { renderCompareHtml } from '../../reports/render/html-compare.js';
import { listOption, parseFormats } from '../options.js';
import { writeTextFile } from '../write-text.js';

const FORMATS = {
  console: { extension: 'txt', render: renderCompareConsole },
  md: { extension: 'md', render: renderCompareMarkdown },
  csv: { extension: 'csv', render: renderCompareCsv },
  html: { extension: 'html', render: renderCompareHtml },
} as const;
type CompareFormat = keyof typeof FORMATS;
const isFormat = (f: string): f is CompareFormat => Object.hasOwn(FORMATS, f);

interface CompareArgs {
  reports: string[];
  by: 'report' | 'target';
  format: string[];
  out?: string;
  noise: number;
}

function builder(y: Argv): Argv<CompareArgs> {
  return y
    .positional('reports', { type: 'string', array: true, describe: 'report.json files; the first is the baseline' })
    .option('by', { choices: ['report', 'target'] as const, default: 'report' as const, describe: 'line up reports, or the targets (--dir) of one report' })
    .option('format', { ...listOption('console, md, csv, html (comma list)'), default: ['console'] })
    .option('out', { type: 'string', describe: 'write compare.<ext> files here instead of printing them' })
    .option('noise', { type: 'number', default: DEFAULT_NOISE, describe: 'relative noise allowance when a side has no repeats (0.05 = ±5 %)' })
    .example('$0 compare nvme/report.json sata/report.json', 'two hosts side by side')
    .example('$0 compare run.json --by target --format md', 'the targets of one run, as Markdown') as unknown as Argv<CompareArgs>;
}

function handler(args: CompareArgs): void {
  const formats = parseFormats(args.format, isFormat, 'console, md, csv, html');
  if (!(Number.isFinite(args.noise) && args.noise >= 0 && args.noise < 1)) throw new UsageError(`--noise must be a fraction between 0 and 1 (0.05 = ±5 %), got '${args.noise}'`);
  const files = args.reports ?? [];
  if (args.by === 'target' && files.length !== 1) throw new UsageError(`--by target compares the targets of one report; give exactly one report (got ${files.length})`);
  if (args.by === 'report' && files.length < 2) throw new UsageError('compare needs two or more reports (or one report with --by target)');
  const loaded = files.map((file) => ({ file, report: readReport(file) }));
  const sides = args.by === 'target' ? sidesFromTargets(loaded[0]!.report) : sidesFromReports(loaded);
  const comparison = compareSides(sides, { by: args.by, noise: args.noise });
  for (const f of formats) {
    const text = FORMATS[f].render(comparison);
    if (args.out && f !== 'console') writeTextFile(path.join(args.out, `compare.${FORMATS[f].extension}`), text);
    else process.stdout.write(text);
  }
  if (args.out) process.stderr.write(`comparison: ${formats.filter((f) => f !== 'console').map((f) => path.join(args.out!, `compare.${FORMATS[f].extension}`)).join(', ')}\n`);
}

export const compareCommand: CommandModule<object, CompareArgs> = {
  command: 'compare <reports..>',
  describe: 'compare reports (hosts, filesystems, commits) or the targets of one report, with ratios and noise',
  builder,
  handler,
};
