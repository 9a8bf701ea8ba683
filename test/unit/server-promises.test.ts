/**
 * Server engines, the pure parts: each setting's documented promise (declared window per crash
 * kind), durability declared by time (a fake clock), finding binaries with the apt package in the
 * reason, and how the servers table words a loss against the promise.
 */
import assert from 'node:assert/strict';
import os from 'node:os';
import { test } from 'node:test';
import { findProgram, WindowClaims } from '../../engines/server-spec.js';
import { etcdEngine } from '../../engines/servers/etcd.js';
import { mariadbEngine } from '../../engines/servers/mariadb.js';
import { postgresEngine } from '../../engines/servers/postgres.js';
import { redisEngine } from '../../engines/servers/redis.js';
import type { EngineFactory } from '../../engines/types.js';
import type { CrashSummary } from '../../model/crash-report.js';
import type { Durability } from '../../model/durability.js';
import { againstPromise, promiseText } from '../../reports/render/servers.js';

const SYNC: Durability = { mode: 'sync' };
const BATCH: Durability = { mode: 'batch', batchSize: 1, batchMs: null };
const NONE: Durability = { mode: 'none' };

function defaults(f: EngineFactory): Record<string, number | string | boolean> {
  return Object.fromEntries(f.options.map((o) => [o.name, o.default]));
}

function window(f: EngineFactory, d: Durability, failure: 'kill' | 'power', options: Record<string, number | string | boolean> = {}): number | null {
  return f.server!.promise(d, { ...defaults(f), ...options }, failure).windowMs;
}

test('each setting declares its documented window, against the crash kind that ran', () => {
  for (const f of [redisEngine, postgresEngine, mariadbEngine, etcdEngine]) {
    assert.equal(window(f, SYNC, 'kill'), 0, `${f.name} sync promises every ack`);
    assert.equal(window(f, SYNC, 'power'), 0);
    assert.equal(window(f, NONE, 'power'), null, `${f.name} none promises nothing`);
  }
  // redis everysec: 1 s documented, 2 s when an fsync is still running (src/aof.c).
  assert.equal(window(redisEngine, BATCH, 'power'), 2000);
  // postgres synchronous_commit=off: three times wal_writer_delay.
  assert.equal(window(postgresEngine, BATCH, 'kill'), 600);
  assert.equal(window(postgresEngine, BATCH, 'power', { 'pg-wal-writer-delay': 50 }), 150);
  // mariadb 2: durable against a server crash, one second against a power cut; 0: one second against both.
  assert.equal(window(mariadbEngine, BATCH, 'kill'), 0);
  assert.equal(window(mariadbEngine, BATCH, 'power'), 1000);
  assert.equal(window(mariadbEngine, BATCH, 'kill', { 'mariadb-trx-commit': 0 }), 1000);
  assert.equal(mariadbEngine.server!.setting(BATCH, { ...defaults(mariadbEngine), 'mariadb-trx-commit': 0 }), 'innodb_flush_log_at_trx_commit=0');
  assert.match(mariadbEngine.check!('batch', { ...defaults(mariadbEngine), 'mariadb-trx-commit': 1 })!, /--mariadb-trx-commit must be 2 or 0/);
  assert.equal(redisEngine.server!.setting(BATCH, defaults(redisEngine)), 'appendonly yes, appendfsync everysec');
  for (const f of [redisEngine, postgresEngine, mariadbEngine, etcdEngine]) {
    for (const d of f.modes.map((m) => (m === 'batch' ? BATCH : m === 'sync' ? SYNC : NONE))) assert.match(f.server!.promise(d, defaults(f), 'power').source, /\S/, 'every promise names its source');
  }
});

