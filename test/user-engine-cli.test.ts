/**
 * User engines end to end through the real binary: the example engine runs in every mode and its
 * syncs are counted through the io layer; broken plugins are rejected with one clear message
 * (a missing factory member: exit 2 before anything runs; a broken instance: the case is errored
 * with the reason, naming the method).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { test } from 'node:test';
import { runCli } from './helpers/cli.js';
import { repoRoot, tempDir } from './helpers/tmp.js';

/** `./examples/…` as a user types it in the checkout. */
const IN_CHECKOUT = { cwd: repoRoot };

const EXAMPLE = path.join(repoRoot, 'examples', 'append-log-engine.mjs');
const EXAMPLE_URL = pathToFileURL(EXAMPLE).href;

interface CaseOut {
  key: { engine: string; mode: string };
  state: string;
  reason?: string;
  metrics?: { commits: number; syncsByKind: Record<string, number>; engineStats: Record<string, number> };
}

function readCases(out: string): CaseOut[] {
  return (JSON.parse(fs.readFileSync(path.join(out, 'report.json'), 'utf8')) as { cases: CaseOut[] }).cases;
}

test('the example engine runs end to end in every mode', async () => {
  const dir = tempDir('user-cli');
  const out = path.join(dir, 'out');
  const r = await runCli([
    'run',
    '--engine',
    './examples/append-log-engine.mjs',
    '--commits',
    '100',
    '--dir',
    dir,
    '--out',
    out,
    '--quiet',
  ], IN_CHECKOUT);
  assert.equal(r.code, 0, r.stderr);
  const cases = readCases(out);
  assert.deepEqual(
    cases.map((c) => [c.key.mode, c.state]),
    [
      ['sync', 'completed'],
      ['batch', 'completed'],
      ['none', 'completed'],
    ],
  );
  const [sync, batch, none] = cases.map((c) => c.metrics!);
  // 100 measured commits after the default warm-up; sync mode syncs every commit it acks.
  assert.equal(sync!.commits, 100);
  assert.ok(sync!.syncsByKind['fdatasync']! >= 100, JSON.stringify(sync!.syncsByKind));
  assert.ok(batch!.syncsByKind['fdatasync']! >= 100 / 16 - 1);
  assert.equal(none!.syncsByKind['fdatasync'], 0);
  assert.ok(sync!.engineStats['logBytes']! > 0);
  // Its work directory is removed afterwards; only our out/ remains.
  assert.deepEqual(fs.readdirSync(dir), ['out']);
});

/** Write a plugin module whose factory is the example's, changed by `body` (JS source). */
function plugin(dir: string, name: string, body: string): string {
  const file = path.join(dir, `${name}.mjs`);
  fs.writeFileSync(file, `import example from '${EXAMPLE_URL}';\n${body}\n`);
  return file;
}

test('a plugin lacking a factory member is refused before running: one line, exit 2', async () => {
  const dir = tempDir('user-cli');
  const file = plugin(dir, 'no-create', `const { create, ...rest } = example; export default rest;`);
  const r = await runCli(['run', '--engine', file, '--commits', '10', '--dir', dir, '--out', path.join(dir, 'out')]);
  assert.equal(r.code, 2);
  assert.match(
    r.stderr,
    /^durabench: --engine: engine module '.*no-create\.mjs' does not implement the engine interface \(see docs\/engines\.md\): missing create/,
  );
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
});

test('a plugin with a bad mode list is refused, naming the mode', async () => {
  const dir = tempDir('user-cli');
  const file = plugin(dir, 'bad-modes', `export default { ...example, modes: ['sync', 'fast'] };`);
  const r = await runCli(['run', '--engine', file, '--commits', '10', '--dir', dir]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /modes has "fast", which is not a mode; use sync, batch, none/);
});

/** Broken instances: the case is errored, the reason names the method and the fix. */
const BROKEN_INSTANCES: [string, string, RegExp][] = [
  [
    'lacks-put',
    `export default { ...example, create(ctx) { const e = example.create(ctx); return { open: () => e.open(), get: (k) => e.get(k), close: () => e.close() }; } };`,
    /lacks put\(\)/,
  ],
  [
    'throws-on-open',
    `export default { ...example, create(ctx) { const e = example.create(ctx); e.open = () => { throw new Error('cannot open: disk on fire'); }; return e; } };`,
    /failed during open: cannot open: disk on fire/,
  ],
  [
    'sync-returns-promise',
    `export default { ...example, create(ctx) { const e = example.create(ctx); const put = e.put.bind(e); e.put = async (k, v) => put(k, v); return e; } };`,
    /put\(\) returned a promise, but the engine declares contract 'sync'/,
  ],
  [
    'async-returns-plain',
    `export default { ...example, contract: 'async' };`,
    /open\(\) returned a plain value, but the engine declares contract 'async'/,
  ],
  [
    'sync-mode-without-durable',
    `export default { ...example, modes: ['sync'], create(ctx) { return example.create({ ...ctx, mode: 'none' }); } };`,
    /declares mode sync, but its first put\(\) was acked without ctx\.durability\.durable\(1\)/,
  ],
];

