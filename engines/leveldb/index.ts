/**
 * `leveldb`: LevelDB through classic-level. Its API is asynchronous (every call goes through the
 * libuv threadpool), so this engine has `contract: 'async'` and commit latency includes one promise
 * round trip.
 *
 * Modes (docs/real-engines.md cites LevelDB's documentation):
 *
 *   sync  → every put with `{ sync: true }`: LevelDB fsyncs its log before the write returns.
 *   batch → puts with `{ sync: false }` (pushed into the OS, not synced) and every `batchSize`-th put
 *           with `{ sync: true }` — LevelDB's own "hybrid scheme where every Nth write is
 *           synchronous". The synced write syncs the log file, which makes the unsynced writes
 *           before it durable too, so it declares all commits so far durable. With `batchMs`, a tick
 *           writes a synced marker key when the oldest unsynced commit is that old.
 *   none  → every put `{ sync: false }`, no claims.
 *
 * Caveat for batch claims: when LevelDB switches to a new log file (memtable full, ~4 MiB), the old
 * log is closed without a sync; its unsynced tail becomes durable only once the memtable's table
 * file is written and synced by a background compaction. A synced write in the new log does not
 * cover it. The crash lab measures whether that window shows.
 *
 * LevelDB does its own file I/O: its fsyncs do not pass through the io layer, so the sync columns stay
 * empty. Commit latency includes them.
 */
import path from 'node:path';
import { SyncPolicy } from '../sync-policy.js';
import { emptyRecovery, MODES, type Engine, type EngineContext, type EngineFactory, type RecoveryReport } from '../types.js';
import { levelDb, loadLevel, type LevelDb } from './library.js';

const DIR = 'leveldb';
/** Written with sync: true by tick()/close() in batch mode when a batch must be synced without a put. */
const SYNC_MARKER_KEY = Buffer.from('\u0000durabench-sync-marker');
const SYNC_MARKER_VALUE = Buffer.alloc(0);

class LevelDbEngine implements Engine {
  private readonly policy: SyncPolicy;
  private db: LevelDb | null = null;
  private syncedWrites = 0;
  private markerWrites = 0;

  constructor(private readonly ctx: EngineContext) {
    this.policy = SyncPolicy.fromContext(ctx);
  }

  async open(): Promise<RecoveryReport> {
    const Level = levelDb();
    const t0 = this.ctx.clockNs();
    // LevelDB replays its log on open: that is its recovery (a torn log tail is dropped by LevelDB).
    const db = new Level(path.join(this.ctx.dir, DIR), { keyEncoding: 'buffer', valueEncoding: 'buffer', createIfMissing: true });
    try {
      await db.open();
    } catch (err) {
      // classic-level wraps LevelDB's status ("Corruption: …", "IO error: …") in `cause`: keep it.
      const e = err as Error & { cause?: Error; code?: string };
      throw new Error(`leveldb: ${e.message}${e.cause?.message ? `: ${e.cause.message}` : ''}`, { cause: err });
    }
    this.db = db;
    const report = emptyRecovery();
    let n = 0;
    for await (const k of db.keys()) if (!k.equals(SYNC_MARKER_KEY)) n += 1;
    report.recordsRecovered = n;
    if (n > 0) this.ctx.recordPhase('recovery', Number(this.ctx.clockNs() - t0));
    return report;
  }

  async put(key: Buffer, value: Buffer): Promise<void> {
    this.policy.append();
    // The decision is made before the write: this put is the synced one of its batch.
    const sync = this.policy.due();
    await this.db!.put(key, value, { sync });
    if (sync) {
      this.syncedWrites += 1;
      this.policy.synced();
    }
  }

  private async syncMarker(): Promise<void> {
    await this.db!.put(SYNC_MARKER_KEY, SYNC_MARKER_VALUE, { sync: true });
    this.markerWrites += 1;
    this.policy.synced();
  }

  async tick(): Promise<void> {
    if (this.policy.dueByTime()) await this.syncMarker();
  }

  async get(key: Buffer): Promise<Buffer | undefined> {
    const v = await this.db!.get(key);
    return v === undefined || v === null ? undefined : Buffer.from(v);
  }

  async close(): Promise<void> {
    if (!this.db) return;
    if (this.ctx.mode !== 'none' && this.policy.pending > 0) await this.syncMarker();
    await this.db.close();
    this.db = null;
  }

  stats() {
    return { syncedWrites: this.syncedWrites, syncMarkerWrites: this.markerWrites };
  }
}

export const leveldbEngine: EngineFactory = {
  name: 'leveldb',
  summary: 'LevelDB (classic-level, async API); WriteOptions.sync per write = sync, every Nth write synced = batch; its fsyncs bypass the io layer',
  modes: MODES,
  options: [],
  faults: [],
  markers: [],
  contract: 'async',
  availability: loadLevel,
  create: (ctx: EngineContext) => new LevelDbEngine(ctx),
};
