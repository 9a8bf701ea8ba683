import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { runCli } from './helpers/cli.js';
import { fixture, fixtureDir } from './helpers/fixtures.js';
import { tempDir } from './helpers/tmp.js';
import type { RunReport } from '../model/run-report.js';

const fixturesDir = fixtureDir();
const fx = (name: string): string => path.join(fixturesDir, `${name}.json`);

function usage(r: { code: number | null; stderr: string }, re: RegExp): void {
  assert.equal(r.code, 2, r.stderr);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0]!, re);
}

/** Bad report files of every sort, written once. */
const bad = (() => {
  const dir = tempDir('bad-reports');
  const write = (name: string, text: string): string => {
    const f = path.join(dir, name);
    fs.writeFileSync(f, text);
    return f;
  };
  const base = fixture<RunReport>('baseline.json');
  const text = JSON.stringify(base, null, 2);
  const damaged = structuredClone(base) as unknown as { cases: { metrics: Record<string, unknown> }[] };
  delete damaged.cases[1]!.metrics['commitLatency'];
  return {
    truncated: write('truncated.json', text.slice(0, Math.floor(text.length / 2))),
    damaged: write('damaged.json', JSON.stringify(damaged)),
    wrongKind: write('env.json', JSON.stringify({ ...base, kind: 'env', suite: undefined, cases: undefined })),
    newer: fx('newer-schema'),
    notReport: fx('not-a-report'),
  };
})();

test('compare: two reports without repeats give ratios but no significance; --out writes md, csv and html', async () => {
  const out = tempDir('compare');
  const r = await runCli(['compare', fx('baseline'), fx('regression'), '--format', 'console,md,csv,html', '--out', out]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /1\.30× no significance/);
  assert.match(r.stdout, /no significance without repeats: baseline and regression ran once/);
  for (const f of ['compare.md', 'compare.csv', 'compare.html']) assert.ok(fs.existsSync(path.join(out, f)), f);
  assert.match(fs.readFileSync(path.join(out, 'compare.html'), 'utf8'), /<svg/);
  const rep = await runCli(['compare', fx('repeats-base'), fx('repeats-worse')]);
  assert.equal(rep.code, 0, rep.stderr);
  assert.match(rep.stdout, /WORSE \(p 0\.0079\)/);
  const hosts = await runCli(['compare', fx('baseline'), fx('regression'), '--by', 'host']);
  assert.equal(hosts.code, 0, hosts.stderr);
  assert.match(hosts.stdout, /runner-a \(x64, Linux 6\.1\.0\) \(baseline\)/);
});

test('compare: bad inputs exit 2 with one line', async () => {
  usage(await runCli(['compare', fx('baseline'), fx('not-a-report')]), /not-a-report\.json is not a durabench report/);
  usage(await runCli(['compare', fx('baseline'), fx('newer-schema')]), /schemaVersion 99 .*upgrade durabench/);
  usage(await runCli(['compare', fx('baseline'), fx('other-suite')]), /no completed case in common/);
  usage(await runCli(['compare', fx('baseline')]), /two or more reports/);
  usage(await runCli(['compare', fx('baseline'), fx('regression'), '--format', 'pdf']), /--format 'pdf' is not a format/);
  usage(await runCli(['compare', fx('baseline'), fx('regression'), '--alpha', '0']), /--alpha must be a number > 0 and ≤ 0\.5, got '0'/);
  usage(await runCli(['compare', fx('baseline'), fx('regression'), '--by', 'disk']), /--by 'disk' is not a way to line cases up; use report, target, host or fs/);
});

