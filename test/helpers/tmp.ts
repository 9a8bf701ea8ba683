/**
 * Temporary directories for tests, on the filesystem of the repository (not /tmp, which is tmpfs on
 * many systems: fsync there is a no-op). Removed after the test.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after } from 'node:test';

/** Repository root (works from the compiled dist/test/helpers and from test/helpers under tsx). */
export const repoRoot = (() => {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!fs.existsSync(path.join(dir, 'package.json'))) dir = path.dirname(dir);
  return dir;
})();

const base = path.join(repoRoot, '.durabench-test');

/**
 * Run records (workspace/registry.ts) of this test file's durabench processes go to a state
 * directory of its own: another test file's SIGKILLed runs, or another checkout's, never show up
 * in this file's leftover notices, and its own `durabench clean` never touches theirs.
 */
if (process.env['DURABENCH_STATE_DIR'] === undefined) {
  const state = path.join(base, `state-${process.pid}`);
  process.env['DURABENCH_STATE_DIR'] = state;
  after(() => fs.rmSync(state, { recursive: true, force: true }));
}

/** A fresh empty directory, removed when the test file finishes. */
export function tempDir(label = 'tmp'): string {
  fs.mkdirSync(base, { recursive: true });
  const dir = fs.mkdtempSync(path.join(base, `${label}-`));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}
