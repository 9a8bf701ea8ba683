import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { runCli } from './helpers/cli.js';
import { fixtureDir } from './helpers/fixtures.js';
import { tempDir } from './helpers/tmp.js';

const fixturesDir = fixtureDir();
const fx = (name: string): string => path.join(fixturesDir, `${name}.json`);

function usage(r: { code: number | null; stderr: string }, re: RegExp): void {
  assert.equal(r.code, 2, r.stderr);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0]!, re);
}

test('compare prints the table; --out writes md, csv and html', async () => {
  const out = tempDir('compare');
  const r = await runCli(['compare', fx('baseline'), fx('regression'), '--format', 'console,md,csv,html', '--out', out]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /WORSE/);
  for (const f of ['compare.md', 'compare.csv', 'compare.html']) assert.ok(fs.existsSync(path.join(out, f)), f);
  assert.match(fs.readFileSync(path.join(out, 'compare.html'), 'utf8'), /<svg/);
});

test('compare: bad inputs exit 2 with one line', async () => {
  usage(await runCli(['compare', fx('baseline'), fx('not-a-report')]), /not-a-report\.json is not a durabench report/);
  usage(await runCli(['compare', fx('baseline'), fx('newer-schema')]), /schemaVersion 99 .*upgrade durabench/);
  usage(await runCli(['compare', fx('baseline'), fx('other-suite')]), /no completed case in common/);
  usage(await runCli(['compare', fx('baseline')]), /two or more reports/);
  usage(await runCli(['compare', fx('baseline'), fx('regression'), '--format', 'pdf']), /--format 'pdf' is not a format/);
});

test('gate exits 0 on pass, 1 on a regression or broken loss rule, writes exports and the summary', async () => {
  const out = tempDir('gate');
  const summary = path.join(out, 'summary.md');
  const pass = await runCli(['gate', fx('improvement'), '--rules', fx('gate-rules'), '--export', 'github-action-benchmark,bencher', '--out', out, '--summary', summary]);
  assert.equal(pass.code, 0, pass.stderr);
  assert.match(pass.stdout, /✅ passed/);
  assert.match(fs.readFileSync(summary, 'utf8'), /✅ passed/);
  const smaller = JSON.parse(fs.readFileSync(path.join(out, 'github-action-benchmark-smaller.json'), 'utf8')) as unknown[];
  const bigger = JSON.parse(fs.readFileSync(path.join(out, 'github-action-benchmark-bigger.json'), 'utf8')) as unknown[];
  assert.equal(bigger.length, 3);
  assert.equal(smaller.length, 3 * 5);
  assert.ok(Object.keys(JSON.parse(fs.readFileSync(path.join(out, 'bencher.json'), 'utf8')) as object).length === 3);

  const reg = await runCli(['gate', fx('regression'), '--baseline', fx('baseline'), '--rule', 'commit_p99_ns +10%']);
  assert.equal(reg.code, 1);
  assert.match(reg.stdout, /❌ 1 regression/);
  const loss = await runCli(['gate', fx('loss'), '--rule', 'lost_max <= 0 [mode=sync]']);
  assert.equal(loss.code, 1);
});

test('gate: unknown metric, unreadable report, no common case, no rules: exit 2 with one line', async () => {
  usage(await runCli(['gate', fx('baseline'), '--rule', 'commit_p42_ns < 1ms']), /unknown metric 'commit_p42_ns'/);
  usage(await runCli(['gate', fx('not-a-report'), '--rule', 'commit_p99_ns < 1ms']), /is not a durabench report/);
  usage(await runCli(['gate', fx('other-suite'), '--baseline', fx('baseline'), '--rule', 'commit_p99_ns +10%']), /no case in common/);
  usage(await runCli(['gate', fx('baseline')]), /gate has no rules/);
  usage(await runCli(['gate', fx('baseline'), '--rule', 'commit_p99_ns < 1ms', '--export', 'junit']), /--export 'junit' is not an export/);
});

test('merge adds the histograms of the same case from several reports exactly', async () => {
  const out = path.join(tempDir('merge'), 'merged.json');
  const r = await runCli(['merge', fx('baseline'), fx('regression'), '--out', out]);
  assert.equal(r.code, 0, r.stderr);
  const merged = JSON.parse(fs.readFileSync(out, 'utf8')) as import('../model/run-report.js').RunReport;
  const wal = merged.cases.find((c) => c.id === 'wal/sync/w1/v128/unique/t0');
  assert.ok(wal && wal.state === 'completed');
  assert.equal(wal.metrics.commitLatency.count, 2000);
  assert.equal(wal.metrics.commits, 7000);
  assert.equal(wal.metrics.commitsPerSec, 3500);
  assert.equal(wal.repeats?.count, 2);
  assert.deepEqual(wal.repeats?.metrics['commits_per_sec']?.values, [4000, 3000]);
  assert.equal(merged.mergedFrom?.length, 2);
  usage(await runCli(['merge', fx('baseline'), fx('other-suite'), '--out', `${out}.again`]), /no completed case in common/);
  // The merged report is never replaced without --force.
  usage(await runCli(['merge', fx('baseline'), fx('regression'), '--out', out]), /--out '.*merged\.json' exists; give a new file name, or --force to replace it/);
  assert.equal((await runCli(['merge', fx('baseline'), fx('regression'), '--out', out, '--force'])).code, 0);
});
