/**
 * Device truth: what the block device itself counted while a case ran — writes, sectors written,
 * flushes and flush time from `/sys/block/<dev>/stat` (Documentation/block/stat.rst), read before and
 * after, as differences — next to what the engine committed. Flushes per commit and device bytes per
 * committed byte (write amplification) come from the device, not from the engine's claims.
 *
 * On a lab image the device is the engine's own loop device and the figures are exact; on a shared
 * disk (a target directory on the host's disk) every other writer's I/O is counted too, so the
 * figures are marked approximate.
 */
import { Type, type Static } from '@sinclair/typebox';

/** The write side of one `/sys/block/<dev>/stat` line (field numbers from Documentation/block/stat.rst). */
export const DeviceCounters = Type.Object({
  /** Field 5: write requests completed (an empty PREFLUSH counts as a write of 0 sectors). */
  writes: Type.Integer({ minimum: 0 }),
  /** Field 7: 512-byte sectors written. */
  sectorsWritten: Type.Integer({ minimum: 0 }),
  /** Field 16: flush requests completed (kernels ≥ 5.5). */
  flushes: Type.Integer({ minimum: 0 }),
  /** Field 17: ms spent on flushes. */
  flushMs: Type.Integer({ minimum: 0 }),
});
export type DeviceCounters = Static<typeof DeviceCounters>;

export const DeviceTruth = Type.Union([
  Type.Object({
    state: Type.Literal('measured'),
    /** `loop5` (the lab image's device) or `vda` (the target's device). */
    device: Type.String(),
    /** True on a shared device: other I/O on it is counted too. */
    approximate: Type.Boolean(),
    /** Counter differences over the case's writer runs. */
    delta: DeviceCounters,
    /** Commits acked over the same runs (every writer) and their key + value bytes. */
    commits: Type.Integer({ minimum: 0 }),
    committedBytes: Type.Integer({ minimum: 0 }),
    /** null when nothing was committed. */
    flushesPerCommit: Type.Union([Type.Number({ minimum: 0 }), Type.Null()]),
    /** Device bytes written per committed key + value byte (write amplification). */
    bytesPerCommittedByte: Type.Union([Type.Number({ minimum: 0 }), Type.Null()]),
  }),
  Type.Object({ state: Type.Literal('unavailable'), reason: Type.String() }),
]);
export type DeviceTruth = Static<typeof DeviceTruth>;

/** `after − before`, counter by counter (counters never go back; a reset reads as 0). */
export function counterDelta(before: DeviceCounters, after: DeviceCounters): DeviceCounters {
  const d = (a: number, b: number): number => Math.max(0, a - b);
  return { writes: d(after.writes, before.writes), sectorsWritten: d(after.sectorsWritten, before.sectorsWritten), flushes: d(after.flushes, before.flushes), flushMs: d(after.flushMs, before.flushMs) };
}

export function addCounters(a: DeviceCounters, b: DeviceCounters): DeviceCounters {
  return { writes: a.writes + b.writes, sectorsWritten: a.sectorsWritten + b.sectorsWritten, flushes: a.flushes + b.flushes, flushMs: a.flushMs + b.flushMs };
}

export const ZERO_COUNTERS: DeviceCounters = { writes: 0, sectorsWritten: 0, flushes: 0, flushMs: 0 };

/** The measured figures from counter differences and what was committed. Pure. */
export function deviceTruth(device: string, approximate: boolean, delta: DeviceCounters, commits: number, committedBytes: number): DeviceTruth {
  return {
    state: 'measured',
    device,
    approximate,
    delta,
    commits,
    committedBytes,
    flushesPerCommit: commits > 0 ? delta.flushes / commits : null,
    bytesPerCommittedByte: committedBytes > 0 ? (delta.sectorsWritten * 512) / committedBytes : null,
  };
}

/** The device a run case reads its counters from: found (exact on its own image) or why not. */
export type CaseDevice = { readonly state: 'found'; readonly name: string; readonly approximate: boolean } | { readonly state: 'unavailable'; readonly reason: string };
