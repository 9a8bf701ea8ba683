/**
 * The benchmark scripts in scripts/ take their options like the CLI: `--help` prints the usage (the
 * comment at the top of each script), a wrong option or a missing value is one line naming it, exit
 * 2 — never a stack trace. Nothing is measured: every script stops while reading its arguments.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { repoRoot } from './helpers/tmp.js';

const scriptsDir = path.join(repoRoot, 'scripts');
/** The executable benchmark scripts (no extension, a node shebang). */
const scripts = fs
  .readdirSync(scriptsDir)
  .filter((n) => !n.includes('.') && fs.statSync(path.join(scriptsDir, n)).isFile())
  .filter((n) => fs.readFileSync(path.join(scriptsDir, n), 'utf8').startsWith('#!/usr/bin/env node'));

function run(script: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [path.join(scriptsDir, script), ...args], { cwd: repoRoot, timeout: 30_000 }, (err, stdout, stderr) => {
      const code = (err as { code?: unknown } | null)?.code;
      resolve({ code: err === null ? 0 : typeof code === 'number' ? code : null, stdout, stderr });
    });
  });
}

test('there are benchmark scripts to check', () => {
  assert.ok(scripts.length >= 8, scripts.join(', '));
});

for (const script of scripts) {
  test(`scripts/${script}: --help prints its usage, a wrong option is one line and exit 2`, async () => {
    const help = await run(script, ['--help']);
    assert.equal(help.code, 0, help.stderr);
    assert.match(help.stdout, /Usage/, 'the usage comes from the comment at the top of the script');
    const bad = await run(script, ['--no-such-option']);
    assert.equal(bad.code, 2, bad.stderr);
    assert.equal(bad.stderr.trim().split('\n').length, 1, bad.stderr);
    assert.match(bad.stderr, new RegExp(`^${script}: Unknown option '--no-such-option'`));
  });
}
