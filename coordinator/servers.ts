/**
 * Runs a server engine's database server for a case or a crash trial: a fresh data directory in a
 * directory durabench created (or the recovered one after a crash), the server started from the
 * engine's description (engines/server-spec.ts) as a process of its own (workspace/server-process.ts),
 * readiness, and a stop on every way out.
 *
 * The server's logs (its own output, and its preparation's: initdb, mariadb-install-db) go to a
 * marked directory of its own under the temporary directory, off the target: on a full or failed
 * target the server could not write the line that says why it stopped, and that line is what an
 * errored case's reason quotes (a client sees only a closed connection). A preparation or a start
 * that logs a system error (the disk full) fails at once with that line instead of waiting for a
 * timeout (MariaDB waits for space to be freed, retrying every 60 s). Sockets live next to the data
 * unless that path would not fit in sun_path (107 bytes), then in the same short directory.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { ServerCommand, ServerSpec } from '../engines/server-spec.js';
import type { EngineFactory, EngineOptionValue } from '../engines/types.js';
import type { Durability } from '../model/durability.js';
import type { ServerEndpoint, ServerFacts, ServerFailure } from '../model/server.js';
import { hold, release } from '../workspace/registry.js';
import { killServerTree, logProblem, logTail, ServerProcess } from '../workspace/server-process.js';
import { createServerDir, removeServerDir } from '../workspace/workdir.js';
import { SERVER_PREPARE_TIMEOUT_MS, SERVER_READY_TIMEOUT_MS, SERVER_STOP_TIMEOUT_MS } from './defaults.js';
import { fromTemplate, keepTemplate, templateDirOf } from './server-template.js';

/** sun_path is 108 bytes with the terminating NUL. */
const SUN_PATH_MAX = 107;

/** The server's setting and documented promises for a case (null for engines that are not servers). */
export function serverFacts(factory: EngineFactory, durability: Durability, options: Readonly<Record<string, EngineOptionValue>>): ServerFacts | null {
  const spec = factory.server;
  if (!spec) return null;
  const l = spec.locate(options);
  return { setting: spec.setting(durability, options), binary: l.found ? l.bin : '(not found)', kill: spec.promise(durability, options, 'kill'), power: spec.promise(durability, options, 'power') };
}

/** Why this server engine cannot run here (its binary is missing), or null. */
export function serverUnavailable(factory: EngineFactory, options: Readonly<Record<string, EngineOptionValue>>): string | null {
  if (!factory.server) return null;
  const l = factory.server.locate(options);
  return l.found ? null : `${factory.name}: ${l.reason}`;
}

export interface ServerStart {
  readonly factory: EngineFactory;
  /** A directory durabench created: the server's log, pid record and (usually) sockets go here. */
  readonly root: string;
  /** The data directory: created fresh when `fresh`, else the one a crash left. */
  readonly dataDir: string;
  readonly fresh: boolean;
  /** A fresh data directory is copied from a preparation kept here, or prepared and kept here (coordinator/server-template.ts). */
  readonly templates?: string;
  readonly durability: Durability;
  readonly options: Readonly<Record<string, EngineOptionValue>>;
  readonly failure: ServerFailure;
  /** A recovered crash image started while the original server is frozen (postgres: drop its lock file). */
  readonly copy?: boolean;
  /**
   * Count the server's sync calls: it runs under `strace` with these arguments (the lab's census
   * arguments, a log file); a traced server is only ever crashed, never stopped cleanly (strace
   * would exit first and leave the server outside its group).
   */
  readonly trace?: { readonly log: string; readonly straceArgs: readonly string[] };
  readonly signal?: AbortSignal;
}

/** A server durabench started: its endpoint (for the engine's context), its process, how long it took to be ready. */
export class RunningServer {
  private stopped = false;
  private constructor(
    readonly endpoint: ServerEndpoint,
    readonly process: ServerProcess,
    private readonly spec: ServerSpec,
    readonly readyMs: number,
    /** The marked directory off the target with the server's logs (and its sockets, when they did not fit next to the data). */
    private readonly serverDir: string,
    private readonly traced: boolean,
  ) {}

  /** The last system error the server's log names (the disk full, EIO), or null: read before `stop()` removes the log. */
  logProblem(): string | null {
    return logProblem(this.process.spec.logFile);
  }

