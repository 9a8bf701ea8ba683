/**
 * A database server as a child process of durabench: started detached (its own process group),
 * stdout and stderr into a log file, held in the registry (so every exit path, a second SIGINT or
 * SIGTERM included, kills it), a record of its pid next to its data (`.durabench-server`, so a
 * server a SIGKILLed durabench left behind is found later), readiness probed until it answers.
 *
 * Stopping is by process group and by descendants: PostgreSQL's children call setsid(), so they
 * are not in the postmaster's group — a group SIGKILL alone leaves the backend serving our
 * connection alive long enough to ack more commits (seen: 2 more over 12 ms). `crash()` therefore
 * stops the group (no more forks), lists every descendant from /proc, and kills the group and each
 * descendant with SIGKILL.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { hold, OWNER_MARKER, release } from './registry.js';

/** The record a running server leaves next to its data: found by `orphanServers`. */
export const SERVER_RECORD = '.durabench-server';

export interface ServerRecord {
  readonly tool: 'durabench';
  readonly pid: number;
  readonly program: string;
  /** durabench's own pid: while it lives, the server is not an orphan. */
  readonly owner: number;
  readonly dataDir: string;
  /**
   * Its own marked directory off the target (`durabench-server-*` under the temporary directory: its
   * logs, and its sockets when they do not fit next to the data), removed with an orphan; null in
   * records of versions that had none.
   */
  readonly ownDir: string | null;
  readonly startedAt: string;
}

export interface LaunchSpec {
  /** Short name for messages (redis, postgres, ...). */
  readonly name: string;
  readonly program: string;
  readonly args: readonly string[];
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
  readonly user?: { readonly uid: number; readonly gid: number };
  /** stdout and stderr go here (appended). */
  readonly logFile: string;
  /** Where the pid record is written (a directory durabench created). */
  readonly recordDir: string;
  readonly dataDir: string;
  /** Its own marked directory off the target (logs, maybe sockets): removed with an orphan. */
  readonly ownDir: string;
}

interface ProcInfo {
  readonly ppid: number;
  readonly state: string;
}

/** pid → parent pid and state, from /proc/<pid>/stat. */
function procTable(): Map<number, ProcInfo> {
  const m = new Map<number, ProcInfo>();
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const s = fs.readFileSync(`/proc/${d}/stat`, 'latin1');
      const rest = s.slice(s.lastIndexOf(')') + 2).split(' ');
      m.set(Number(d), { ppid: Number(rest[1]), state: rest[0] ?? '?' });
    } catch {
      // gone meanwhile
    }
  }
  return m;
}

/** Every descendant of `root` (children, their children, ...). */
export function descendants(root: number): number[] {
  const t = procTable();
  const out: number[] = [];
  const stack = [root];
  while (stack.length > 0) {
    const p = stack.pop()!;
    for (const [pid, info] of t) {
      if (info.ppid === p) {
        out.push(pid);
        stack.push(pid);
      }
    }
  }
  return out;
}

