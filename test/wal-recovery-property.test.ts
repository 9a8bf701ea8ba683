import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { walEngine } from '../engines/wal/engine.js';
import type { RecoveryReport } from '../engines/types.js';
import { harness } from './helpers/engine-harness.js';
import { tempDir } from './helpers/tmp.js';

const damage = fc.oneof(
  fc.record({ kind: fc.constant('truncate' as const), file: fc.nat(), at: fc.double({ min: 0, max: 1, noNaN: true }) }),
  fc.record({
    kind: fc.constant('flip' as const),
    file: fc.nat(),
    at: fc.double({ min: 0, max: 1, noNaN: true }),
    bit: fc.integer({ min: 0, max: 7 }),
  }),
  fc.record({ kind: fc.constant('append' as const), file: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 64 }) }),
  fc.record({
    kind: fc.constant('zero' as const),
    file: fc.nat(),
    at: fc.double({ min: 0, max: 1, noNaN: true }),
    len: fc.integer({ min: 1, max: 300 }),
  }),
);

type Damage = typeof damage extends fc.Arbitrary<infer T> ? T : never;

function apply(dir: string, d: Damage): void {
  const files = fs.readdirSync(dir).sort();
  if (files.length === 0) return;
  const file = path.join(dir, files[d.file % files.length]!);
  const buf = fs.readFileSync(file);
  switch (d.kind) {
    case 'truncate':
      fs.truncateSync(file, Math.floor(d.at * buf.length));
      return;
    case 'flip':
      if (buf.length === 0) return;
      buf[Math.min(buf.length - 1, Math.floor(d.at * buf.length))]! ^= 1 << d.bit;
      break;
    case 'append':
      fs.appendFileSync(file, d.bytes);
      return;
    case 'zero':
      buf.fill(0, Math.floor(d.at * buf.length), Math.min(buf.length, Math.floor(d.at * buf.length) + d.len));
      break;
  }
  fs.writeFileSync(file, buf);
}

test('property: after random puts and random truncation or corruption of any segment, recovery yields exactly a prefix of the puts', () => {
  fc.assert(
    fc.property(
      fc.array(fc.record({ key: fc.integer({ min: 0, max: 15 }), valueBytes: fc.integer({ min: 0, max: 300 }) }), {
        minLength: 1,
        maxLength: 120,
      }),
      fc.array(damage, { minLength: 1, maxLength: 3 }),
      fc.boolean(),
      fc.constantFrom('sync' as const, 'batch' as const, 'none' as const),
      (puts, damages, preallocate, mode) => {
        const dir = tempDir('wal-prop');
        const options = { 'segment-bytes': 4096, preallocate };
        const w = harness(walEngine, dir, { mode, options });
        w.engine.open();
        const history: { key: Buffer; value: Buffer }[] = [];
        puts.forEach((p, i) => {
          const key = Buffer.from(`k${p.key}`);
          const value = Buffer.alloc(p.valueBytes, (i * 31 + 7) & 0xff);
          value.write(`#${i}`);
          history.push({ key, value });
          w.engine.put(key, value);
        });
        w.engine.close();
        for (const d of damages) apply(dir, d);

        const r = harness(walEngine, dir, { mode, options });
        const report = r.engine.open() as RecoveryReport;
        const p = report.recordsRecovered;
        assert.ok(p <= history.length);
        const expected = new Map<string, Buffer>();
        for (const { key, value } of history.slice(0, p)) expected.set(key.toString(), value);
        for (let k = 0; k <= 15; k++) {
          const key = Buffer.from(`k${k}`);
          assert.deepEqual(r.engine.get(key), expected.get(key.toString()), `key ${k} after recovering ${p} of ${history.length}`);
        }
        // Appending continues cleanly after recovery.
        r.engine.put(Buffer.from('after'), Buffer.from('recovery'));
        r.engine.close();
        const again = harness(walEngine, dir, { mode, options });
        const report2 = again.engine.open() as RecoveryReport;
        assert.equal(report2.recordsRecovered, p + 1);
        assert.equal(report2.discardedBytes, 0);
        assert.deepEqual(again.engine.get(Buffer.from('after')), Buffer.from('recovery'));
        again.engine.close();
        fs.rmSync(dir, { recursive: true, force: true });
      },
    ),
    { numRuns: 150 },
  );
});
