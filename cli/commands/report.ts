/**
 * `durabench report REPORT.json [--format html,md,csv] [--out DIR]`: re-render a saved report of any
 * kind (run, crash, probe, env) in any of its formats (the renderers are pure, the JSON is
 * canonical). Files are written next to the report, or in --out, under the report's own base name;
 * `--out -` prints one format on standard output; existing files are kept (the new ones go to a
 * fresh subdirectory) unless --force.
 */
import path from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { UsageError } from '../../model/errors.js';
import { formatsOf, render, rendererOf, type FormatOf } from '../../reports/formats.js';
import { planOutDir, STDOUT, writeOutputFile } from '../../reports/output.js';
import { readReportOf, type AnyReport } from '../../reports/read.js';
import { newRunId } from '../../workspace/workdir.js';
import { declareFlags, FLAGS, readBoolean, readFormats, readString, type FlagSpec } from '../flags.js';

type Args = Record<string, unknown> & { report?: string };

export const REPORT_FLAGS: readonly FlagSpec[] = [FLAGS.format, { ...FLAGS.out, defaultText: 'the directory of the report' }, FLAGS.force];

function handler(args: Args): void {
  const file = args.report ?? '';
  const asked = args['format'] === undefined ? null : readFormats(args, ['json', 'csv', 'md', 'html'], []);
  const out = readString(args, FLAGS.out);
  const report: AnyReport = readReportOf(file, ['run', 'crash', 'probe', 'env']);
  const known = formatsOf(report.kind).filter((f) => f !== 'console') as string[];
  const missing = asked?.find((f) => !known.includes(f));
  if (missing) throw new UsageError(`--format '${missing}': a ${report.kind} report renders as ${known.join(', ')}`);
  // Default: the HTML page, or Markdown for kinds without one.
  const formats = asked ?? [known.includes('html') ? 'html' : 'md'];
  if (out === STDOUT) {
    if (formats.length !== 1) throw new UsageError(`--out - writes one format to standard output (got ${formats.join(', ')}); give one --format: ${known.join(', ')}`);
    process.stdout.write(render(report.kind, formats[0] as never, report as never));
    return;
  }
  const base = path.basename(file).replace(/\.json$/, '');
  const names = formats.map((f) => `${base}.${rendererOf(report.kind, f as FormatOf<typeof report.kind>).extension}`);
  const typed = out ?? (path.dirname(file) || '.');
  const plan = planOutDir(out ?? path.dirname(file), typed, names, { force: readBoolean(args, FLAGS.force), freshName: newRunId(), flag: out === undefined ? 'the report directory' : '--out' });
  // The report being read is never rendered over itself.
  if (names.some((n) => path.join(plan.dir, n) === path.resolve(file))) throw new UsageError(`--format json would write over ${file} itself; give --out DIR for the upgraded copy`);
  if (plan.note) process.stderr.write(`durabench: ${plan.note}\n`);
  const written: string[] = [];
  for (const f of formats) {
    const target = path.join(plan.dir, `${base}.${rendererOf(report.kind, f as FormatOf<typeof report.kind>).extension}`);
    writeOutputFile(target, render(report.kind, f as never, report as never));
    written.push(target);
  }
  process.stderr.write(`written: ${written.join(', ')}\n`);
}

export const reportCommand: CommandModule<object, Args> = {
  command: 'report <report>',
  describe: 're-render a saved report (run, crash, probe or env) as html, md, csv or json',
  builder: (y: Argv) =>
    declareFlags(y.positional('report', { type: 'string', demandOption: true, describe: 'a report.json written by durabench' }), REPORT_FLAGS, ['json', 'csv', 'md', 'html'], ['html']).example(
      '$0 report durabench-out/run-1/report.json --format html,md',
      'an offline HTML page with charts, and Markdown',
    ) as Argv<Args>,
  handler,
};
