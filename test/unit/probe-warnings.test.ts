/** Warnings as data: memory, network and write-back targets, implausible syncs, noise. Exact inputs. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { collectTarget } from '../../provenance/host.js';
import { noiseWarnings, syncPlausibilityWarnings, targetWarnings } from '../../analysis/warnings.js';
import { type BlockDeviceInfo, type TargetInfo } from '../../model/provenance.js';

function disk(over: Partial<BlockDeviceInfo> = {}): BlockDeviceInfo {
  return {
    name: 'sda',
    path: '/dev/sda',
    kind: 'disk',
    majorMinor: { value: '8:0' },
    model: { value: 'TEST DISK' },
    rotational: { value: false },
    writeCache: { value: 'write through' },
    scheduler: { value: 'none' },
    parents: [],
    ...over,
  };
}

function target(fsType: string, over: Partial<TargetInfo> = {}, dev: BlockDeviceInfo | null = disk()): TargetInfo {
  return {
    dir: '/t',
    realPath: '/t',
    fsType: { value: fsType },
    mountPoint: { value: '/t' },
    mountOptions: { value: 'rw,relatime' },
    device: dev ? { value: dev.path } : { value: null, reason: 'none' },
    deviceChain: dev ? { value: [dev.path] } : { value: null, reason: 'none' },
    model: dev ? dev.model : { value: null, reason: 'none' },
    rotational: dev ? dev.rotational : { value: null, reason: 'none' },
    writeCache: dev ? dev.writeCache : { value: null, reason: 'none' },
    scheduler: dev ? dev.scheduler : { value: null, reason: 'none' },
    syncSemantics: 'fsync(2)',
    devices: dev ? [dev] : [],
    ...over,
  };
}

const codes = (ws: { code: string }[]): string[] => ws.map((w) => w.code);

test('a /dev/shm target produces the tmpfs (memory filesystem) warning', (t) => {
  if (!fs.existsSync('/dev/shm') || process.platform !== 'linux') return t.skip('no /dev/shm');
  const info = collectTarget('/dev/shm');
  assert.equal(info.fsType.value, 'tmpfs');
  const ws = targetWarnings(info);
  assert.deepEqual(codes(ws), ['memory-filesystem']);
  assert.match(ws[0]!.message, /\/dev\/shm/);
  assert.ok(ws[0]!.remedy.length > 0);
  // No block device under tmpfs: the fields say why, never a guess.
  assert.equal(info.device.value, null);
  assert.match((info.device as { reason: string }).reason, /tmpfs/);
});

test('memory, network and userspace filesystems each get their warning', () => {
  assert.deepEqual(codes(targetWarnings(target('tmpfs', {}, null))), ['memory-filesystem']);
  assert.deepEqual(codes(targetWarnings(target('ramfs', {}, null))), ['memory-filesystem']);
  for (const fsType of ['nfs', 'nfs4', 'cifs', 'smb3', '9p', 'fuse.sshfs', 'ceph']) {
    assert.deepEqual(codes(targetWarnings(target(fsType, {}, null))), ['network-filesystem'], fsType);
  }
  assert.deepEqual(codes(targetWarnings(target('fuse.mergerfs', {}, null))), ['userspace-filesystem']);
  assert.deepEqual(codes(targetWarnings(target('ext4'))), []);
});

test('write-back caches, nobarrier, zram and loop files in memory are warned about', () => {
  const wb = disk({ writeCache: { value: 'write back' } });
  assert.deepEqual(codes(targetWarnings(target('ext4', {}, wb))), ['write-back-cache']);
  assert.deepEqual(codes(targetWarnings(target('ext4', { mountOptions: { value: 'rw,nobarrier' } }))), ['barriers-disabled']);
  assert.deepEqual(codes(targetWarnings(target('ext4', {}, disk({ name: 'zram0', path: '/dev/zram0', kind: 'memory' })))), ['memory-block-device']);
  const loop = disk({ name: 'loop0', path: '/dev/loop0', kind: 'loop', backingFile: { value: '/dev/shm/x.img' }, backingFsType: { value: 'tmpfs' }, writeCache: { value: 'write back' } });
  // In memory: the write-back warning would be beside the point.
  assert.deepEqual(codes(targetWarnings(target('ext4', {}, loop))), ['loop-on-memory']);
});

test('syncPlausibilityWarnings: too fast for a rotational disk, for a write-back cache, for any device', () => {
  const rot = target('ext4', {}, disk({ rotational: { value: true } }));
  assert.deepEqual(codes(syncPlausibilityWarnings(rot, 15_000)), ['implausible-sync']);
  assert.deepEqual(syncPlausibilityWarnings(rot, 4_000_000), []);
  const wb = target('ext4', {}, disk({ writeCache: { value: 'write back' } }));
  const [w] = syncPlausibilityWarnings(wb, 20_000, 'fdatasync');
  assert.equal(w?.code, 'implausible-sync');
  assert.match(w!.message, /fdatasync p50 20\.0 µs/);
  assert.match(w!.message, /write-back cache/);
  assert.deepEqual(syncPlausibilityWarnings(wb, 300_000), []);
  const wt = target('ext4');
  assert.deepEqual(syncPlausibilityWarnings(wt, 20_000), []);
  assert.deepEqual(codes(syncPlausibilityWarnings(wt, 2_000)), ['implausible-sync']);
  // tmpfs already has its own warning; no device, no device class to judge.
  assert.deepEqual(syncPlausibilityWarnings(target('tmpfs', {}, null), 1_000), []);
  assert.deepEqual(syncPlausibilityWarnings(wt, Number.NaN), []);
});

test('noiseWarnings: (max − min) / median above 25 % is noisy', () => {
  assert.deepEqual(noiseWarnings([100, 101, 99, 100]), []);
  assert.deepEqual(noiseWarnings([100, 125]), []); // exactly 25 % of the median 112.5 is below the limit
  const [w] = noiseWarnings([100, 100, 150], 'fsync ops/s');
  assert.equal(w?.code, 'noisy');
  assert.match(w!.message, /^fsync ops\/s varied by 50 % of its median/);
  assert.deepEqual(noiseWarnings([5]), []);
  assert.deepEqual(noiseWarnings([]), []);
});
