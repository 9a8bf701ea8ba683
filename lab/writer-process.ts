/**
 * Starts the writer child and controls it: drains its ack ledger while it runs, stops it
 * (SIGSTOP, waiting until the kernel reports it stopped) and kills it (SIGKILL, waiting for its exit
 * and draining what it sent before it died).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { AckLedger } from './ledger.js';
import type { ChildConfig } from './protocol.js';
import { withParentDeathSignal } from '../workspace/exec.js';
import { hold, release } from '../workspace/registry.js';

/** The child entry next to this module: compiled JS, or the .ts source under tsx. */
function childCommand(): { script: string; execArgv: string[] } {
  const here = import.meta.url;
  const isTs = here.endsWith('.ts');
  return { script: fileURLToPath(new URL(isTs ? './child.ts' : './child.js', here)), execArgv: isTs ? ['--import', 'tsx'] : [] };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Process state letter from /proc/<pid>/stat (R, S, D, T, Z, ...), or null when gone. */
function procState(pid: number): string | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  } catch {
    return null;
  }
}

export class WriterProcess {
  readonly ledger: AckLedger;
  private readonly child: ChildProcess;
  private readonly timer: NodeJS.Timeout;
  private exitInfo: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  private readonly exitPromise: Promise<void>;
  private stderrTail = '';
  private drainError: unknown = null;

  constructor(config: ChildConfig, fifoPath: string) {
    this.ledger = new AckLedger(fifoPath);
    const { script, execArgv } = childCommand();
    try {
      // Killed by the kernel if the coordinator dies (SIGKILL, OOM), and in its own process group,
      // so a Ctrl-C at the terminal reaches the coordinator only, which then stops the trial in order.
      const [program, args] = withParentDeathSignal(process.execPath, [...execArgv, script, JSON.stringify(config)]);
      this.child = spawn(program, args, {
        stdio: ['ignore', 'ignore', 'pipe', this.ledger.childFd],
        detached: true,
      });
    } finally {
      this.ledger.releaseWriteEnd();
    }
    this.child.stderr!.on('data', (d: Buffer) => {
      this.stderrTail = (this.stderrTail + d.toString()).slice(-4000);
    });
    const pid = this.child.pid;
    if (pid !== undefined) hold({ kind: 'process', pid });
    this.exitPromise = new Promise((resolve) =>
      this.child.on('exit', (code, signal) => {
        this.exitInfo = { code, signal };
        if (pid !== undefined) release({ kind: 'process', pid });
        resolve();
      }),
    );
    // Keep the FIFO drained so the child never blocks on a full pipe (64 KiB = 4096 acks).
    this.timer = setInterval(() => {
      try {
        this.ledger.drain();
      } catch (err) {
        this.drainError = err;
      }
    }, 2);
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get exited(): boolean {
    return this.exitInfo !== null;
  }

  /** Why the child ended on its own (its stderr), for error messages. */
  get failure(): string {
    const how = this.exitInfo ? (this.exitInfo.signal ?? `exit ${this.exitInfo.code}`) : 'running';
    const lines = this.stderrTail.trim().split('\n');
    const msg = lines.find((l) => l.startsWith('crash child:')) ?? lines.pop() ?? '';
    return `writer child ended (${how}) ${msg}`.trim();
  }

  /** Poll the ledger until `done()` holds, the child exits, or the timeout passes. */
  async waitFor(done: () => boolean, timeoutMs: number): Promise<boolean> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      this.ledger.drain();
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

  /** Stop the child (SIGSTOP) now; returns the crash instant. Resolves once the kernel shows it stopped. */
  async stop(): Promise<bigint> {
    this.child.kill('SIGSTOP');
    const crashNs = process.hrtime.bigint();
    await this.waitStopped();
    return crashNs;
  }

  /** Wait until the child is in state T (it stopped itself, or we stopped it). */
  async waitStopped(timeoutMs = 10_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (procState(this.pid) !== 'T') {
      if (this.exited || procState(this.pid) === null) throw new Error(this.failure);
      if (Date.now() > until) throw new Error('writer child did not stop within 10 s');
      await sleep(1);
    }
    this.ledger.drain();
  }

  /** SIGKILL; returns the crash instant; resolves after the exit, with every record sent before it drained. */
  async kill(): Promise<bigint> {
    if (!this.exited) this.child.kill('SIGKILL');
    const crashNs = process.hrtime.bigint();
    await this.exitPromise;
    clearInterval(this.timer);
    // The write end closed with the child: read to EOF.
    while (!this.ledger.eof) {
      if (this.ledger.drain() === 0 && !this.ledger.eof) await sleep(1);
    }
    return crashNs;
  }

  /** Kill if still running and release the FIFO. Safe to call more than once. */
  async dispose(): Promise<void> {
    clearInterval(this.timer);
    if (!this.exited) {
      this.child.kill('SIGKILL');
      await this.exitPromise;
    }
    try {
      this.ledger.close();
    } catch {
      // already closed
    }
  }
}