test('every reader (compare, gate, merge, report): damaged, truncated, wrong-kind and newer-schema files exit 2 with one line', async () => {
  const out = path.join(tempDir('readers'), 'merged.json');
  const readers: [string, (f: string) => string[]][] = [
    ['compare', (f) => ['compare', fx('baseline'), f]],
    ['gate', (f) => ['gate', f, '--rule', 'commit_p99_ns < 1s']],
    ['gate --baseline', (f) => ['gate', fx('baseline'), '--baseline', f, '--rule', 'commit_p99_ns +10%']],
    ['merge', (f) => ['merge', fx('baseline'), f, '--out', out]],
    ['report', (f) => ['report', f, '--out', path.dirname(out)]],
  ];
  for (const [name, argv] of readers) {
    usage(await runCli(argv(bad.truncated)), /truncated\.json is not JSON/);
    usage(await runCli(argv(bad.damaged)), /damaged\.json is not a valid run report: at \/cases\/1\/metrics.*commitLatency|damaged\.json is not a valid run report: at \/cases\/1/);
    usage(await runCli(argv(bad.newer)), /has schemaVersion 99 .*upgrade durabench to read it/);
    usage(await runCli(argv(bad.notReport)), /is not a durabench report/);
    if (name !== 'report') usage(await runCli(argv(bad.wrongKind)), /env\.json is an env report; this command reads run reports/);
  }
  assert.ok(!fs.existsSync(out), 'nothing written');
});

test('gate exits 0 on pass and writes exports and the summary; 1 on a broken rule', async () => {
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
  assert.equal(Object.keys(JSON.parse(fs.readFileSync(path.join(out, 'bencher.json'), 'utf8')) as object).length, 3);
  assert.equal(fs.readFileSync(path.join(out, 'bencher-testbed'), 'utf8'), 'runner-b\n');

  const reg = await runCli(['gate', fx('regression'), '--baseline', fx('baseline'), '--rule', 'commit_p99_ns +10%']);
  assert.equal(reg.code, 1, reg.stderr);
  assert.match(reg.stdout, /❌ 1 check failed/);
  const loss = await runCli(['gate', fx('loss'), '--rule', 'lost_max <= 0 [mode=sync]']);
  assert.equal(loss.code, 1);
});

test('gate exits 2 naming the rule on an unmatched rule and on a missing metric, unless --allow-missing', async () => {
  const typo = await runCli(['gate', fx('baseline'), '--rule', 'commit_p99_ns < 1s [engine=nosuch]', '--format', 'md']);
  usage(typo, /^durabench: rule 'commit_p99_ns < 1s \[engine=nosuch\]' checked nothing: no case of baseline matches its filter \[engine=nosuch\]; fix the rule or the run, or give --allow-missing$/);
  assert.match(typo.stdout, /checked nothing/, 'the summary is still printed');
  const noCrash = await runCli(['gate', fx('other-suite'), '--rule', 'lost_max <= 0']);
  usage(noCrash, /rule 'lost_max <= 0' checked nothing: none of the 1 matching case of other-suite ran crash trials/);
  const allowed = await runCli(['gate', fx('other-suite'), '--rule', 'lost_max <= 0', '--rule', 'commit_p99_ns < 1s', '--allow-missing']);
  assert.equal(allowed.code, 0, allowed.stderr);
  assert.match(allowed.stdout, /allowed by --allow-missing/);
});

test('gate: unknown metric, unreadable report, no common case, no rules, --normalize without a relative rule: exit 2 with one line', async () => {
  usage(await runCli(['gate', fx('baseline'), '--rule', 'commit_p42_ns < 1ms']), /unknown metric 'commit_p42_ns'/);
  usage(await runCli(['gate', fx('not-a-report'), '--rule', 'commit_p99_ns < 1ms']), /is not a durabench report/);
  usage(await runCli(['gate', fx('other-suite'), '--baseline', fx('baseline'), '--rule', 'commit_p99_ns +10%']), /no case in common/);
  usage(await runCli(['gate', fx('baseline')]), /gate has no rules/);
  usage(await runCli(['gate', fx('baseline'), '--rule', 'commit_p99_ns < 1ms', '--export', 'junit']), /--export 'junit' is not an export/);
  usage(await runCli(['gate', fx('baseline'), '--rule', 'sync_p99_ns < 10ms', '--normalize', 'raw-sync-p50']), /--normalize applies to relative rules/);
  const rules = path.join(tempDir('rules'), 'r.json');
  fs.writeFileSync(rules, '{"rules": [');
  usage(await runCli(['gate', fx('baseline'), '--rules', rules]), /rule file .*r\.json is not JSON/);
});

