/** mountinfo parsing on fixed text: escapes, optional fields, stacked mounts, the longest prefix. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findMount, mergedOptions, parseMountinfo, parseMountinfoLine, unescapeMountField } from '../../provenance/mountinfo.js';
import { activeScheduler } from '../../provenance/block-device.js';
import { effectiveThreadpoolSize, parseOsRelease } from '../../provenance/host.js';

const FIXTURE = [
  '22 27 0:21 / /proc rw,relatime - proc proc rw',
  '27 1 254:1 / / rw,relatime shared:1 - ext4 /dev/vda1 rw,errors=remount-ro',
  '25 24 0:23 / /dev/shm rw,nosuid,nodev shared:4 master:2 - tmpfs tmpfs rw,size=1024k',
  '30 25 0:27 / /dev/shm rw,relatime - tmpfs tmpfs rw,size=2048k',
  '40 27 7:3 / /mnt/my\\040disk rw,noatime - ext4 /dev/loop3 rw,data=ordered',
  '41 27 0:45 /export /srv/nfs\\011tab rw - nfs4 server:/export\\134x rw,vers=4.2',
  'garbage line',
  '',
].join('\n');

test('unescapeMountField turns octal escapes into characters', () => {
  assert.equal(unescapeMountField('/mnt/my\\040disk'), '/mnt/my disk');
  assert.equal(unescapeMountField('a\\011b\\012c\\134d'), 'a\tb\nc\\d');
});

test('parseMountinfoLine reads every field, with and without optional fields', () => {
  const e = parseMountinfoLine('25 24 0:23 / /dev/shm rw,nosuid,nodev shared:4 master:2 - tmpfs tmpfs rw,size=1024k');
  assert.deepEqual(e, {
    mountId: 25,
    parentId: 24,
    majorMinor: '0:23',
    root: '/',
    mountPoint: '/dev/shm',
    mountOptions: 'rw,nosuid,nodev',
    optionalFields: ['shared:4', 'master:2'],
    fsType: 'tmpfs',
    source: 'tmpfs',
    superOptions: 'rw,size=1024k',
  });
  const plain = parseMountinfoLine('22 27 0:21 / /proc rw,relatime - proc proc rw');
  assert.deepEqual(plain?.optionalFields, []);
  assert.equal(plain?.fsType, 'proc');
  assert.equal(parseMountinfoLine('garbage line'), null);
  assert.equal(parseMountinfoLine('1 2 x:y / / rw - ext4 /dev/a rw'), null);
});

test('parseMountinfo skips malformed lines and unescapes paths and sources', () => {
  const entries = parseMountinfo(FIXTURE);
  assert.equal(entries.length, 6);
  assert.equal(entries[4]?.mountPoint, '/mnt/my disk');
  assert.equal(entries[5]?.mountPoint, '/srv/nfs\ttab');
  assert.equal(entries[5]?.root, '/export');
  assert.equal(entries[5]?.source, 'server:/export\\x');
});

test('findMount picks the longest mount point prefix, and the last of stacked mounts', () => {
  const entries = parseMountinfo(FIXTURE);
  assert.equal(findMount(entries, '/work/main')?.mountPoint, '/');
  assert.equal(findMount(entries, '/')?.mountPoint, '/');
  assert.equal(findMount(entries, '/mnt/my disk/x/y')?.fsType, 'ext4');
  assert.equal(findMount(entries, '/mnt/my disk/x/y')?.source, '/dev/loop3');
  // Not a prefix match on a partial name.
  assert.equal(findMount(entries, '/mnt/my diskette')?.mountPoint, '/');
  // Two tmpfs mounts on /dev/shm: the later one is on top.
  assert.equal(findMount(entries, '/dev/shm/a')?.mountId, 30);
  assert.equal(findMount([], '/x'), null);
});

test('mergedOptions lists mount then superblock options, each once', () => {
  const e = parseMountinfoLine('40 27 7:3 / /mnt rw,noatime - ext4 /dev/loop3 rw,data=ordered')!;
  assert.equal(mergedOptions(e), 'rw,noatime,data=ordered');
});

test('activeScheduler takes the bracketed scheduler', () => {
  assert.equal(activeScheduler('none [mq-deadline] kyber bfq'), 'mq-deadline');
  assert.equal(activeScheduler('none'), 'none');
});

test('parseOsRelease handles quotes and comments; effectiveThreadpoolSize follows libuv', () => {
  const kv = parseOsRelease('# c\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID=\'12\'\n');
  assert.equal(kv['PRETTY_NAME'], 'Debian GNU/Linux 12 (bookworm)');
  assert.equal(kv['ID'], 'debian');
  assert.equal(kv['VERSION_ID'], '12');
  assert.equal(effectiveThreadpoolSize(undefined), 4);
  assert.equal(effectiveThreadpoolSize('16'), 16);
  assert.equal(effectiveThreadpoolSize('0'), 4);
  assert.equal(effectiveThreadpoolSize('abc'), 4);
  assert.equal(effectiveThreadpoolSize('5000'), 1024);
});
