/**
 * `lmdb`: LMDB through the `lmdb` package (lmdb-js). Every put is `putSync`: one synchronous LMDB
 * write transaction, so `contract: 'sync'` and exact timing. lmdb-js's asynchronous batched writes
 * are not used: their promise resolves when a batch commits on another thread, which is not one ack
 * per commit.
 *
 * Modes (docs/real-engines.md cites LMDB's and lmdb-js's documentation):
 *
 *   sync  → default LMDB durability, with lmdb-js's `overlappingSync` turned off so the flush happens
 *           inside the commit (classic LMDB: fdatasync of the data file, then the meta page written
 *           through an O_DSYNC descriptor). durable(n) after every put.
 *   batch → `noSync: true` (MDB_NOSYNC: commits are written to the OS, not flushed) and every
 *           `batchSize` commits (and at `batchMs`) an explicit `mdb_env_sync(env, 1)`, which
 *           "flushes the data buffers to disk": every commit before it is durable. LMDB documents
 *           that with MDB_NOSYNC a system crash "can corrupt the database or lose the last
 *           transactions" between syncs, unless the filesystem preserves write order — a risk the
 *           other engines' batch modes do not have. The crash lab's power trials measure it.
 *   none  → `noSync: true`, never synced by us.
 *
 * LMDB does its own I/O: its syncs do not pass through the io layer, so the sync columns stay empty;
 * the explicit batch syncs are counted in the engine stats (`envSyncs`).
 */
import path from 'node:path';
import { SyncPolicy } from '../sync-policy.js';
import { emptyRecovery, MODES, type Engine, type EngineContext, type EngineFactory, type RecoveryReport } from '../types.js';
import { lmdbOpen, loadLmdb, type LmdbDatabase } from './library.js';

const DIR = 'lmdb';

class LmdbEngine implements Engine {
  private readonly policy: SyncPolicy;
  private db: LmdbDatabase | null = null;
  private envSyncs = 0;

  constructor(private readonly ctx: EngineContext) {
    this.policy = SyncPolicy.fromContext(ctx);
  }

  open(): RecoveryReport {
    const t0 = this.ctx.clockNs();
    const open = lmdbOpen();
    this.db = open({
      path: path.join(this.ctx.dir, DIR),
      // Raw bytes in, raw bytes out; no lmdb-js value cache or compression between us and LMDB.
      encoding: 'binary',
      keyEncoding: 'binary',
      compression: false,
      cache: false,
      // sync: flush inside the commit; batch/none: MDB_NOSYNC (batch syncs explicitly).
      overlappingSync: false,
      noSync: this.ctx.mode !== 'sync',
    });
    const report = emptyRecovery();
    // LMDB needs no recovery: it opens the last meta page that was fully written (copy-on-write).
    const entries = Number(this.db.getStats()['entryCount'] ?? 0);
    report.recordsRecovered = entries;
    if (entries > 0) this.ctx.recordPhase('recovery', Number(this.ctx.clockNs() - t0));
    return report;
  }

  put(key: Buffer, value: Buffer): void {
    this.db!.putSync(key, value);
    this.policy.append();
    if (this.policy.due()) this.sync();
  }

  private sync(): void {
    // In sync mode the commit itself flushed; in batch mode flush everything committed so far.
    if (this.ctx.mode === 'batch') {
      this.db!.env.sync();
      this.envSyncs += 1;
    }
    this.policy.synced();
  }

  tick(): void {
    if (this.policy.dueByTime()) this.sync();
  }

  get(key: Buffer): Buffer | undefined {
    const v = this.db!.get(key);
    return v === undefined || v === null ? undefined : Buffer.from(v);
  }

  close(): void {
    if (!this.db) return;
    if (this.ctx.mode === 'batch' && this.policy.pending > 0) this.sync();
    // With only synchronous transactions there is nothing to wait for: lmdb-js closes at once.
    void this.db.close();
    this.db = null;
  }

  stats() {
    return { envSyncs: this.envSyncs };
  }
}

export const lmdbEngine: EngineFactory = {
  name: 'lmdb',
  summary: 'LMDB (lmdb-js putSync); durable commit = sync, MDB_NOSYNC + mdb_env_sync every N = batch, MDB_NOSYNC = none; its syncs bypass the io layer',
  modes: MODES,
  options: [],
  faults: [],
  markers: [],
  contract: 'sync',
  // lmdb-js aborts the process some time after a write fails with ENOSPC ("free(): invalid pointer",
  // SIGBUS; kriszyp/lmdb-js#40): its cases run in a child process so a full disk ends only the case.
  isolation: 'process',
  availability: loadLmdb,
  create: (ctx: EngineContext) => new LmdbEngine(ctx),
};
