/**
 * Crash points and crash windows. Points: a random instant, after the K-th numbered io operation
 * (`op:K`), at the N-th announcement of an engine phase marker (`marker:NAME[:N]`), at the K-th call
 * of a system call (`syscall:NAME:K`, after it returned; `:before`, instead of making it) for engines
 * whose I/O bypasses the io layer; and sweeps over every operation between two markers
 * (`marker:A..marker:B`, the way ALICE and CrashMonkey enumerate persistence points) or over calls
 * A..B of one system call. Windows: where random instants fall, `A..B` seconds after the first ack or
 * `A%..B%` of the run. Pure parsing; errors are one line naming the option and the fix.
 */
import { mix } from '../workers/workload.js';

/** strace's `when=` accepts first 1..65535 and last 1..65534 (man strace, -e inject). */
export const MAX_SYSCALL_OCCURRENCE = 65534;

/** System calls the lab can stop at: the ones storage engines make their data durable or visible with. */
export const CRASH_SYSCALLS = [
  'fdatasync',
  'fsync',
  'sync_file_range',
  'msync',
  'syncfs',
  'rename',
  'renameat',
  'renameat2',
  'unlink',
  'unlinkat',
  'write',
  'pwrite64',
  'writev',
  'pwritev',
  'pwritev2',
  'ftruncate',
  'fallocate',
] as const;

export type SyscallWhen = 'after' | 'before';

export type CrashPoint =
  | { readonly kind: 'random' }
  | { readonly kind: 'op'; readonly op: number }
  | { readonly kind: 'marker'; readonly name: string; readonly occurrence: number }
  /** The `occurrence`-th call of `name` in one thread: stop after it returned, or (`before`) instead of making it. */
  | { readonly kind: 'syscall'; readonly name: string; readonly occurrence: number; readonly when: SyscallWhen };

export interface MarkerRef {
  readonly name: string;
  readonly occurrence: number;
}

export type CrashSweep =
  | { readonly kind: 'marker'; readonly from: MarkerRef; readonly to: MarkerRef }
  | { readonly kind: 'syscall'; readonly name: string; readonly from: number; readonly to: number; readonly when: SyscallWhen };

function syscallPoint(text: string, flag: string): CrashPoint | string | null {
  const m = /^syscall:([a-z0-9_]+):(\d+)(?::(before|after))?$/.exec(text);
  if (!m) return text.startsWith('syscall:') ? `${flag} syscall points look like syscall:fdatasync:K or syscall:fdatasync:K:before; got '${text}'` : null;
  const name = m[1]!;
  if (!(CRASH_SYSCALLS as readonly string[]).includes(name)) return `${flag} syscall '${name}' is not one the lab stops at; use ${CRASH_SYSCALLS.join(', ')}`;
  const k = Number(m[2]);
  if (k < 1 || k > MAX_SYSCALL_OCCURRENCE) return `${flag} ${text}: K must be from 1 to ${MAX_SYSCALL_OCCURRENCE} (strace's limit)`;
  return { kind: 'syscall', name, occurrence: k, when: (m[3] ?? 'after') as SyscallWhen };
}

/** `random`, `op:K`, `marker:NAME[:N]` or `syscall:NAME:K[:before]`. Returns the point or a one-line problem. */
export function parseCrashPoint(text: string, flag = '--crash-at'): CrashPoint | string {
  if (text === 'random') return { kind: 'random' };
  const op = /^op:(\d+)$/.exec(text);
  if (op) {
    const k = Number(op[1]);
    return k >= 1 ? { kind: 'op', op: k } : `${flag} op:K needs K ≥ 1, got '${text}'`;
  }
  const m = parseMarkerRef(text);
  if (m) return { kind: 'marker', name: m.name, occurrence: m.occurrence };
  const s = syscallPoint(text, flag);
  if (s !== null) return s;
  return `${flag} must be random, op:K (after the K-th io operation), marker:NAME[:N] or syscall:NAME:K[:before]; got '${text}'`;
}

function parseMarkerRef(text: string): MarkerRef | null {
  const m = /^marker:([A-Za-z0-9_.-]+)(?::(\d+))?$/.exec(text);
  if (!m) return null;
  const n = m[2] === undefined ? 1 : Number(m[2]);
  return n >= 1 ? { name: m[1]!, occurrence: n } : null;
}

