/**
 * When the writers of a shared log sync, as a tagged union made once from the case's `Durability`
 * (docs/group-commit.md):
 *
 *   leader    (sync)      one thread at a time is the leader; it snaps the written frontier, syncs,
 *                         publishes; commits that arrived meanwhile ride the next sync together
 *   batch                 the leader syncs once `batchSize` commits are written, every active writer
 *                         waits, or the oldest waited `batchMs`; acked after its sync or on write
 *   delay                 the leader first sleeps `commit_delay` if at least `commit_siblings` other
 *                         writers are active (PostgreSQL, runtime-config-wal: "the first process that
 *                         becomes ready to flush waits for the configured interval, while subsequent
 *                         processes wait only until the leader completes the flush operation")
 *   pipelined             no leader: a committer whose record no sync in flight covers issues its own,
 *                         up to `parallelism` in flight (DuckDB pull request #23655's design)
 *   none                  never syncs
 */
import { batchAck, type Ack, type Durability } from '../../model/durability.js';

export type GroupPolicy =
  | { readonly kind: 'leader' }
  | { readonly kind: 'batch'; readonly batchSize: number; readonly batchNs: bigint | null; readonly ack: Ack }
  | { readonly kind: 'delay'; readonly delayNs: number; readonly siblings: number }
  | { readonly kind: 'pipelined'; readonly parallelism: number }
  | { readonly kind: 'none' };

export function groupPolicyOf(d: Durability): GroupPolicy {
  switch (d.mode) {
    case 'sync':
      return { kind: 'leader' };
    case 'batch':
      return {
        kind: 'batch',
        batchSize: d.batchSize,
        batchNs: d.batchMs === null ? null : BigInt(Math.round(d.batchMs * 1e6)),
        ack: batchAck(d),
      };
    case 'delay':
      return { kind: 'delay', delayNs: d.commitDelayUs * 1000, siblings: d.commitSiblings };
    case 'pipelined':
      return { kind: 'pipelined', parallelism: d.syncParallelism };
    case 'none':
      return { kind: 'none' };
  }
}

/** True when a commit is acked only after the sync covering it returned. */
export function acksAfterSync(p: GroupPolicy): boolean {
  return p.kind === 'leader' || p.kind === 'delay' || p.kind === 'pipelined' || (p.kind === 'batch' && p.ack === 'after-sync');
}
