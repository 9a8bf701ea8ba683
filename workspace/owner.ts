/**
 * Who owns what durabench leaves on disk: the process that created it, identified so that a dead
 * owner is recognised even after its pid was reused or the host rebooted. A pid alone is not enough
 * (pids wrap around); the pair (pid, start time in clock ticks since boot, from /proc/<pid>/stat
 * field 22, proc(5)) names one process for the life of one boot, and the boot id
 * (/proc/sys/kernel/random/boot_id) names the boot. systemd and util-linux identify processes the
 * same way.
 */
import fs from 'node:fs';

export interface Owner {
  readonly pid: number;
  /** Start time of the process in clock ticks since boot; null when unreadable (non-Linux). */
  readonly startTicks: number | null;
  /** The kernel's boot id; null when unreadable. */
  readonly bootId: string | null;
}

function readProcStat(pid: number): string[] | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
    // The command name (field 2) may hold spaces and parentheses: split after its last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).trim().split(/\s+/);
  } catch {
    return null;
  }
}

/** Start time (clock ticks since boot) of a live process, or null when it does not exist. */
export function processStartTicks(pid: number): number | null {
  const f = readProcStat(pid);
  // After the command: field 3 (state) is f[0], so field 22 (starttime) is f[19].
  const v = f ? Number(f[19]) : NaN;
  return Number.isFinite(v) ? v : null;
}

/** Process state letter (R, S, D, T, Z, …) or null when it does not exist. */
export function processState(pid: number): string | null {
  return readProcStat(pid)?.[0] ?? null;
}

/**
 * The live (not zombie) processes of process group `pgid` (field 5 of /proc/<pid>/stat), found by
 * a scan of /proc: the kernel has no call that lists a group's members.
 */
export function processGroupMembers(pgid: number): number[] {
  const out: number[] = [];
  let names: string[];
  try {
    names = fs.readdirSync('/proc');
  } catch {
    return out;
  }
  for (const n of names) {
    if (!/^\d+$/.test(n)) continue;
    const f = readProcStat(Number(n));
    // After the command: f[0] is field 3 (state), f[2] field 5 (pgrp).
    if (f && Number(f[2]) === pgid && f[0] !== 'Z' && f[0] !== 'X') out.push(Number(n));
  }
  return out;
}

let boot: string | null | undefined;
/** The current boot's id. */
export function bootId(): string | null {
  if (boot === undefined) {
    try {
      boot = fs.readFileSync('/proc/sys/kernel/random/boot_id', 'latin1').trim() || null;
    } catch {
      boot = null;
    }
  }
  return boot;
}

let me: Owner | undefined;
/** This process. */
export function currentOwner(): Owner {
  me ??= { pid: process.pid, startTicks: processStartTicks(process.pid), bootId: bootId() };
  return me;
}

/** Is the process that `o` names still running? A zombie, another boot or a reused pid is dead. */
export function isAlive(o: Owner): boolean {
  const nowBoot = bootId();
  if (o.bootId !== null && nowBoot !== null && o.bootId !== nowBoot) return false;
  const state = processState(o.pid);
  if (state === null || state === 'Z' || state === 'X') return false;
  if (o.startTicks !== null) {
    const ticks = processStartTicks(o.pid);
    if (ticks !== null && ticks !== o.startTicks) return false;
  }
  return true;
}

/** An owner record read back from a file (a marker, a run record); null when it does not look like one. */
export function parseOwner(v: unknown): Owner | null {
  if (typeof v !== 'object' || v === null) return null;
  const o = v as Record<string, unknown>;
  if (typeof o['pid'] !== 'number' || !Number.isInteger(o['pid']) || o['pid'] <= 0) return null;
  return {
    pid: o['pid'],
    startTicks: typeof o['startTicks'] === 'number' ? o['startTicks'] : null,
    bootId: typeof o['bootId'] === 'string' ? o['bootId'] : null,
  };
}
