/**
 * A database server's life under durabench, with the real CLI and a real server (redis, the
 * quickest to start): the run's server is gone after SIGTERM, with nothing left in the target; a
 * server a SIGKILLed durabench left behind is found by its record and stopped; a missing binary
 * makes the case skipped with the reason; `durabench engines` says where each server is.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { serverUnavailable } from '../coordinator/servers.js';
import { engineAvailability } from '../engines/registry.js';
import { redisEngine } from '../engines/servers/redis.js';
import { killServerTree, orphanServers, SERVER_RECORD, waitGoneSync, type ServerRecord } from '../workspace/server-process.js';
import { runCli, startCli } from './helpers/cli.js';
import { unsearchableAncestor } from '../coordinator/servers.js';
import { tempDir } from './helpers/tmp.js';

const redisWhy = (await engineAvailability(redisEngine)) ?? serverUnavailable(redisEngine, {});

/** The first server record below `dir`, waiting for it to appear. */
async function waitForRecord(dir: string, timeoutMs = 30_000): Promise<ServerRecord> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const found = findRecords(dir);
    try {
      if (found.length > 0) return JSON.parse(fs.readFileSync(found[0]!, 'utf8')) as ServerRecord;
    } catch {
      // being written
    }
    if (Date.now() > until) throw new Error('no server record appeared');
    await new Promise((r) => setTimeout(r, 20));
  }
}

function findRecords(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[]).filter((p) => path.basename(p) === SERVER_RECORD).map((p) => path.join(dir, p));
}

function alive(pid: number): boolean {
  try {
    return !fs.readFileSync(`/proc/${pid}/stat`, 'latin1').split(') ')[1]!.startsWith('Z');
  } catch {
    return false;
  }
}

test('SIGTERM during a run stops the server by its process group; nothing is left in the target', { skip: redisWhy ?? false }, async () => {
  const dir = tempDir('srv-term');
  const out = tempDir('srv-term-out');
  const { child, done } = startCli(['run', '--engine', 'redis', '--mode', 'sync', '--duration', '60', '--dir', dir, '--out', out, '--format', 'json']);
  const record = await waitForRecord(dir);
  assert.ok(alive(record.pid), 'the server runs');
  // Let the writers connect and commit before the signal.
  await new Promise((r) => setTimeout(r, 500));
  child.kill('SIGTERM');
  const r = await done;
  assert.equal(r.code, 143, r.stderr);
  assert.equal(alive(record.pid), false, 'the server is gone');
  assert.deepEqual(fs.readdirSync(dir), [], 'the work directory (data, sockets, record) is removed');
});

test('a server left by a SIGKILLed durabench is found by its record and stopped', { skip: redisWhy ?? false }, async () => {
  const dir = tempDir('srv-orphan');
  const out = tempDir('srv-orphan-out');
  const { child, done } = startCli(['run', '--engine', 'redis', '--mode', 'none', '--duration', '60', '--dir', dir, '--out', out, '--format', 'json']);
  const record = await waitForRecord(dir);
  try {
    assert.deepEqual(orphanServers(dir), [], 'not an orphan while its durabench runs');
    child.kill('SIGKILL');
    await done;
    assert.ok(alive(record.pid), 'a SIGKILL of durabench leaves its server running (no handler runs)');
    const orphans = orphanServers(dir);
    assert.equal(orphans.length, 1);
    assert.equal(orphans[0]!.record.pid, record.pid);
    assert.match(orphans[0]!.record.program, /redis-server$/);
    assert.ok(orphans[0]!.record.ownDir !== null && fs.existsSync(orphans[0]!.record.ownDir), 'its own directory (logs) is recorded');
    // durabench clean finds it by its record in the dead run's work directory and stops its whole tree.
    const dry = await runCli(['clean', '--dir', dir, '--dry-run']);
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout + dry.stderr, new RegExp(`would stop database server ${record.pid} \\(redis-server\\)`));
    assert.ok(alive(record.pid), '--dry-run stops nothing');
    const clean = await runCli(['clean', '--dir', dir]);
    assert.equal(clean.code, 0, clean.stderr);
    assert.match(clean.stdout + clean.stderr, new RegExp(`stopped database server ${record.pid}`));
    assert.equal(alive(record.pid), false);
    assert.equal(fs.existsSync(record.ownDir!), false, 'its own directory (logs, sockets) is removed with it');
    assert.deepEqual(orphanServers(dir), []);
  } finally {
    // Even when an assertion failed: no server outlives the test (its record names it).
    child.kill('SIGKILL');
    if (alive(record.pid) && fs.readlinkSync(`/proc/${record.pid}/exe`) === fs.realpathSync(record.program)) waitGoneSync(killServerTree(record.pid));
  }
});

