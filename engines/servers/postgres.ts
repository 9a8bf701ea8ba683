/**
 * `postgres`: PostgreSQL, one autocommit `INSERT … ON CONFLICT (k) DO UPDATE` per commit through pg
 * over a Unix socket (`listen_addresses` empty: no TCP). A fresh cluster per case (initdb, synced),
 * run as nobody when durabench is root (PostgreSQL refuses root). Modes (docs/real-servers.md
 * quotes https://www.postgresql.org/docs/15/runtime-config-wal.html and wal-async-commit.html):
 *
 *   sync  → synchronous_commit = on: the commit's WAL is flushed before the reply; every ack durable.
 *   batch → synchronous_commit = off: "The maximum delay is three times wal_writer_delay" — the
 *           declared window is 3 × `--pg-wal-writer-delay` (default 200 ms → 600 ms), against a
 *           server crash as well as a power cut (unflushed WAL sits in shared memory).
 *   none  → fsync = off: no WAL or data file is ever synced; nothing is promised.
 *
 * `--pg-wal-sync-method` (fdatasync, fsync, open_datasync, open_sync) and `--pg-full-page-writes`
 * pass through. `dynamic_shared_memory_type = mmap` keeps PostgreSQL's dynamic shared memory in
 * the data directory instead of /dev/shm.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Durability } from '../../model/durability.js';
import type { ServerEndpoint } from '../../model/server.js';
import { findProgram, postgresBinDirs, SERVER_ENV, unprivilegedUser, type ServerSpec } from '../server-spec.js';
import { MODES, type EngineContext, type EngineFactory, type EngineOptionValue } from '../types.js';
import { ServerClientEngine, type ServerConnection } from './client-engine.js';
import { CLIENT_TIMEOUT_MS, PROBE_TIMEOUT_MS, SERVER_BIN_OPTION } from './common.js';
import { client, loadClient } from './library.js';

const PACKAGE = 'pg';
const PORT = 5432;
const SOCKET = `.s.PGSQL.${PORT}`;

interface PgResult {
  rows: Record<string, unknown>[];
}
interface PgClient {
  connect(): Promise<void>;
  query(q: string | { name?: string; text: string; values?: unknown[] }): Promise<PgResult>;
  end(): Promise<void>;
  on(event: 'error', f: (e: Error) => void): void;
}
type PgCtor = new (options: Record<string, unknown>) => PgClient;

type Options = Readonly<Record<string, EngineOptionValue>>;

function settings(d: Durability, o: Options): [string, string][] {
  return [
    ['synchronous_commit', d.mode === 'batch' ? 'off' : 'on'],
    ['fsync', d.mode === 'none' ? 'off' : 'on'],
    ['wal_sync_method', String(o['pg-wal-sync-method'])],
    ['full_page_writes', o['pg-full-page-writes'] === false ? 'off' : 'on'],
    ['wal_writer_delay', `${Number(o['pg-wal-writer-delay'])}ms`],
  ];
}

async function open(endpoint: ServerEndpoint, timeoutMs: number): Promise<PgClient> {
  const Client = client<{ default: { Client: PgCtor } }>(PACKAGE).default.Client;
  // A host starting with '/' is the socket directory.
  const c = new Client({ host: endpoint.socketDir, port: PORT, user: 'postgres', database: 'postgres', connectionTimeoutMillis: timeoutMs, query_timeout: CLIENT_TIMEOUT_MS });
  c.on('error', () => {});
  await c.connect();
  return c;
}

export const postgresServer: ServerSpec = {
  aptPackage: 'postgresql',
  socketNames: [SOCKET, `${SOCKET}.lock`],
  locate(o) {
    const found = findProgram('postgres', String(o['server-bin'] ?? ''), postgresBinDirs(), 'postgresql');
    if (!found.found) return found;
    const initdb = path.join(path.dirname(found.bin), 'initdb');
    return fs.existsSync(initdb) ? found : { found: false, reason: `initdb is not next to ${found.bin}: install postgresql (apt-get install -y postgresql)` };
  },
  prepare(endpoint, bin) {
    const user = unprivilegedUser();
    fs.mkdirSync(endpoint.dataDir, { mode: 0o700 });
    if (user) fs.chownSync(endpoint.dataDir, user.uid, user.gid);
    return [
      {
        program: path.join(path.dirname(bin), 'initdb'),
        // Synced (no --no-sync): a power cut must find the cluster it started with.
        args: ['-D', endpoint.dataDir, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--locale=C', '--no-instructions'],
        cwd: endpoint.dataDir,
        env: SERVER_ENV,
        ...(user ? { user } : {}),
      },
    ];
  },
  launch(endpoint, bin, d, o) {
    const user = unprivilegedUser();
    return {
      program: bin,
      args: [
        '-D',
        endpoint.dataDir,
        '-c',
        'listen_addresses=',
        '-c',
        `unix_socket_directories=${endpoint.socketDir}`,
        '-c',
        `port=${PORT}`,
        '-c',
        'dynamic_shared_memory_type=mmap',
        ...settings(d, o).flatMap(([k, v]) => ['-c', `${k}=${v}`]),
      ],
      cwd: endpoint.dataDir,
      env: SERVER_ENV,
      ...(user ? { user } : {}),
    };
  },
  beforeCopyStart(endpoint) {
    // The copy's lock file names the frozen original postmaster, alive and of the same user:
    // PostgreSQL would refuse to start ("lock file postmaster.pid already exists"). After a real
    // power cut that pid would be gone; the file is a lock, not data.
    fs.rmSync(path.join(endpoint.dataDir, 'postmaster.pid'), { force: true });
    // Its socket lock file names the same pid ("Is another postmaster using socket file …?").
    fs.rmSync(path.join(endpoint.socketDir, `${SOCKET}.lock`), { force: true });
  },
  async ready(endpoint) {
    const c = await open(endpoint, PROBE_TIMEOUT_MS);
    try {
      // During crash recovery connections fail with 57P03 "the database system is starting up".
      return (await c.query('select 1 as x')).rows[0]?.['x'] === 1;
    } finally {
      await c.end().catch(() => {});
    }
  },
  async afterReady(endpoint) {
    const c = await open(endpoint, CLIENT_TIMEOUT_MS);
    try {
      await c.query('create table kv (k bytea primary key, v bytea not null)');
    } finally {
      await c.end().catch(() => {});
    }
  },
  // SIGINT = fast shutdown (SIGTERM, smart shutdown, would wait for the clients to leave).
  imageMib: 256,
  stopSignal: 'SIGINT',
  afterKill(endpoint) {
    // A killed postmaster leaves its small SysV segment until a postmaster starts on the same
    // directory; postmaster.pid line 7 is "key shmid". Removed when the directory is not restarted.
    const pidFile = path.join(endpoint.dataDir, 'postmaster.pid');
    let shmid: string | undefined;
    try {
      shmid = fs.readFileSync(pidFile, 'utf8').split('\n')[6]?.trim().split(/\s+/)[1];
    } catch {
      return [];
    }
    return shmid && /^\d+$/.test(shmid) ? [{ program: 'ipcrm', args: ['-m', shmid], cwd: '/', env: SERVER_ENV }] : [];
  },
  setting: (d, o) =>
    settings(d, o)
      .filter(([k]) => k === 'synchronous_commit' || k === 'fsync' || (k === 'wal_writer_delay' && d.mode === 'batch'))
      .map(([k, v]) => `${k}=${v}`)
      .join(', '),
  promise(d, o) {
    const doc = 'https://www.postgresql.org/docs/15/runtime-config-wal.html';
    if (d.mode === 'sync') return { windowMs: 0, source: `${doc} (synchronous_commit on)` };
    if (d.mode === 'batch') return { windowMs: 3 * Number(o['pg-wal-writer-delay']), source: `${doc} (synchronous_commit off: "The maximum delay is three times wal_writer_delay")` };
    return { windowMs: null, source: `${doc} (fsync off: "can result in unrecoverable data corruption")` };
  },
};

async function connect(endpoint: ServerEndpoint): Promise<ServerConnection> {
  const c = await open(endpoint, CLIENT_TIMEOUT_MS);
  return {
    async put(key, value) {
      await c.query({ name: 'put', text: 'insert into kv (k, v) values ($1, $2) on conflict (k) do update set v = excluded.v', values: [key, value] });
    },
    async get(key) {
      const r = await c.query({ name: 'get', text: 'select v from kv where k = $1', values: [key] });
      const v = r.rows[0]?.['v'];
      return v === undefined || v === null ? undefined : Buffer.from(v as Uint8Array);
    },
    async close() {
      await c.end().catch(() => {});
    },
  };
}

export const postgresEngine: EngineFactory = {
  name: 'postgres',
  summary: 'PostgreSQL server, one INSERT … ON CONFLICT per commit over a Unix socket; synchronous_commit on/off, fsync off = sync/batch/none',
  modes: MODES,
  options: [
    SERVER_BIN_OPTION,
    { name: 'pg-wal-sync-method', type: 'string', choices: ['fdatasync', 'fsync', 'open_datasync', 'open_sync'], default: 'fdatasync', describe: 'postgres: wal_sync_method' },
    { name: 'pg-full-page-writes', type: 'boolean', default: true, describe: 'postgres: full_page_writes (off risks torn pages after a power cut)' },
    { name: 'pg-wal-writer-delay', type: 'number', default: 200, min: 1, describe: 'postgres: wal_writer_delay in ms; batch mode declares 3 × this as its window' },
  ],
  faults: [],
  markers: [],
  contract: 'async',
  availability: () => loadClient(PACKAGE),
  server: postgresServer,
  create: (ctx: EngineContext) => new ServerClientEngine(ctx, postgresEngine, connect),
};
