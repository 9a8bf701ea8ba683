/** The one writer of durabench's own files: temp file, fsync, rename, directory fsync — counted through the io layer. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { makeDirDurable, writeFileAtomic } from '../../io/atomic-file.js';
import { Io, type IoOp } from '../../io/io.js';
import { tempDir } from '../helpers/tmp.js';

function recording(): { io: Io; ops: IoOp[] } {
  const ops: IoOp[] = [];
  return { io: new Io({ afterOp: (op) => ops.push(op) }), ops };
}

test('writeFileAtomic: write a temporary file, fsync it, rename it over the target, fsync the directory', () => {
  const dir = tempDir('atomic');
  const file = path.join(dir, 'report.json');
  fs.writeFileSync(file, 'old');
  const { io, ops } = recording();
  writeFileAtomic(file, '{"new":true}', io);
  assert.equal(fs.readFileSync(file, 'utf8'), '{"new":true}');
  const tmp = path.join(dir, `.report.json.tmp-${process.pid}`);
  assert.deepEqual(
    ops.map((o) => [o.kind, o.syncKind ?? '', o.path]),
    [
      ['create', '', tmp],
      ['write', '', tmp],
      ['sync', 'fsync', tmp],
      ['close', '', tmp],
      ['rename', '', file],
      ['sync', 'dirfsync', dir],
    ],
  );
  assert.equal(io.syncCounts.fsync, 1);
  assert.equal(io.syncCounts.dirfsync, 1);
  assert.deepEqual(fs.readdirSync(dir), ['report.json'], 'no temporary file left');
});

test('makeDirDurable: every directory it creates is made durable in its parent', () => {
  const dir = tempDir('atomic-dir');
  const { io, ops } = recording();
  makeDirDurable(path.join(dir, 'a', 'b'), io);
  assert.deepEqual(
    ops.map((o) => [o.kind, o.path]),
    [
      ['mkdir', path.join(dir, 'a')],
      ['sync', dir],
      ['mkdir', path.join(dir, 'a', 'b')],
      ['sync', path.join(dir, 'a')],
    ],
  );
  const again = recording();
  makeDirDurable(path.join(dir, 'a', 'b'), again.io);
  assert.equal(again.ops.length, 0, 'an existing directory costs nothing');
});