test('a dead run whose server died too: clean --dir removes the server\'s log directory from the temporary directory', { skip: redisWhy ?? false }, async () => {
  const dir = tempDir('srv-dead');
  const out = tempDir('srv-dead-out');
  // Its own temporary directory, for the run and for clean alike: the log directory lands there.
  const env = { TMPDIR: tempDir('srv-dead-tmp') };
  const { child, done } = startCli(['run', '--engine', 'redis', '--mode', 'none', '--duration', '60', '--dir', dir, '--out', out, '--format', 'json'], { env });
  const record = await waitForRecord(dir);
  child.kill('SIGKILL');
  await done;
  // The server dies too (an OOM kill, a reboot): no orphan to stop, only its files are left.
  waitGoneSync(killServerTree(record.pid));
  assert.ok(record.ownDir !== null && path.dirname(record.ownDir) === env.TMPDIR, `its log directory ${record.ownDir} is in the run's temporary directory`);
  assert.ok(fs.existsSync(record.ownDir!), 'a SIGKILL leaves the log directory');
  const clean = await runCli(['clean', '--dir', dir], { env });
  assert.equal(clean.code, 0, clean.stderr);
  assert.match(clean.stdout, new RegExp(`removed database server log directory ${record.ownDir!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  assert.equal(fs.existsSync(record.ownDir!), false, 'clean removed it');
  assert.deepEqual(fs.readdirSync(env.TMPDIR), []);
});

test('a missing server binary: the case is skipped with the reason and the apt package', async () => {
  const dir = tempDir('srv-missing');
  const out = tempDir('srv-missing-out');
  const r = await runCli(['run', '--engine', 'redis', '--mode', 'sync', '--duration', '0.2', '--warmup', '0', '--server-bin', path.join(dir, 'no-redis-server'), '--dir', dir, '--out', out, '--format', 'json']);
  const why = await engineAvailability(redisEngine);
  if (why) {
    // Without the npm client the engine cannot load at all: one line, exit 2.
    assert.equal(r.code, 2);
    return;
  }
  const report = JSON.parse(fs.readFileSync(path.join(out, 'report.json'), 'utf8')) as { cases: { state: string; reason?: string }[] };
  assert.equal(report.cases[0]!.state, 'skipped');
  assert.match(report.cases[0]!.reason!, /--server-bin .*no executable redis-server/);
  const engines = await runCli(['engines', '--format', 'json', '--out', out]);
  assert.equal(engines.code, 0, engines.stderr);
  const list = JSON.parse(fs.readFileSync(path.join(out, 'engines.json'), 'utf8')) as { name: string; server: { binary: string | null; reason: string | null } | null }[];
  for (const name of ['redis', 'postgres', 'mariadb', 'etcd']) {
    const e = list.find((x) => x.name === name)!;
    assert.ok(e.server, `${name} is listed as a server engine`);
    assert.ok(e.server.binary !== null || /apt-get install -y/.test(e.server.reason ?? ''), `${name}: a binary or the apt line`);
  }
  assert.equal(list.find((x) => x.name === 'wal')!.server, null);
});

test('a server that runs as another user is refused a path it cannot enter, naming the directory', () => {
  const top = tempDir('srv-closed');
  const closed = path.join(top, 'closed');
  fs.mkdirSync(path.join(closed, 'inner'), { recursive: true });
  fs.chmodSync(top, 0o755);
  fs.chmodSync(closed, 0o700);
  const nobody = { uid: 65534, gid: 65534 };
  const found = unsearchableAncestor(path.join(closed, 'inner'), nobody);
  // An ancestor of the checkout may already be closed (a clone inside mktemp -d): then that one is named first.
  assert.ok(found !== null);
  if (found.dir.startsWith(top)) assert.deepEqual(found, { dir: closed, mode: 0o700 });
  fs.chmodSync(closed, 0o711);
  if (unsearchableAncestor(top, nobody) === null) assert.equal(unsearchableAncestor(path.join(closed, 'inner'), nobody), null);
});
