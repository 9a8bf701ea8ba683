/**
 * `mariadb`: MariaDB (InnoDB), one autocommit `INSERT … ON DUPLICATE KEY UPDATE` per commit through
 * the mariadb connector over a Unix socket (`--skip-networking`: no TCP). `--no-defaults` comes
 * first, so no /etc/mysql configuration is read. The binary log is off (`--skip-log-bin`) unless
 * `--mariadb-binlog` turns it on, with `sync_binlog = 1` in sync mode. Modes →
 * `innodb_flush_log_at_trx_commit` (docs/real-servers.md quotes
 * https://mariadb.com/docs/server/ref/mdb/system-variables/innodb_flush_log_at_trx_commit):
 *
 *   sync  → 1: "flush to disk at each commit": every ack durable against both failures.
 *   batch → 2: "write to log at commit but flush to disk only once per second … can lose transactions
 *           if there is a power failure or kernel crash but not if mysqld crashes": every ack durable
 *           against a kill, a window of `innodb_flush_log_at_timeout` (1 s) against a power cut.
 *           `--mariadb-trx-commit 0` runs 0 in batch mode instead: "a server crash can erase the last
 *           second of transactions" — the 1 s window against both.
 *   none  → 0 as well, judged as none: no claims at all ("0 has no guarantees in case of crash").
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Durability } from '../../model/durability.js';
import type { ServerEndpoint } from '../../model/server.js';
import { findProgram, SERVER_ENV, type ServerSpec } from '../server-spec.js';
import { MODES, type EngineContext, type EngineFactory, type EngineOptionValue } from '../types.js';
import { ServerClientEngine, type ServerConnection } from './client-engine.js';
import { CLIENT_TIMEOUT_MS, PROBE_TIMEOUT_MS, SERVER_BIN_OPTION } from './common.js';
import { client, loadClient } from './library.js';

const PACKAGE = 'mariadb';
const SOCKET = 'mysqld.sock';
/** innodb_flush_log_at_timeout's default: the once-a-second log flush of values 0 and 2. */
const FLUSH_TIMEOUT_S = 1;

interface MariaConnection {
  query(sql: string, values?: unknown[]): Promise<unknown>;
  execute(sql: string, values?: unknown[]): Promise<unknown>;
  end(): Promise<void>;
  destroy(): void;
}
interface MariaModule {
  createConnection(options: Record<string, unknown>): Promise<MariaConnection>;
}

type Options = Readonly<Record<string, EngineOptionValue>>;

function trxCommit(d: Durability, o: Options): 0 | 1 | 2 {
  if (d.mode === 'sync') return 1;
  if (d.mode === 'none') return 0;
  return Number(o['mariadb-trx-commit']) === 0 ? 0 : 2;
}

async function open(endpoint: ServerEndpoint, timeoutMs: number): Promise<MariaConnection> {
  const m = client<MariaModule>(PACKAGE);
  return m.createConnection({ socketPath: path.join(endpoint.socketDir, SOCKET), user: 'root', connectTimeout: timeoutMs, queryTimeout: CLIENT_TIMEOUT_MS });
}

