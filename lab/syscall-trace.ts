/**
 * The writer child under strace: black-box crash points and the syscall census.
 *
 * - Census: every sync call the child makes (fsync, fdatasync, sync_file_range, msync, syncfs,
 *   sync), counted at the system-call boundary, so engines that do their own I/O (SQLite, LevelDB,
 *   LMDB) get sync columns in crash runs too, and directory fsyncs are told apart by the path strace
 *   prints for the descriptor (`-y`). With `--seccomp-bpf` only these calls stop the tracee.
 * - Crash points: strace's fault injection stops the writer at the K-th call of one system call
 *   (`-e inject=NAME:signal=SIGSTOP:when=K`: the call runs, the process stops before user space sees
 *   its result; `:error=EIO:signal=SIGSTOP`: the call is not made). `when=A..B` stops at every call of
 *   the range, one after another. strace counts per syscall and per tracee, i.e. per thread; the lab
 *   sets UV_THREADPOOL_SIZE=1 so libuv's work runs on one thread. `--seccomp-bpf` is left out when
 *   injecting: strace 6.1 then does not deliver the injected signal.
 *
 * Pure: argument arrays and log parsing; the process is started by writer-process.ts.
 */
import type { SyscallWhen } from './crash-point.js';

/** The calls the census counts. */
export const CENSUS_SYSCALLS = ['fdatasync', 'fsync', 'sync_file_range', 'msync', 'syncfs', 'sync'] as const;

export interface StraceInjection {
  readonly name: string;
  readonly from: number;
  readonly to: number;
  readonly when: SyscallWhen;
}

/** strace's arguments before `-- node …`: follow threads, quiet, paths for descriptors, one log file. */
export function straceArgs(log: string, inject: StraceInjection | null): string[] {
  const traced = [...new Set([...CENSUS_SYSCALLS, ...(inject ? [inject.name] : [])])];
  const args = ['-f', '-qq', '-y', '-o', log, '-e', `trace=${traced.join(',')}`];
  if (!inject) return [...args, '--seccomp-bpf'];
  const when = inject.from === inject.to ? String(inject.from) : `${inject.from}..${inject.to}`;
  return [...args, '-e', `inject=${inject.name}:${inject.when === 'before' ? 'error=EIO:' : ''}signal=SIGSTOP:when=${when}`];
}

export interface TraceLog {
  /** Calls by name; `fsync-dir`/`fdatasync-dir` for a descriptor that names a directory. */
  readonly calls: Record<string, number>;
  /** The calls strace stopped the tracee after (injected SIGSTOP), in order: `fdatasync(kv.sqlite-journal)`. */
  readonly stops: string[];
}

/** `17</mnt/x/kv.sqlite-journal>` → `/mnt/x/kv.sqlite-journal`. */
function fdPath(args: string): string | null {
  const m = /^-?\d+<([^>]*)>/.exec(args);
  return m ? m[1]! : null;
}

/**
 * Parse an strace `-f -y -o` log. A call counts once (an `<unfinished ...>` line counts, its
 * `<... resumed>` line does not). `isDir` tells directories from files by the descriptor's path.
 */
export function parseTraceLog(text: string, isDir: (path: string) => boolean): TraceLog {
  const calls: Record<string, number> = {};
  const stops: string[] = [];
  const lastCall = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^(\d+)\s+(.*)$/.exec(line);
    if (!m) continue;
    const [, pid, rest] = m as unknown as [string, string, string];
    if (rest.startsWith('--- SIGSTOP') && rest.includes('si_code=SI_KERNEL')) {
      stops.push(lastCall.get(pid) ?? 'unknown call');
      continue;
    }
    const call = /^([a-z0-9_]+)\((.*)$/.exec(rest);
    if (!call) continue;
    const name = call[1]!;
    const p = fdPath(call[2]!);
    const dir = (name === 'fsync' || name === 'fdatasync') && p !== null && isDir(p);
    const key = dir ? `${name}-dir` : name;
    calls[key] = (calls[key] ?? 0) + 1;
    lastCall.set(pid, `${name}(${p !== null ? p.slice(p.lastIndexOf('/') + 1) || p : call[2]!.split(',')[0]!.replace(/<unfinished \.\.\.>/, '').trim()})`);
  }
  return { calls, stops };
}

/** Every sync call in a census. */
export function syncCalls(calls: Readonly<Record<string, number>>): number {
  let n = 0;
  for (const s of CENSUS_SYSCALLS) n += (calls[s] ?? 0) + (calls[`${s}-dir`] ?? 0);
  return n;
}

export function addCalls(into: Record<string, number>, more: Readonly<Record<string, number>>): void {
  for (const [k, v] of Object.entries(more)) into[k] = (into[k] ?? 0) + v;
}
