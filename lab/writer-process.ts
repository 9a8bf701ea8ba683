/**
 * Starts the writer child — directly, or under strace for the syscall census and black-box crash
 * points — and controls it: drains its ack ledger while it runs, stops it (SIGSTOP, waiting until the
 * kernel shows every thread stopped), lets it continue (SIGCONT) after a snapshot, and kills it
 * (SIGKILL of the child itself, never of strace: strace then exits; waiting for the exit and
 * draining what the child sent before it died).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { AckLedger } from './ledger.js';
import { RecordType, type ChildConfig } from './protocol.js';
import { straceArgs, type StraceInjection } from './syscall-trace.js';
import { entryCommand } from '../workspace/entry-point.js';
import { withParentDeathSignal } from '../workspace/exec.js';
import { hold, release } from '../workspace/registry.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function stateOf(statFile: string): string | null {
  try {
    const stat = fs.readFileSync(statFile, 'latin1');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  } catch {
    return null;
  }
}

/**
 * Whether every thread of `pid` is stopped: `T` (group stop) or, under strace, `t` (tracing stop).
 * null when the process is gone.
 */
export function allThreadsStopped(pid: number): boolean | null {
  let tasks: string[];
  try {
    tasks = fs.readdirSync(`/proc/${pid}/task`);
  } catch {
    return null;
  }
  if (stateOf(`/proc/${pid}/stat`) === null) return null;
  for (const t of tasks) {
    const s = stateOf(`/proc/${pid}/task/${t}/stat`);
    if (s !== null && s !== 't' && s !== 'T') return false;
  }
  return true;
}

export interface WriterOptions {
  /** Run the child under strace, logging to this file; with an injection for syscall crash points. */
  readonly strace?: { readonly log: string; readonly inject: StraceInjection | null };
}

export class WriterProcess {
  readonly ledger: AckLedger;
  private readonly child: ChildProcess;
  private readonly timer: NodeJS.Timeout;
  private exitInfo: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  private readonly exitPromise: Promise<void>;
  private stderrTail = '';
  private drainError: unknown = null;
  private heldPid: number | null = null;

  constructor(
    config: ChildConfig,
    fifoPath: string,
    readonly options: WriterOptions = {},
  ) {
    this.ledger = new AckLedger(fifoPath, config.writers);
    const { script, execArgv } = entryCommand('lab/child');
    const node = [process.execPath, ...execArgv, script, JSON.stringify(config)];
    const [program, args] = options.strace ? ['strace', [...straceArgs(options.strace.log, options.strace.inject), '--', ...node]] : [node[0]!, node.slice(1)];
    try {
      // Killed by the kernel if the coordinator dies (SIGKILL, OOM) — strace when traced, whose tracee
      // then watches its new parent (lab/child.ts) — and in its own process group, so a Ctrl-C at the
      // terminal reaches the coordinator only, which then stops the trial in order.
      const [wrapped, wrappedArgs] = withParentDeathSignal(program, args);
      this.child = spawn(wrapped, wrappedArgs, {
        stdio: ['ignore', 'ignore', 'pipe', this.ledger.childFd],
        detached: true,
        // strace counts injections per thread: keep libuv's work on one thread (engines with async I/O).
        env: options.strace ? { ...process.env, UV_THREADPOOL_SIZE: '1' } : process.env,
      });
    } finally {
      this.ledger.releaseWriteEnd();
    }
    this.child.stderr!.on('data', (d: Buffer) => {
      this.stderrTail = (this.stderrTail + d.toString()).slice(-4000);
    });
    const pid = this.child.pid;
    // Detached, so it leads its own process group: releasing it kills the group, strace's tracee too
    // (held by its own pid only once its hello is drained, hundreds of ms into a start under strace).
    if (pid !== undefined) hold({ kind: 'process', pid, group: true });
    this.exitPromise = new Promise((resolve) =>
      this.child.on('exit', (code, signal) => {
        this.exitInfo = { code, signal };
        if (pid !== undefined) release({ kind: 'process', pid });
        this.releaseTracee();
        resolve();
      }),
    );
    // Keep the FIFO drained so the child never blocks on a full pipe.
    this.timer = setInterval(() => {
      try {
        this.ledger.drain();
        this.holdTracee();
      } catch (err) {
        this.drainError = err;
      }
    }, 2);
  }

  /** Under strace the child's own pid arrives in its first record: hold it too, so cleanup kills it. */
  private holdTracee(): void {
    const pid = this.ledger.pid;
    if (pid === null || this.heldPid !== null || !this.options.strace) return;
    this.heldPid = pid;
    hold({ kind: 'process', pid });
  }

  private releaseTracee(): void {
    if (this.heldPid !== null) release({ kind: 'process', pid: this.heldPid });
    this.heldPid = null;
  }

  /** The writer's own process (strace's tracee when traced); -1 before it said hello. */
  get pid(): number {
    return this.options.strace ? (this.ledger.pid ?? -1) : (this.child.pid ?? -1);
  }

  get exited(): boolean {
    return this.exitInfo !== null;
  }

