import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import fs from 'node:fs';
import { compileConfig, compileRule, evaluateGate, RULE_GRAMMAR, type GateRule } from '../../analysis/gate.js';
import { readReport } from '../../reports/read.js';
import { render } from '../../reports/formats.js';
import { UsageError } from '../../model/errors.js';
import { fixtureDir } from '../helpers/fixtures.js';

const fixturesDir = fixtureDir();
const fx = (name: string): string => path.join(fixturesDir, `${name}.json`);
const rep = (name: string) => ({ name, report: readReport(fx(name)) });
const fileRules = compileConfig(JSON.parse(fs.readFileSync(fx('gate-rules'), 'utf8')), 'gate-rules.json').rules;

function gate(current: string, baseline: string | null = 'baseline', rules: readonly GateRule[] = fileRules, allowMissing = false) {
  return evaluateGate({ rules, reports: [rep(current)], baseline: baseline === null ? null : rep(baseline), alpha: 0.05, allowMissing });
}

test('rule strings compile to relative, absolute and filtered rules', () => {
  const r1 = compileRule('commit_p99_ns +10%');
  assert.deepEqual(r1.check, { kind: 'relative', maxWorsening: 0.1 });
  const r2 = compileRule('sync_p99_ns < 10ms [mode=sync]');
  assert.deepEqual(r2.check, { kind: 'absolute', op: '<', limit: 10_000_000 });
  assert.deepEqual(r2.filter, { mode: 'sync' });
  assert.deepEqual(compileRule('commits_per_sec -5%').check, { kind: 'relative', maxWorsening: 0.05 });
  assert.deepEqual(compileRule('lost_max <= 0').check, { kind: 'absolute', op: '<=', limit: 0 });
  assert.deepEqual(compileRule('commit_p99_ns < 250us').check, { kind: 'absolute', op: '<', limit: 250_000 });
});

test('--normalize applies to relative rules only; a rule file may normalise an absolute rule itself', () => {
  assert.equal(compileRule('commit_p99_ns +10%', { normalize: 'raw-sync-p50' }).normalize, 'raw-sync-p50');
  // The fleet workflow's bug: --normalize turned `sync_p99_ns < 10ms` into "10 × raw sync p50".
  const abs = compileRule('sync_p99_ns < 10ms [engine=raw,mode=sync]', { normalize: 'raw-sync-p50' });
  assert.equal(abs.normalize, null);
  assert.deepEqual(abs.check, { kind: 'absolute', op: '<', limit: 10_000_000 });
  const own = compileConfig({ rules: [{ metric: 'commit_p99_ns', op: '<', value: '3x', normalize: 'raw-sync-p50' }] }, 'r.json').rules[0]!;
  assert.equal(own.normalize, 'raw-sync-p50');
  assert.deepEqual(own.check, { kind: 'absolute', op: '<', limit: 3 });
  const fileLevel = compileConfig({ normalize: 'raw-sync-p50', rules: ['commit_p99_ns +10%', 'sync_p99_ns < 10ms'] }, 'r.json').rules;
  assert.deepEqual(fileLevel.map((r) => r.normalize), ['raw-sync-p50', null]);
  // Loss rules are counts: never normalised.
  assert.equal(compileRule('lost_max <= 0', { normalize: 'raw-sync-p50' }).normalize, null);
});

test('bad rules are usage errors with one line', () => {
  for (const bad of ['commit_p42_ns +10%', 'commit_p99_ns -10%', 'commits_per_sec +10%', 'sync_p99_ns < fast', 'nonsense', 'lost_max <= 0 [disk=nvme]']) {
    assert.throws(() => compileRule(bad), (e: Error) => e instanceof UsageError && !e.message.includes('\n'), bad);
  }
  assert.throws(() => compileRule('commit_p42_ns +10%'), /unknown metric 'commit_p42_ns'; use one of commits_per_sec/);
  assert.throws(() => compileConfig({ rules: [{ metric: 'latency', op: '<', value: 1 }] }, 'r.json'), /r.json rule 1: unknown metric 'latency'/);
  assert.throws(() => compileConfig({ nope: 1 }, 'r.json'), /needs a "rules" array/);
  assert.match(RULE_GRAMMAR, /METRIC \+N%/);
  assert.match(RULE_GRAMMAR, /lost_max/);
});

test('a regression fails, an improvement and a change inside the threshold pass', () => {
  const reg = gate('regression');
  assert.equal(reg.pass, false);
  assert.deepEqual(
    reg.checks.filter((c) => c.status === 'fail').map((c) => `${c.rule} @ ${c.caseKey}`),
    ['commit_p99_ns +10% @ wal/sync/w1/v128/unique/t0', 'commits_per_sec -10% @ wal/sync/w1/v128/unique/t0'],
  );
  assert.match(reg.checks.find((c) => c.status === 'fail')!.detail, /no noise test: the baseline ran once/);
  assert.equal(gate('improvement').pass, true);
  assert.equal(gate('noise').pass, true);
  assert.deepEqual(gate('improvement').unchecked, []);
});

