/**
 * `sqlite`: SQLite through better-sqlite3 (synchronous API, so `contract: 'sync'` and exact timing).
 * One table `kv (k BLOB PRIMARY KEY, v BLOB) WITHOUT ROWID`; every put is one autocommit
 * `INSERT OR REPLACE`, i.e. one SQLite transaction. `--journal wal|delete` picks the journal mode.
 *
 * Modes → `PRAGMA synchronous` (docs/real-engines.md cites SQLite's documentation for each claim):
 *
 *   sync  → FULL (EXTRA with --sqlite-extra). Every commit is durable when it returns: durable(n)
 *           after every put.
 *   batch → NORMAL. What NORMAL promises depends on the journal mode, and so do our claims:
 *           WAL:    commits are not synced; the WAL is synced before each checkpoint and the database
 *                   after it. The engine turns auto-checkpoint off and runs `wal_checkpoint(PASSIVE)`
 *                   itself every `batchSize` commits (and at `batchMs`), timed as the `checkpoint`
 *                   phase; only a completed checkpoint declares the commits before it durable.
 *           DELETE: NORMAL still syncs the journal and the database file at every commit (it skips
 *                   only FULL's second journal-header sync), so every commit is declared durable as
 *                   it returns; `batchSize` has nothing to group.
 *   none  → OFF: no sync at all, no claims.
 *
 * WAL checkpoints in sync and none mode: with `--sqlite-checkpoint-commits N` (default 1000) the
 * engine runs them itself every N commits, timed as the `checkpoint` phase, so their stalls show in
 * the phase latency and in commit latency during phases; with 0 SQLite's own auto-checkpoint
 * (1000 pages) runs inside some commit and shows only as a commit latency spike.
 *
 * SQLite does its own file I/O: its fsyncs do not pass through the io layer, so this engine's sync
 * latency and syncs/commit columns stay empty. Commit latency includes them.
 */
import fs from 'node:fs';
import path from 'node:path';
import { SyncPolicy } from '../sync-policy.js';
import { emptyRecovery, MODES, type Engine, type EngineContext, type EngineFactory, type RecoveryReport } from '../types.js';
import { loadSqlite, sqliteDatabase, type SqliteDatabase, type SqliteStatement } from './library.js';

const FILE = 'kv.sqlite';

type Journal = 'wal' | 'delete';

class SqliteEngine implements Engine {
  private readonly journal: Journal;
  private readonly file: string;
  private readonly policy: SyncPolicy;
  /** Durability comes from engine-run checkpoints (WAL + NORMAL). */
  private readonly checkpointIsSync: boolean;
  /** In sync/none WAL mode: run a checkpoint every this many commits (0 = SQLite's auto-checkpoint). */
  private readonly checkpointEvery: number;
  private db: SqliteDatabase | null = null;
  private putStmt: SqliteStatement | null = null;
  private getStmt: SqliteStatement | null = null;
  private commits = 0;
  private sinceCheckpoint = 0;
  private checkpoints = 0;
  private checkpointedFrames = 0;
  private incompleteCheckpoints = 0;

  constructor(private readonly ctx: EngineContext) {
    this.journal = String(ctx.options['journal']) as Journal;
    this.file = path.join(ctx.dir, FILE);
    this.checkpointIsSync = ctx.mode === 'batch' && this.journal === 'wal';
    // DELETE + NORMAL syncs every commit, so its claims are those of a per-commit sync policy.
    this.policy = ctx.mode === 'batch' && this.journal === 'delete' ? new SyncPolicy({ mode: 'sync' }, ctx.durability, ctx.clockNs) : SyncPolicy.fromContext(ctx);
    this.checkpointEvery = this.journal === 'wal' && !this.checkpointIsSync ? Number(ctx.options['sqlite-checkpoint-commits']) : 0;
  }

  private synchronous(): string {
    switch (this.ctx.mode) {
      case 'sync':
        return this.ctx.options['sqlite-extra'] === true ? 'EXTRA' : 'FULL';
      case 'batch':
        return 'NORMAL';
      case 'none':
        return 'OFF';
      default:
        // delay and pipelined run only on a shared log, which sqlite does not declare.
        throw new Error(`sqlite has no ${this.ctx.mode} mode`);
    }
  }

