/**
 * Reports written by durabench with schema version 2 (real files in test/fixtures/v2, written by the
 * version-2 code) are upgraded through the chain to today's shape and checked against today's JSON
 * Schema: power cuts name the `none` drive-cache model they used, trials carry their outcome, and a
 * case version 2 called consistent with nothing verified becomes inconclusive.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { SCHEMA_VERSION } from '../../model/report.js';
import { formatsOf, render } from '../../reports/formats.js';
import { readReportOf } from '../../reports/read.js';
import { repoRoot } from '../helpers/tmp.js';

const v2 = (name: string): string => path.join(repoRoot, 'test', 'fixtures', 'v2', name);

test('a version-2 crash report with power cuts: the none model, outcomes, declared durability from the nominal bound', () => {
  const r = readReportOf(v2('crash.json'), ['crash']);
  assert.equal(r.schemaVersion, SCHEMA_VERSION);
  const power = r.cases.filter((c) => c.setting.kind === 'power');
  assert.ok(power.length > 0);
  for (const c of power) assert.equal(c.setting.deviceCache, 'none');
  for (const c of r.cases.filter((x) => x.setting.kind === 'kill')) assert.equal(c.setting.deviceCache, null);
  for (const c of r.cases) {
    assert.equal(c.state, 'completed');
    if (c.state !== 'completed') continue;
    assert.equal(c.setting.crashWindow, '0.05..0.5');
    assert.ok(c.crash.trials.every((t) => t.outcome === 'verified'));
    assert.equal(c.crash.device.state, 'unavailable');
    assert.equal(c.crash.verdict, 'consistent');
    if (c.key.mode === 'sync') assert.ok(c.crash.trials.every((t) => t.declaredDurable === t.acked && t.exposure === 0));
    if (c.key.mode === 'none') assert.ok(c.crash.trials.every((t) => t.declaredDurable === 0 && t.lostDeclared === 0));
  }
  for (const f of formatsOf('crash')) assert.ok(render('crash', f, r).length > 0, f);
});

test('a version-2 case called consistent with no trial verified reads as inconclusive', () => {
  const r = readReportOf(v2('crash-vacuous.json'), ['crash']);
  const c = r.cases[0]!;
  assert.equal(c.state, 'completed');
  if (c.state !== 'completed') return;
  assert.equal(c.crash.trialsVerified, 0);
  assert.equal(c.crash.trialsErrored, 2);
  assert.equal(c.crash.verdict, 'inconclusive');
  assert.match(c.crash.verdictReason, /no trial was verified \(upgraded from schema version 2, which called this consistent/);
  assert.match(render('crash', 'console', r), /inconclusive/);
});

test('a version-2 run report with crash trials reads, its crash summary upgraded', () => {
  const r = readReportOf(v2('run-crash.json'), ['run']);
  for (const c of r.cases) {
    if (c.state !== 'completed') continue;
    assert.equal(c.crash?.setting.deviceCache, null);
    assert.equal(c.crash?.instants, 2);
    assert.equal(c.crash?.verdict, 'consistent');
  }
  for (const f of formatsOf('run')) assert.ok(render('run', f, r).length > 0, f);
});
