/**
 * `durabench report run.json [--format html,md,csv] [--out DIR]`: re-render a saved report in any
 * format (the renderers are pure, the JSON is canonical). Files are written next to the report, or
 * in --out, under the report's own base name.
 */
import path from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { readReport } from '../../reports/read.js';
import { isReportFormat, RENDERERS, type ReportFormat } from '../../reports/render/index.js';
import { listOption, parseFormats } from '../options.js';
import { writeTextFile } from '../write-text.js';

interface ReportArgs {
  report: string;
  format: string[];
  out?: string;
}

function handler(args: ReportArgs): void {
  const formats = parseFormats(args.format, isReportFormat, Object.keys(RENDERERS).join(', ')) as ReportFormat[];
  const report = readReport(args.report);
  const dir = args.out ?? path.dirname(args.report);
  const base = path.basename(args.report).replace(/\.json$/, '');
  const written: string[] = [];
  for (const f of formats) {
    const file = path.join(dir, `${base}.${RENDERERS[f].extension}`);
    writeTextFile(file, RENDERERS[f].render(report));
    written.push(file);
  }
  process.stderr.write(`written: ${written.join(', ')}\n`);
}

export const reportCommand: CommandModule<object, ReportArgs> = {
  command: 'report <report>',
  describe: 're-render a saved report.json (html, md, csv, json)',
  builder: (y) =>
    y
      .positional('report', { type: 'string', demandOption: true, describe: 'a report.json written by durabench run, tune or merge' })
      .option('format', { ...listOption('formats: html, md, csv, json (comma list)'), default: ['html'] })
      .option('out', { type: 'string', describe: 'directory for the files (default: next to the report)' })
      .example('$0 report durabench-out/run-1/report.json --format html,md', 'an offline HTML page with charts, and Markdown') as unknown as Argv<ReportArgs>,
  handler,
};
