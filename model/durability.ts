/**
 * How an engine makes commits durable: the mode and, for group commit, its batch settings. One
 * tagged union that travels unchanged from the command line to the engine:
 *
 *   sync  — every commit is durable before it is acked (one sync per commit at most)
 *   batch — a sync after every `batchSize` commits, and (with `batchMs`) at the latest once the
 *           oldest unsynced commit is that many ms old: group commit
 *   none  — the engine never syncs; only OS writeback makes data durable
 */
import { Type, type Static } from '@sinclair/typebox';

export const MODES = ['sync', 'batch', 'none'] as const;
export type Mode = (typeof MODES)[number];

export const SyncDurability = Type.Object({ mode: Type.Literal('sync') });
export const BatchDurability = Type.Object({
  mode: Type.Literal('batch'),
  /** Commits per sync. */
  batchSize: Type.Integer({ minimum: 1 }),
  /** Also sync once the oldest unsynced commit is this many ms old; null: only by count. */
  batchMs: Type.Union([Type.Number({ exclusiveMinimum: 0 }), Type.Null()]),
});
export const NoneDurability = Type.Object({ mode: Type.Literal('none') });
export const Durability = Type.Union([SyncDurability, BatchDurability, NoneDurability]);
export type Durability = Static<typeof Durability>;
export type BatchDurability = Static<typeof BatchDurability>;

export function isMode(s: string): s is Mode {
  return (MODES as readonly string[]).includes(s);
}

/** Only the durability fields of a value that carries them (a case key, an engine context). */
export function durabilityOf(d: Durability): Durability {
  return d.mode === 'batch' ? { mode: 'batch', batchSize: d.batchSize, batchMs: d.batchMs } : { mode: d.mode };
}

/** Every durability of a matrix: each mode, and for batch each batch size (batchMs applies to all). */
export function expandDurability(modes: readonly Mode[], batchSizes: readonly number[], batchMs: number | null): Durability[] {
  return modes.flatMap((mode): Durability[] => (mode === 'batch' ? batchSizes.map((batchSize) => ({ mode, batchSize, batchMs })) : [{ mode }]));
}

/** For ids and file names: `sync`, `batch-16`, `batch-16-5ms`, `none`. */
export function durabilityId(d: Durability): string {
  return d.mode === 'batch' ? `batch-${d.batchSize}${d.batchMs !== null ? `-${d.batchMs}ms` : ''}` : d.mode;
}

/** For people: `sync`, `batch 16`, `batch 16 / 5 ms`, `none`. */
export function durabilityLabel(d: Durability): string {
  return d.mode === 'batch' ? `batch ${d.batchSize}${d.batchMs !== null ? ` / ${d.batchMs} ms` : ''}` : d.mode;
}

/** Commits grouped into one sync by the setting: 1 in sync mode, batchSize in batch, null in none. */
export function commitsPerSyncDeclared(d: Durability): number | null {
  return d.mode === 'sync' ? 1 : d.mode === 'batch' ? d.batchSize : null;
}
