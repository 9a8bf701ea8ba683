/**
 * Real database servers in the crash lab: each server in its strict and relaxed setting under a
 * process kill (SIGKILL of the server's whole tree) and a power cut of the lab's drive (ext4,
 * volatile cache), a few trials each, restarted on what the crash left and read back through the
 * client. Strict settings lose nothing; MariaDB's `2` loses nothing under a kill; relaxed settings
 * stay within their documented windows — or the verdict says a promised commit was lost, and the
 * servers table says by how much. A server whose binary is missing is skipped with the reason (and
 * the apt package); power cuts need root and loop devices.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { describe, test } from 'node:test';
import { serverUnavailable, unsearchableAncestor } from '../coordinator/servers.js';
import { engineAvailability } from '../engines/registry.js';
import type { Mode } from '../engines/types.js';
import { runCrashTrials } from '../lab/run-trials.js';
import type { CrashSummary } from '../model/crash-report.js';
import { againstPromise } from '../reports/render/servers.js';
import { heldCount } from '../workspace/registry.js';
import { orphanServers } from '../workspace/server-process.js';
import { powerUnavailable } from '../workspace/support.js';
import { crashSpec, engineNamed, KILL, labResidue, power, windowS } from './helpers/crash-lab.js';
import { tempDir } from './helpers/tmp.js';
import { openDir } from './helpers/unprivileged.js';

/** Strict and relaxed setting of each server (etcd has no relaxed one but none). */
const SETTINGS: Record<string, Mode[]> = { redis: ['sync', 'batch'], postgres: ['sync', 'batch'], mariadb: ['sync', 'batch'], etcd: ['sync', 'none'] };
const TRIALS = 2;
/** Crash instants 0.3–1.3 s after the first ack: past the start-up, across relaxed settings' flushes. */
const WINDOW = windowS(0.3, 1.3);

async function why(engine: string): Promise<string | null> {
  const f = engineNamed(engine)!;
  return (await engineAvailability(f)) ?? serverUnavailable(f, {});
}

function checkStrictOrRelaxed(engine: string, mode: Mode, kind: 'kill' | 'power', s: CrashSummary): void {
  assert.equal(s.trialsVerified, TRIALS, `${engine} ${mode} ${kind}: every trial verified (${s.verdictReason})`);
  assert.equal(s.corruptTotal, 0);
  assert.ok(s.server, 'server facts in the summary');
  const promise = s.server![kind];
  if (mode === 'sync' || (engine === 'mariadb' && mode === 'batch' && kind === 'kill')) {
    assert.equal(promise.windowMs, 0, `${engine} ${mode} promises every ack against ${kind}`);
    assert.equal(s.lostMax, 0, `${engine} ${mode} under ${kind} loses nothing: ${s.verdictReason}`);
    assert.equal(s.verdict, 'consistent');
    return;
  }
  if (s.verdict === 'consistent') {
    assert.equal(againstPromise(promise, s), promise.windowMs === null ? (s.lostMax === 0 ? 'lost nothing' : 'no promise') : 'within');
  } else {
    // A broken promise is a finding, reported with its size, never hidden.
    assert.equal(s.verdict, 'durability-bug', s.verdictReason);
    assert.match(againstPromise(promise, s), /lost beyond the window .*\+\d+ ms/);
  }
}

describe('real servers in the crash lab', () => {
  for (const [engine, modes] of Object.entries(SETTINGS)) {
    test(`${engine}: strict and relaxed settings under kill and power`, async (t) => {
      const reason = await why(engine);
      if (reason) return t.skip(reason);
      // PostgreSQL runs as nobody: every directory above its data must be searchable by it. A
      // checkout under a directory only root may enter (a clone inside `mktemp -d`) cannot give that.
      let dir = tempDir(`srv-${engine}`);
      fs.chmodSync(dir, 0o755);
      if (unsearchableAncestor(dir, { uid: 65534, gid: 65534 })) {
        dir = openDir(`srv-${engine}`);
        fs.chmodSync(dir, 0o755);
      }
      const powerWhy = powerUnavailable('ext4');
      for (const mode of modes) {
        const spec = crashSpec(engine, mode, null, dir, { batchSize: 1 });
        checkStrictOrRelaxed(engine, mode, 'kill', await runCrashTrials(spec, { setting: KILL, trials: TRIALS, window: WINDOW }));
        if (powerWhy) t.diagnostic(`power cut skipped: ${powerWhy}`);
        else checkStrictOrRelaxed(engine, mode, 'power', await runCrashTrials(spec, { setting: power('ext4'), trials: TRIALS, window: WINDOW }));
      }
      assert.equal(heldCount(), 0, 'nothing held after the cases');
      assert.deepEqual(labResidue(dir), []);
      assert.deepEqual(orphanServers(dir), []);
      assert.deepEqual(fs.readdirSync(dir), [], 'every scratch directory removed');
    });
  }
});
