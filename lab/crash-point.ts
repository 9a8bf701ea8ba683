/**
 * Crash points: a random instant, after the K-th numbered io operation (`op:K`), at the
 * N-th announcement of an engine phase marker (`marker:NAME[:N]`), and sweeps over every operation
 * between two markers (`marker:A..marker:B`, the way ALICE and CrashMonkey enumerate persistence
 * points). Pure parsing; errors are one line naming the option and the fix.
 */
export type CrashPoint =
  | { readonly kind: 'random' }
  | { readonly kind: 'op'; readonly op: number }
  | { readonly kind: 'marker'; readonly name: string; readonly occurrence: number };

export interface MarkerRef {
  readonly name: string;
  readonly occurrence: number;
}

export interface CrashSweep {
  readonly from: MarkerRef;
  readonly to: MarkerRef;
}

/** `random`, `op:K` or `marker:NAME[:N]`. Returns the point or a one-line problem. */
export function parseCrashPoint(text: string, flag = '--crash-at'): CrashPoint | string {
  if (text === 'random') return { kind: 'random' };
  const op = /^op:(\d+)$/.exec(text);
  if (op) {
    const k = Number(op[1]);
    return k >= 1 ? { kind: 'op', op: k } : `${flag} op:K needs K ≥ 1, got '${text}'`;
  }
  const m = parseMarkerRef(text);
  if (m) return { kind: 'marker', name: m.name, occurrence: m.occurrence };
  return `${flag} must be random, op:K (after the K-th io operation) or marker:NAME[:N]; got '${text}'`;
}

function parseMarkerRef(text: string): MarkerRef | null {
  const m = /^marker:([A-Za-z0-9_.-]+)(?::(\d+))?$/.exec(text);
  if (!m) return null;
  const n = m[2] === undefined ? 1 : Number(m[2]);
  return n >= 1 ? { name: m[1]!, occurrence: n } : null;
}

/** `marker:A[:N]..marker:B[:M]`. Returns the sweep or a one-line problem. */
export function parseCrashSweep(text: string, flag = '--crash-sweep'): CrashSweep | string {
  const parts = text.split('..');
  const from = parts.length === 2 ? parseMarkerRef(parts[0]!) : null;
  const to = parts.length === 2 ? parseMarkerRef(parts[1]!) : null;
  if (!from || !to) return `${flag} must look like marker:flush-start..marker:wal-truncated (optionally :N on each); got '${text}'`;
  return { from, to };
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
  }
}
