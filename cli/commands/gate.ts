/**
 * `durabench gate REPORT.json … [--baseline BASE.json] [--rules FILE] [--rule EXPR]…`: CI's verdict.
 * Exit 0 when every check passes, 1 on a regression, 2 on a usage error or unreadable input.
 * Prints a Markdown summary (fit for a pull-request comment); `--summary FILE` also writes it
 * (e.g. $GITHUB_STEP_SUMMARY); `--export` writes github-action-benchmark or Bencher JSON to --out.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { UsageError } from '../../coordinator/usage-error.js';
import { uniqueLabels } from '../../reports/compare.js';
import { toBencher } from '../../reports/export/bencher.js';
import { toGithubActionBenchmark } from '../../reports/export/github-action-benchmark.js';
import { compileConfig, compileRule, evaluateGate, type GateRule, type Normalize } from '../../reports/gate.js';
import { readReport } from '../../reports/read.js';
import { renderGateMarkdown } from '../../reports/render/gate-markdown.js';
import { listOption } from '../options.js';
import { writeTextFile } from '../write-text.js';

const EXPORTS = ['github-action-benchmark', 'bencher'] as const;
type ExportFormat = (typeof EXPORTS)[number];

interface GateArgs {
  reports: string[];
  baseline?: string;
  rules?: string;
  rule?: string[];
  normalize?: string;
  summary?: string;
  export?: string[];
  out: string;
}

function builder(y: Argv): Argv<GateArgs> {
  return y
    .positional('reports', { type: 'string', array: true, describe: 'report.json files to check' })
    .option('baseline', { type: 'string', describe: 'baseline report for relative rules (overrides the rule file)' })
    .option('rules', { type: 'string', describe: 'a JSON rule file (see docs/compare-gate-tune.md)' })
    .option('rule', {
      type: 'string',
      array: true,
      describe: "a rule (repeatable): 'commit_p99_ns +10%', 'sync_p99_ns < 10ms', 'lost_max <= 0 [mode=sync]'",
    })
    .option('normalize', { choices: ['raw-sync-p50'], describe: "normalise --rule rules by the same report's raw sync p50 (runner speed)" })
    .option('summary', { type: 'string', describe: 'also write the Markdown summary here (e.g. $GITHUB_STEP_SUMMARY)' })
    .option('export', listOption('CI exports: github-action-benchmark, bencher (comma list), written to --out'))
    .option('out', { type: 'string', default: '.', describe: 'directory for --export files' })
    .example("$0 gate pr/report.json --baseline main/report.json --rule 'commit_p99_ns +10%' --rule 'sync_p99_ns < 10ms [mode=sync]'", 'relative and absolute rules')
    .example('$0 gate report.json --rules gate.json --export bencher --out ci/', 'rules from a file, Bencher JSON for CI') as unknown as Argv<GateArgs>;
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

function handler(args: GateArgs): void {
  const exports = (args.export ?? []).map((e) => {
    if (!(EXPORTS as readonly string[]).includes(e)) throw new UsageError(`--export '${e}' is not an export; use ${EXPORTS.join(' or ')}`);
    return e as ExportFormat;
  });
  const files = args.reports ?? [];
  if (files.length === 0) throw new UsageError('gate needs at least one report to check');
  const rules: GateRule[] = [];
  let baselineFile = args.baseline ?? null;
  if (args.rules) {
    const compiled = compileConfig(readJson(args.rules, 'rule file'), args.rules);
    rules.push(...compiled.rules);
    if (!baselineFile && compiled.baseline) baselineFile = path.resolve(path.dirname(args.rules), compiled.baseline);
  }
  for (const r of args.rule ?? []) rules.push(compileRule(r, { normalize: (args.normalize as Normalize | undefined) ?? null }, `--rule '${r}'`));
  const labels = uniqueLabels(files);
  const reports = files.map((file, i) => ({ name: labels[i]!, report: readReport(file) }));
  const baseline = baselineFile ? { name: `baseline ${baselineFile}`, report: readReport(baselineFile) } : null;
  const result = evaluateGate({ rules, reports, baseline });

  const markdown = renderGateMarkdown(result);
  process.stdout.write(markdown);
  if (args.summary) fs.appendFileSync(args.summary, markdown);
  const prefixed = reports.map((r) => ({ report: r.report, ...(reports.length > 1 ? { prefix: r.name } : {}) }));
  for (const e of exports) {
    if (e === 'github-action-benchmark') {
      const gab = toGithubActionBenchmark(prefixed);
      writeTextFile(path.join(args.out, 'github-action-benchmark-smaller.json'), JSON.stringify(gab.customSmallerIsBetter, null, 2) + '\n');
      writeTextFile(path.join(args.out, 'github-action-benchmark-bigger.json'), JSON.stringify(gab.customBiggerIsBetter, null, 2) + '\n');
    } else {
      writeTextFile(path.join(args.out, 'bencher.json'), JSON.stringify(toBencher(prefixed), null, 2) + '\n');
    }
  }
  if (!result.pass) process.exitCode = 1;
}

export const gateCommand: CommandModule<object, GateArgs> = {
  command: 'gate <reports..>',
  describe: 'check reports against rules (relative to a baseline, absolute limits, loss limits): exit 0 pass, 1 regression',
  builder,
  handler,
};
