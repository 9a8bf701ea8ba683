/**
 * `durabench gate REPORT.json … [--baseline BASE.json] [--rules FILE] [--rule EXPR]…`: CI's verdict.
 * Exit 0 when every check passes, 1 on a regression, 2 on a usage error or unreadable input.
 * Prints the summary (Markdown by default, fit for a pull-request comment); `--summary FILE` also
 * appends it there (e.g. $GITHUB_STEP_SUMMARY); `--export` writes github-action-benchmark or Bencher
 * JSON to --out.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { uniqueLabels } from '../../analysis/compare.js';
import { compileConfig, compileRule, evaluateGate, type GateRule, type Normalize } from '../../analysis/gate.js';
import { UsageError } from '../../model/errors.js';
import { toBencher } from '../../reports/export/bencher.js';
import { toGithubActionBenchmark } from '../../reports/export/github-action-benchmark.js';
import { render } from '../../reports/formats.js';
import { checkOutputDir, planOutDir, writeOutputFile } from '../../reports/output.js';
import { newRunId } from '../../workspace/workdir.js';
import { readReport } from '../../reports/read.js';
import { declareFlags, FLAGS, readBoolean, readFormats, readString, readStrings, type FlagSpec } from '../flags.js';

type Args = Record<string, unknown> & { reports?: string[] };

const EXPORTS = ['github-action-benchmark', 'bencher'] as const;
const BASELINE: FlagSpec = { name: 'baseline', kind: 'string', describe: 'baseline report for relative rules (overrides the rule file)' };
const RULES: FlagSpec = { name: 'rules', kind: 'string', describe: 'a JSON rule file (see docs/compare-gate-tune.md)' };
const RULE: FlagSpec = { name: 'rule', kind: 'strings', describe: "a rule (repeatable): 'commit_p99_ns +10%', 'sync_p99_ns < 10ms', 'lost_max <= 0 [mode=sync]'" };
const NORMALIZE: FlagSpec = { name: 'normalize', kind: 'string', choices: ['raw-sync-p50'], noun: 'a normalisation', describe: "normalise --rule rules by the same report's raw sync p50 (runner speed)" };
const SUMMARY: FlagSpec = { name: 'summary', kind: 'string', describe: 'also append the Markdown summary to this file (e.g. $GITHUB_STEP_SUMMARY)' };
const EXPORT: FlagSpec = { name: 'export', kind: 'strings', choices: EXPORTS, noun: 'an export', describe: 'CI exports (comma list), written to --out' };

export const GATE_FLAGS: readonly FlagSpec[] = [BASELINE, RULES, RULE, NORMALIZE, SUMMARY, EXPORT, FLAGS.format, { ...FLAGS.out, describe: 'directory for --export files (existing export files are kept: new ones go to a fresh subdirectory unless --force)', defaultText: '.' }, FLAGS.force];

function builder(y: Argv): Argv<Args> {
  return declareFlags(y.positional('reports', { type: 'string', array: true, describe: 'report.json files to check' }), GATE_FLAGS, ['md', 'console', 'json'], ['md'])
    .example("$0 gate pr/report.json --baseline main/report.json --rule 'commit_p99_ns +10%' --rule 'sync_p99_ns < 10ms [mode=sync]'", 'relative and absolute rules')
    .example('$0 gate report.json --rules gate.json --export bencher --out ci/', 'rules from a file, Bencher JSON for CI') as Argv<Args>;
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

/** `--summary FILE` must be a file we can append to (or create): checked before anything is evaluated. */
function checkSummaryFile(file: string): void {
  let st: fs.Stats | null = null;
  try {
    st = fs.statSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new UsageError(`--summary '${file}' cannot be used (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); give a file you can append to`);
  }
  if (st === null) {
    checkOutputDir(path.dirname(path.resolve(file)), file, '--summary');
    return;
  }
  if (!st.isFile()) throw new UsageError(`--summary '${file}' is not a regular file; give a file to append the summary to`);
  try {
    fs.closeSync(fs.openSync(file, 'a'));
  } catch (err) {
    throw new UsageError(`--summary '${file}' cannot be appended to (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); give a file you can write to`);
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

function handler(args: Args): void {
  const formats = readFormats(args, ['md', 'console', 'json'] as const, ['md']);
  const exports = readStrings(args, EXPORT) ?? [];
  const files = args.reports ?? [];
  if (files.length === 0) throw new UsageError('gate needs at least one report to check');
  const summary = readString(args, SUMMARY);
  if (summary) checkSummaryFile(summary);
  const outGiven = readString(args, FLAGS.out);
  if (outGiven !== undefined && exports.length === 0) throw new UsageError('--out is where --export files go; add --export github-action-benchmark or --export bencher, or drop --out');
  const exportNames = exports.flatMap((e) => (e === 'github-action-benchmark' ? ['github-action-benchmark-smaller.json', 'github-action-benchmark-bigger.json'] : ['bencher.json']));
  const outPlan = exports.length > 0 ? planOutDir(outGiven ?? '.', outGiven ?? '.', exportNames, { force: readBoolean(args, FLAGS.force), freshName: newRunId() }) : null;
  const rules: GateRule[] = [];
  let baselineFile = readString(args, BASELINE) ?? null;
  const rulesFile = readString(args, RULES);
  if (rulesFile) {
    const compiled = compileConfig(readJson(rulesFile, '--rules'), rulesFile);
    rules.push(...compiled.rules);
    if (!baselineFile && compiled.baseline) baselineFile = path.resolve(path.dirname(rulesFile), compiled.baseline);
  }
  const normalize = (readString(args, NORMALIZE) as Normalize | undefined) ?? null;
  for (const r of readStrings(args, RULE) ?? []) rules.push(compileRule(r, { normalize }, `--rule '${r}'`));
  const labels = uniqueLabels(files);
  const reports = files.map((file, i) => ({ name: labels[i]!, report: readReport(file) }));
  const baseline = baselineFile ? { name: `baseline ${baselineFile}`, report: readReport(baselineFile, `--baseline '${baselineFile}'`) } : null;
  const result = evaluateGate({ rules, reports, baseline });

  for (const f of formats) process.stdout.write(render('gate', f, result));
  if (summary) appendDurably(summary, render('gate', 'md', result));
  if (outPlan?.note) process.stderr.write(`durabench: ${outPlan.note}\n`);
  const outDir = outPlan?.dir ?? '.';
  const prefixed = reports.map((r) => ({ report: r.report, ...(reports.length > 1 ? { prefix: r.name } : {}) }));
  for (const e of exports) {
    if (e === 'github-action-benchmark') {
      const gab = toGithubActionBenchmark(prefixed);
      writeOutputFile(path.join(outDir, 'github-action-benchmark-smaller.json'), JSON.stringify(gab.customSmallerIsBetter, null, 2) + '\n');
      writeOutputFile(path.join(outDir, 'github-action-benchmark-bigger.json'), JSON.stringify(gab.customBiggerIsBetter, null, 2) + '\n');
    } else {
      writeOutputFile(path.join(outDir, 'bencher.json'), JSON.stringify(toBencher(prefixed), null, 2) + '\n');
    }
  }
  if (!result.pass) process.exitCode = 1;
}

export const gateCommand: CommandModule<object, Args> = {
  command: 'gate <reports..>',
  describe: 'check reports against rules (relative to a baseline, absolute limits, loss limits): exit 0 pass, 1 regression',
  builder,
  handler,
};
