/**
 * `wal`: a standalone write-ahead log engine (with `--share log`, many writers on one log:
 * engines/wal/shared-engine.ts). Every put is one framed key/value record appended to
 * the active segment (`WalLog`); the mode's `SyncPolicy` decides when the log is fdatasynced. The log
 * is the data: nothing is ever checkpointed, so no segment is truncated by this engine (the lsm and
 * btree engines truncate below their checkpoints with `WalLog.truncateBefore`).
 *
 * `get` uses an in-memory index key → record position, built by one scan on the first `get` and
 * kept up to date from then on, so puts stay as close to `raw` as possible.
 */
import { FrameScratch, parseKv } from '../framing.js';
import { SyncPolicy } from '../sync-policy.js';
import { MODES, type Engine, type EngineContext, type EngineFactory, type EngineStats, type RecoveryReport } from '../types.js';
import { WalLog } from './log.js';
import { FLUSH_NO_FSYNC, NO_DIR_FSYNC, PREALLOCATE_OPTION, SEGMENT_BYTES_OPTION, walConfigFrom } from './options.js';
import { sharedLogBytes } from '../shared-log/memory.js';
import { SharedWalEngine } from './shared-engine.js';
import type { WalPosition } from './position.js';

class WalEngine implements Engine {
  private readonly policy: SyncPolicy;
  private readonly log: WalLog;
  /** Records are framed into one reused buffer (write(2) copies it; the index keeps positions, not bytes). */
  private readonly scratch = new FrameScratch();
  private index: Map<string, WalPosition> | null = null;
  private open_ = false;

  constructor(private readonly ctx: EngineContext) {
    this.policy = SyncPolicy.fromContext(ctx);
    this.log = new WalLog(walConfigFrom(ctx));
  }

  open(): RecoveryReport {
    const report = this.log.open();
    this.open_ = true;
    return report;
  }

  put(key: Buffer, value: Buffer): void {
    const length = this.scratch.frameKv(key, value);
    const pos = this.log.appendFramed(this.scratch.buf, length);
    this.index?.set(key.toString('latin1'), pos);
    this.policy.append();
    if (this.policy.due()) this.sync();
  }

  tick(): void {
    if (this.policy.dueByTime()) this.sync();
  }

  private sync(): void {
    // Under `flush-no-fsync` the log issues no sync call; the claim below stays (the defect keeps its mode's claim, so the crash lab can catch it).
    this.log.sync();
    this.policy.synced();
  }

  get(key: Buffer): Buffer | undefined {
    if (!this.index) {
      const index = new Map<string, WalPosition>();
      this.log.scan((payload, pos) => {
        const kv = parseKv(payload);
        if (kv) index.set(kv.key.toString('latin1'), pos);
      });
      this.index = index;
    }
    const pos = this.index.get(key.toString('latin1'));
    if (!pos) return undefined;
    const payload = this.log.read(pos);
    const kv = payload ? parseKv(payload) : null;
    return kv && kv.key.equals(key) ? Buffer.from(kv.value) : undefined;
  }

  close(): void {
    if (!this.open_) return;
    if (this.ctx.mode !== 'none' && this.policy.pending > 0) this.sync();
    this.log.close();
    this.open_ = false;
  }

  stats(): EngineStats {
    return { ...this.log.stats() };
  }
}

export const walEngine: EngineFactory = {
  name: 'wal',
  summary: 'segmented write-ahead log: CRC32C records, rotation, truncation, directory fsync; the log is the data',
  modes: MODES,
  options: [SEGMENT_BYTES_OPTION, PREALLOCATE_OPTION],
  faults: [FLUSH_NO_FSYNC, NO_DIR_FSYNC],
  markers: ['segment-rotated'],
  contract: 'sync',
  // --share log: every writer on one log, group commit (engines/wal/shared-engine.ts).
  sharedLog: { memoryBytes: sharedLogBytes },
  create: (ctx) => (ctx.share ? new SharedWalEngine(ctx) : new WalEngine(ctx)),
};
