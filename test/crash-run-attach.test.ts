/** `durabench run --crash kill --trials N`: latency and measured loss of the same case in one report. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { type RunReport } from '../model/run-report.js';
import { runCli } from './helpers/cli.js';
import { tempDir } from './helpers/tmp.js';

test('run --crash kill attaches a crash summary to each completed case, in JSON, CSV and the table', async () => {
  const dir = tempDir('crash-run');
  const out = path.join(dir, 'out');
  const r = await runCli(['run', '--engine', 'raw', '--mode', 'sync,none', '--duration', '0.3', '--warmup', '0', '--crash', 'kill', '--trials', '2', '--dir', dir, '--out', out, '--quiet']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /lost max/);
  const report = JSON.parse(fs.readFileSync(path.join(out, 'report.json'), 'utf8')) as RunReport;
  assert.equal(report.cases.length, 2);
  for (const c of report.cases) {
    assert.equal(c.state, 'completed');
    if (c.state !== 'completed') continue;
    assert.ok(c.metrics.commits > 0);
    assert.equal(c.crash?.setting.kind, 'kill');
    assert.equal(c.crash?.trials.length, 2);
    assert.equal(c.crash?.lostMax, 0);
    assert.equal(c.crash?.verdict, 'consistent');
  }
  const csvHeader = fs.readFileSync(path.join(out, 'report.csv'), 'utf8').split('\n')[0]!;
  assert.match(csvHeader, /,lost_max,/);
  assert.match(fs.readFileSync(path.join(out, 'report.md'), 'utf8'), /\| lost max \|/);
});

test('run --trials without --crash is a usage error', async () => {
  const r = await runCli(['run', '--engine', 'null', '--trials', '3']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--trials needs --crash kill or --crash power/);
});
