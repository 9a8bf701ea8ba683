/**
 * Every flag of every command, with every class of wrong value its kind allows, derived from the
 * flag table (cli/commands/flag-sets.ts COMMAND_FLAGS, the engines' option specs): not a number, empty,
 * below the minimum, above the maximum, a fraction where a whole number is needed, a word that is
 * not one of the choices, a value given to a switch — plus, per flag name, the wrong values only
 * its meaning knows (a missing directory, a file where a directory goes, /proc, a suite file with an
 * unknown field, a marker no engine announces, …). A new flag is covered by its kind at once; a
 * flag whose kind gives no wrong value and that has no entry below fails the coverage test.
 *
 * Each bad input must give exit 2, exactly one line on stderr naming the option and quoting what
 * was typed, nothing on stdout, and create nothing. The command lines run through the real CLI
 * (`main`, what bin/durabench.js calls) in one process (test/helpers/cli-driver.ts): hundreds of
 * Node starts would take minutes.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { COMMAND_FLAGS, ENGINE_OPTION_COMMANDS } from '../cli/commands/flag-sets.js';
import type { FlagSpec } from '../cli/flags.js';
import { maxWriters } from '../coordinator/defaults.js';
import { optionRule, allOptionSpecs } from '../engines/options.js';
import { builtinEngines } from '../engines/registry.js';
import type { EngineOptionSpec } from '../engines/types.js';
import { type NumberRule } from '../model/validate.js';
import type { DriverResult } from './helpers/cli-driver.js';
import { fixtureDir } from './helpers/fixtures.js';
import { repoRoot, tempDir } from './helpers/tmp.js';

const work = tempDir('bad-table');
const target = path.join(work, 'target');
const cwd = path.join(work, 'cwd');
fs.mkdirSync(target);
fs.mkdirSync(cwd);
const aFile = path.join(work, 'a-file');
fs.writeFileSync(aFile, 'x\n');
const fx = fixtureDir();
const report = path.join(fx, 'baseline.json');
const report2 = path.join(fx, 'regression.json');
const existingOut = path.join(work, 'existing.json');
fs.writeFileSync(existingOut, '{}\n');
const suite = (name: string, content: unknown): string => {
  const f = path.join(work, `${name}.json`);
  fs.writeFileSync(f, typeof content === 'string' ? content : JSON.stringify(content));
  return f;
};
const badSuites = {
  notJson: suite('not-json', '{ "engines": [raw'),
  wrongType: suite('wrong-type', { engines: 'raw' }),
  unknownField: suite('unknown-field', { engines: ['raw'], durationSecs: 3 }),
  outOfRange: suite('out-of-range', { engines: ['raw'], writers: [0] }),
  crashBadKind: suite('crash-bad-kind', { name: 'x', kind: 'crash', kinds: [{ kind: 'banana' }], cases: [{ engine: 'raw', mode: 'sync' }] }),
  crashUnknownField: suite('crash-unknown-field', { name: 'x', kind: 'crash', trails: 3, kinds: [{ kind: 'kill' }], cases: [{ engine: 'raw', mode: 'sync' }] }),
  crashSeed: suite('crash-seed', { name: 'x', kind: 'crash', kinds: [{ kind: 'kill' }], cases: [{ engine: 'raw', mode: 'sync' }] }),
};

/** One wrong value: how it is typed, and what the message must quote (default: the value). */
interface Wrong {
  readonly value: string;
  readonly quoted?: string;
  /** Only for these commands. */
  readonly only?: readonly string[];
  /** Not for these commands. */
  readonly not?: readonly string[];
  /** Extra flags this wrong value needs to mean what it means. */
  readonly with?: readonly string[];
}

function belowMin(rule: NumberRule): string | null {
  if (rule.min === undefined) return null;
  if (rule.exclusiveMin) return String(rule.min);
  return String(rule.integer ? rule.min - 1 : rule.min - 0.5);
}

function aboveMax(rule: NumberRule): string | null {
  return rule.max === undefined ? null : String(rule.max === 0 ? 1 : rule.max * 10);
}

