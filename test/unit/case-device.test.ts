/**
 * The block device under a target, from a mountinfo sample: ext4 on a partition names the
 * partition (it has its own stat file), a loop image its loop device, btrfs (anonymous device
 * number) its mount source, tmpfs and overlay have none and say why.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseMountinfo } from '../../provenance/mountinfo.js';
import { blockDeviceOf } from '../../provenance/case-device.js';

const SAMPLE = [
  '22 1 252:1 / / rw,relatime shared:1 - ext4 /dev/vda1 rw,errors=remount-ro',
  '30 22 0:26 / /dev/shm rw,nosuid,nodev shared:4 - tmpfs tmpfs rw,size=24684092k',
  '41 22 7:5 / /srv/bench/durabench-crash-fs-x/mnt-ext4 rw,relatime shared:20 - ext4 /dev/loop5 rw',
  '42 22 0:52 /@ /srv/bench/durabench-crash-fs-x/mnt-btrfs rw,relatime shared:21 - btrfs /dev/loop6 rw,space_cache=v2',
  '43 22 0:60 / /var/lib/docker/overlay2/abc/merged rw,relatime - overlay overlay rw,lowerdir=/l,upperdir=/u',
].join('\n');

const SYS: Record<string, string> = { '252:1': 'vda1', '7:5': 'loop5', '/dev/loop6': 'loop6' };
const nameOf = (k: string): string | null => SYS[k] ?? null;
const entries = parseMountinfo(SAMPLE);

test('a directory on the root partition: the partition by its major:minor', () => {
  assert.deepEqual(blockDeviceOf(entries, '/home/me/bench', nameOf), { state: 'found', name: 'vda1', mountPoint: '/' });
});

test('a run --fs ext4 image: its loop device; btrfs (major 0): its mount source', () => {
  assert.deepEqual(blockDeviceOf(entries, '/srv/bench/durabench-crash-fs-x/mnt-ext4/run1', nameOf), { state: 'found', name: 'loop5', mountPoint: '/srv/bench/durabench-crash-fs-x/mnt-ext4' });
  assert.equal((blockDeviceOf(entries, '/srv/bench/durabench-crash-fs-x/mnt-btrfs', nameOf) as { name: string }).name, 'loop6');
});

test('tmpfs and overlay: unavailable, with the filesystem and the reason', () => {
  const shm = blockDeviceOf(entries, '/dev/shm/bench', nameOf);
  assert.equal(shm.state, 'unavailable');
  assert.match((shm as { reason: string }).reason, /on tmpfs \(\/dev\/shm\).*no block device/);
  const ov = blockDeviceOf(entries, '/var/lib/docker/overlay2/abc/merged/x', nameOf);
  assert.match((ov as { reason: string }).reason, /on overlay .*no block device/);
});

test('a device number sysfs does not know: unavailable, naming it', () => {
  const r = blockDeviceOf(parseMountinfo('22 1 259:3 / / rw - ext4 /dev/nvme0n1p3 rw'), '/x', nameOf);
  assert.deepEqual(r.state, 'unavailable');
  assert.match((r as { reason: string }).reason, /device 259:3 is not a block device/);
});