export const mariadbServer: ServerSpec = {
  aptPackage: 'mariadb-server',
  socketNames: [SOCKET],
  locate: (o) => {
    const found = findProgram('mariadbd', String(o['server-bin'] ?? ''), [], 'mariadb-server');
    if (!found.found) return found;
    const install = path.join(path.dirname(found.bin) === '/usr/sbin' ? '/usr/bin' : path.dirname(found.bin), 'mariadb-install-db');
    return fs.existsSync(install) ? found : { found: false, reason: `mariadb-install-db not found (${install}): install mariadb-server (apt-get install -y mariadb-server)` };
  },
  prepare(endpoint, bin) {
    fs.mkdirSync(endpoint.dataDir, { mode: 0o700 });
    const install = path.join(path.dirname(bin) === '/usr/sbin' ? '/usr/bin' : path.dirname(bin), 'mariadb-install-db');
    const root = process.getuid?.() === 0;
    return [
      {
        program: install,
        args: [
          '--no-defaults',
          `--datadir=${endpoint.dataDir}`,
          ...(root ? ['--user=root'] : []),
          '--auth-root-authentication-method=normal',
          '--skip-test-db',
          '--skip-name-resolve',
          `--tmpdir=${endpoint.dataDir}`,
          // A smaller redo log: the lab's images stay small (96 MiB is the default).
          '--innodb-log-file-size=16M',
        ],
        cwd: endpoint.dataDir,
        env: SERVER_ENV,
      },
    ];
  },
  launch(endpoint, bin, d, o) {
    const binlog = o['mariadb-binlog'] === true;
    return {
      program: bin,
      args: [
        '--no-defaults',
        ...(process.getuid?.() === 0 ? ['--user=root'] : []),
        `--datadir=${endpoint.dataDir}`,
        `--socket=${path.join(endpoint.socketDir, SOCKET)}`,
        '--skip-networking',
        `--pid-file=${path.join(endpoint.dataDir, 'mysqld.pid')}`,
        `--tmpdir=${endpoint.dataDir}`,
        '--innodb-log-file-size=16M',
        ...(binlog ? [`--log-bin=${path.join(endpoint.dataDir, 'binlog')}`, `--sync-binlog=${d.mode === 'sync' ? 1 : 0}`] : ['--skip-log-bin']),
        `--innodb-flush-log-at-trx-commit=${trxCommit(d, o)}`,
        `--innodb-flush-log-at-timeout=${FLUSH_TIMEOUT_S}`,
      ],
      cwd: endpoint.dataDir,
      env: SERVER_ENV,
    };
  },
  beforeStart(endpoint) {
    fs.rmSync(path.join(endpoint.socketDir, SOCKET), { force: true });
  },
  async ready(endpoint) {
    const c = await open(endpoint, PROBE_TIMEOUT_MS);
    try {
      const rows = (await c.query('select 1 as x')) as { x: number }[];
      return Number(rows[0]?.x) === 1;
    } finally {
      await c.end().catch(() => c.destroy());
    }
  },
  async afterReady(endpoint) {
    const c = await open(endpoint, CLIENT_TIMEOUT_MS);
    try {
      await c.query('create database durabench');
      await c.query('create table durabench.kv (k varbinary(255) primary key, v longblob not null) engine=InnoDB');
    } finally {
      await c.end().catch(() => c.destroy());
    }
  },
  // SIGTERM: normal shutdown, exit 0.
  imageMib: 256,
  stopSignal: 'SIGTERM',
  setting: (d, o) => `innodb_flush_log_at_trx_commit=${trxCommit(d, o)}${o['mariadb-binlog'] === true ? `, sync_binlog=${d.mode === 'sync' ? 1 : 0}` : ''}`,
  promise(d, o, failure) {
    const doc = 'https://mariadb.com/docs/server/ref/mdb/system-variables/innodb_flush_log_at_trx_commit';
    const v = trxCommit(d, o);
    if (d.mode === 'none') return { windowMs: null, source: `${doc} (0: "no guarantees in case of crash")` };
    if (v === 1) return { windowMs: 0, source: `${doc} (1: "flush to disk at each commit")` };
    if (v === 2 && failure === 'kill') return { windowMs: 0, source: `${doc} (2: can lose transactions on a power failure or kernel crash "but not if mysqld crashes")` };
    return { windowMs: FLUSH_TIMEOUT_S * 1000, source: `${doc} (${v}: the log is flushed once per second, innodb_flush_log_at_timeout = ${FLUSH_TIMEOUT_S})` };
  },
};

async function connect(endpoint: ServerEndpoint): Promise<ServerConnection> {
  const c = await open(endpoint, CLIENT_TIMEOUT_MS);
  return {
    async put(key, value) {
      await c.execute('insert into durabench.kv (k, v) values (?, ?) on duplicate key update v = values(v)', [key, value]);
    },
    async get(key) {
      const rows = (await c.execute('select v from durabench.kv where k = ?', [key])) as { v: Buffer }[];
      const v = rows[0]?.v;
      return v === undefined || v === null ? undefined : Buffer.from(v);
    },
    async close() {
      await c.end().catch(() => c.destroy());
    },
  };
}

export const mariadbEngine: EngineFactory = {
  name: 'mariadb',
  summary: 'MariaDB server (InnoDB), one INSERT … ON DUPLICATE KEY UPDATE per commit over a Unix socket; innodb_flush_log_at_trx_commit 1/2/0 = sync/batch/none',
  modes: MODES,
  options: [
    SERVER_BIN_OPTION,
    { name: 'mariadb-trx-commit', type: 'number', default: 2, min: 0, describe: 'mariadb: innodb_flush_log_at_trx_commit in batch mode, 2 (durable against a server crash) or 0' },
    { name: 'mariadb-binlog', type: 'boolean', default: false, describe: 'mariadb: turn the binary log on (sync_binlog = 1 in sync mode, 0 otherwise)' },
  ],
  faults: [],
  markers: [],
  contract: 'async',
  check: (_mode, o) => (Number(o['mariadb-trx-commit']) === 0 || Number(o['mariadb-trx-commit']) === 2 ? null : `--mariadb-trx-commit must be 2 or 0 (batch mode); got ${String(o['mariadb-trx-commit'])}`),
  availability: () => loadClient(PACKAGE),
  server: mariadbServer,
  create: (ctx: EngineContext) => new ServerClientEngine(ctx, mariadbEngine, connect),
};
