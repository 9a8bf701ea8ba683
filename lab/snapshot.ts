/**
 * The power-cut snapshot: with the writer stopped, wait until the loop device has no
 * request in flight and its write counters stand still, copy the image as the device holds it (the
 * mounted filesystem's dirty page cache is not on the device: that is what a power cut loses), and
 * check the counters did not move during the copy — else the copy may mix two states; retry.
 */
import { copySparse, removeImage } from '../workspace/image.js';
import { inflight, writeCounters } from '../workspace/loop-device.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Wait until nothing is in flight and the counters are equal over `quietMs`. */
async function settle(device: string, quietMs: number, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  let last = writeCounters(device);
  for (;;) {
    await sleep(quietMs);
    const [r, w] = inflight(device);
    const now = writeCounters(device);
    if (r === 0 && w === 0 && now === last) return;
    last = now;
    if (Date.now() > until) throw new Error(`${device}: writes did not settle within ${timeoutMs} ms`);
  }
}

export interface SnapshotResult {
  /** Copies thrown away because the device changed during the copy. */
  readonly retries: number;
}

export async function snapshotImage(device: string, image: string, copy: string, maxAttempts = 8): Promise<SnapshotResult> {
  for (let attempt = 0; attempt < maxAttempts; attempt++) {
    await settle(device, 2, 10_000);
    const before = writeCounters(device);
    copySparse(image, copy);
    const [r, w] = inflight(device);
    if (r === 0 && w === 0 && writeCounters(device) === before) return { retries: attempt };
    removeImage(copy);
  }
  throw new Error(`${device}: the device kept changing during ${maxAttempts} snapshot attempts`);
}
