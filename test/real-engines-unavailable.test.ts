/**
 * The real engines' libraries are optional dependencies. With them hidden (a module resolve hook that
 * fails for better-sqlite3, classic-level and lmdb, as on a machine where they did not install),
 * `durabench engines` lists sqlite, leveldb and lmdb as unavailable with the reason and everything
 * else still works; `durabench run --engine sqlite` says so in one line and exits 2.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { runCli } from './helpers/cli.js';
import { tempDir } from './helpers/tmp.js';

const HIDDEN = ['better-sqlite3', 'classic-level', 'lmdb'];

/** A `--import` module registering a resolve hook that makes the optional libraries unresolvable. */
function hideLibraries(dir: string): NodeJS.ProcessEnv {
  const hook = `export async function resolve(specifier, context, next) {
  if (${JSON.stringify(HIDDEN)}.includes(specifier)) throw new Error("Cannot find package '" + specifier + "' (hidden by the test)");
  return next(specifier, context);
}`;
  const file = path.join(dir, 'hide-libraries.mjs');
  fs.writeFileSync(file, `import { register } from 'node:module';\nregister('data:text/javascript,' + encodeURIComponent(${JSON.stringify(hook)}));\n`);
  return { NODE_OPTIONS: `--import ${file}` };
}

test('durabench engines lists the real engines as unavailable with the reason, the others as available', async () => {
  const dir = tempDir('unavailable');
  const r = await runCli(['engines', '--json'], { env: hideLibraries(dir) });
  assert.equal(r.code, 0, r.stderr);
  const list = JSON.parse(r.stdout) as { name: string; available: boolean; unavailableReason: string | null }[];
  const byName = new Map(list.map((e) => [e.name, e]));
  for (const [engine, pkg] of [
    ['sqlite', 'better-sqlite3'],
    ['leveldb', 'classic-level'],
    ['lmdb', 'lmdb'],
  ] as const) {
    const e = byName.get(engine);
    assert.ok(e, `${engine} is listed`);
    assert.equal(e.available, false);
    assert.match(e.unavailableReason!, new RegExp(`the optional dependency ${pkg} did not load .*hidden by the test.*npm install ${pkg}`));
  }
  for (const engine of ['raw', 'null']) assert.equal(byName.get(engine)?.available, true, engine);

  const text = await runCli(['engines'], { env: hideLibraries(dir) });
  assert.match(text.stdout, /^sqlite — .*\[unavailable\]\n\n- unavailable: the optional dependency better-sqlite3 did not load/m);
});

test('durabench run --engine sqlite without its library: one line, exit 2; other engines still run', async () => {
  const dir = tempDir('unavailable');
  const env = hideLibraries(dir);
  const r = await runCli(['run', '--engine', 'sqlite', '--commits', '10', '--dir', dir], { env });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^durabench: --engine: engine 'sqlite' is not available on this machine: the optional dependency better-sqlite3 did not load/);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);

  const ok = await runCli(['run', '--engine', 'raw', '--mode', 'sync', '--commits', '10', '--dir', dir, '--out', path.join(dir, 'out'), '--quiet'], {
    env,
  });
  assert.equal(ok.code, 0, ok.stderr);
});
