/**
 * The crash lab's capture compares only the blocks the drive was sent writes for: the tracepoint
 * lines are read exactly (reads, flushes without data and other devices' lines skipped), and the
 * cache found from a written-block list is the cache a full comparison finds.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { CACHE_BLOCK_BYTES, cachedBlocks } from '../../lab/snapshot.js';
import { blockWrites } from '../../workspace/tracefs.js';
import { tempDir } from '../helpers/tmp.js';

test('block_rq_complete lines → the ranges of writes, discards and FUA writes; reads and empty flushes skipped', () => {
  const trace = [
    '# tracer: nop',
    '#           TASK-PID     CPU#  |||||  TIMESTAMP  FUNCTION',
    '    kworker/u8:2-123     [001] ..... 100.000001: block_rq_complete: 7,5 WS () 2048 + 8 none,0,0 [0]',
    '    kworker/u8:2-123     [000] ..... 100.000002: block_rq_complete: 7,5 FWFS () 4096 + 16 none,0,0 [0]',
    '    kworker/u8:2-123     [000] ..... 100.000003: block_rq_complete: 7,5 R () 0 + 8 none,0,0 [0]',
    '    kworker/u8:2-123     [000] ..... 100.000004: block_rq_complete: 7,5 RA () 64 + 32 none,0,0 [0]',
    '    kworker/u8:2-123     [000] ..... 100.000005: block_rq_complete: 7,5 FF () 0 + 0 none,0,0 [0]',
    '    kworker/u8:2-123     [000] ..... 100.000006: block_rq_complete: 7,5 D () 8192 + 2048 none,0,0 [0]',
    '    kworker/u8:2-123     [000] ..... 100.000007: block_rq_complete: 7,5 WM () 77 + 1 none,0,0 [-5]',
  ].join('\n');
  assert.deepEqual(blockWrites(trace), [
    { sector: 2048, sectors: 8 },
    { sector: 4096, sectors: 16 },
    { sector: 8192, sectors: 2048 },
    { sector: 77, sectors: 1 },
  ]);
});

test('the cache found from the written blocks is the one a full comparison finds', () => {
  const dir = tempDir('block-writes');
  const medium = path.join(dir, 'medium.img');
  const live = path.join(dir, 'live.img');
  const bytes = 9 * 1024 * 1024 + 3 * CACHE_BLOCK_BYTES; // not a whole number of 4 MiB chunks
  const m = Buffer.alloc(bytes);
  for (let i = 0; i < bytes; i += 997) m[i] = i % 251;
  const l = Buffer.from(m);
  // Written blocks: some rewritten with new data, some with the same data (no difference), runs
  // across a chunk boundary, the last block of the image.
  const changed = [0, 5, 6, 7, 1023, 1024, 1025, bytes / CACHE_BLOCK_BYTES - 1];
  const same = [9, 10, 2000];
  for (const b of changed) l.fill(0xab, b * CACHE_BLOCK_BYTES, (b + 1) * CACHE_BLOCK_BYTES);
  fs.writeFileSync(medium, m);
  fs.writeFileSync(live, l);
  const full = cachedBlocks(live, medium, bytes);
  assert.deepEqual(
    full.offsets,
    changed.map((b) => b * CACHE_BLOCK_BYTES),
  );
  const written = [...changed, ...same].sort((a, b) => a - b);
  const tracked = cachedBlocks(live, medium, bytes, written);
  assert.deepEqual(tracked.offsets, full.offsets);
  assert.ok(tracked.data.every((d, i) => d.equals(full.data[i]!)));
  // A written list that misses a changed block misses it: the list is what decides.
  assert.deepEqual(
    cachedBlocks(
      live,
      medium,
      bytes,
      written.filter((b) => b !== 5),
    ).offsets.length,
    changed.length - 1,
  );
});
