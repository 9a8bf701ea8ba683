/**
 * `redis`: Redis with its append-only file, one `SET key value` per commit through ioredis over a
 * Unix socket (no TCP listener: `--port 0`). RDB snapshots are off (`--save ''`) unless
 * `--redis-rdb` asks for Redis's default schedule. Modes → `appendfsync` (docs/real-servers.md
 * quotes https://redis.io/docs/latest/operate/oss_and_stack/management/persistence/):
 *
 *   sync  → always:   "fsync every time new commands are appended to the AOF … a single write and a
 *                      single fsync (before sending the replies)": every ack is declared durable.
 *   batch → everysec: "you may lose 1 second of data"; when a background fsync is still running,
 *                      src/aof.c flushAppendOnlyFile() postpones the write itself for up to two
 *                      seconds ("we can't wait over two seconds"), so the declared window is 2000 ms.
 *   none  → no:       "Never fsync, just put your data in the hands of the Operating System": no claims.
 *
 * The client never reconnects, queues offline or resends (ioredis would otherwise replay a command
 * that was in flight at a crash against the restarted server).
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { Durability } from '../../model/durability.js';
import type { ServerEndpoint } from '../../model/server.js';
import { findProgram, SERVER_ENV, type ServerSpec } from '../server-spec.js';
import { MODES, type EngineContext, type EngineFactory } from '../types.js';
import { ServerClientEngine, type ServerConnection } from './client-engine.js';
import { CLIENT_TIMEOUT_MS, PROBE_TIMEOUT_MS, SERVER_BIN_OPTION } from './common.js';
import { client, loadClient } from './library.js';

const PACKAGE = 'ioredis';
const SOCKET = 'redis.sock';
/** The everysec bound: 1 s documented, 2 s when fsync is slow (src/aof.c). */
const EVERYSEC_WINDOW_MS = 2000;

interface RedisClient {
  connect(): Promise<void>;
  set(key: Buffer, value: Buffer): Promise<string>;
  getBuffer(key: Buffer): Promise<Buffer | null>;
  quit(): Promise<string>;
  disconnect(): void;
  on(event: 'error', f: (e: Error) => void): void;
}
type RedisCtor = new (options: Record<string, unknown>) => RedisClient;

function appendfsync(d: Durability): 'always' | 'everysec' | 'no' {
  return d.mode === 'sync' ? 'always' : d.mode === 'batch' ? 'everysec' : 'no';
}

/** RESP `PING` over the socket: `+PONG` is ready; during AOF replay Redis answers `-LOADING`. */
function ping(socket: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(socket);
    let buf = '';
    const done = (v: boolean): void => {
      s.destroy();
      resolve(v);
    };
    s.setTimeout(PROBE_TIMEOUT_MS, () => done(false));
    s.on('error', () => done(false));
    s.on('connect', () => s.write('PING\r\n'));
    s.on('data', (d) => {
      buf += d.toString('latin1');
      if (buf.includes('\r\n')) done(buf.startsWith('+PONG'));
    });
  });
}

export const redisServer: ServerSpec = {
  aptPackage: 'redis-server',
  socketNames: [SOCKET],
  locate: (o) => findProgram('redis-server', String(o['server-bin'] ?? ''), [], 'redis-server'),
  prepare(endpoint) {
    fs.mkdirSync(endpoint.dataDir, { mode: 0o700 });
    return [];
  },
  launch(endpoint, bin, d, o) {
    return {
      program: bin,
      // No config file: /etc/redis/redis.conf is never read.
      args: [
        '--port', '0',
        '--unixsocket', path.join(endpoint.socketDir, SOCKET),
        '--unixsocketperm', '700',
        '--dir', endpoint.dataDir,
        '--daemonize', 'no',
        '--logfile', '',
        '--save', o['redis-rdb'] === true ? '3600 1 300 100 60 10000' : '',
        '--appendonly', 'yes',
        '--appendfsync', appendfsync(d),
        '--appenddirname', 'appendonlydir',
        // A crash may tear the AOF's last command: Redis truncates it and starts (the default).
        '--aof-load-truncated', 'yes',
      ],
      cwd: endpoint.dataDir,
      env: SERVER_ENV,
    };
  },
  beforeStart(endpoint) {
    fs.rmSync(path.join(endpoint.socketDir, SOCKET), { force: true });
  },
  ready: (endpoint) => ping(path.join(endpoint.socketDir, SOCKET)),
  // SIGTERM = SHUTDOWN: a final AOF fsync, no RDB save (save ''), exit 0.
  imageMib: 64,
  stopSignal: 'SIGTERM',
  setting: (d) => `appendonly yes, appendfsync ${appendfsync(d)}`,
  promise(d) {
    const doc = 'https://redis.io/docs/latest/operate/oss_and_stack/management/persistence/';
    if (d.mode === 'sync') return { windowMs: 0, source: `${doc} (appendfsync always: fsync before sending the replies)` };
    if (d.mode === 'batch') return { windowMs: EVERYSEC_WINDOW_MS, source: `${doc} (everysec: "you may lose 1 second of data"); src/aof.c postpones writes up to 2 s while an fsync runs` };
    return { windowMs: null, source: `${doc} (appendfsync no: "Never fsync")` };
  },
};

async function connect(endpoint: ServerEndpoint): Promise<ServerConnection> {
  const Redis = client<{ default: RedisCtor }>(PACKAGE).default;
  const r = new Redis({
    path: path.join(endpoint.socketDir, SOCKET),
    lazyConnect: true,
    retryStrategy: () => null,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    autoResendUnfulfilledCommands: false,
    reconnectOnError: () => false,
    connectTimeout: CLIENT_TIMEOUT_MS,
    commandTimeout: CLIENT_TIMEOUT_MS,
  });
  r.on('error', () => {});
  await r.connect();
  return {
    async put(key, value) {
      const reply = await r.set(key, value);
      if (reply !== 'OK') throw new Error(`redis SET answered ${reply}`);
    },
    async get(key) {
      return (await r.getBuffer(key)) ?? undefined;
    },
    async close() {
      try {
        await r.quit();
      } catch {
        r.disconnect();
      }
    },
  };
}

export const redisEngine: EngineFactory = {
  name: 'redis',
  summary: 'Redis server (AOF), one SET per commit over a Unix socket; appendfsync always/everysec/no = sync/batch/none',
  modes: MODES,
  options: [SERVER_BIN_OPTION, { name: 'redis-rdb', type: 'boolean', default: false, describe: "redis: keep RDB snapshots on (Redis's default save schedule); off by default" }],
  faults: [],
  markers: [],
  contract: 'async',
  availability: () => loadClient(PACKAGE),
  server: redisServer,
  create: (ctx: EngineContext) => new ServerClientEngine(ctx, redisEngine, connect),
};
