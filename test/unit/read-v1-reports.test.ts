/**
 * Reports written by durabench with schema version 1 (real files, kept in test/fixtures/v1) are
 * read, upgraded to today's shape, checked against today's JSON Schema, and render in every format.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { SCHEMA_VERSION } from '../../model/report.js';
import { formatsOf, render } from '../../reports/formats.js';
import { readReportOf } from '../../reports/read.js';
import { repoRoot } from '../helpers/tmp.js';

const v1 = (name: string): string => path.join(repoRoot, 'test', 'fixtures', 'v1', name);

test('a version-1 run report with repeats: keys carry the durability union, everything renders', () => {
  const r = readReportOf(v1('run-repeats.json'), ['run']);
  assert.equal(r.schemaVersion, SCHEMA_VERSION);
  const sync = r.cases.find((c) => c.key.mode === 'sync')!;
  const batch = r.cases.find((c) => c.key.mode === 'batch')!;
  assert.ok(!('batchSize' in sync.key), 'version 1 wrote batchSize 1 for sync: gone');
  assert.ok(batch.key.mode === 'batch' && batch.key.batchSize === 16 && batch.key.batchMs === null);
  assert.ok(r.cases.every((c) => c.state === 'completed' && c.repeats?.count === 2));
  for (const f of formatsOf('run')) assert.ok(render('run', f, r).length > 0, f);
});

test('a version-1 run report with crash trials: the crash setting is one object, the verdict a code', () => {
  const r = readReportOf(v1('run-crash.json'), ['run']);
  for (const c of r.cases) {
    assert.equal(c.state, 'completed');
    if (c.state !== 'completed') continue;
    assert.equal(c.crash?.setting.kind, 'kill');
    assert.equal(c.crash?.setting.filesystem, null);
    assert.ok(c.crash?.verdict === 'consistent' || c.crash?.verdict === 'durability-bug');
  }
  assert.match(render('run', 'csv', r).split('\n')[0]!, /,lost_max,/);
});

test('a version-1 crash report: cases keyed like run cases, with their setting and parameters', () => {
  const r = readReportOf(v1('crash.json'), ['crash']);
  assert.equal(r.kind, 'crash');
  assert.deepEqual(r.warnings, []);
  for (const c of r.cases) {
    assert.equal(c.key.engine, 'wal');
    assert.equal(c.key.writers, 1);
    assert.equal(c.key.target, r.host.targets[0]!.dir);
    assert.equal(c.setting.kind, 'kill');
    assert.equal(typeof c.params.seed, 'number');
  }
  assert.ok(r.cases.some((c) => c.key.mode === 'batch' && c.key.batchSize === 16));
  for (const f of formatsOf('crash')) assert.ok(render('crash', f, r).length > 0, f);
});

test('a version-1 probe report reads and renders', () => {
  const r = readReportOf(v1('probe.json'), ['probe']);
  assert.equal(r.results.length, 2);
  for (const f of formatsOf('probe')) assert.ok(render('probe', f, r).length > 0, f);
});
