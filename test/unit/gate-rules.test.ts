import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import fs from 'node:fs';
import { compileConfig, compileRule, evaluateGate } from '../../analysis/gate.js';
import { readReport } from '../../reports/read.js';
import { render } from '../../reports/formats.js';
import { UsageError } from '../../model/errors.js';
import { fixtureDir } from '../helpers/fixtures.js';

const fixturesDir = fixtureDir();
const fx = (name: string): string => path.join(fixturesDir, `${name}.json`);
const rep = (name: string) => ({ name, report: readReport(fx(name)) });
const fileRules = compileConfig(JSON.parse(fs.readFileSync(fx('gate-rules'), 'utf8')), 'gate-rules.json').rules;

function gate(current: string, baseline = 'baseline', rules = fileRules) {
  return evaluateGate({ rules, reports: [rep(current)], baseline: rep(baseline) });
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

test('bad rules are usage errors with one line', () => {
  for (const bad of ['commit_p42_ns +10%', 'commit_p99_ns -10%', 'commits_per_sec +10%', 'sync_p99_ns < fast', 'nonsense', 'lost_max <= 0 [disk=nvme]']) {
    assert.throws(() => compileRule(bad), (e: Error) => e instanceof UsageError && !e.message.includes('\n'), bad);
  }
  assert.throws(() => compileRule('commit_p42_ns +10%'), /unknown metric 'commit_p42_ns'; use one of commits_per_sec/);
  assert.throws(() => compileConfig({ rules: [{ metric: 'latency', op: '<', value: 1 }] }, 'r.json'), /r.json rule 1: unknown metric 'latency'/);
  assert.throws(() => compileConfig({ nope: 1 }, 'r.json'), /needs a "rules" array/);
});

test('a regression fails, an improvement and a change inside the threshold pass', () => {
  const reg = gate('regression');
  assert.equal(reg.pass, false);
  assert.deepEqual(
    reg.checks.filter((c) => c.status === 'fail').map((c) => `${c.rule} @ ${c.caseKey}`),
    ['commit_p99_ns +10% @ wal/sync/w1/v128/unique/t0', 'commits_per_sec -10% @ wal/sync/w1/v128/unique/t0'],
  );
  assert.equal(gate('improvement').pass, true);
  assert.equal(gate('noise').pass, true);
});

test('a broken loss rule fails the gate', () => {
  const r = gate('loss');
  assert.equal(r.pass, false);
  const fail = r.checks.find((c) => c.status === 'fail')!;
  assert.equal(fail.metric, 'lost_max');
  assert.equal(fail.caseKey, 'wal/sync/w1/v128/unique/t0');
});

test('a case missing from the report is reported as missing, not as a failure', () => {
  const r = gate('missing');
  assert.equal(r.pass, true);
  assert.equal(r.checks.filter((c) => c.status === 'missing').length, 2);
  assert.match(render('gate', 'md', r), /could not compare/);
});

test('with repeats, a change beyond the threshold inside the noise passes; outside it fails', () => {
  const rules = [compileRule('commit_p99_ns +5%')];
  const noisy = gate('repeats-noise', 'repeats-base', rules);
  assert.equal(noisy.pass, true);
  assert.equal(noisy.checks.find((c) => c.caseKey.startsWith('wal'))!.status, 'noise');
  assert.equal(gate('repeats-worse', 'repeats-base', rules).pass, false);
});

test('normalising by raw sync p50 makes a uniformly slower runner pass', () => {
  const plain = [compileRule('commit_p99_ns +10% [engine=wal]')];
  assert.equal(gate('slow-runner', 'baseline', plain).pass, false);
  const normalised = [compileRule('commit_p99_ns +10% [engine=wal]', { normalize: 'raw-sync-p50' })];
  const r = gate('slow-runner', 'baseline', normalised);
  assert.equal(r.pass, true);
  assert.match(r.checks[0]!.value, /× raw sync p50/);
  // An absolute limit in multiples of the raw sync p50.
  const abs = [compileRule('commit_p99_ns < 2x [mode=sync]', { normalize: 'raw-sync-p50' })];
  assert.equal(evaluateGate({ rules: abs, reports: [rep('slow-runner')], baseline: null }).pass, false);
});

test('normalising without a raw sync case, relative rules without a baseline, no common case: usage errors', () => {
  const norm = [compileRule('commit_p99_ns < 2x', { normalize: 'raw-sync-p50' })];
  assert.throws(() => evaluateGate({ rules: norm, reports: [rep('other-suite')], baseline: null }), /no completed raw sync case/);
  assert.throws(() => evaluateGate({ rules: [compileRule('commit_p99_ns +10%')], reports: [rep('baseline')], baseline: null }), /give --baseline/);
  assert.throws(() => gate('other-suite'), /no case in common/);
});

test('the Markdown summary leads with the verdict and lists failures first', () => {
  const md = render('gate', 'md', gate('regression'));
  assert.match(md.split('\n')[0]!, /^## durabench gate: ❌ 2 regressions/);
  const ok = render('gate', 'md', gate('improvement'));
  assert.match(ok.split('\n')[0]!, /^## durabench gate: ✅ passed/);
});