test('gate: --normalize leaves absolute rules absolute (the fleet workflow bug), and --help shows the rule grammar', async () => {
  const r = await runCli(['gate', fx('slow-runner'), '--baseline', fx('baseline'), '--normalize', 'raw-sync-p50', '--rule', 'commit_p99_ns +10% [engine=wal]', '--rule', 'sync_p99_ns < 10ms [engine=raw,mode=sync]', '--format', 'json']);
  assert.equal(r.code, 0, r.stderr);
  const result = JSON.parse(r.stdout) as { checks: { rule: string; value: string; expectation: string; status: string }[] };
  const abs = result.checks.find((c) => c.rule.startsWith('sync_p99_ns'))!;
  assert.equal(abs.expectation, '< 10.0 ms');
  assert.equal(abs.status, 'pass');
  assert.match(result.checks.find((c) => c.rule.startsWith('commit_p99_ns'))!.value, /× raw sync p50/);
  const help = await runCli(['gate', '--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /METRIC \+N%/);
  assert.match(help.stdout, /\[engine=E,mode=M,case=GLOB\]/);
  assert.match(help.stdout, /--allow-missing/);
});

test('merge adds the histograms of the same case from several reports exactly', async () => {
  const out = path.join(tempDir('merge'), 'merged.json');
  const r = await runCli(['merge', fx('baseline'), fx('regression'), '--out', out]);
  assert.equal(r.code, 0, r.stderr);
  const merged = JSON.parse(fs.readFileSync(out, 'utf8')) as RunReport;
  const wal = merged.cases.find((c) => c.id === 'wal/sync/w1/v128/unique/t0');
  assert.ok(wal && wal.state === 'completed');
  assert.equal(wal.metrics.commitLatency.count, 2000);
  assert.equal(wal.metrics.commits, 7000);
  assert.equal(wal.metrics.commitsPerSec, 3500);
  assert.equal(wal.repeats?.count, 2);
  assert.deepEqual(wal.repeats?.metrics['commits_per_sec']?.values, [4000, 3000]);
  assert.equal(merged.mergedFrom?.length, 2);
  usage(await runCli(['merge', fx('baseline'), fx('other-suite'), '--out', out]), /no completed case in common/);
});

test('merge refuses reports of different CPU architectures or kernels unless --force', async () => {
  const dir = tempDir('merge-arch');
  const arm = fixture<RunReport>('regression.json');
  arm.host.arch = 'arm64';
  const armFile = path.join(dir, 'arm.json');
  fs.writeFileSync(armFile, JSON.stringify(arm));
  const kernel = fixture<RunReport>('regression.json');
  kernel.host.kernel = '6.8.0';
  const kernelFile = path.join(dir, 'kernel.json');
  fs.writeFileSync(kernelFile, JSON.stringify(kernel));
  const out = path.join(dir, 'merged.json');
  usage(await runCli(['merge', fx('baseline'), armFile, '--out', out]), /ran on different CPU architectures: pooling their histograms describes neither; line them up with durabench compare --by host, or merge anyway with --force/);
  usage(await runCli(['merge', fx('baseline'), kernelFile, '--out', out]), /\(runner-b \(x64, Linux 6\.8\.0\)\) ran on different kernels/);
  assert.ok(!fs.existsSync(out));
  const forced = await runCli(['merge', fx('baseline'), armFile, '--out', out, '--force']);
  assert.equal(forced.code, 0, forced.stderr);
  assert.ok(fs.existsSync(out));
});
