/**
 * The power-cut capture: with the writer stopped, wait until both devices of the lab's drive have no
 * request in flight and their write counters stand still, copy the medium (what a flush made
 * durable: the platter), read the outer device through its page cache (every write the inner device
 * completed) and keep the 4 KiB blocks where the two differ — the drive's cache contents at the
 * instant. Then check the counters did not move during the capture (a journal commit or a kernel
 * writeback could slip in) — else the capture may mix two instants; retry.
 */
import fs from 'node:fs';
import type { CachedDevice } from '../workspace/device-cache.js';
import { copySparse, removeImage } from '../workspace/image.js';
import { inflight, writeCounters } from '../workspace/loop-device.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The cache's granularity: a page of the outer device's page cache. */
export const CACHE_BLOCK_BYTES = 4096;
const CHUNK_BYTES = 4 * 1024 * 1024;

function quiet(devices: readonly string[]): boolean {
  return devices.every((d) => {
    const [r, w] = inflight(d);
    return r === 0 && w === 0;
  });
}

function counters(devices: readonly string[]): string {
  return devices.map(writeCounters).join(' | ');
}

/** Wait until nothing is in flight and the counters are equal over `quietMs`. */
export async function settle(devices: readonly string[], quietMs: number, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  let last = counters(devices);
  for (;;) {
    await sleep(quietMs);
    const now = counters(devices);
    if (quiet(devices) && now === last) return;
    last = now;
    if (Date.now() > until) throw new Error(`${devices.join(', ')}: writes did not settle within ${timeoutMs} ms`);
  }
}

/** The drive's cache at an instant: byte offsets of the blocks that differ from the medium, and their cached data. */
export interface CachedBlocks {
  readonly offsets: number[];
  readonly data: Buffer[];
}

/** Blocks where `live` (read through its page cache) differs from the file `medium`. 4 MiB at a time, 4 KiB only inside differing chunks. */
export function cachedBlocks(live: string, medium: string, bytes: number): CachedBlocks {
  const offsets: number[] = [];
  const data: Buffer[] = [];
  const a = Buffer.alloc(CHUNK_BYTES);
  const b = Buffer.alloc(CHUNK_BYTES);
  const fa = fs.openSync(live, 'r');
  const fb = fs.openSync(medium, 'r');
  try {
    for (let off = 0; off < bytes; off += CHUNK_BYTES) {
      const want = Math.min(CHUNK_BYTES, bytes - off);
      const na = fs.readSync(fa, a, 0, want, off);
      const nb = fs.readSync(fb, b, 0, want, off);
      a.fill(0, na, want);
      b.fill(0, nb, want);
      if (a.subarray(0, want).equals(b.subarray(0, want))) continue;
      for (let x = 0; x < want; x += CACHE_BLOCK_BYTES) {
        const end = Math.min(want, x + CACHE_BLOCK_BYTES);
        if (a.subarray(x, end).equals(b.subarray(x, end))) continue;
        offsets.push(off + x);
        data.push(Buffer.from(a.subarray(x, end)));
      }
    }
  } finally {
    fs.closeSync(fa);
    fs.closeSync(fb);
  }
  return { offsets, data };
}

/**
 * Read the whole outer device once through its page cache, right after it is attached: the cache then
 * holds every block (clean, equal to the medium), so a capture's read of it is a memory copy instead
 * of loop I/O. Semantics do not change: clean pages are what the medium holds.
 */
export function warmCache(outer: string, bytes: number): void {
  const buf = Buffer.alloc(CHUNK_BYTES);
  const fd = fs.openSync(outer, 'r');
  try {
    for (let off = 0; off < bytes; off += CHUNK_BYTES) fs.readSync(fd, buf, 0, Math.min(CHUNK_BYTES, bytes - off), off);
  } finally {
    fs.closeSync(fd);
  }
}

export interface Capture {
  /** A copy of the medium at the instant. */
  readonly medium: string;
  readonly cached: CachedBlocks;
  /** Captures thrown away because a device changed during the capture. */
  readonly retries: number;
}

/** Capture the drive at the instant into `copy` (plus its cache contents). */
export async function captureDrive(drive: CachedDevice, medium: string, copy: string, maxAttempts = 8): Promise<Capture> {
  const devices = [drive.inner, drive.outer];
  const bytes = fs.statSync(medium).size;
  for (let attempt = 0; attempt < maxAttempts; attempt++) {
    await settle(devices, 2, 10_000);
    const before = counters(devices);
    copySparse(medium, copy);
    const cached = cachedBlocks(drive.outer, copy, bytes);
    if (quiet(devices) && counters(devices) === before) return { medium: copy, cached, retries: attempt };
    removeImage(copy);
  }
  throw new Error(`${devices.join(', ')}: the drive kept changing during ${maxAttempts} capture attempts`);
}
