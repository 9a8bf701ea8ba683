/**
 * The one implementation of the three modes, shared by every built-in engine.
 *
 * An engine appends a commit's bytes, calls `appended()`, and if `due()` says so, syncs and calls
 * `synced()`. `synced()` tells the durability listener which commits are now durable. A faulted engine
 * that skips the real sync still calls `synced()`: its claim stays that of its mode.
 *
 *   sync  — due after every commit
 *   batch — due once `batchSize` commits are pending, or (with batchMs) once the oldest pending
 *           commit is `batchMs` old, whichever comes first
 *   none  — never due; data becomes durable only through OS writeback
 */
import { hrtime } from 'node:process';
import type { CaseMode, Durability } from '../model/durability.js';
import type { DurabilityListener, EngineContext } from './types.js';

export class SyncPolicy {
  private appendedCount = 0;
  private durableCount = 0;
  private oldestPendingNs: bigint | null = null;
  private readonly batchSize: number;
  private readonly batchNs: bigint | null;
  readonly mode: CaseMode;

  /** The policy of an engine's own setting (the context is its `Durability`). */
  static fromContext(ctx: EngineContext): SyncPolicy {
    return new SyncPolicy(ctx, ctx.durability, ctx.clockNs);
  }

  /**
   * `setting` may differ from the context's when an engine claims another mode than it was asked
   * for (sqlite in DELETE journal mode syncs every commit itself, so its claim is `sync`).
   */
  constructor(
    setting: Durability,
    private readonly listener: DurabilityListener,
    private readonly clockNs: () => bigint = hrtime.bigint,
  ) {
    this.mode = setting.mode;
    this.batchSize = setting.mode === 'batch' ? setting.batchSize : 1;
    this.batchNs = setting.mode === 'batch' && setting.batchMs !== null ? BigInt(Math.round(setting.batchMs * 1e6)) : null;
  }

  /** Commits appended (acked or about to be) since open. */
  get appended(): number {
    return this.appendedCount;
  }

  /** Commits appended but not yet covered by a sync. */
  get pending(): number {
    return this.appendedCount - this.durableCount;
  }

  /** Record that one more commit's bytes were handed to the OS. */
  append(): void {
    if (this.appendedCount === this.durableCount && this.batchNs !== null) this.oldestPendingNs = this.clockNs();
    this.appendedCount += 1;
  }

  /** Must the engine sync now, before acking the commit just appended? */
  due(): boolean {
    switch (this.mode) {
      case 'sync':
      // A single writer's delay (no sibling is ever active) and pipelined (one sync at a time) are sync.
      case 'delay':
      case 'pipelined':
        return this.pending > 0;
      case 'batch':
        return this.pending >= this.batchSize || this.dueByTime();
      case 'none':
        return false;
    }
  }

  /** In batch mode with batchMs: has the oldest pending commit waited long enough? */
  dueByTime(): boolean {
    return (
      this.mode === 'batch' &&
      this.batchNs !== null &&
      this.oldestPendingNs !== null &&
      this.pending > 0 &&
      this.clockNs() - this.oldestPendingNs >= this.batchNs
    );
  }

  /** The sync covering every appended commit returned (or, for a faulted engine, was claimed). */
  synced(): void {
    if (this.durableCount === this.appendedCount) return;
    this.durableCount = this.appendedCount;
    this.oldestPendingNs = null;
    this.listener.durable(this.durableCount);
  }
}
