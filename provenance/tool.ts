/**
 * Which durabench produced a report: its version (package.json) and, when run from a git checkout,
 * the commit (git called with an argument array, never through a shell).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TOOL_NAME, type ToolInfo } from '../reports/schema.js';

function packageRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!fs.existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return dir;
}

export function collectToolInfo(): ToolInfo {
  const root = packageRoot();
  let version = '0.0.0';
  try {
    version = (JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    /* keep the placeholder: the report still says which tool wrote it */
  }
  let gitSha: string | null = null;
  try {
    gitSha = execFileSync('git', ['-C', root, 'rev-parse', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() || null;
  } catch {
    gitSha = null;
  }
  return { name: TOOL_NAME, version, gitSha };
}
