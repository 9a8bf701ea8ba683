/**
 * The lab's drive with a volatile write cache, from two stacked loop devices (no device-mapper
 * needed): the medium is an image file on a lab tmpfs (the platter); the outer device `outer` is
 * attached to it; the inner device `inner`, on which the engine's filesystem is mounted, is attached
 * to the outer device with `--direct-io=off`. The inner device then writes buffered into the block
 * device page cache of `outer` — that page cache is the drive's cache — and a FLUSH (or FUA, which
 * loop emulates as write + flush) of `inner` becomes `vfs_fsync` of `outer`: the dirty cache reaches
 * the medium (drivers/block/loop.c: `lo_req_flush`, `lo_write_simple`).
 *
 * What the medium holds is what a power cut keeps under a volatile cache; reading `outer` through
 * its cache gives every write `inner` completed (no cache). Detach inner before outer (the registry
 * releases newest first).
 */
import { attachLoop, attachLoopOnLoop, detachLoop, loopAttribute } from './loop-device.js';

export interface CachedDevice {
  /** On the medium file: its page cache is the drive's volatile cache. */
  readonly outer: string;
  /** On `outer`, direct I/O off: the device the engine's filesystem is mounted on. */
  readonly inner: string;
}

/** Attach the stacked pair on `medium` and check the kernel set it up as the model needs. */
export function attachCachedDevice(medium: string): CachedDevice {
  const outer = attachLoop(medium, { directIo: 'off' });
  let inner: string;
  try {
    inner = attachLoopOnLoop(outer, { directIo: 'off' });
  } catch (err) {
    detachLoop(outer);
    throw err;
  }
  const problems = [
    loopAttribute(inner, 'loop/dio') === '0' ? null : `${inner} uses direct I/O (loop/dio = ${loopAttribute(inner, 'loop/dio')}): its writes would bypass the cache`,
    loopAttribute(inner, 'loop/backing_file') === outer ? null : `${inner} is backed by ${loopAttribute(inner, 'loop/backing_file')}, not ${outer}`,
    loopAttribute(inner, 'queue/write_cache') === 'write back' ? null : `${inner} reports write_cache '${loopAttribute(inner, 'queue/write_cache')}': the filesystem would not send flushes`,
  ].filter((p): p is string => p !== null);
  if (problems.length > 0) {
    detachCachedDevice({ outer, inner });
    throw new Error(`drive-cache model unavailable: ${problems.join('; ')}`);
  }
  return { outer, inner };
}

/** Inner first, then outer. */
export function detachCachedDevice(d: CachedDevice): void {
  detachLoop(d.inner);
  detachLoop(d.outer);
}

/** The backing-device-info name of a block device (`7:5`): what writeback tracepoints call it. */
export function bdiName(device: string): string {
  return loopAttribute(device, 'dev');
}