test('the server command lines never listen on TCP and read no system configuration', () => {
  const ep = { dataDir: '/x/data', socketDir: '/x', failure: 'power' as const };
  const argsOf = (f: EngineFactory, d: Durability): string[] => [...f.server!.launch(ep, '/bin/true', d, defaults(f)).args];
  assert.deepEqual(argsOf(redisEngine, BATCH).slice(0, 2), ['--port', '0']);
  assert.ok(argsOf(redisEngine, SYNC).includes('always') && argsOf(redisEngine, NONE).includes('no'));
  assert.ok(argsOf(postgresEngine, SYNC).includes('listen_addresses='));
  assert.ok(argsOf(postgresEngine, NONE).includes('fsync=off'));
  assert.equal(argsOf(mariadbEngine, SYNC)[0], '--no-defaults', '--no-defaults must come first');
  assert.ok(argsOf(mariadbEngine, SYNC).includes('--skip-networking'));
  assert.ok(argsOf(mariadbEngine, SYNC).includes('--innodb-flush-log-at-trx-commit=1'));
  assert.ok(argsOf(etcdEngine, SYNC).every((a) => !a.startsWith('http')));
  assert.ok(argsOf(etcdEngine, NONE).includes('--unsafe-no-fsync') && !argsOf(etcdEngine, SYNC).includes('--unsafe-no-fsync'));
});

test('declared durability by time: acks become durable once their window has passed', () => {
  let now = 0n;
  const claims: number[] = [];
  const w = new WindowClaims(100, () => now, (n) => claims.push(n));
  w.ack(); // t = 0
  now = 50_000_000n;
  w.ack(); // t = 50 ms
  w.settle();
  assert.deepEqual(claims, []);
  now = 100_000_000n;
  w.settle();
  assert.deepEqual(claims, [1]);
  now = 149_999_999n;
  w.settle();
  assert.deepEqual(claims, [1]);
  now = 150_000_000n;
  w.settle();
  assert.deepEqual(claims, [1, 2]);
  // Many acks: the count stays absolute across the internal trimming.
  for (let i = 0; i < 10_000; i++) w.ack();
  now += 100_000_000n;
  w.settle();
  assert.equal(claims.at(-1), 10_002);
});

test('a missing server binary names the apt package and --server-bin', () => {
  const saved = process.env['PATH'];
  process.env['PATH'] = os.tmpdir();
  try {
    const l = findProgram('durabench-no-such-server', '', ['/nonexistent/bin'], 'some-server-package');
    assert.equal(l.found, false);
    assert.match(!l.found ? l.reason : '', /apt-get install -y some-server-package.*--server-bin/);
    const given = findProgram('redis-server', '/nonexistent/redis-server', [], 'redis-server');
    assert.match(!given.found ? given.reason : '', /--server-bin \/nonexistent\/redis-server: no executable redis-server/);
  } finally {
    process.env['PATH'] = saved;
  }
});

test('the servers table words a loss against the promise', () => {
  const s = (o: Partial<CrashSummary>): CrashSummary => ({ trialsVerified: 2, lostMax: 0, lostDeclaredMax: 0, lossWindowMsMax: 0, ...o }) as CrashSummary;
  assert.equal(promiseText({ windowMs: 0, source: '' }), 'every ack');
  assert.equal(promiseText({ windowMs: 600, source: '' }), '≤ 600 ms');
  assert.equal(promiseText({ windowMs: null, source: '' }), 'nothing');
  assert.equal(againstPromise({ windowMs: 600, source: '' }, s({ lostMax: 12, lossWindowMsMax: 140 })), 'within');
  assert.equal(againstPromise({ windowMs: 600, source: '' }, s({ lostMax: 30, lostDeclaredMax: 4, lossWindowMsMax: 812 })), '4 lost beyond the window (oldest 812 ms, +212 ms)');
  assert.equal(againstPromise({ windowMs: 0, source: '' }, s({ lostMax: 1, lostDeclaredMax: 1 })), '1 promised commit(s) lost');
  assert.equal(againstPromise({ windowMs: null, source: '' }, s({ lostMax: 9 })), 'no promise');
  assert.equal(againstPromise({ windowMs: 0, source: '' }, s({ trialsVerified: 0 })), 'not measured');
});
