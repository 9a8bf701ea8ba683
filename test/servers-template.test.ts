/**
 * A crash lab case prepares its server's data directory once (initdb, mariadb-install-db) and gives
 * every later trial a copy: the copy is the same cluster (postgres's system identifier, random per
 * initdb, is the template's), owned as the preparation left it, and a server starts on it. Other
 * options or another data directory path do not change which preparation is reused; other
 * preparation commands do. Skipped without postgres (apt-get install -y postgresql).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { RunningServer, serverUnavailable, unsearchableAncestor } from '../coordinator/servers.js';
import { templateDirOf } from '../coordinator/server-template.js';
import type { ServerCommand } from '../engines/server-spec.js';
import { resolveEngineOptions } from '../engines/options.js';
import { engineAvailability } from '../engines/registry.js';
import { postgresEngine } from '../engines/servers/postgres.js';
import { tempDir } from './helpers/tmp.js';
import { openDir } from './helpers/unprivileged.js';

const options = resolveEngineOptions(postgresEngine, {}).options;
const pgWhy = (await engineAvailability(postgresEngine)) ?? serverUnavailable(postgresEngine, {});

/** pg_control begins with the cluster's 64-bit system identifier. */
function systemIdentifier(dataDir: string): string {
  return fs.readFileSync(path.join(dataDir, 'global', 'pg_control')).subarray(0, 8).toString('hex');
}

test('templates are keyed by the preparation commands, with the data directory path taken out', () => {
  const cmd = (data: string, extra: string[] = []): ServerCommand[] => [{ program: '/usr/bin/initdb', args: ['-D', data, ...extra], cwd: data, env: {} }];
  const a = templateDirOf('/t', 'postgres', cmd('/x/trial-0/data'), '/x/trial-0/data');
  assert.equal(templateDirOf('/t', 'postgres', cmd('/y/trial-7/data'), '/y/trial-7/data'), a, 'another trial reuses it');
  assert.notEqual(templateDirOf('/t', 'postgres', cmd('/x/trial-0/data', ['--wal-segsize=64']), '/x/trial-0/data'), a, 'other arguments prepare their own');
  assert.notEqual(templateDirOf('/t', 'mariadb', cmd('/x/trial-0/data'), '/x/trial-0/data'), a, 'another engine prepares its own');
  assert.ok(a.startsWith('/t/postgres-'));
});

test("postgres: the second fresh start copies the first one's preparation, the same cluster, and runs", { skip: pgWhy ?? false }, async () => {
  let dir = tempDir('srv-template');
  fs.chmodSync(dir, 0o755);
  if (unsearchableAncestor(dir, { uid: 65534, gid: 65534 })) dir = openDir('srv-template');
  const templates = path.join(dir, 'templates');
  const start = (name: string, kept: { templates: string } | Record<string, never> = { templates }) => {
    const root = path.join(dir, name);
    fs.mkdirSync(root, { mode: 0o755 });
    return RunningServer.start({ factory: postgresEngine, root, dataDir: path.join(root, 'data'), fresh: true, ...kept, durability: { mode: 'sync' }, options, failure: 'kill' });
  };
  const first = await start('a');
  await first.stop();
  const kept = fs.readdirSync(templates);
  assert.equal(kept.length, 1, 'one preparation kept');
  const template = path.join(templates, kept[0]!, 'data');
  const second = await start('b');
  try {
    assert.equal(systemIdentifier(path.join(dir, 'b', 'data')), systemIdentifier(template), 'the copy is the kept cluster, not a new initdb');
    assert.equal(systemIdentifier(path.join(dir, 'a', 'data')), systemIdentifier(template));
    const st = fs.statSync(path.join(dir, 'b', 'data'));
    const tt = fs.statSync(template);
    assert.deepEqual([st.uid, st.gid, st.mode & 0o7777], [tt.uid, tt.gid, tt.mode & 0o7777], 'owner and mode as the preparation left them');
  } finally {
    await second.stop();
  }
  // A third start without templates runs initdb: a new cluster.
  const third = await start('c', {});
  await third.stop();
  assert.notEqual(systemIdentifier(path.join(dir, 'c', 'data')), systemIdentifier(template));
});
