/**
 * The crash states one power-cut instant yields, from its capture (the medium and the cache's
 * blocks):
 *
 *   device   — the medium with every cached block (no drive cache: every completed write survives)
 *   flushed  — the medium alone (a volatile cache: only what a flush made durable survives)
 *   reorder  — the medium with a seeded random subset of the cached blocks (a cache that destaged
 *              some blocks, in an order the engine did not choose, before the power went)
 *   torn     — the medium with one cached block cut at a sector: a seeded prefix of 1–7 of its eight
 *              512-byte sectors is new (a write in flight at the cut; sectors are atomic)
 *
 * Only the last version of each block is known, at 4 KiB granularity: a cache that destaged an
 * intermediate version is not modelled. Identical states are verified once. `planStates` is pure.
 */
import fs from 'node:fs';
import type { CrashImage, DeviceCache } from '../model/crash-report.js';
import { mix } from '../workers/workload.js';
import { copySparse } from '../workspace/image.js';
import { CACHE_BLOCK_BYTES, type CachedBlocks } from './snapshot.js';

const SECTOR_BYTES = 512;

export interface PlannedState {
  readonly image: CrashImage;
  /** Indices of the cached blocks this state keeps. */
  readonly keep: readonly number[];
  /** One cached block with only its first `sectors` sectors new. */
  readonly torn?: { readonly index: number; readonly sectors: number };
}

export interface StatePlanInput {
  readonly model: DeviceCache;
  readonly cachedCount: number;
  readonly reorderStates: number;
  readonly torn: boolean;
  readonly seed: number;
  readonly instant: number;
}

const u01 = (seed: number, a: number, b: number): number => mix(seed, a, b) / 0x1_0000_0000;

function signature(s: PlannedState): string {
  // Indices are ascending; a long list is summarised by its length and a hash.
  let h = 0;
  for (const i of s.keep) h = mix(h, i, 0x5a7e);
  return `${s.keep.length}:${h}:${s.torn ? `${s.torn.index}/${s.torn.sectors}` : ''}`;
}

export function planStates(p: StatePlanInput): PlannedState[] {
  const n = p.cachedCount;
  const all = Array.from({ length: n }, (_, i) => i);
  const states: PlannedState[] = [];
  if (p.model === 'none') states.push({ image: 'device', keep: all });
  else states.push({ image: 'flushed', keep: [] });
  if (p.model === 'reorder') {
    for (let k = 0; k < p.reorderStates; k++) {
      // Each subset keeps every block with its own probability, so subsets of every size occur.
      const keepP = u01(p.seed ^ 0x7e0d, p.instant, k);
      states.push({ image: 'reorder', keep: all.filter((i) => u01(p.seed ^ 0x7e0e, p.instant * 4099 + k, i) < keepP) });
    }
  }
  if (p.torn && p.model !== 'none' && n > 0) {
    const r = mix(p.seed ^ 0x7042, p.instant, 0);
    states.push({ image: 'torn', keep: [], torn: { index: r % n, sectors: 1 + (mix(p.seed ^ 0x7043, p.instant, 1) % (CACHE_BLOCK_BYTES / SECTOR_BYTES - 1)) } });
  }
  const seen = new Set<string>();
  return states.filter((s) => {
    const sig = signature(s);
    if (seen.has(sig)) return false;
    seen.add(sig);
    return true;
  });
}

/**
 * Write a planned state: the medium with the state's cached blocks (and torn prefix) applied — into a
 * copy at `target`, or (`target` null: the instant's last state) into the medium copy itself.
 */
export function writeState(medium: string, target: string | null, cached: CachedBlocks, s: PlannedState): string {
  const image = target ?? medium;
  if (target !== null) copySparse(medium, target);
  if (s.keep.length === 0 && !s.torn) return image;
  const fd = fs.openSync(image, 'r+');
  try {
    for (const i of s.keep) fs.writeSync(fd, cached.data[i]!, 0, cached.data[i]!.length, cached.offsets[i]!);
    if (s.torn) {
      const block = cached.data[s.torn.index]!;
      fs.writeSync(fd, block, 0, Math.min(block.length, s.torn.sectors * SECTOR_BYTES), cached.offsets[s.torn.index]!);
    }
  } finally {
    fs.closeSync(fd);
  }
  return image;
}