test('a broken loss rule fails the gate', () => {
  const r = gate('loss');
  assert.equal(r.pass, false);
  const fail = r.checks.find((c) => c.status === 'fail')!;
  assert.equal(fail.metric, 'lost_max');
  assert.equal(fail.caseKey, 'wal/sync/w1/v128/unique/t0');
});

test('a rule that matches no case, or whose metric no matched case measured, checked nothing: unchecked unless allowed', () => {
  const typo = gate('baseline', null, [compileRule('commit_p99_ns < 1s [engine=nosuch]')]);
  assert.equal(typo.pass, false);
  assert.deepEqual(typo.unchecked, [{ rule: 'commit_p99_ns < 1s [engine=nosuch]', report: 'baseline', reason: 'no case of baseline matches its filter [engine=nosuch]' }]);
  const noCrash = gate('other-suite', null, [compileRule('lost_max <= 0')]);
  assert.equal(noCrash.pass, false);
  assert.match(noCrash.unchecked[0]!.reason, /none of the 1 matching case of other-suite ran crash trials/);
  assert.match(render('gate', 'md', noCrash), /not checked — 1 rule checked nothing/);
  const allowed = gate('other-suite', null, [compileRule('lost_max <= 0'), compileRule('commit_p99_ns < 1s')], true);
  assert.equal(allowed.pass, true);
  assert.match(render('gate', 'md', allowed), /✅ passed .*1 rule checked nothing, allowed by --allow-missing/);
});

test('a case missing from the report is listed as missing, not as a failure; the rule still checked the others', () => {
  const r = gate('missing');
  assert.equal(r.pass, true);
  assert.equal(r.checks.filter((c) => c.status === 'missing').length, 2);
  assert.match(render('gate', 'md', r), /could not be made/);
});

test('with repeats, a change beyond the threshold inside the noise passes; outside it fails', () => {
  const rules = [compileRule('commit_p99_ns +5%')];
  const noisy = gate('repeats-noise', 'repeats-base', rules);
  assert.equal(noisy.pass, true);
  const check = noisy.checks.find((c) => c.caseKey.startsWith('wal'))!;
  assert.equal(check.status, 'noise');
  assert.match(check.detail, /within the noise of the repeats: p = .* \(Mann–Whitney, 5 vs 5\)/);
  assert.equal(check.statistic, 'median of 5 repeats');
  const worse = gate('repeats-worse', 'repeats-base', rules);
  assert.equal(worse.pass, false);
  assert.match(worse.checks.find((c) => c.status === 'fail')!.detail, /p = 0\.0079/);
});

test('normalising by raw sync p50 makes a uniformly slower runner pass', () => {
  const plain = [compileRule('commit_p99_ns +10% [engine=wal]')];
  assert.equal(gate('slow-runner', 'baseline', plain).pass, false);
  const normalised = [compileRule('commit_p99_ns +10% [engine=wal]', { normalize: 'raw-sync-p50' })];
  const r = gate('slow-runner', 'baseline', normalised);
  assert.equal(r.pass, true);
  assert.match(r.checks[0]!.value, /× raw sync p50/);
  // An absolute limit in multiples of the raw sync p50 (a rule-file rule that asks for it).
  const abs = compileConfig({ rules: [{ metric: 'commit_p99_ns', op: '<', value: '2x', mode: 'sync', normalize: 'raw-sync-p50' }] }, 'r.json').rules;
  assert.equal(gate('slow-runner', null, abs).pass, false);
});

test('normalising without a raw sync case, relative rules without a baseline, no common case: usage errors', () => {
  const norm = compileConfig({ rules: [{ metric: 'commit_p99_ns', op: '<', value: '2x', normalize: 'raw-sync-p50' }] }, 'r.json').rules;
  assert.throws(() => gate('other-suite', null, norm), /no completed raw sync case/);
  assert.throws(() => gate('baseline', null, [compileRule('commit_p99_ns +10%')]), /give --baseline/);
  assert.throws(() => gate('other-suite'), /no case in common/);
});

test('the Markdown summary leads with the verdict, one line per rule, and lists every check', () => {
  const r = gate('regression');
  const md = render('gate', 'md', r);
  assert.match(md.split('\n')[0]!, /^## durabench gate: ❌ 2 checks failed/);
  for (const rule of ['commit_p99_ns +10%', 'commits_per_sec -10%', 'sync_p99_ns < 10ms [mode=sync]', 'lost_max <= 0 [mode=sync]']) assert.ok(md.includes(`\`${rule}\``), rule);
  for (const c of r.checks) assert.ok(md.includes(`\`${c.caseKey}\``));
  const ok = render('gate', 'md', gate('improvement'));
  assert.match(ok.split('\n')[0]!, /^## durabench gate: ✅ passed/);
});
