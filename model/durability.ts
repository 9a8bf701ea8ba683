/**
 * How an engine makes commits durable: the mode and its settings. One tagged union that travels
 * unchanged from the command line to the engine:
 *
 *   sync      — every commit is durable before it is acked (on a shared log, commits that arrive
 *               while a sync is in flight ride the next one together: group commit emerges)
 *   batch     — group commit by count: a sync after every `batchSize` commits, and (with `batchMs`)
 *               at the latest once the oldest unsynced commit is that many ms old. `ack` says when a
 *               commit is acked: `before-sync` (on write: asynchronous commit, the exposure window;
 *               what a single writer's batch always is) or `after-sync` (a durable group commit, only
 *               on a shared log, where other writers' commits can fill the batch)
 *   delay     — shared log: the sync leader first waits `commitDelayUs` when at least `commitSiblings`
 *               other writers are active (PostgreSQL's commit_delay / commit_siblings); ack after sync
 *   pipelined — shared log: no single leader; a committer whose record no sync in flight covers
 *               issues its own, up to `syncParallelism` syncs in flight; ack after sync
 *   none      — the engine never syncs; only OS writeback makes data durable
 */
import { Type, type Static } from '@sinclair/typebox';

/** The modes every engine may declare (each writer on its own engine instance). */
export const MODES = ['sync', 'batch', 'none'] as const;
/** The modes only a shared log runs (`--share log`): both ack after the sync, like sync. */
export const GROUP_MODES = ['delay', 'pipelined'] as const;
/** Every mode a case may have. */
export const ALL_MODES = [...MODES, ...GROUP_MODES] as const;
/** A mode every engine may declare. */
export type Mode = (typeof MODES)[number];
export type GroupMode = (typeof GROUP_MODES)[number];
/** A mode a case may have (a shared log's group modes included). */
export type CaseMode = (typeof ALL_MODES)[number];

/** When a batch-mode commit is acked: on write (before its sync) or after the sync covering it. */
export const ACKS = ['after-sync', 'before-sync'] as const;
export type Ack = (typeof ACKS)[number];

export const SyncDurability = Type.Object({ mode: Type.Literal('sync') });
export const BatchDurability = Type.Object({
  mode: Type.Literal('batch'),
  /** Commits per sync. */
  batchSize: Type.Integer({ minimum: 1 }),
  /** Also sync once the oldest unsynced commit is this many ms old; null: only by count. */
  batchMs: Type.Union([Type.Number({ exclusiveMinimum: 0 }), Type.Null()]),
  /** Absent: `before-sync` (what batch meant before shared logs, and what a single writer's batch is). */
  ack: Type.Optional(Type.Union(ACKS.map((a) => Type.Literal(a)))),
});
export const DelayDurability = Type.Object({
  mode: Type.Literal('delay'),
  /** PostgreSQL's commit_delay: how long the sync leader waits for more commits before syncing, µs. */
  commitDelayUs: Type.Integer({ minimum: 0 }),
  /** PostgreSQL's commit_siblings: the wait happens only when at least this many other writers are active. */
  commitSiblings: Type.Integer({ minimum: 0 }),
});
export const PipelinedDurability = Type.Object({
  mode: Type.Literal('pipelined'),
  /** The most syncs in flight at once. */
  syncParallelism: Type.Integer({ minimum: 1 }),
});
export const NoneDurability = Type.Object({ mode: Type.Literal('none') });
export const Durability = Type.Union([SyncDurability, BatchDurability, DelayDurability, PipelinedDurability, NoneDurability]);
export type Durability = Static<typeof Durability>;
export type BatchDurability = Static<typeof BatchDurability>;
export type DelayDurability = Static<typeof DelayDurability>;
export type PipelinedDurability = Static<typeof PipelinedDurability>;

/** Every variant's object schema, for spreading into keys (`model/case.ts`). */
export const DURABILITY_VARIANTS = [SyncDurability, BatchDurability, DelayDurability, PipelinedDurability, NoneDurability] as const;

/** One of the modes every engine may declare (sync, batch, none). */
export function isMode(s: string): s is Mode {
  return (MODES as readonly string[]).includes(s);
}

/** Any mode a case may have, the shared log's delay and pipelined included. */
export function isCaseMode(s: string): s is CaseMode {
  return (ALL_MODES as readonly string[]).includes(s);
}

export function isGroupMode(m: string): m is GroupMode {
  return (GROUP_MODES as readonly string[]).includes(m);
}

