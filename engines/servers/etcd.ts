/**
 * `etcd`: a single-member etcd, one KV put per commit through its HTTP/JSON gateway (`/v3/kv/put`)
 * over a Unix socket — no npm dependency. Client and peer URLs are `unix://` sockets in the socket
 * directory (etcd resolves the URL's host part against its working directory), so nothing listens
 * on TCP. A short election timeout lets a restarted member lead again in ~0.1 s instead of 1–2 s.
 *
 * Modes (docs/real-servers.md):
 *   sync → the default: etcd syncs its WAL before it acknowledges a proposal
 *          (https://etcd.io/docs/v3.4/tuning/: "etcd must persist proposals to its log"); every ack durable.
 *   none → `--unsafe-no-fsync`: "Disables fsync, unsafe, will cause data loss." (etcdmain/config.go,
 *          CHANGELOG-3.4 v3.4.10); no claims.
 * etcd has no batch setting.
 *
 * Every request has a timeout: a member without a leader never answers.
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { ServerEndpoint } from '../../model/server.js';
import { findProgram, SERVER_ENV, type ServerSpec } from '../server-spec.js';
import type { EngineContext, EngineFactory } from '../types.js';
import { ServerClientEngine, type ServerConnection } from './client-engine.js';
import { CLIENT_TIMEOUT_MS, PROBE_TIMEOUT_MS, SERVER_BIN_OPTION } from './common.js';

const CLIENT_SOCKET = 'client.sock:0';
const PEER_SOCKET = 'peer.sock:0';

interface Gateway {
  call(method: string, urlPath: string, body?: unknown): Promise<Record<string, unknown>>;
  close(): void;
}

function gateway(endpoint: ServerEndpoint, timeoutMs: number): Gateway {
  // One keep-alive connection per writer.
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const socketPath = path.join(endpoint.socketDir, CLIENT_SOCKET);
  return {
    call: (method, urlPath, body) =>
      new Promise((resolve, reject) => {
        const data = body === undefined ? undefined : JSON.stringify(body);
        const req = http.request(
          { socketPath, agent, method, path: urlPath, headers: data ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) } : {} },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => {
              const text = Buffer.concat(chunks).toString('utf8');
              if (res.statusCode !== 200) return reject(new Error(`etcd answered ${res.statusCode}: ${text.slice(0, 200)}`));
              try {
                resolve(JSON.parse(text) as Record<string, unknown>);
              } catch (err) {
                reject(err as Error);
              }
            });
          },
        );
        req.setTimeout(timeoutMs, () => req.destroy(new Error(`etcd did not answer within ${timeoutMs} ms`)));
        req.on('error', reject);
        req.end(data);
      }),
    close: () => agent.destroy(),
  };
}

export const etcdServer: ServerSpec = {
  aptPackage: 'etcd-server',
  socketNames: [CLIENT_SOCKET, PEER_SOCKET],
  locate: (o) => findProgram('etcd', String(o['server-bin'] ?? ''), [], 'etcd-server'),
  prepare(endpoint) {
    fs.mkdirSync(endpoint.dataDir, { mode: 0o700 });
    return [];
  },
  launch(endpoint, bin, d) {
    const c = `unix://${CLIENT_SOCKET}`;
    const p = `unix://${PEER_SOCKET}`;
    return {
      program: bin,
      args: [
        '--name', 'durabench',
        '--data-dir', endpoint.dataDir,
        '--listen-client-urls', c,
        '--advertise-client-urls', c,
        '--listen-peer-urls', p,
        '--initial-advertise-peer-urls', p,
        '--initial-cluster', `durabench=${p}`,
        '--initial-cluster-state', 'new',
        '--logger', 'zap',
        '--log-outputs', 'stderr',
        '--log-level', 'warn',
        '--heartbeat-interval', '10',
        '--election-timeout', '100',
        ...(d.mode === 'none' ? ['--unsafe-no-fsync'] : []),
      ],
      cwd: endpoint.socketDir,
      env: SERVER_ENV,
    };
  },
  beforeStart(endpoint) {
    // etcd does not remove stale socket files: a restart after a kill would fail with "address already in use".
    for (const s of [CLIENT_SOCKET, PEER_SOCKET]) fs.rmSync(path.join(endpoint.socketDir, s), { force: true });
  },
  async ready(endpoint) {
    const g = gateway(endpoint, PROBE_TIMEOUT_MS);
    try {
      return (await g.call('GET', '/health'))['health'] === 'true';
    } finally {
      g.close();
    }
  },
  readyTimeoutMs: 20_000,
  // SIGTERM: etcd exits by the signal after a clean stop and removes its sockets.
  imageMib: 192,
  stopSignal: 'SIGTERM',
  setting: (d) => (d.mode === 'none' ? '--unsafe-no-fsync' : 'default (WAL fsync per proposal)'),
  promise(d) {
    if (d.mode === 'none') return { windowMs: null, source: 'etcd --unsafe-no-fsync: "Disables fsync, unsafe, will cause data loss." (etcdmain/config.go)' };
    return { windowMs: 0, source: 'https://etcd.io/docs/v3.4/tuning/ ("etcd must persist proposals to its log")' };
  },
};

const b64 = (b: Buffer): string => b.toString('base64');

async function connect(endpoint: ServerEndpoint): Promise<ServerConnection> {
  const g = gateway(endpoint, CLIENT_TIMEOUT_MS);
  return {
    async put(key, value) {
      const r = await g.call('POST', '/v3/kv/put', { key: b64(key), value: b64(value) });
      if (r['header'] === undefined) throw new Error(`etcd put answered without a header: ${JSON.stringify(r).slice(0, 200)}`);
    },
    async get(key) {
      const r = await g.call('POST', '/v3/kv/range', { key: b64(key) });
      const kvs = r['kvs'] as { value?: string }[] | undefined;
      const v = kvs?.[0]?.value;
      return kvs?.[0] === undefined ? undefined : Buffer.from(v ?? '', 'base64');
    },
    async close() {
      g.close();
    },
  };
}

export const etcdEngine: EngineFactory = {
  name: 'etcd',
  summary: 'etcd server (single member), one KV put per commit over its HTTP/JSON gateway on a Unix socket; default = sync, --unsafe-no-fsync = none',
  modes: ['sync', 'none'],
  options: [SERVER_BIN_OPTION],
  faults: [],
  markers: [],
  contract: 'async',
  server: etcdServer,
  create: (ctx: EngineContext) => new ServerClientEngine(ctx, etcdEngine, connect),
};