for (const [name, body, expected] of BROKEN_INSTANCES) {
  test(`a broken plugin instance is rejected with a clear reason: ${name}`, async () => {
    const dir = tempDir('user-cli');
    const out = path.join(dir, 'out');
    const file = plugin(dir, name, body);
    const r = await runCli(['run', '--engine', file, '--mode', 'sync', '--commits', '10', '--dir', dir, '--out', out, '--quiet']);
    assert.ok(r.code === 0 || r.code === 1, `exit ${r.code}: ${r.stderr}`);
    const [c] = readCases(out);
    assert.equal(c!.state, 'errored');
    assert.match(c!.reason!, expected);
  });
}

test('an async user engine (the example wrapped in promises) runs end to end', async () => {
  const dir = tempDir('user-cli');
  const out = path.join(dir, 'out');
  const file = plugin(
    dir,
    'async-wrapper',
    `export default { ...example, name: 'append-log-async', contract: 'async', create(ctx) {
       const e = example.create(ctx);
       return { open: async () => e.open(), put: async (k, v) => e.put(k, v), get: async (k) => e.get(k),
                tick: async () => e.tick(), close: async () => e.close(), stats: () => e.stats() };
     } };`,
  );
  const r = await runCli(['run', '--engine', file, '--commits', '50', '--dir', dir, '--out', out, '--quiet']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(
    readCases(out).map((c) => [c.state, c.metrics?.commits]),
    [
      ['completed', 50],
      ['completed', 50],
      ['completed', 50],
    ],
  );
});

test("a user engine's own options are accepted on the command line and checked against its spec", async () => {
  const dir = tempDir('user-cli-opt');
  const out = path.join(dir, 'out');
  const ok = await runCli([
    'run',
    '--engine',
    './examples/append-log-engine.mjs',
    '--mode',
    'sync',
    '--append-log-sync-call',
    'fsync',
    '--commits',
    '20',
    '--dir',
    dir,
    '--out',
    out,
    '--quiet',
  ], IN_CHECKOUT);
  assert.equal(ok.code, 0, ok.stderr);
  const [c] = readCases(out);
  assert.equal(c!.metrics!.syncsByKind['fsync'], 20);
  assert.equal(c!.metrics!.syncsByKind['fdatasync'], 0);
  const bad = await runCli([
    'run',
    '--engine',
    './examples/append-log-engine.mjs',
    '--append-log-sync-call',
    'magic',
    '--commits',
    '20',
    '--dir',
    dir,
    '--quiet',
  ], IN_CHECKOUT);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr.trim(), /^durabench: --append-log-sync-call must be one of fdatasync, fsync; got 'magic'$/);
});

test('run, crash and tune accept the same matrix flags and the plugin engine options', async () => {
  const dir = tempDir('user-cli-all');
  const plugin = ['--engine', './examples/append-log-engine.mjs', '--append-log-sync-call', 'fsync', '--value-bytes', '64', '--writers', '1', '--dir', dir, '--quiet'];
  const run = await runCli(['run', ...plugin, '--mode', 'sync', '--commits', '50', '--out', path.join(dir, 'run')], IN_CHECKOUT);
  assert.equal(run.code, 0, run.stderr);
  const [c] = readCases(path.join(dir, 'run'));
  // The option reached the engine: its commits are synced by fsync, not fdatasync.
  assert.ok(c!.metrics!.syncsByKind['fsync']! >= 50, JSON.stringify(c!.metrics!.syncsByKind));
  assert.equal(c!.metrics!.syncsByKind['fdatasync'], 0);

  const crash = await runCli(['crash', ...plugin, '--mode', 'sync', '--trials', '1', '--out', path.join(dir, 'crash')], IN_CHECKOUT);
  assert.equal(crash.code, 0, crash.stderr);
  const cr = JSON.parse(fs.readFileSync(path.join(dir, 'crash', 'crash-report.json'), 'utf8')) as { cases: { state: string; params: { engineOptions: Record<string, unknown> } }[] };
  assert.equal(cr.cases[0]!.state, 'completed');
  assert.equal(cr.cases[0]!.params.engineOptions['append-log-sync-call'], 'fsync');

  const tune = await runCli(['tune', ...plugin, '--batch-size', '1,4', '--duration', '0.1', '--warmup', '0', '--out', path.join(dir, 'tune')], IN_CHECKOUT);
  assert.equal(tune.code, 0, tune.stderr);
  const tc = readCases(path.join(dir, 'tune'));
  assert.deepEqual(tc.map((x) => [x.key.mode, x.state]), [['batch', 'completed'], ['batch', 'completed']]);
  assert.ok(tc.every((x) => x.metrics!.syncsByKind['fsync']! > 0 && x.metrics!.syncsByKind['fdatasync'] === 0));
});