  /** Why the child ended on its own (its stderr), for error messages. */
  get failure(): string {
    const how = this.exitInfo ? (this.exitInfo.signal ?? `exit ${this.exitInfo.code}`) : 'running';
    const lines = this.stderrTail.trim().split('\n');
    const msg = lines.find((l) => l.startsWith('crash child:')) ?? lines.find((l) => l.startsWith('strace:')) ?? lines.pop() ?? '';
    return `writer child ended (${how}) ${msg}`.trim();
  }

  /** Poll the ledger until `done()` holds, the child exits, or the timeout passes. */
  async waitFor(done: () => boolean, timeoutMs: number): Promise<boolean> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      this.ledger.drain();
      this.holdTracee();
      if (this.drainError) throw this.drainError;
      if (done()) return true;
      if (this.exited) {
        this.ledger.drain();
        return done();
      }
      if (Date.now() >= until) return false;
      await sleep(1);
    }
  }

  /** Wait until the child said hello (its pid is known). */
  async started(timeoutMs = 30_000): Promise<boolean> {
    return this.waitFor(() => this.ledger.pid !== null, timeoutMs);
  }

  /** Stop the child (SIGSTOP) now; returns the crash instant. Resolves once the kernel shows it stopped. */
  async stop(): Promise<bigint> {
    process.kill(this.pid, 'SIGSTOP');
    const crashNs = process.hrtime.bigint();
    await this.waitStopped();
    return crashNs;
  }

  /**
   * Wait until every thread is stopped, seen three times 1 ms apart: under strace a thread is briefly
   * in `t` at every traced syscall, so one look could mistake a syscall stop for the crash stop.
   */
  async waitStopped(timeoutMs = 10_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    let seen = 0;
    while (seen < 3) {
      const s = this.pid > 0 ? allThreadsStopped(this.pid) : false;
      if (this.exited || s === null) throw new Error(this.failure);
      seen = s ? seen + 1 : 0;
      if (Date.now() > until) throw new Error(`writer child did not stop within ${timeoutMs / 1000} s`);
      await sleep(1);
    }
    this.ledger.drain();
  }

  /** Let a stopped child continue (after its snapshot). */
  resume(): void {
    if (!this.exited && this.pid > 0) process.kill(this.pid, 'SIGCONT');
  }

  /** SIGKILL; returns the crash instant; resolves after the exit, with every record sent before it drained. */
  async kill(): Promise<bigint> {
    if (!this.exited) this.killWriter();
    const crashNs = process.hrtime.bigint();
    await this.exitPromise;
    clearInterval(this.timer);
    // The write end closed with the child (and strace): read to EOF.
    while (!this.ledger.eof) {
      if (this.ledger.drain() === 0 && !this.ledger.eof) await sleep(1);
    }
    return crashNs;
  }

  /** The writer's own processes: its pid, or under strace every child of strace (also before its hello). */
  private writerPids(): number[] {
    if (!this.options.strace) return this.child.pid !== undefined ? [this.child.pid] : [];
    if (this.ledger.pid !== null) return [this.ledger.pid];
    try {
      return fs.readFileSync(`/proc/${this.child.pid}/task/${this.child.pid}/children`, 'latin1').trim().split(/\s+/).filter((x) => x !== '').map(Number);
    } catch {
      return [];
    }
  }

  /** SIGKILL the writer itself — under strace the tracee first: killing strace first would detach it and leave it stopped, holding our mounts. */
  private killWriter(): void {
    const pids = this.writerPids();
    if (pids.length === 0) this.child.kill('SIGKILL');
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }

  /** Kill if still running and release the FIFO. Safe to call more than once. */
  async dispose(): Promise<void> {
    clearInterval(this.timer);
    if (!this.exited) {
      this.killWriter();
      const gone = await Promise.race([this.exitPromise.then(() => true), sleep(5000).then(() => false)]);
      if (!gone) this.child.kill('SIGKILL');
      await this.exitPromise;
    }
    try {
      this.ledger.close();
    } catch {
      // already closed
    }
  }

  private traceOffset = 0;
  private traceCarry = '';
  private injected = 0;

  /**
   * Stops strace injected so far (its log's `--- SIGSTOP {… si_code=SI_KERNEL} ---` lines), read
   * incrementally: the log grows by a line per traced call.
   */
  injectedStops(): number {
    const log = this.options.strace?.log;
    if (!log) return 0;
    let fd: number;
    try {
      fd = fs.openSync(log, 'r');
    } catch {
      return this.injected;
    }
    try {
      const buf = Buffer.alloc(1 << 16);
      for (;;) {
        const n = fs.readSync(fd, buf, 0, buf.length, this.traceOffset);
        if (n <= 0) break;
        this.traceOffset += n;
        const text = this.traceCarry + buf.subarray(0, n).toString('latin1');
        const lines = text.split('\n');
        this.traceCarry = lines.pop() ?? '';
        for (const l of lines) if (l.includes('--- SIGSTOP') && l.includes('SI_KERNEL')) this.injected += 1;
      }
    } finally {
      fs.closeSync(fd);
    }
    return this.injected;
  }

  /** Whether the ledger has the event (a Done of writer `index`, a Point, …). */
  has(type: RecordType, index?: number): boolean {
    return this.ledger.events.some((e) => e.type === type && (index === undefined || e.index === index));
  }
}
