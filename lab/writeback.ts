/**
 * Partial writeback at a power cut (`--writeback random`). By default a power trial drops the whole
 * page cache at once; a real kernel writes dirty pages back in an order the engine does not control,
 * so at a power cut *some* unsynced data blocks may be on the disk and others not (the reordering
 * ALICE and CrashMonkey explore).
 *
 * After the snapshot, the copy is mounted once (its journal replays) to read its block map; then a
 * seeded random half of the 4 KiB blocks of every engine file whose block mapping is identical in
 * the live filesystem and in the replayed copy is copied from the live file (its page cache: the
 * newest data) into the copy image. Only data of blocks the copy's committed metadata already maps
 * is written, as the kernel's data=ordered writeback would; sizes and new extents stay as the
 * journal committed them. Block maps come from FIEMAP (`xfs_io -r -c "fiemap -v"`, argument array).
 * ext4 and xfs only: btrfs reports logical addresses, not device offsets.
 */
import fs from 'node:fs';
import path from 'node:path';
import { mix } from '../workers/workload.js';
import { run } from '../workspace/exec.js';

const BLOCK = 4096;
const SECTOR = 512;
/** FIEMAP flags that mean "no stable data block on the device yet": unknown, delalloc, encoded, inline, unwritten. */
const NOT_ON_DEVICE = 0x2 | 0x4 | 0x8 | 0x200 | 0x800;

interface Extent {
  readonly logical: number;
  readonly physical: number;
  readonly bytes: number;
}

/** A file's data extents (bytes), from `xfs_io -r -c "fiemap -v"`. */
export function parseFiemap(text: string): Extent[] {
  const out: Extent[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*\d+:\s+\[(\d+)\.\.(\d+)\]:\s+(\d+)\.\.(\d+)\s+(\d+)\s+(0x[0-9a-f]+)/.exec(line);
    if (!m) continue;
    if (Number.parseInt(m[6]!, 16) & NOT_ON_DEVICE) continue;
    out.push({ logical: Number(m[1]) * SECTOR, physical: Number(m[3]) * SECTOR, bytes: Number(m[5]) * SECTOR });
  }
  return out;
}

function fiemap(file: string): Extent[] {
  return parseFiemap(run('xfs_io', ['-r', '-c', 'fiemap -v', file]));
}

function physicalOf(extents: readonly Extent[], offset: number): number | null {
  for (const e of extents) if (offset >= e.logical && offset + BLOCK <= e.logical + e.bytes) return e.physical + (offset - e.logical);
  return null;
}

function filesUnder(dir: string, base = dir): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...filesUnder(p, base));
    else if (e.isFile()) out.push(path.relative(base, p));
  }
  return out.sort();
}

/** Block maps of the engine's files in a mounted filesystem, by relative path. */
export function blockMaps(dir: string): Map<string, Extent[]> {
  const maps = new Map<string, Extent[]>();
  if (!fs.existsSync(dir)) return maps;
  for (const rel of filesUnder(dir)) maps.set(rel, fiemap(path.join(dir, rel)));
  return maps;
}

export interface WritebackResult {
  /** Blocks considered (mapped identically in both) and blocks whose newer data was written into the copy. */
  readonly candidates: number;
  readonly written: number;
}

/**
 * Write a seeded random half of the candidate blocks of the live files (`liveDir`) into `copyImage`.
 * `copyMaps` are the block maps of the same files in the replayed copy (taken while it was mounted).
 */
export function writeBackRandomHalf(liveDir: string, copyMaps: ReadonlyMap<string, Extent[]>, copyImage: string, seed: number, trial: number): WritebackResult {
  let candidates = 0;
  let written = 0;
  const live = Buffer.alloc(BLOCK);
  const old = Buffer.alloc(BLOCK);
  const img = fs.openSync(copyImage, 'r+');
  try {
    filesUnder(liveDir).forEach((rel, fileIndex) => {
      const copyMap = copyMaps.get(rel);
      if (!copyMap || copyMap.length === 0) return;
      const file = path.join(liveDir, rel);
      const liveMap = fiemap(file);
      const fd = fs.openSync(file, 'r');
      try {
        const blocks = Math.ceil(fs.fstatSync(fd).size / BLOCK);
        for (let b = 0; b < blocks; b++) {
          const phys = physicalOf(copyMap, b * BLOCK);
          if (phys === null || physicalOf(liveMap, b * BLOCK) !== phys) continue;
          candidates += 1;
          if ((mix(seed ^ 0x77b, trial * 4096 + fileIndex, b) & 1) === 0) continue;
          const n = fs.readSync(fd, live, 0, BLOCK, b * BLOCK);
          live.fill(0, n);
          fs.readSync(img, old, 0, BLOCK, phys);
          if (live.equals(old)) continue;
          fs.writeSync(img, live, 0, BLOCK, phys);
          written += 1;
        }
      } finally {
        fs.closeSync(fd);
      }
    });
  } finally {
    fs.closeSync(img);
  }
  return { candidates, written };
}
