/**
 * Provenance every report carries: which durabench wrote it, on which host, and for every target
 * directory the filesystem and the device chain under it. Whatever could not be read is
 * `{ value: null, reason }`, never a guess.
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';

/** A value, or null with the reason it could not be read. */
export const Known = <T extends TSchema>(value: T) =>
  Type.Union([Type.Object({ value }), Type.Object({ value: Type.Null(), reason: Type.String({ minLength: 1 }) })]);
export type Known<T> = { value: T } | { value: null; reason: string };

export const TOOL_NAME = 'durabench';

export const ToolInfo = Type.Object({
  name: Type.Literal(TOOL_NAME),
  version: Type.String(),
  gitSha: Type.Union([Type.String(), Type.Null()]),
  /** Why `gitSha` is null (not a checkout, git missing, ...). */
  gitShaReason: Type.Optional(Type.String()),
  /** The checkout had uncommitted changes when the report was written. */
  gitDirty: Type.Optional(Type.Boolean()),
  /**
   * Which CRC-32C implementation checksummed the built-in engines' records (engines/crc32c.ts): the
   * native package, or the JavaScript fallback and why. Absent in reports written before it existed.
   */
  crc32c: Type.Optional(
    Type.Union([
      Type.Object({ kind: Type.Literal('native'), package: Type.String() }),
      Type.Object({ kind: Type.Literal('js'), reason: Type.String() }),
    ]),
  ),
});
export type ToolInfo = Static<typeof ToolInfo>;

/** What kind of block device: memory-backed ones (zram, brd ram disks) lose everything on power loss. */
export const BLOCK_DEVICE_KINDS = ['disk', 'partition', 'loop', 'dm', 'md', 'memory', 'other'] as const;
export type BlockDeviceKind = (typeof BLOCK_DEVICE_KINDS)[number];

/** One block device under a target, as sysfs describes it. */
export const BlockDeviceInfo = Type.Object({
  /** sysfs name: `vda1`, `loop3`, `dm-0`, `nvme0n1`. */
  name: Type.String(),
  /** `/dev/<name>`. */
  path: Type.String(),
  kind: Type.Union(BLOCK_DEVICE_KINDS.map((k) => Type.Literal(k))),
  /** `major:minor` from /sys/class/block/<name>/dev. */
  majorMinor: Known(Type.String()),
  model: Known(Type.String()),
  /** A partition reports its disk's queue attributes. */
  rotational: Known(Type.Boolean()),
  /** `write back` or `write through` (queue/write_cache). */
  writeCache: Known(Type.String()),
  /** The active I/O scheduler (`mq-deadline`, `none`). */
  scheduler: Known(Type.String()),
  /** Devices this one sits on: a partition's disk, dm/md slaves, the device under a loop's backing file. */
  parents: Type.Array(Type.String()),
  /** Loop devices: the file behind the device (/sys/block/loopN/loop/backing_file). */
  backingFile: Type.Optional(Known(Type.String())),
  /** Loop devices: the filesystem that holds the backing file (tmpfs there means nothing is durable). */
  backingFsType: Type.Optional(Known(Type.String())),
});
export type BlockDeviceInfo = Static<typeof BlockDeviceInfo>;

export const TargetInfo = Type.Object({
  /** The directory as given. */
  dir: Type.String(),
  realPath: Type.String(),
  fsType: Known(Type.String()),
  mountPoint: Known(Type.String()),
  mountOptions: Known(Type.String()),
  /** The mount's source as mountinfo gives it (`/dev/vda1`, `tmpfs`, `server:/export`). */
  mountSource: Type.Optional(Known(Type.String())),
  /** e.g. `/dev/vda`, `/dev/loop3`. */
  device: Known(Type.String()),
  /** Device chain from the partition or loop device to the disk (with a loop's backing file). */
  deviceChain: Known(Type.Array(Type.String())),
  /** The bottom device (the disk whose cache and medium decide durability). */
  model: Known(Type.String()),
  rotational: Known(Type.Boolean()),
  /** `write back` or `write through` (from /sys/block/<dev>/queue/write_cache). */
  writeCache: Known(Type.String()),
  scheduler: Known(Type.String()),
  /** What fsync/fdatasync do on this platform. */
  syncSemantics: Type.String(),
  /** Every block device from the filesystem's down to the disks, depth first (empty without one). */
  devices: Type.Optional(Type.Array(BlockDeviceInfo)),
});
export type TargetInfo = Static<typeof TargetInfo>;

export const HostInfo = Type.Object({
  hostname: Type.String(),
  os: Type.String(),
  /** PRETTY_NAME from /etc/os-release. */
  osRelease: Type.Optional(Known(Type.String())),
  /** `process.platform` (`linux`, `darwin`, ...). */
  platform: Type.Optional(Type.String()),
  kernel: Type.String(),
  /** `os.version()`, the kernel's build string. */
  kernelBuild: Type.Optional(Type.String()),
  arch: Type.String(),
  cpuModel: Type.String(),
  cpuCount: Type.Integer({ minimum: 0 }),
  /** `os.availableParallelism()` (CPUs this process may use). */
  availableParallelism: Type.Optional(Type.Integer({ minimum: 0 })),
  memoryBytes: Type.Number({ minimum: 0 }),
  nodeVersion: Type.String(),
  uvThreadpoolSize: Type.Union([Type.String(), Type.Null()]),
  /** The libuv thread pool size in effect (4 when UV_THREADPOOL_SIZE is unset). */
  uvThreadpoolSizeEffective: Type.Optional(Type.Integer({ minimum: 1 })),
  targets: Type.Array(TargetInfo),
});
export type HostInfo = Static<typeof HostInfo>;
