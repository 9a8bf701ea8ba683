import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { rawEngine } from '../engines/raw.js';
import { openEngine } from './helpers/engine.js';
import { tempDir } from './helpers/tmp.js';

const key = (i: number) => Buffer.from(`k${i}`);
const val = (i: number, round: number) => Buffer.from(`value-${i}-round-${round}`.padEnd(40, '.'));

for (const preallocate of [false, true]) {
  test(`raw (preallocate=${preallocate}): records after a damaged one never come back after new appends`, async () => {
    const dir = tempDir('raw-recovery');
    const options = { 'record-bytes': 64, preallocate, 'prealloc-bytes': 4096 };
    const a = await openEngine(rawEngine, dir, { options });
    for (let i = 1; i <= 10; i++) await a.put(key(i), val(i, 1));
    await a.close();
    // Damage record 5 (fixed 64-byte slots).
    const file = path.join(dir, 'data.raw');
    const fd = fs.openSync(file, 'r+');
    fs.writeSync(fd, Buffer.from([0xde, 0xad]), 0, 2, 4 * 64 + 20);
    fs.closeSync(fd);

    const b = await openEngine(rawEngine, dir, { options });
    assert.equal(b.recovery.recordsRecovered, 4);
    assert.equal(b.recovery.crcFailures, 1);
    await b.put(key(6), val(6, 2)); // lands in slot 5
    await b.close();

    const c = await openEngine(rawEngine, dir, { options });
    assert.equal(c.recovery.recordsRecovered, 5);
    assert.deepEqual(await c.get(key(6)), val(6, 2), 'the newer value wins');
    for (const i of [7, 8, 9, 10]) assert.equal(await c.get(key(i)), undefined, `record ${i} stays discarded`);
    await c.close();
  });
}