/** The wrong values every flag of this kind has. */
function byKind(spec: { kind: FlagSpec['kind']; rule?: NumberRule; choices?: readonly string[] }): Wrong[] {
  switch (spec.kind) {
    case 'boolean':
      return [{ value: '=maybe' }, { value: '=1' }];
    case 'number':
    case 'numbers': {
      const rule = spec.rule ?? {};
      const out: Wrong[] = [{ value: 'abc' }, { value: '' }, { value: 'NaN' }, { value: 'Infinity' }];
      const lo = belowMin(rule);
      const hi = aboveMax(rule);
      if (lo !== null) out.push({ value: lo });
      if (hi !== null) out.push({ value: hi });
      if (rule.integer) out.push({ value: '2.5' });
      if (spec.kind === 'numbers') out.push({ value: '1,abc', quoted: 'abc' });
      return out;
    }
    case 'string':
    case 'strings':
    case 'repeated': {
      const out: Wrong[] = [{ value: '' }];
      if (spec.choices) {
        out.push({ value: 'nosuch' });
        if (spec.kind === 'strings') out.push({ value: `${spec.choices[0]},nosuch`, quoted: 'nosuch' });
      }
      return out;
    }
  }
}

/** Wrong values only a flag's meaning knows. Every string flag without choices needs an entry (or `[]` with a reason). */
const BY_NAME: Record<string, Wrong[]> = {
  suite: [
    { value: 'nosuch' },
    { value: badSuites.notJson },
    { value: badSuites.wrongType, quoted: '"engines"', not: ['crash'] },
    { value: badSuites.unknownField, quoted: '"durationSecs" is not a suite field', not: ['crash'] },
    { value: badSuites.outOfRange, quoted: '"writers[0]"', not: ['crash'] },
    { value: badSuites.wrongType, quoted: 'is not a crash suite', only: ['crash'] },
    { value: badSuites.crashBadKind, quoted: '"kinds[0].kind"', only: ['crash'] },
    { value: badSuites.crashUnknownField, quoted: '"trails" is not a suite field', only: ['crash'] },
    { value: badSuites.crashSeed, quoted: 'is a crash suite; run it with durabench crash', not: ['crash'] },
  ],
  engine: [{ value: 'nosuch' }, { value: './no-such-engine.mjs' }],
  workload: [{ value: 'zipf' }, { value: 'overwrite:0' }],
  fault: [{ value: 'nosuch' }],
  dir: [
    { value: path.join(work, 'missing') },
    { value: aFile },
    { value: '/proc', not: ['env', 'clean'] },
    { value: '/proc/self/fd/0', only: ['env', 'clean'] },
  ],
  'crash-at': [{ value: 'sometimes' }, { value: 'op:0' }, { value: 'marker:nosuch' }],
  'crash-sweep': [{ value: 'a..b' }, { value: 'marker:nosuch..marker:checkpoint-done' }],
  'crash-window': [{ value: 'soon' }, { value: '50%..10%' }],
  fs: [{ value: 'zfs' }, { value: 'ext4,zfs', quoted: 'zfs' }],
  method: [{ value: 'nosuch' }],
  format: [{ value: 'xml' }],
  out: [
    { value: aFile, not: ['merge'] },
    { value: '/proc/durabench-out', not: ['merge'] },
    { value: path.join(aFile, 'sub'), not: ['merge'] },
    { value: existingOut, only: ['merge'] },
    { value: work, only: ['merge'] },
    { value: '/proc/merged.json', only: ['merge'] },
  ],
  baseline: [{ value: path.join(work, 'missing.json') }, { value: path.join(fx, 'not-a-report.json') }],
  rules: [{ value: path.join(work, 'missing.json') }, { value: badSuites.notJson }],
  rule: [{ value: 'garbage' }, { value: 'commit_p42_ns < 1ms', quoted: 'commit_p42_ns' }],
  summary: [{ value: '/proc/summary.md' }, { value: work }],
  // Free text checked by mount(8) when the image is mounted: only an empty value is wrong up front.
  'mount-options': [],
  'image-mib': [{ value: '1000000', quoted: '--image-mib 1000000' }],
  writers: maxWriters() < 256 ? [{ value: String(maxWriters() + 1) }] : [],
};