/** `marker:A[:N]..marker:B[:M]` or `syscall:NAME:A..syscall:NAME:B[:before]`. Returns the sweep or a one-line problem. */
export function parseCrashSweep(text: string, flag = '--crash-sweep'): CrashSweep | string {
  const parts = text.split('..');
  const usage = `${flag} must look like marker:flush-start..marker:wal-truncated (optionally :N on each) or syscall:fdatasync:1..syscall:fdatasync:40[:before]; got '${text}'`;
  if (parts.length !== 2) return usage;
  if (parts[0]!.startsWith('syscall:')) {
    const to = /:before$/.test(parts[1]!) ? parts[1]!.replace(/:before$/, '') : parts[1]!;
    const when: SyscallWhen = to === parts[1] ? 'after' : 'before';
    const a = syscallPoint(parts[0]!, flag);
    const b = syscallPoint(to, flag);
    if (typeof a === 'string') return a;
    if (typeof b === 'string') return b;
    if (a === null || b === null || a.kind !== 'syscall' || b.kind !== 'syscall' || a.when !== 'after' || b.when !== 'after') return usage;
    if (a.name !== b.name) return `${flag} sweeps one system call: both ends must name the same (got ${a.name} and ${b.name})`;
    if (a.occurrence > b.occurrence) return `${flag} ${text}: the first call comes after the last; swap them`;
    return { kind: 'syscall', name: a.name, from: a.occurrence, to: b.occurrence, when };
  }
  const from = parseMarkerRef(parts[0]!);
  const to = parseMarkerRef(parts[1]!);
  if (!from || !to) return usage;
  return { kind: 'marker', from, to };
}

/** How a point is shown in reports. */
export function formatCrashPoint(p: CrashPoint): string {
  switch (p.kind) {
    case 'random':
      return 'random';
    case 'op':
      return `op:${p.op}`;
    case 'marker':
      return `marker:${p.name}:${p.occurrence}`;
    case 'syscall':
      return `syscall:${p.name}:${p.occurrence}${p.when === 'before' ? ':before' : ''}`;
  }
}

export function formatCrashSweep(s: CrashSweep): string {
  return s.kind === 'marker'
    ? `marker:${s.from.name}:${s.from.occurrence}..marker:${s.to.name}:${s.to.occurrence}`
    : `syscall:${s.name}:${s.from}..syscall:${s.name}:${s.to}${s.when === 'before' ? ':before' : ''}`;
}

/** Where random crash instants fall: seconds after the first ack, or percent of the run. */
export interface CrashWindow {
  readonly unit: 's' | '%';
  readonly from: number;
  readonly to: number;
}

/** `A..B` (seconds) or `A%..B%`. Returns the window or a one-line problem. */
export function parseCrashWindow(text: string, flag = '--crash-window'): CrashWindow | string {
  const m = /^(\d+(?:\.\d+)?)(%?)\.\.(\d+(?:\.\d+)?)(%?)$/.exec(text.trim());
  if (!m || m[2] !== m[4]) return `${flag} must look like A..B (seconds after the first ack, e.g. 5..40) or A%..B% (of the run, e.g. 50%..100%); got '${text}'`;
  const unit = m[2] === '%' ? '%' : 's';
  const from = Number(m[1]);
  const to = Number(m[3]);
  if (!(to > from)) return `${flag} ${text}: the end must come after the start`;
  if (unit === '%' && to > 100) return `${flag} ${text}: percentages go up to 100%`;
  return { unit, from, to };
}

export function formatCrashWindow(w: CrashWindow): string {
  return w.unit === '%' ? `${w.from}%..${w.to}%` : `${w.from}..${w.to}`;
}

/** The window in ms of writer running time, given the run's length. */
export function windowMs(w: CrashWindow, runMs: number): [number, number] {
  return w.unit === '%' ? [(w.from / 100) * runMs, (w.to / 100) * runMs] : [w.from * 1000, w.to * 1000];
}

/**
 * `n` crash instants (ms after the first ack), uniformly spread over `[fromMs, toMs)` by stratified
 * sampling: the i-th falls uniformly (seeded) in the i-th of n equal slices, so every part of the
 * window is hit and the instants come out in order. Pure.
 */
export function crashInstants(n: number, fromMs: number, toMs: number, seed: number): number[] {
  const out: number[] = [];
  const span = toMs - fromMs;
  for (let i = 0; i < n; i++) {
    const u = mix(seed, i, 0x1a57) / 0x1_0000_0000;
    out.push(fromMs + ((i + u) / n) * span);
  }
  return out;
}