  static async start(s: ServerStart): Promise<RunningServer> {
    const spec = s.factory.server;
    if (!spec) throw new Error(`${s.factory.name} is not a server engine`);
    const located = spec.locate(s.options);
    if (!located.found) throw new Error(`${s.factory.name}: ${located.reason}`);
    const serverDir = createServerDir();
    try {
      const longest = Math.max(...spec.socketNames.map((n) => n.length), 0) + 8; // + postgres's ".lock"-style suffixes
      const socketsOff = path.resolve(s.root).length + 1 + longest > SUN_PATH_MAX;
      const socketDir = socketsOff ? serverDir : s.root;
      // A server running as another user (postgres as nobody) must reach its sockets and data.
      const user = spec.launch({ dataDir: s.dataDir, socketDir, failure: s.failure }, located.bin, s.durability, s.options).user;
      if (user) {
        const closed = unsearchableAncestor(s.root, user);
        if (closed) {
          throw new Error(
            `${s.factory.name} runs as uid ${user.uid} (it refuses root) and cannot enter ${closed.dir} (mode ${closed.mode.toString(8).padStart(4, '0')}): give a --dir every user can traverse (a mount point, /var/tmp/…), or chmod o+x ${closed.dir}`,
          );
        }
        fs.chmodSync(socketDir, 0o755);
        fs.chownSync(socketDir, user.uid, user.gid);
      }
      const endpoint: ServerEndpoint = { dataDir: s.dataDir, socketDir, failure: s.failure };
      if (s.fresh) await prepareDataDir(s, spec.prepare(endpoint, located.bin, s.options), path.join(serverDir, 'prepare.log'));
      if (s.copy) spec.beforeCopyStart?.(endpoint);
      spec.beforeStart?.(endpoint);
      const launch = spec.launch(endpoint, located.bin, s.durability, s.options);
      if (s.trace) {
        // strace opens its log as the server's user.
        fs.writeFileSync(s.trace.log, '');
        if (launch.user) fs.chownSync(s.trace.log, launch.user.uid, launch.user.gid);
      }
      const proc = ServerProcess.spawn({
        name: s.factory.name,
        program: s.trace ? 'strace' : launch.program,
        args: s.trace ? [...s.trace.straceArgs, '--', launch.program, ...launch.args] : launch.args,
        cwd: launch.cwd,
        env: launch.env,
        ...(launch.user ? { user: launch.user } : {}),
        logFile: path.join(serverDir, `${s.factory.name}-server.log`),
        recordDir: s.root,
        dataDir: s.dataDir,
        ownDir: serverDir,
      });
      const readyMs = await proc.waitReady(() => spec.ready(endpoint), spec.readyTimeoutMs ?? SERVER_READY_TIMEOUT_MS, s.signal);
      const server = new RunningServer(endpoint, proc, spec, readyMs, serverDir, s.trace !== undefined);
      if (s.fresh && spec.afterReady) {
        try {
          await spec.afterReady(endpoint);
        } catch (err) {
          const problem = server.logProblem();
          await server.stop();
          throw new Error(`${s.factory.name}: setting up the schema failed: ${(err as Error).message}${problem ? `; the server's log says: ${problem}` : ''}`);
        }
      }
      return server;
    } catch (err) {
      removeServerDirQuietly(serverDir);
      throw err;
    }
  }

  /** Clean stop (the server's own shutdown); a crash if it does not stop in time. Idempotent. */
  async stop(): Promise<{ clean: boolean; ms: number }> {
    if (this.stopped) return { clean: true, ms: 0 };
    if (this.traced) return { clean: false, ms: (await this.crash(true)).ms };
    this.stopped = true;
    try {
      return await this.process.stop(this.spec.stopSignal, SERVER_STOP_TIMEOUT_MS);
    } finally {
      this.cleanup();
    }
  }

  /**
   * SIGKILL of the server and every descendant: the crash lab's process kill. With `discard` the
   * directory will not be restarted, so what the server left outside it is released too.
   */
  async crash(discard = false): Promise<{ killed: number; ms: number }> {
    if (this.stopped) {
      // Already stopped or crashed (never signal a pid twice: it may be reused); a discarded directory still gets its leftovers released.
      if (discard && !this.leftoversReleased) this.releaseLeftovers();
      return { killed: 0, ms: 0 };
    }
    this.stopped = true;
    try {
      return await this.process.crash();
    } finally {
      if (discard) this.releaseLeftovers();
      this.cleanup();
    }
  }

  /**
   * Make the fresh data directory durable (syncfs of its filesystem) before a power run's writers
   * start: a cut must find the server as it was set up (etcd with --unsafe-no-fsync never syncs its
   * bootstrap, and would otherwise lose its own membership, not our commits).
   */
  makeDurable(): void {
    execFileSync('sync', ['-f', this.endpoint.dataDir], { stdio: 'ignore', timeout: 60_000 });
  }

  /** Freeze the server's whole tree (a power cut's instant) and let it run again. */
  freeze(): void {
    this.process.freeze();
  }

  thaw(): void {
    this.process.thaw();
  }

  private leftoversReleased = false;

  private releaseLeftovers(): void {
    this.leftoversReleased = true;
    for (const c of this.spec.afterKill?.(this.endpoint) ?? []) {
      try {
        execFileSync(c.program, [...c.args], { cwd: c.cwd, env: { ...c.env }, stdio: 'ignore', timeout: 10_000 });
      } catch {
        // best effort: it only frees a stale segment
      }
    }
  }

  private cleanup(): void {
    removeServerDirQuietly(this.serverDir);
  }
}

/** Remove a server's own directory; a failure leaves it in the run record for `durabench clean`. */
function removeServerDirQuietly(dir: string): void {
  try {
    removeServerDir(dir);
  } catch {
    // stuck: listed by durabench clean
  }
}

/** Run the preparation into the fresh data directory, or copy a kept one; keep it when it was run. */
async function prepareDataDir(s: ServerStart, commands: readonly ServerCommand[], log: string): Promise<void> {
  const template = s.templates !== undefined && commands.length > 0 ? templateDirOf(s.templates, s.factory.name, commands, s.dataDir) : null;
  if (template !== null) {
    try {
      if (fromTemplate(template, s.dataDir)) return;
    } catch (err) {
      throw new Error(`${s.factory.name}: copying its prepared data directory failed: ${(err as Error).message}`);
    }
  }
  for (const c of commands) await runCommand(c, log, s.signal);
  if (template === null) return;
  try {
    keepTemplate(template, s.dataDir);
  } catch {
    // Only a saving for the next trial (the disk may be full): they prepare their own.
    fs.rmSync(template, { recursive: true, force: true });
  }
}

/**
 * Run one preparation command (initdb, mariadb-install-db) as an argument array, its output into
 * `log`. It fails with the system error its output names as soon as one appears (a full disk), and
 * after SERVER_PREPARE_TIMEOUT_MS; it is held (its process group) so every exit path kills it.
 */
async function runCommand(c: ServerCommand, log: string, signal?: AbortSignal): Promise<void> {
  const name = path.basename(c.program);
  const fd = fs.openSync(log, 'a');
  let child: ChildProcess;
  try {
    child = spawn(c.program, [...c.args], { cwd: c.cwd, env: { ...c.env }, detached: true, stdio: ['ignore', fd, fd], ...(c.user ? { uid: c.user.uid, gid: c.user.gid } : {}) });
  } finally {
    fs.closeSync(fd);
  }
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, sig) => resolve({ code, signal: sig })));
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', (err) => reject(new Error(`${name} could not be started: ${err.message}`)));
  });
  const held = { kind: 'server' as const, pid: child.pid! };
  hold(held);
  const t0 = Date.now();
  try {
    for (;;) {
      const done = await Promise.race([exited, new Promise<null>((r) => setTimeout(() => r(null), 100))]);
      if (done !== null) {
        if (done.code === 0) return;
        const how = done.code !== null ? `exit ${done.code}` : `killed by ${done.signal ?? '?'}`;
        throw new Error(`${name} failed (${how}): ${logProblem(log) ?? logTail(log, 2)}`);
      }
      const problem = logProblem(log);
      const why = problem ? `it logged a system error: ${problem}` : signal?.aborted ? 'interrupted' : Date.now() - t0 > SERVER_PREPARE_TIMEOUT_MS ? `it did not finish within ${SERVER_PREPARE_TIMEOUT_MS / 1000} s: ${logTail(log, 2)}` : null;
      if (why === null) continue;
      killServerTree(held.pid);
      await exited;
      throw new Error(`${name} failed (${why})`);
    }
  } finally {
    release(held);
  }
}

/**
 * The first directory on the way to `dir` (itself included) that `user` may not enter, or null: a
 * server that runs as another user (postgres as nobody) needs search permission on every one of
 * them, or its initdb fails with a bare "Permission denied". Checked by mode bits (no ACLs).
 */
export function unsearchableAncestor(dir: string, user: { uid: number; gid: number }): { dir: string; mode: number } | null {
  const chain: string[] = [];
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    chain.unshift(d);
    if (path.dirname(d) === d) break;
  }
  for (const d of chain) {
    const st = fs.statSync(d);
    const mode = st.mode & 0o7777;
    const bit = st.uid === user.uid ? 0o100 : st.gid === user.gid ? 0o010 : 0o001;
    if ((mode & bit) === 0) return { dir: d, mode };
  }
  return null;
}