/** The mode an engine's own `modes` and `check` speak of: a shared log's delay and pipelined ack like sync. */
export function engineModeOf(m: CaseMode): Mode {
  return isGroupMode(m) ? 'sync' : m;
}

/** How a batch commit is acked (absent means before-sync). */
export function batchAck(d: BatchDurability): Ack {
  return d.ack ?? 'before-sync';
}

/** True when every commit is durable before its ack: sync, delay, pipelined, and batch acked after the sync. */
export function acksAfterSync(d: Durability): boolean {
  return d.mode === 'sync' || d.mode === 'delay' || d.mode === 'pipelined' || (d.mode === 'batch' && batchAck(d) === 'after-sync');
}

/** Only the durability fields of a value that carries them (a case key, an engine context). */
export function durabilityOf(d: Durability): Durability {
  switch (d.mode) {
    case 'batch':
      return { mode: 'batch', batchSize: d.batchSize, batchMs: d.batchMs, ...(d.ack !== undefined ? { ack: d.ack } : {}) };
    case 'delay':
      return { mode: 'delay', commitDelayUs: d.commitDelayUs, commitSiblings: d.commitSiblings };
    case 'pipelined':
      return { mode: 'pipelined', syncParallelism: d.syncParallelism };
    default:
      return { mode: d.mode };
  }
}

/** The settings the modes are expanded with (lists expand the matrix). */
export interface DurabilitySettings {
  readonly batchSizes: readonly number[];
  readonly batchMs: number | null;
  /** null: before-sync (the only way a single writer batches); `after-sync` needs a shared log. */
  readonly ack: Ack | null;
  readonly commitDelaysUs: readonly number[];
  readonly commitSiblings: number;
  readonly syncParallelisms: readonly number[];
}

/** Every durability of a matrix: each mode, batch × batch sizes, delay × delays, pipelined × parallelisms. */
export function expandDurability(modes: readonly CaseMode[], s: DurabilitySettings): Durability[] {
  return modes.flatMap((mode): Durability[] => {
    switch (mode) {
      case 'batch':
        return s.batchSizes.map((batchSize) => ({ mode, batchSize, batchMs: s.batchMs, ...(s.ack === 'after-sync' ? { ack: s.ack } : {}) }));
      case 'delay':
        return s.commitDelaysUs.map((commitDelayUs) => ({ mode, commitDelayUs, commitSiblings: s.commitSiblings }));
      case 'pipelined':
        return s.syncParallelisms.map((syncParallelism) => ({ mode, syncParallelism }));
      default:
        return [{ mode }];
    }
  });
}

/** For ids and file names: `sync`, `batch-16`, `batch-16-5ms`, `batch-16-durable`, `delay-100us-s5`, `pipelined-k4`, `none`. */
export function durabilityId(d: Durability): string {
  switch (d.mode) {
    case 'batch':
      return `batch-${d.batchSize}${d.batchMs !== null ? `-${d.batchMs}ms` : ''}${batchAck(d) === 'after-sync' ? '-durable' : ''}`;
    case 'delay':
      return `delay-${d.commitDelayUs}us-s${d.commitSiblings}`;
    case 'pipelined':
      return `pipelined-k${d.syncParallelism}`;
    default:
      return d.mode;
  }
}

/** For people: `sync`, `batch 16`, `batch 16 / 5 ms`, `batch 16, durable ack`, `delay 100 µs (siblings 5)`, `pipelined K=4`, `none`. */
export function durabilityLabel(d: Durability): string {
  switch (d.mode) {
    case 'batch':
      return `batch ${d.batchSize}${d.batchMs !== null ? ` / ${d.batchMs} ms` : ''}${batchAck(d) === 'after-sync' ? ', durable ack' : ''}`;
    case 'delay':
      return `delay ${d.commitDelayUs} µs (siblings ${d.commitSiblings})`;
    case 'pipelined':
      return `pipelined K=${d.syncParallelism}`;
    default:
      return d.mode;
  }
}

/**
 * Commits one writer groups into one sync by the setting: 1 when every commit is synced before its
 * ack, batchSize for a batch acked before its sync, null in none. (On a shared log the real group
 * sizes are measured: `commitsPerSync` in the case metrics.)
 */
export function commitsPerSyncDeclared(d: Durability): number | null {
  if (d.mode === 'none') return null;
  return d.mode === 'batch' && batchAck(d) === 'before-sync' ? d.batchSize : 1;
}
