import assert from 'node:assert/strict';
import { test } from 'node:test';
import { crc32c } from '../../engines/crc32c.js';

test('crc32c matches the RFC 3720 check value', () => {
  assert.equal(crc32c(Buffer.from('123456789')), 0xe3069283);
});

test('crc32c of 32 zero bytes and 32 0xff bytes (RFC 3720 B.4)', () => {
  assert.equal(crc32c(Buffer.alloc(32)), 0x8a9136aa);
  assert.equal(crc32c(Buffer.alloc(32, 0xff)), 0x62a8ab43);
});

test('crc32c can continue over split buffers', () => {
  const data = Buffer.from('the quick brown fox jumps over the lazy dog, twice over');
  const whole = crc32c(data);
  for (const cut of [0, 1, 7, 8, 9, 20, data.length]) {
    assert.equal(crc32c(data, crc32c(data, 0, 0, cut), cut), whole, `cut at ${cut}`);
  }
});
