/**
 * Running the real CLI as an unprivileged user (`nobody`) wherever the checkout lives. When the
 * checkout sits under a directory only root may enter (a clone inside `mktemp -d`), `nobody`
 * cannot read bin/durabench.js there: the package is then staged once into a world-readable
 * temporary directory (hard links where the filesystem allows, copies otherwise) and run from
 * there. Directories for such a run are made under the system's temporary directory, open to all.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after } from 'node:test';
import { BIN } from './cli.js';
import { repoRoot } from './tmp.js';

export const RUNUSER = '/usr/sbin/runuser';

/** Can `nobody` read this file (every directory above it searchable)? */
function nobodyCanRead(file: string): boolean {
  return spawnSync(RUNUSER, ['-u', 'nobody', '--', 'test', '-r', file], { stdio: 'ignore' }).status === 0;
}

function copyTree(from: string, to: string): void {
  try {
    execFileSync('cp', ['-al', from, to], { stdio: 'ignore' });
  } catch {
    fs.cpSync(from, to, { recursive: true });
  }
}

let staged: string | null = null;

/** The durabench binary as `nobody` can run it. */
export function unprivilegedBin(): string {
  if (nobodyCanRead(BIN)) return BIN;
  if (staged) return staged;
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'durabench-staged-'));
  fs.chmodSync(root, 0o755);
  for (const entry of ['package.json', 'bin', 'dist', 'suites', 'node_modules']) {
    const src = path.join(repoRoot, entry);
    if (fs.existsSync(src)) copyTree(src, path.join(root, entry));
  }
  after(() => fs.rmSync(root, { recursive: true, force: true }));
  staged = path.join(root, 'bin', 'durabench.js');
  return staged;
}

/** A fresh directory every user may write to, removed when the test file ends. */
export function openDir(label: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `durabench-test-${label}-`));
  fs.chmodSync(dir, 0o777);
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}
