/**
 * Work directories: in every target durabench works only inside a fresh subdirectory it creates,
 * marked with a marker file, and removes only directories that carry its marker.
 */
import fs from 'node:fs';
import path from 'node:path';

export const OWNER_MARKER = '.durabench-owned';

/** Create `<target>/durabench-<runId>` with the marker file. Fails if it already exists. */
export function createWorkDir(target: string, runId: string): string {
  const dir = path.join(path.resolve(target), `durabench-${runId}`);
  fs.mkdirSync(dir); // not recursive: the target must exist and the name must be new
  fs.writeFileSync(
    path.join(dir, OWNER_MARKER),
    JSON.stringify({ tool: 'durabench', pid: process.pid, createdAt: new Date().toISOString() }) + '\n',
  );
  return dir;
}

/** True if durabench created `dir` (its marker file is there). */
export function isOwned(dir: string): boolean {
  return fs.existsSync(path.join(dir, OWNER_MARKER));
}

/** Remove a work directory, but only one that carries our marker. Returns whether it removed it. */
export function removeWorkDir(dir: string): boolean {
  if (!isOwned(dir)) return false;
  fs.rmSync(dir, { recursive: true, force: true });
  return true;
}

/** A run id that sorts by time and does not collide between concurrent runs. */
export function newRunId(now = new Date()): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, '')
    .replace('T', '-');
  return `${stamp}-${process.pid}-${Math.floor(Math.random() * 0xffff)
    .toString(16)
    .padStart(4, '0')}`;
}