/** A valid command line per command; the flag under test (and what it needs) is added to it. */
function base(command: string, flag: string): string[] {
  const power = ['fs', 'mount-options', 'image-mib', 'writeback'].includes(flag);
  const trial = ['trials', 'crash-at', 'crash-sweep', 'crash-window'].includes(flag);
  const batch = ['batch-size', 'batch-ms'].includes(flag);
  const unless = (name: string, ...args: string[]): string[] => (flag === name ? [] : args);
  const matrix = (engine: string): string[] => [...unless('engine', '--engine', engine), ...(batch && command !== 'tune' ? ['--mode', 'batch'] : []), ...unless('dir', '--dir', target)];
  const measure = [...(flag === 'duration' || flag === 'commits' ? [] : ['--duration', '0.05']), ...unless('warmup', '--warmup', '0')];
  const crashRun = power || trial ? ['--crash', power ? 'power' : 'kill'] : [];
  switch (command) {
    case 'run':
      return ['run', ...matrix('null'), ...measure, ...crashRun];
    case 'tune':
      return ['tune', ...matrix('null'), ...measure, ...crashRun, ...unless('batch-size', '--batch-size', '1')];
    case 'crash':
      return ['crash', ...matrix('btree'), ...(power ? ['--kind', 'power'] : []), ...unless('trials', '--trials', '1')];
    case 'probe':
      return ['probe', ...unless('method', '--method', 'write-nosync'), ...unless('duration', '--duration', '0.05'), ...unless('dir', '--dir', target)];
    case 'engines':
      return ['engines'];
    case 'env':
      return ['env', ...unless('dir', '--dir', target)];
    case 'compare':
      return ['compare', report, report2];
    case 'merge':
      return ['merge', report, report2, ...unless('out', '--out', path.join(work, 'merged.json'))];
    case 'gate':
      return ['gate', report, ...unless('rule', '--rule', 'commit_p99_ns < 1s'), ...(flag === 'out' ? ['--export', 'bencher'] : [])];
    case 'report':
      return ['report', report];
    case 'clean':
      return ['clean', ...unless('dir', '--dir', target), ...unless('dry-run', '--dry-run')];
    default:
      throw new Error(`no base command line for ${command}`);
  }
}

interface Row {
  readonly label: string;
  readonly args: string[];
  /** The option the message must name (null: a positional argument, named by its value). */
  readonly names: string | null;
  readonly quoted: string;
}

function token(flag: string, kind: string, value: string): string[] {
  return kind === 'boolean' ? [`--${flag}${value}`] : [`--${flag}=${value}`];
}

function rowsFor(command: string, spec: { name: string; kind: FlagSpec['kind']; rule?: NumberRule; choices?: readonly string[] }, engine?: string): Row[] {
  const wrongs = [...byKind(spec), ...(BY_NAME[spec.name] ?? [])].filter((w) => (!w.only || w.only.includes(command)) && !(w.not ?? []).includes(command));
  return wrongs.map((w) => {
    const args = [...base(command, spec.name), ...(w.with ?? [])];
    // An engine option is tried on an engine that has it.
    const e = args.indexOf('--engine');
    if (engine && e >= 0) args[e + 1] = engine;
    args.push(...token(spec.name, spec.kind, w.value));
    const quoted = spec.kind === 'boolean' ? `--${spec.name}${w.value}` : (w.quoted ?? w.value);
    return { label: `${command} --${spec.name}${spec.kind === 'boolean' ? w.value : `=${w.value}`}`, args, names: spec.name, quoted };
  });
}

function engineSpecKind(o: EngineOptionSpec): { name: string; kind: FlagSpec['kind']; rule?: NumberRule; choices?: readonly string[] } {
  return o.type === 'number' ? { name: o.name, kind: 'number', rule: optionRule(o) } : o.type === 'boolean' ? { name: o.name, kind: 'boolean' } : { name: o.name, kind: 'string', ...(o.choices ? { choices: o.choices } : {}) };
}

function allRows(): Row[] {
  const rows: Row[] = [];
  for (const [command, specs] of Object.entries(COMMAND_FLAGS)) {
    for (const spec of specs) rows.push(...rowsFor(command, spec));
    if (!ENGINE_OPTION_COMMANDS.includes(command)) continue;
    for (const o of allOptionSpecs(builtinEngines())) {
      const owner = builtinEngines().find((e) => e.options.some((x) => x.name === o.name))!;
      rows.push(...rowsFor(command, engineSpecKind(o), owner.name).filter((r) => r.quoted !== ''));
    }
  }
  // Combinations: values fine alone, too much together.
  rows.push({ label: 'run: matrix × --repeat beyond the bound', args: ['run', '--engine', 'null', '--mode', 'sync,batch,none', '--value-bytes', '1,2,3,4', '--repeat', '1000', '--dir', target], names: 'repeat', quoted: '--repeat 1000' });
  return rows;
}

