/** The report of `durabench probe`: which way of making a write durable is fastest here, and how steady. */
import { Type, type Static } from '@sinclair/typebox';
import { LatencySummary } from './latency.js';
import { HeaderProps, SessionProps } from './report.js';

/**
 * Where the overwrite methods write: `rewrite` the same block(s) at offset 0 every operation
 * (pg_test_fsync's pattern), `sequential` the next block(s) of a 16 MiB data file, wrapping at its end.
 */
export const PROBE_PATTERNS = ['rewrite', 'sequential'] as const;
export type ProbePattern = (typeof PROBE_PATTERNS)[number];

/** One way of making writes durable that the probe measures (docs/probe-and-env.md). */
export const ProbeMethodInfo = Type.Object({
  /** Stable id, e.g. `fdatasync`, `o_sync-4x4k`, `dirfsync-after-rename`. */
  id: Type.String(),
  /** The comparison it belongs to, e.g. `one write per sync`, `O_SYNC write sizes`. */
  group: Type.String(),
  /** One sentence: what one operation does. */
  description: Type.String(),
  /** The write size this method was run with (`--block-bytes`); the O_SYNC size series always writes 16 kB. */
  blockBytes: Type.Integer({ minimum: 0 }),
  /** Bytes written per operation (0 for directory fsyncs). */
  bytesPerOp: Type.Integer({ minimum: 0 }),
  writesPerOp: Type.Integer({ minimum: 0 }),
  /** Sync calls per operation (an O_DSYNC/O_SYNC write counts as one). */
  syncsPerOp: Type.Integer({ minimum: 0 }),
  /** The access pattern of an overwrite method; absent for appends and directory fsyncs (and in reports before patterns existed, which cycled: `sequential`). */
  pattern: Type.Optional(Type.Union(PROBE_PATTERNS.map((p) => Type.Literal(p)))),
  /** Sync-parallelism methods: how many threads sync concurrently (ops/s is then their aggregate). */
  threads: Type.Optional(Type.Integer({ minimum: 1 })),
});
export type ProbeMethodInfo = Static<typeof ProbeMethodInfo>;

export const ProbeMetrics = Type.Object({
  /** Operations measured (warm-up excluded). */
  samples: Type.Integer({ minimum: 0 }),
  /** 1e9 / mean latency: operations per second of the timed part of each operation. */
  opsPerSec: Type.Number({ minimum: 0 }),
  /**
   * Operations per second of wall time (measured operations / measured wall time, the loop's own
   * bookkeeping included): pg_test_fsync's definition. Absent in reports written before it existed.
   */
  wallOpsPerSec: Type.Optional(Type.Number({ minimum: 0 })),
  /** Sum of the measured latencies, ns. */
  measuredNs: Type.Number({ minimum: 0 }),
  /** Per-operation latency in ns, from our own HDR histogram. */
  latency: LatencySummary,
  /**
   * Relative margin of error of the mean latency (95 % confidence), percent: Student's t over the
   * mean latencies of the slices (batch means, so correlated neighbouring operations do not make it
   * look tighter than it is).
   */
  rmePercent: Type.Number({ minimum: 0 }),
  /**
   * Operations per second of each slice of the measured time: each round-robin pass of the method
   * (`settings.passes` ≥ 2), or each fifth of one pass. A wide spread is a noisy measurement.
   */
  sliceOpsPerSec: Type.Array(Type.Number({ minimum: 0 })),
  /** How the method was set up where it matters (e.g. where the O_DIRECT buffer is aligned). */
  notes: Type.Array(Type.String()),
});
export type ProbeMetrics = Static<typeof ProbeMetrics>;

const ResultBase = {
  /** The `--dir` target as given. */
  target: Type.String(),
  method: ProbeMethodInfo,
};

/** One probe result: target × method. `unsupported`: the platform or filesystem refuses the method. */
export const ProbeResult = Type.Union([
  Type.Object({ ...ResultBase, state: Type.Literal('completed'), metrics: ProbeMetrics }),
  Type.Object({ ...ResultBase, state: Type.Literal('unsupported'), reason: Type.String(), code: Type.Union([Type.String(), Type.Null()]) }),
  Type.Object({ ...ResultBase, state: Type.Literal('errored'), reason: Type.String(), code: Type.Union([Type.String(), Type.Null()]) }),
]);
export type ProbeResult = Static<typeof ProbeResult>;

/** The settings a probe ran with, so it can be repeated. */
export const ProbeSettings = Type.Object({
  /** Measured seconds per method and target. */
  seconds: Type.Number({ exclusiveMinimum: 0 }),
  warmupSeconds: Type.Number({ minimum: 0 }),
  /** Write sizes of the block-size methods, bytes (pg_test_fsync uses 8 kB). */
  blockBytes: Type.Array(Type.Integer({ minimum: 1 })),
  targets: Type.Array(Type.String()),
  /** Access patterns of the overwrite methods (absent before patterns existed: the methods cycled, `sequential`). */
  patterns: Type.Optional(Type.Array(Type.Union(PROBE_PATTERNS.map((p) => Type.Literal(p))))),
  /** Round-robin passes: every method and target ran this many times, `seconds / passes` each (absent: 1). */
  passes: Type.Optional(Type.Integer({ minimum: 1 })),
  /** Thread counts of the sync-parallelism methods (absent in reports from before them). */
  threads: Type.Optional(Type.Array(Type.Integer({ minimum: 1 }))),
});
export type ProbeSettings = Static<typeof ProbeSettings>;

export const ProbeReport = Type.Object({
  kind: Type.Literal('probe'),
  ...HeaderProps,
  ...SessionProps,
  settings: ProbeSettings,
  results: Type.Array(ProbeResult),
});
export type ProbeReport = Static<typeof ProbeReport>;

/** `fdatasync`, or `fdatasync 4k` when the probe ran several block sizes. */
export function methodLabel(info: ProbeMethodInfo, severalBlockSizes: boolean, severalPatterns = false): string {
  const pattern = severalPatterns && info.pattern !== undefined ? ` ${info.pattern}` : '';
  if (!severalBlockSizes || info.bytesPerOp === 0 || info.group.startsWith('O_SYNC')) return `${info.id}${pattern}`;
  return `${info.id} ${info.blockBytes % 1024 === 0 ? `${info.blockBytes / 1024}k` : `${info.blockBytes}b`}${pattern}`;
}