/** A zombie counts as gone (an orphan's zombie is reaped by pid 1, sometimes a second later). */
function alive(pid: number): boolean {
  try {
    const s = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
    return !s.slice(s.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return false;
  }
}

function signal(pid: number, sig: NodeJS.Signals | 0): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

/**
 * SIGKILL a server tree now, synchronously: stop the group, list descendants, kill group and
 * descendants. Returns the pids it killed. Used by `crash()`, the registry and orphan clean-up.
 */
export function killServerTree(leader: number): number[] {
  signal(-leader, 'SIGSTOP');
  const kids = descendants(leader);
  for (const k of kids) signal(k, 'SIGSTOP');
  signal(-leader, 'SIGKILL');
  signal(leader, 'SIGKILL');
  for (const k of kids) signal(k, 'SIGKILL');
  return [leader, ...kids];
}

/** Wait (synchronously, briefly) until these pids are gone. */
export function waitGoneSync(pids: readonly number[], timeoutMs = 5000): boolean {
  const until = Date.now() + timeoutMs;
  const cell = new Int32Array(new SharedArrayBuffer(4));
  while (Date.now() < until) {
    if (pids.every((p) => !alive(p))) return true;
    Atomics.wait(cell, 0, 0, 2);
  }
  return false;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A system error a server's log reports (the disk full, an I/O error, a read-only filesystem). */
const SYSTEM_ERROR = /no space left on device|enospc|disk is full|input\/output error|\beio\b|read-only file system|erofs/i;

/** The last line of a server's log that names a system error, or null: what a failing case's reason should say. */
export function logProblem(file: string): string | null {
  try {
    const hits = fs.readFileSync(file, 'utf8').split('\n').filter((l) => SYSTEM_ERROR.test(l));
    return hits.length > 0 ? hits[hits.length - 1]!.trim().slice(0, 300) : null;
  } catch {
    return null;
  }
}

/** Why a server did not come up: the system error its log names, else its last lines. */
function whyFromLog(file: string): string {
  return logProblem(file) ?? logTail(file);
}

/** The last lines of a server's log, for the error that says why it did not come up. */
export function logTail(file: string, lines = 3): string {
  try {
    return fs
      .readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '')
      .slice(-lines)
      .join(' | ');
  } catch {
    return '(no log)';
  }
}

export class ServerProcess {
  readonly pid: number;
  /** Resolves when the leader exited. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private exitedFlag = false;

  private constructor(
    private readonly child: ChildProcess,
    readonly spec: LaunchSpec,
  ) {
    if (child.pid === undefined) throw new Error(`${spec.name}: ${spec.program} could not be started`);
    this.pid = child.pid;
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, sig) => {
        this.exitedFlag = true;
        resolve({ code, signal: sig });
      });
    });
    hold({ kind: 'server', pid: this.pid });
  }

  /** Spawn the server (detached, its own process group) and write its pid record. */
  static spawn(spec: LaunchSpec): ServerProcess {
    const log = fs.openSync(spec.logFile, 'a');
    let child: ChildProcess;
    try {
      child = spawn(spec.program, [...spec.args], {
        cwd: spec.cwd,
        env: { ...spec.env },
        detached: true,
        stdio: ['ignore', log, log],
        ...(spec.user ? { uid: spec.user.uid, gid: spec.user.gid } : {}),
      });
    } finally {
      fs.closeSync(log);
    }
    // A spawn error (ENOENT, EACCES) arrives as an event; it also ends in 'exit' or leaves pid unset.
    child.on('error', () => {});
    const p = new ServerProcess(child, spec);
    const record: ServerRecord = { tool: 'durabench', pid: p.pid, program: spec.program, owner: process.pid, dataDir: spec.dataDir, ownDir: spec.ownDir, startedAt: new Date().toISOString() };
    fs.writeFileSync(path.join(spec.recordDir, SERVER_RECORD), JSON.stringify(record) + '\n');
    return p;
  }

  get running(): boolean {
    return !this.exitedFlag;
  }

  /**
   * Probe until `ready()` is true; ms from the call. If the server exits first, or the timeout
   * passes, or `signal` fires, the server is killed and this throws with the log's last lines.
   */
  async waitReady(ready: () => Promise<boolean>, timeoutMs: number, abort?: AbortSignal): Promise<number> {
    const t0 = performance.now();
    let lastLogCheck = t0;
    for (;;) {
      if (!this.running) {
        const how = await this.exited;
        this.forget();
        throw new Error(`${this.spec.name} exited before it was ready (${how.code !== null ? `exit ${how.code}` : how.signal}): ${whyFromLog(this.spec.logFile)}`);
      }
      let ok = false;
      try {
        ok = await ready();
      } catch {
        ok = false;
      }
      if (ok) return performance.now() - t0;
      // A server that logged a system error (the disk full) may wait for it to go away (MariaDB retries every 60 s): fail now, with that line.
      let problem: string | null = null;
      if (performance.now() - lastLogCheck > 100) {
        lastLogCheck = performance.now();
        problem = logProblem(this.spec.logFile);
      }
      if (abort?.aborted || problem !== null || performance.now() - t0 > timeoutMs) {
        await this.crash();
        throw new Error(
          abort?.aborted
            ? `${this.spec.name}: interrupted while starting`
            : problem !== null
              ? `${this.spec.name} logged a system error while starting: ${problem}`
              : `${this.spec.name} was not ready after ${Math.round(timeoutMs / 1000)} s: ${whyFromLog(this.spec.logFile)}`,
        );
      }
      await sleep(5);
    }
  }

  /** Freeze the whole tree (a power cut's instant): nothing of the server runs until `thaw()`. */
  freeze(): number[] {
    signal(-this.pid, 'SIGSTOP');
    const kids = descendants(this.pid);
    for (const k of kids) signal(k, 'SIGSTOP');
    return kids;
  }

  thaw(): void {
    for (const k of descendants(this.pid)) signal(k, 'SIGCONT');
    signal(-this.pid, 'SIGCONT');
  }

  /** SIGKILL the server and every descendant (the crash lab's process kill); resolves when all are gone. */
  async crash(): Promise<{ killed: number; ms: number }> {
    const t0 = performance.now();
    if (!this.running) {
      this.forget();
      return { killed: 0, ms: 0 };
    }
    const pids = killServerTree(this.pid);
    await this.exited;
    for (let i = 0; i < 2500 && pids.some(alive); i++) await sleep(2);
    // Then until no entry is left at all: a restarted postgres takes a zombie's pid (kill(pid, 0)
    // succeeds on it) for a running postmaster. Orphaned zombies are reaped by pid 1, here within ~1 s.
    for (let i = 0; i < 2500 && pids.some((p) => fs.existsSync(`/proc/${p}`)); i++) await sleep(2);
    this.forget();
    return { killed: pids.length, ms: performance.now() - t0 };
  }

  /** Clean stop: the server's own shutdown signal to its group; after `timeoutMs` a crash instead. */
  async stop(stopSignal: NodeJS.Signals, timeoutMs: number): Promise<{ clean: boolean; ms: number }> {
    const t0 = performance.now();
    if (!this.running) {
      this.forget();
      return { clean: true, ms: 0 };
    }
    this.thaw();
    signal(-this.pid, stopSignal);
    let timer: NodeJS.Timeout | undefined;
    const done = await Promise.race([this.exited.then(() => true), new Promise<boolean>((r) => (timer = setTimeout(() => r(false), timeoutMs)))]);
    clearTimeout(timer);
    if (!done) {
      await this.crash();
      return { clean: false, ms: performance.now() - t0 };
    }
    // Children that outlive their leader (none should after a clean shutdown) are killed too.
    const left = descendants(this.pid);
    for (const k of left) signal(k, 'SIGKILL');
    this.forget();
    return { clean: true, ms: performance.now() - t0 };
  }

  private forget(): void {
    release({ kind: 'server', pid: this.pid });
    fs.rmSync(path.join(this.spec.recordDir, SERVER_RECORD), { force: true });
  }
}

/** A server record whose owner is gone while the server still runs: left by a SIGKILLed durabench. */
export interface OrphanServer {
  readonly record: ServerRecord;
  readonly file: string;
}

/**
 * Does `pid` run `program`? By its executable (/proc/<pid>/exe), not its command line: servers
 * rewrite their process titles (redis-server shows its socket, postgres its role).
 */
function runs(pid: number, program: string): boolean {
  try {
    return fs.readlinkSync(`/proc/${pid}/exe`) === fs.realpathSync(program);
  } catch {
    return false;
  }
}

/**
 * Servers durabench started whose durabench is gone, found by their records under `root` (depth
 * ≤ `maxDepth`). A record counts only when its pid still runs the recorded program (by its
 * executable), so a reused pid is never touched.
 */
export function orphanServers(root: string, maxDepth = 6): OrphanServer[] {
  const out: OrphanServer[] = [];
  const walk = (dir: string, depth: number): void => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = path.join(dir, e.name);
      if (e.isFile() && e.name === SERVER_RECORD) {
        try {
          const record = JSON.parse(fs.readFileSync(p, 'utf8')) as ServerRecord;
          if (record.tool === 'durabench' && alive(record.pid) && runs(record.pid, record.program) && !alive(record.owner)) out.push({ record, file: p });
        } catch {
          // not ours, or half written
        }
      } else if (e.isDirectory() && !e.isSymbolicLink() && depth < maxDepth) walk(p, depth + 1);
    }
  };
  walk(path.resolve(root), 0);
  return out;
}

/** Kill an orphaned server's tree, remove its record and its own socket directory (only one carrying our marker). */
export function stopOrphanServer(o: OrphanServer): void {
  waitGoneSync(killServerTree(o.record.pid));
  fs.rmSync(o.file, { force: true });
  const s = o.record.ownDir;
  if (s && path.basename(s).startsWith('durabench-server-') && fs.existsSync(path.join(s, OWNER_MARKER))) fs.rmSync(s, { recursive: true, force: true });
}
