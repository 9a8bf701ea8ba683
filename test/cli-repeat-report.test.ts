import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { type RunReport } from '../model/run-report.js';
import { runCli } from './helpers/cli.js';
import { tempDir } from './helpers/tmp.js';

test('run --repeat 3 keeps one entry per case with its repeats merged exactly; report re-renders it as HTML', async () => {
  const dir = tempDir('repeat');
  const out = path.join(dir, 'out');
  const r = await runCli(['run', '--engine', 'null', '--mode', 'sync,batch', '--batch-size', '4', '--commits', '500', '--warmup', '0', '--repeat', '3', '--dir', dir, '--out', out, '--format', 'json,html', '--quiet']);
  assert.equal(r.code, 0, r.stderr);
  const rep = JSON.parse(fs.readFileSync(path.join(out, 'report.json'), 'utf8')) as RunReport;
  assert.equal(rep.suite.repeat, 3);
  assert.deepEqual(rep.cases.map((c) => c.id), ['null/sync/w1/v128/unique/t0', 'null/batch-4/w1/v128/unique/t0']);
  for (const c of rep.cases) {
    assert.equal(c.state, 'completed');
    if (c.state !== 'completed') continue;
    assert.equal(c.metrics.commits, 1500, 'three repeats of 500 commits');
    assert.equal(c.metrics.commitLatency.count, 1500);
    assert.equal(c.repeats?.count, 3);
    const cps = c.repeats!.metrics['commits_per_sec']!;
    assert.equal(cps.values.length, 3);
    // Three repeats give no 95 % interval of the median: none is claimed, and the reason is kept.
    assert.equal(cps.ciLow, undefined);
    assert.equal(cps.ciMethod, 'none');
    assert.match(cps.ciReason!, /3 repeats: no 95 % interval/);
    // Every view shows the median of the repeats: the console table too, and it says so.
    assert.equal(cps.median, [...cps.values].sort((a, b) => a - b)[1]);
  }
  assert.match(r.stdout, /Each figure is the median of 3 repeats/);
  assert.match(r.stdout, /repeats/);
  assert.equal((fs.readFileSync(path.join(out, 'report.html'), 'utf8').match(/<figure class="chart">/g) ?? []).length, 4);

  const again = await runCli(['report', path.join(out, 'report.json'), '--format', 'md,csv,html', '--out', path.join(dir, 'again')]);
  assert.equal(again.code, 0, again.stderr);
  for (const f of ['report.md', 'report.csv', 'report.html']) assert.ok(fs.existsSync(path.join(dir, 'again', f)), f);
});

test('report: not a report or a bad format exits 2 with one line', async () => {
  const dir = tempDir('report');
  const bad = path.join(dir, 'x.json');
  fs.writeFileSync(bad, 'not json');
  const r = await runCli(['report', bad]);
  assert.equal(r.code, 2);
  assert.match(r.stderr.trim(), /^durabench: .*x\.json is not JSON/);
  assert.equal(r.stderr.trim().split('\n').length, 1);
  const f = await runCli(['report', bad, '--format', 'pdf']);
  assert.equal(f.code, 2);
  assert.match(f.stderr, /--format 'pdf' is not a format; use json, csv, md, html/);
});
