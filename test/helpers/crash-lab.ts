/** Shared by the crash-lab tests: which engines exist, and proof that nothing was left mounted. */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { builtinEngines } from '../../engines/registry.js';
import type { EngineFactory } from '../../engines/types.js';

/** Built-in engines that claim real durability (the in-memory `null` engine does not). */
export function durableEngines(): EngineFactory[] {
  return builtinEngines().filter((e) => e.name !== 'null');
}

export function engineNamed(name: string): EngineFactory | undefined {
  return builtinEngines().find((e) => e.name === name);
}

/** Engines that have a fault switch. */
export function enginesWithFault(fault: string): EngineFactory[] {
  return durableEngines().filter((e) => e.faults.some((f) => f.name === fault));
}

/** Mounts and loop devices whose description mentions `needle` (a test's scratch directory). */
export function labResidue(needle: string): string[] {
  const mounts = fs
    .readFileSync('/proc/mounts', 'utf8')
    .split('\n')
    .filter((l) => l.includes(needle));
  let loops: string[] = [];
  try {
    loops = execFileSync('losetup', ['-a'], { encoding: 'utf8' })
      .split('\n')
      .filter((l) => l.includes(needle));
  } catch {
    loops = [];
  }
  return [...mounts, ...loops];
}
