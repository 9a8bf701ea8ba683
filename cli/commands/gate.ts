/**
 * `durabench gate REPORT.json … [--baseline BASE.json] [--rules FILE] [--rule EXPR]…`: CI's verdict.
 * Exit 0 when every rule checked something and none was broken; 1 when a rule was broken; 2 on bad
 * input — a bad rule, an unreadable report, or a rule that checked nothing (unless
 * --allow-missing). Prints the summary (Markdown by default, fit for a pull-request comment) even
 * when it then exits 2; `--summary FILE` also appends it there (e.g. $GITHUB_STEP_SUMMARY);
 * `--export` writes github-action-benchmark and Bencher files to --out (per report when several).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { compileConfig, compileRule, evaluateGate, RULE_GRAMMAR, type GateRule, type Normalize } from '../../analysis/gate.js';
import { uniqueLabels } from '../../analysis/lineup.js';
import { COMPARE_ALPHA } from '../../coordinator/defaults.js';
import { UsageError } from '../../model/errors.js';
import type { RunReport } from '../../model/run-report.js';
import { toBencher } from '../../reports/export/bencher.js';
import { toGithubActionBenchmark } from '../../reports/export/github-action-benchmark.js';
import { testbedOf } from '../../reports/export/names.js';
import { render } from '../../reports/formats.js';
import { writeOutputFile } from '../../reports/output.js';
import { readReport } from '../../reports/read.js';
import { declareFlags, FLAGS, readBoolean, readFormats, readNumber, readRepeated, readString, readStrings } from '../flags.js';

type Args = Record<string, unknown> & { reports?: string[] };

function builder(y: Argv): Argv<Args> {
  return declareFlags(
    y.positional('reports', { type: 'string', array: true, describe: 'report.json files to check' }),
    [FLAGS.baseline, FLAGS.rules, FLAGS.rule, FLAGS.normalize, FLAGS.alpha, FLAGS.allowMissing, FLAGS.summary, FLAGS.export, FLAGS.format, { ...FLAGS.out, describe: 'directory for --export files (one subdirectory per report when several)', defaultText: '.' }],
    ['md', 'console', 'json'],
    ['md'],
  )
    .example("$0 gate pr/report.json --baseline main/report.json --rule 'commit_p99_ns +10%' --rule 'sync_p99_ns < 10ms [mode=sync]'", 'relative and absolute rules')
    .example('$0 gate report.json --rules gate.json --export bencher --out ci/', 'rules from a file, Bencher JSON for CI')
    .epilogue(RULE_GRAMMAR) as Argv<Args>;
}

function readJson(file: string, what: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    throw new UsageError(`${what} ${file} cannot be read; give an existing file`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${what} ${file} is not JSON (${(err as Error).message})`);
  }
}

/** Append to a file the CI owns (its step summary), and make it durable like every file we write. */
function appendDurably(file: string, text: string): void {
  const fd = fs.openSync(file, 'a');
  try {
    fs.writeSync(fd, text);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** The exports of one report, written to `dir`. */
function writeExports(exports: readonly string[], report: RunReport, name: string, dir: string): string[] {
  const written: string[] = [];
  const write = (file: string, text: string): void => {
    writeOutputFile(path.join(dir, file), text);
    written.push(path.join(dir, file));
  };
  for (const e of exports) {
    if (e === 'github-action-benchmark') {
      const gab = toGithubActionBenchmark(report, name);
      write('github-action-benchmark-smaller.json', JSON.stringify(gab.customSmallerIsBetter, null, 2) + '\n');
      write('github-action-benchmark-bigger.json', JSON.stringify(gab.customBiggerIsBetter, null, 2) + '\n');
    } else {
      write('bencher.json', JSON.stringify(toBencher(report, name), null, 2) + '\n');
      // The testbed is the host the report ran on: `bencher run --testbed "$(cat bencher-testbed)"`.
      write('bencher-testbed', testbedOf(report.host) + '\n');
    }
  }
  return written;
}

function handler(args: Args): void {
  const formats = readFormats(args, ['md', 'console', 'json'] as const, ['md']);
  const exports = readStrings(args, FLAGS.export) ?? [];
  const files = args.reports ?? [];
  if (files.length === 0) throw new UsageError('gate needs at least one report to check');
  const rules: GateRule[] = [];
  let baselineFile = readString(args, FLAGS.baseline) ?? null;
  const rulesFile = readString(args, FLAGS.rules);
  if (rulesFile) {
    const compiled = compileConfig(readJson(rulesFile, 'rule file'), rulesFile);
    rules.push(...compiled.rules);
    if (!baselineFile && compiled.baseline) baselineFile = path.resolve(path.dirname(rulesFile), compiled.baseline);
  }
  const normalize = (readString(args, FLAGS.normalize) as Normalize | undefined) ?? null;
  for (const r of readRepeated(args, FLAGS.rule) ?? []) rules.push(compileRule(r, { normalize }, `--rule '${r}'`));
  if (normalize !== null && !rules.some((r) => r.check.kind === 'relative')) {
    throw new UsageError('--normalize applies to relative rules (METRIC +N% or -N%), and there is none; drop --normalize, or normalise an absolute rule in a rule file ("normalize": "raw-sync-p50", "value": "3x")');
  }
  const labels = uniqueLabels(files);
  const reports = files.map((file, i) => ({ name: labels[i]!, report: readReport(file) }));
  const baseline = baselineFile ? { name: `baseline ${baselineFile}`, report: readReport(baselineFile) } : null;
  const result = evaluateGate({ rules, reports, baseline, alpha: readNumber(args, FLAGS.alpha) ?? COMPARE_ALPHA, allowMissing: readBoolean(args, FLAGS.allowMissing) });

  for (const f of formats) process.stdout.write(render('gate', f, result));
  const summary = readString(args, FLAGS.summary);
  if (summary) appendDurably(summary, render('gate', 'md', result));
  const outDir = readString(args, FLAGS.out) ?? '.';
  const written = reports.flatMap((r) => writeExports(exports, r.report, r.name, reports.length > 1 ? path.join(outDir, r.name.replace(/[\\/]/g, '_')) : outDir));
  if (written.length > 0) process.stderr.write(`written: ${written.join(', ')}\n`);
  if (result.unchecked.length > 0 && !result.allowMissing) {
    const u = result.unchecked[0]!;
    const more = result.unchecked.length > 1 ? ` (and ${result.unchecked.length - 1} more rule${result.unchecked.length > 2 ? 's' : ''}; see the summary)` : '';
    throw new UsageError(`rule '${u.rule}' checked nothing: ${u.reason}${more}; fix the rule or the run, or give --allow-missing`);
  }
  if (!result.pass) process.exitCode = 1;
}

export const gateCommand: CommandModule<object, Args> = {
  command: 'gate <reports..>',
  describe: 'check reports against rules (relative to a baseline, absolute limits, loss limits): exit 0 pass, 1 a rule broken, 2 bad input or a rule that checked nothing',
  builder,
  handler,
};