/** Reports as positional arguments: every way a file can be wrong. */
function reportRows(): Row[] {
  const banana = path.join(work, 'banana.json');
  const r = JSON.parse(fs.readFileSync(report, 'utf8')) as Record<string, unknown>;
  fs.writeFileSync(banana, JSON.stringify({ ...r, kind: 'banana' }));
  const files = [path.join(work, 'missing.json'), aFile, work, path.join(fx, 'not-a-report.json'), path.join(fx, 'newer-schema.json'), banana];
  const rows: Row[] = [];
  for (const f of files) {
    rows.push({ label: `compare ${path.basename(f)}`, args: ['compare', report, f], names: null, quoted: f });
    rows.push({ label: `merge ${path.basename(f)}`, args: ['merge', report, f, '--out', path.join(work, 'merged.json')], names: null, quoted: f });
    rows.push({ label: `gate ${path.basename(f)}`, args: ['gate', f, '--rule', 'commit_p99_ns < 1s'], names: null, quoted: f });
    rows.push({ label: `gate --baseline ${path.basename(f)}`, args: ['gate', report, '--baseline', f, '--rule', 'commit_p99_ns +10%'], names: 'baseline', quoted: f });
    rows.push({ label: `report ${path.basename(f)}`, args: ['report', f], names: null, quoted: f });
  }
  return rows;
}

/** Run rows through one driver process; the results in order. */
async function drive(rows: readonly Row[], n: number): Promise<DriverResult[]> {
  const casesFile = path.join(work, `cases-${n}.json`);
  const resultsFile = path.join(work, `results-${n}.json`);
  fs.writeFileSync(casesFile, JSON.stringify(rows.map((r) => ({ args: r.args, cwd }))));
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(repoRoot, 'dist', 'test', 'helpers', 'cli-driver.js'), casesFile, resultsFile], { stdio: ['ignore', 'ignore', 'inherit'] });
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`driver exit ${code}`))));
  });
  const results = JSON.parse(fs.readFileSync(resultsFile, 'utf8')) as DriverResult[];
  fs.rmSync(casesFile);
  fs.rmSync(resultsFile);
  return results;
}

function listing(): string[] {
  const walk = (d: string): string[] => fs.readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? [path.join(d, e.name), ...walk(path.join(d, e.name))] : [path.join(d, e.name)]));
  return [...walk(work), ...walk(fx)].sort();
}

test('every flag of every command has at least one wrong value in the table', () => {
  const uncovered: string[] = [];
  for (const [command, specs] of Object.entries(COMMAND_FLAGS)) {
    for (const spec of specs) {
      const rows = rowsFor(command, spec).filter((r) => r.quoted !== '');
      // An empty value is checked for every string flag, but a flag needs a real wrong value too.
      if (rows.length === 0 && BY_NAME[spec.name] === undefined) uncovered.push(`${command} --${spec.name}`);
    }
  }
  assert.deepEqual(uncovered, []);
});

test('every bad input: exit 2, one line naming the option and quoting what was typed, nothing on stdout, nothing created', async () => {
  const rows = [...allRows(), ...reportRows()];
  const before = listing();
  // Two driver processes (the machine's cores), each with half of the rows.
  const halves = [rows.filter((_, i) => i % 2 === 0), rows.filter((_, i) => i % 2 === 1)];
  const parts = await Promise.all(halves.map((half, h) => drive(half, h)));
  const results = rows.map((_, i) => parts[i % 2]![Math.floor(i / 2)]!);
  if (process.env['DURABENCH_TABLE_DUMP']) fs.writeFileSync(process.env['DURABENCH_TABLE_DUMP'], JSON.stringify(rows.map((r, i) => ({ ...r, result: results[i] })), null, 1));
  const problems: string[] = [];
  rows.forEach((row, i) => {
    const r = results[i]!;
    const lines = r.stderr.trim().split('\n');
    const why = [
      r.code !== 2 ? `exit ${r.code}` : null,
      lines.length !== 1 ? `${lines.length} lines on stderr` : null,
      !lines[0]!.startsWith('durabench: ') ? 'no durabench: prefix' : null,
      r.stdout !== '' ? 'output on stdout' : null,
      row.names !== null && !lines[0]!.includes(`--${row.names}`) ? `does not name --${row.names}` : null,
      row.quoted !== '' && !lines[0]!.includes(row.quoted) ? `does not quote ${JSON.stringify(row.quoted)}` : null,
    ].filter((x): x is string => x !== null);
    if (why.length > 0) problems.push(`${row.label}: ${why.join(', ')}: ${r.stderr.trim().slice(0, 300)}`);
  });
  assert.deepEqual(problems, [], `${problems.length} of ${rows.length} bad inputs misbehave`);
  assert.deepEqual(listing(), before, 'nothing was created');
  assert.ok(rows.length > 300, `the table has ${rows.length} rows`);
});
