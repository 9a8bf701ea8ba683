/**
 * What durabench holds right now — marked directories, mounts, loop devices, child processes, tracing
 * instances — so that every one is released, newest first, on success, on error, on a second
 * SIGINT/SIGTERM (the CLI's handler calls `releaseAll`) and, as a last resort, on process exit.
 */
import fs from 'node:fs';
import path from 'node:path';
import { run } from './exec.js';
import { killServerTree, waitGoneSync } from './server-process.js';

export type Resource =
  | { kind: 'dir'; path: string }
  | { kind: 'mount'; path: string }
  | { kind: 'loop'; device: string }
  | { kind: 'process'; pid: number }
  /** A database server's process group leader (workspace/server-process.ts): its group and every descendant are killed. */
  | { kind: 'server'; pid: number }
  /** A tracing instance directory on a tracefs the lab mounted (removed with rmdir). */
  | { kind: 'trace-instance'; path: string };

/** The marker file every directory durabench creates carries. */
export const OWNER_MARKER = '.durabench-owned';

/** Everything held right now, newest last. */
const held: Resource[] = [];
let handlersInstalled = false;

/** Remember a resource so that cleanup releases it. */
export function hold(r: Resource): void {
  held.push(r);
  installHandlers();
}

/** Forget a resource that was released normally. */
export function release(r: Resource): void {
  const i = held.findIndex((h) => JSON.stringify(h) === JSON.stringify(r));
  if (i >= 0) held.splice(i, 1);
}

/** How many resources are held (tests, reports). */
export function heldCount(): number {
  return held.length;
}

/** A mark of what is held now: `releaseSince(mark)` releases only what was taken after it. */
export function holdMark(): number {
  return held.length;
}

/** Release everything held, newest first. Synchronous (usable from an exit handler). Returns problems. */
export function releaseAll(): string[] {
  return releaseSince(0);
}

/** Release what was taken after `mark`, newest first; returns problems. */
export function releaseSince(mark: number): string[] {
  const problems: string[] = [];
  while (held.length > Math.max(0, mark)) {
    const r = held.pop()!;
    try {
      if (r.kind === 'dir') {
        // Only a directory that still carries our marker, and never through a mount point.
        if (fs.existsSync(path.join(r.path, OWNER_MARKER))) fs.rmSync(r.path, { recursive: true, force: true });
      } else if (r.kind === 'process') {
        // A writer child (possibly stopped at a crash point) must not outlive the lab: it holds files in our mounts.
        try {
          process.kill(r.pid, 'SIGKILL');
          waitGone(r.pid);
        } catch {
          // already gone
        }
      } else if (r.kind === 'server') {
        // Its data may live on one of our mounts: the whole tree must be gone before they are released.
        waitGoneSync(killServerTree(r.pid));
      } else if (r.kind === 'trace-instance') {
        fs.rmdirSync(r.path);
      } else if (r.kind === 'mount') run('umount', [r.path]);
      else run('losetup', ['-d', r.device]);
    } catch (err) {
      if (r.kind === 'mount') {
        // Something still uses it (a writer child about to die): detach lazily rather than leave it.
        try {
          run('umount', ['-l', r.path]);
          continue;
        } catch {
          // fall through to report
        }
      }
      problems.push((err as Error).message);
    }
  }
  return problems;
}

/** Wait (briefly, synchronously) until a killed process is gone, so its open files no longer pin a mount. */
function waitGone(pid: number): void {
  for (let i = 0; i < 200; i++) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
      if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) return;
    } catch {
      return;
    }
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
  }
}

function installHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', () => {
    releaseAll();
  });
}
