/** Shared by the crash-lab tests: which engines exist, and proof that nothing was left mounted. */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { builtinEngines } from '../../engines/registry.js';
import type { EngineFactory, EngineOptionValue } from '../../engines/types.js';
import type { CrashCaseSpec, CrashSettingInput } from '../../lab/run-trials.js';
import type { CrashWindow } from '../../lab/crash-point.js';
import { caseKey } from '../../model/case.js';
import type { DeviceCache, LabFs } from '../../model/crash-report.js';
import type { Durability, Mode } from '../../model/durability.js';

/**
 * Built-in engines that claim real durability and run in the writer (the in-memory `null` engine
 * does not; server engines keep their data in a database server, each with its own promise per
 * setting: test/servers-crash.test.ts).
 */
export function durableEngines(): EngineFactory[] {
  return builtinEngines().filter((e) => e.name !== 'null' && e.server === undefined);
}

export function engineNamed(name: string): EngineFactory | undefined {
  return builtinEngines().find((e) => e.name === name);
}

/** Engines that have a fault switch. */
export function enginesWithFault(fault: string): EngineFactory[] {
  return durableEngines().filter((e) => e.faults.some((f) => f.name === fault));
}

/**
 * Mounts and loop devices left from a test's scratch directory `needle`: those whose description
 * mentions it, and — transitively — loop devices stacked on one of those (the drive-cache model's
 * inner device is backed by the outer device, `/dev/loopN`, whose line alone names the scratch
 * directory), and mounts of any such device.
 */
export function labResidue(needle: string): string[] {
  let loopLines: string[] = [];
  try {
    loopLines = execFileSync('losetup', ['-a'], { encoding: 'utf8' }).split('\n').filter((l) => l.trim() !== '');
  } catch {
    loopLines = [];
  }
  // `/dev/loop3: [0005]:12 (/tmp/durabench-test-x/media/run-0.img)` or `/dev/loop4: []: (/dev/loop3)`.
  const devices = new Set<string>();
  const loops: string[] = [];
  for (let grew = true; grew; ) {
    grew = false;
    for (const l of loopLines) {
      const device = l.split(':')[0]!;
      if (devices.has(device)) continue;
      const backing = /\(([^)]*)\)\s*$/.exec(l)?.[1] ?? '';
      if (l.includes(needle) || devices.has(backing)) {
        devices.add(device);
        loops.push(l);
        grew = true;
      }
    }
  }
  const mounts = fs
    .readFileSync('/proc/mounts', 'utf8')
    .split('\n')
    .filter((l) => l.includes(needle) || devices.has(l.split(' ')[0]!));
  return [...mounts, ...loops];
}

/** A crash case spec as the lab takes it, from the fields the tests vary. */
export function crashSpec(
  engine: string,
  mode: Mode,
  fault: string | null,
  dir: string,
  o: { batchSize?: number; batchMs?: number | null; engineOptions?: Record<string, EngineOptionValue>; valueBytes?: number; workload?: string; seed?: number; writers?: number } = {},
): CrashCaseSpec {
  const durability: Durability = mode === 'batch' ? { mode, batchSize: o.batchSize ?? 16, batchMs: o.batchMs ?? null } : { mode };
  return {
    key: caseKey({ engine, fault, writers: o.writers ?? 1, valueBytes: o.valueBytes ?? 128, workload: o.workload ?? 'unique', target: dir }, durability),
    engineOptions: o.engineOptions ?? {},
    seed: o.seed ?? 1,
  };
}

/** Crash settings: a process kill, or a power cut on a filesystem with a drive-cache model (optionally torn, optionally with random partial writeback). */
export const KILL: CrashSettingInput = { kind: 'kill', filesystem: null, mountOptions: null, writeback: 'none', deviceCache: null, torn: false, reorderStates: 0 };
export function power(
  fs: LabFs,
  o: { writeback?: 'none' | 'random'; mountOptions?: string | null; deviceCache?: DeviceCache; torn?: boolean; reorderStates?: number } = {},
): CrashSettingInput {
  const deviceCache = o.deviceCache ?? 'volatile';
  return { kind: 'power', filesystem: fs, mountOptions: o.mountOptions ?? null, writeback: o.writeback ?? 'none', deviceCache, torn: o.torn ?? false, reorderStates: deviceCache === 'reorder' ? (o.reorderStates ?? 3) : 0 };
}

/** Random crash instants between `fromS` and `toS` seconds after the first ack (the run lasts until `toS`). */
export function windowS(fromS: number, toS: number): CrashWindow {
  return { unit: 's', from: fromS, to: toS };
}
