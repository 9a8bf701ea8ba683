/**
 * SIGINT and SIGTERM stop run, tune, probe and crash the same way (one handler, one AbortSignal):
 * the current step ends, the partial report is written with status `interrupted` and the signal,
 * every work and scratch directory is removed, and the exit code is 130 or 143.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { runCli, startCli } from './helpers/cli.js';
import { labResidue } from './helpers/crash-lab.js';
import { repoRoot, tempDir } from './helpers/tmp.js';

const cases: { name: string; args: string[]; report: string }[] = [
  { name: 'run', args: ['run', '--engine', 'null', '--mode', 'sync,batch,none', '--duration', '20', '--warmup', '0'], report: 'report.json' },
  { name: 'tune', args: ['tune', '--engine', 'null', '--batch-size', '1,2,4', '--duration', '20', '--warmup', '0'], report: 'report.json' },
  { name: 'probe', args: ['probe', '--method', 'fdatasync,fsync,write-nosync', '--duration', '2'], report: 'probe.json' },
  { name: 'crash', args: ['crash', '--engine', 'raw', '--mode', 'sync,none', '--trials', '200'], report: 'crash-report.json' },
];

/** Work is under way: the report's header is on disk and a marked work or scratch directory exists. */
function underWay(dir: string, report: string): boolean {
  return fs.existsSync(path.join(dir, 'out', report)) && fs.readdirSync(dir).some((f) => f.startsWith('durabench-'));
}

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  for (const c of cases) {
    if (signal === 'SIGINT' && c.name !== 'probe' && c.name !== 'tune') continue; // run and crash: SIGINT is covered in their own files
    test(`${signal} to ${c.name}: exit ${signal === 'SIGTERM' ? 143 : 130}, partial report, nothing left behind`, async () => {
      const dir = tempDir(`stop-${c.name}`);
      const out = path.join(dir, 'out');
      const started = Date.now();
      const { child, done } = startCli([...c.args, '--dir', dir, '--out', out]);
      for (let i = 0; i < 400 && !underWay(dir, c.report); i++) await new Promise((r) => setTimeout(r, 25));
      await new Promise((r) => setTimeout(r, 300));
      child.kill(signal);
      const r = await done;
      // The current step ends at once (a commit, a crash trial), or after the probe method running (2 s).
      assert.ok(Date.now() - started < 15_000, `stopped after ${Date.now() - started} ms`);
      assert.equal(r.code, signal === 'SIGTERM' ? 143 : 130, r.stderr);
      const report = JSON.parse(fs.readFileSync(path.join(out, c.report), 'utf8')) as { status: string; stopSignal?: string; finishedAt: string | null };
      assert.equal(report.status, 'interrupted');
      assert.equal(report.stopSignal, signal);
      assert.ok(report.finishedAt !== null);
      assert.deepEqual(fs.readdirSync(dir), ['out'], 'no work or scratch directory left');
      assert.deepEqual(labResidue(dir), []);
      assert.match(r.stderr, new RegExp(`durabench: ${signal}; finishing the current step`));
    });
  }
}

test('a SIGINT after the command finished but before the process ended still exits 130', async () => {
  const hook = pathToFileURL(path.join(repoRoot, 'test', 'fixtures', 'signal-after-finish.mjs')).href;
  const r = await runCli(['engines'], { cwd: tempDir('after-finish'), env: { NODE_OPTIONS: `--import ${hook}` } });
  assert.match(r.stderr, /durabench: SIGINT; finishing the current step/);
  assert.equal(r.code, 130, r.stderr);
});
