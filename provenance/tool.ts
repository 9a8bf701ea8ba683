/**
 * Which durabench produced a report: its version (package.json) and, when run from a git checkout,
 * the commit (git called with an argument array, never through a shell). When durabench is installed
 * inside someone else's repository (node_modules), that repository's commit is not ours: the sha is
 * only taken when the checkout's top level is durabench's own package root.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32cBackend } from '../engines/crc32c.js';
import { TOOL_NAME, type ToolInfo } from '../model/provenance.js';

/** The directory holding durabench's package.json (from src under tsx, or from dist). */
export function packageRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!fs.existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return dir;
}

function git(root: string, args: readonly string[]): string {
  return execFileSync('git', ['-C', root, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 }).trim();
}

/** Version from package.json; git revision (and whether the tree was dirty) from a checkout; the CRC-32C backend. */
export function collectToolInfo(root = packageRoot()): ToolInfo {
  return { ...collectVersion(root), crc32c: crc32cBackend };
}

/** durabench's version, from its own package.json ('0.0.0' if that cannot be read). */
export function toolVersion(root = packageRoot()): string {
  try {
    return (JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
}

function collectVersion(root: string): ToolInfo {
  // A placeholder when unreadable: the report still says which tool wrote it.
  const version = toolVersion(root);
  let topLevel: string;
  try {
    topLevel = git(root, ['rev-parse', '--show-toplevel']);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const reason = e.code === 'ENOENT' ? 'git is not installed' : `${root} is not a git checkout`;
    return { name: TOOL_NAME, version, gitSha: null, gitShaReason: reason };
  }
  if (fs.realpathSync(topLevel) !== fs.realpathSync(root)) {
    return { name: TOOL_NAME, version, gitSha: null, gitShaReason: `installed inside another repository (${topLevel}), not a durabench checkout` };
  }
  try {
    const gitSha = git(root, ['rev-parse', 'HEAD']);
    let gitDirty: boolean | undefined;
    try {
      gitDirty = git(root, ['status', '--porcelain', '--untracked-files=no']) !== '';
    } catch {
      gitDirty = undefined;
    }
    return gitDirty === undefined ? { name: TOOL_NAME, version, gitSha } : { name: TOOL_NAME, version, gitSha, gitDirty };
  } catch {
    return { name: TOOL_NAME, version, gitSha: null, gitShaReason: 'the checkout has no commit yet' };
  }
}
