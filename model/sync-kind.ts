/** How a sync call reached the disk. `odsync-write` is a write through a descriptor opened with O_DSYNC or O_SYNC. */
import { Type, type Static } from '@sinclair/typebox';

export const SYNC_KINDS = ['fdatasync', 'fsync', 'dirfsync', 'odsync-write'] as const;
export const SyncKind = Type.Union(SYNC_KINDS.map((k) => Type.Literal(k)));
export type SyncKind = (typeof SYNC_KINDS)[number];

/** Per-kind sync call counts, always with all four kinds present. */
export const SyncCounts = Type.Object(Object.fromEntries(SYNC_KINDS.map((k) => [k, Type.Integer({ minimum: 0 })])) as Record<SyncKind, ReturnType<typeof Type.Integer>>);
export type SyncCounts = Record<SyncKind, number>;

export function zeroSyncCounts(): SyncCounts {
  return { fdatasync: 0, fsync: 0, dirfsync: 0, 'odsync-write': 0 };
}
