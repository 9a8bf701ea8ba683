/** End to end: the real binary's probe and env commands, their outputs, exit codes and bad input. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { parseReport } from '../reports/read.js';
import { runCli } from './helpers/cli.js';
import { tempDir } from './helpers/tmp.js';

test('durabench probe writes JSON, CSV and Markdown, prints the table and leaves the target clean', async () => {
  const dir = tempDir('cli-probe');
  const out = tempDir('cli-probe-out');
  const r = await runCli(['probe', '--dir', dir, '--duration', '0.02', '--method', 'fdatasync,o_direct_dsync,write-nosync', '--out', out, '--quiet']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /one write per sync/);
  assert.match(r.stdout, /fdatasync/);
  assert.match(r.stdout, /write-nosync/);
  assert.match(r.stderr, /reports: /);
  assert.deepEqual(fs.readdirSync(out).sort(), ['probe.csv', 'probe.html', 'probe.json', 'probe.md']);
  const report = parseReport(JSON.parse(fs.readFileSync(path.join(out, 'probe.json'), 'utf8')), 'probe.json', ['probe']);
  assert.equal(report.results.length, 3);
  assert.deepEqual(fs.readdirSync(dir), [], 'the probe removed its work directory');
});

test('durabench probe on /dev/shm reports the tmpfs warning on stderr and in the report', async (t) => {
  if (!fs.existsSync('/dev/shm') || process.platform !== 'linux') return t.skip('no /dev/shm');
  const out = tempDir('cli-probe-shm');
  const r = await runCli(['probe', '--dir', '/dev/shm', '--duration', '0.02', '--method', 'fdatasync', '--out', out, '--format', 'json', '--quiet']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /warning \[memory-filesystem\]: \/dev\/shm/);
  const report = JSON.parse(fs.readFileSync(path.join(out, 'probe.json'), 'utf8')) as { warnings: { code: string }[] };
  assert.ok(report.warnings.some((w) => w.code === 'memory-filesystem'));
  assert.ok(!fs.readdirSync('/dev/shm').some((n) => n.startsWith('durabench-probe-')), 'work directory removed');
});

test('durabench env prints the provenance; --format json is a valid env report', async () => {
  const dir = tempDir('cli-env');
  const text = await runCli(['env', '--dir', dir]);
  assert.equal(text.code, 0, text.stderr);
  for (const label of ['kernel', 'cpu', 'memory', 'node', 'UV_THREADPOOL_SIZE', 'filesystem', 'mount options', 'device chain', 'write cache', 'sync semantics']) {
    assert.ok(text.stdout.includes(label), label);
  }
  const json = await runCli(['env', '--dir', dir, '--dir', '/dev/shm', '--format', 'json']);
  assert.equal(json.code, 0, json.stderr);
  const report = parseReport(JSON.parse(json.stdout), 'env.json', ['env']);
  assert.equal(report.kind, 'env');
  assert.equal(report.host.targets[1]?.fsType.value, 'tmpfs');
  assert.match(json.stderr, /memory-filesystem/);
  // The old spelling still works for one release, and says so.
  const old = await runCli(['env', '--dir', dir, '--json']);
  assert.equal(old.code, 0, old.stderr);
  assert.equal((JSON.parse(old.stdout) as { kind: string }).kind, 'env');
  assert.match(old.stderr, /--json is deprecated .*use --format json/);
});

for (const [args, mentions] of [
  [['probe', '--dir', '/nonexistent/durabench-nowhere'], '--dir'],
  [['env', '--dir', '/nonexistent/durabench-nowhere'], '--dir'],
  [['probe', '--duration', '0'], '--duration'],
  [['probe', '--duration', '-1'], '--duration'],
  [['probe', '--duration', 'abc'], '--duration'],
  [['probe', '--block-bytes', '0'], '--block-bytes'],
  [['probe', '--block-bytes', 'x'], '--block-bytes'],
  [['probe', '--method', 'nope'], '--method'],
  [['probe', '--pattern', 'zigzag'], '--pattern'],
  [['probe', '--passes', '0'], '--passes'],
  [['probe', '--format', 'xml'], '--format'],
] as const) {
  test(`bad input: durabench ${args.join(' ')} → one line naming ${mentions}, exit 2`, async () => {
    const r = await runCli(args);
    assert.equal(r.code, 2, r.stderr);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.ok(lines[0]!.includes(mentions), lines[0]);
    assert.equal(r.stdout, '');
  });
}