  open(): RecoveryReport {
    const report = emptyRecovery();
    const existed = fs.existsSync(this.file);
    // What SQLite will recover from when it opens: a WAL or a hot rollback journal left by a crash.
    for (const suffix of ['-wal', '-journal']) {
      const p = this.file + suffix;
      if (fs.existsSync(p) && fs.statSync(p).size > 0) report.notes.push(`found ${FILE}${suffix} (${fs.statSync(p).size} bytes) at open`);
    }
    const t0 = this.ctx.clockNs();
    const Database = sqliteDatabase();
    const db = new Database(this.file);
    this.db = db;
    const mode = String(db.pragma(`journal_mode = ${this.journal.toUpperCase()}`, { simple: true })).toLowerCase();
    if (mode !== this.journal) throw new Error(`sqlite: journal_mode ${this.journal} was refused (SQLite kept ${mode})`);
    db.pragma(`synchronous = ${this.synchronous()}`);
    // We checkpoint ourselves unless asked to leave it to SQLite (see the header comment).
    if (this.journal === 'wal' && (this.checkpointIsSync || this.checkpointEvery > 0)) db.pragma('wal_autocheckpoint = 0');
    db.exec('CREATE TABLE IF NOT EXISTS kv (k BLOB PRIMARY KEY, v BLOB NOT NULL) WITHOUT ROWID');
    this.putStmt = db.prepare('INSERT OR REPLACE INTO kv (k, v) VALUES (?, ?)');
    this.getStmt = db.prepare('SELECT v FROM kv WHERE k = ?').pluck();
    if (existed) {
      const check = String(db.pragma('quick_check', { simple: true }));
      if (check !== 'ok') {
        report.crcFailures = 1;
        report.notes.push(`PRAGMA quick_check: ${check}`);
      }
      report.recordsRecovered = Number(db.prepare('SELECT count(*) FROM kv').pluck().get());
      this.ctx.recordPhase('recovery', Number(this.ctx.clockNs() - t0));
    }
    return report;
  }

  put(key: Buffer, value: Buffer): void {
    this.putStmt!.run(key, value);
    this.commits += 1;
    this.policy.append();
    if (this.checkpointIsSync) {
      if (this.policy.due()) this.checkpoint();
      return;
    }
    // sync (FULL/EXTRA), or DELETE + NORMAL: SQLite synced this commit before returning.
    if (this.policy.due()) this.policy.synced();
    if (this.checkpointEvery > 0 && ++this.sinceCheckpoint >= this.checkpointEvery) this.checkpoint();
  }

  /**
   * `PRAGMA wal_checkpoint(PASSIVE)`, timed as the `checkpoint` phase. With NORMAL it syncs the WAL
   * before copying and the database after, so a complete checkpoint makes every commit durable.
   */
  private checkpoint(): void {
    const t0 = this.ctx.clockNs();
    const row = this.db!.pragma('wal_checkpoint(PASSIVE)') as { busy: number; log: number; checkpointed: number }[];
    this.ctx.recordPhase('checkpoint', Number(this.ctx.clockNs() - t0));
    this.checkpoints += 1;
    this.sinceCheckpoint = 0;
    const r = row[0];
    const complete = r !== undefined && r.busy === 0 && r.checkpointed === r.log;
    if (r) this.checkpointedFrames += Math.max(0, r.checkpointed);
    if (!complete) {
      // Never claim what SQLite did not do: an incomplete checkpoint makes no commit durable.
      this.incompleteCheckpoints += 1;
      return;
    }
    if (this.checkpointIsSync) this.policy.synced();
  }

  tick(): void {
    if (this.checkpointIsSync && this.policy.dueByTime()) this.checkpoint();
  }

  get(key: Buffer): Buffer | undefined {
    const v = this.getStmt!.get(key);
    return v === undefined || v === null ? undefined : Buffer.from(v as Uint8Array);
  }

  close(): void {
    if (!this.db) return;
    if (this.checkpointIsSync && this.policy.pending > 0) this.checkpoint();
    this.db.close();
    this.db = null;
  }

  stats() {
    return {
      commits: this.commits,
      checkpoints: this.checkpoints,
      checkpointedFrames: this.checkpointedFrames,
      incompleteCheckpoints: this.incompleteCheckpoints,
    };
  }
}

export const sqliteEngine: EngineFactory = {
  name: 'sqlite',
  summary: 'SQLite (better-sqlite3), one row per commit; synchronous FULL/NORMAL/OFF = sync/batch/none; its fsyncs bypass the io layer',
  modes: MODES,
  options: [
    { name: 'journal', type: 'string', choices: ['wal', 'delete'], default: 'wal', describe: 'sqlite: journal_mode (WAL or rollback journal)' },
    {
      name: 'sqlite-extra',
      type: 'boolean',
      default: false,
      describe: 'sqlite: in sync mode use synchronous=EXTRA (also syncs the directory after deleting the rollback journal)',
    },
    {
      name: 'sqlite-checkpoint-commits',
      type: 'number',
      default: 1000,
      min: 0,
      max: 1_000_000_000,
      integer: true,
      describe: 'sqlite: WAL, sync/none mode: run a timed checkpoint every N commits (0 = SQLite auto-checkpoint, untimed)',
    },
  ],
  faults: [],
  markers: [],
  contract: 'sync',
  availability: loadSqlite,
  create: (ctx: EngineContext) => new SqliteEngine(ctx),
};
