/**
 * Process kill (SIGKILL of a real writer child; the page cache survives): no engine that writes
 * through the OS may lose an acked commit — in sync mode, in none mode, and with `flush-no-fsync`
 * (the defect needs a power cut to show). The in-memory `null` engine proves the lab does see a kill
 * loss. Nothing may come back corrupt; nothing may be left behind.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runCrashTrials, type CrashCaseSpec } from '../lab/run-trials.js';
import type { Mode } from '../engines/types.js';
import { crashSpec, durableEngines, enginesWithFault, KILL, labResidue, windowS } from './helpers/crash-lab.js';
import { tempDir } from './helpers/tmp.js';

const TRIALS = 2;
const WINDOW = windowS(0.03, 0.2);

function spec(engine: string, mode: Mode, fault: string | null, dir: string): CrashCaseSpec {
  return crashSpec(engine, mode, fault, dir, { seed: 11 });
}

for (const e of durableEngines().filter((f) => f.modes.includes('sync'))) {
  test(`${e.name} in sync mode loses no acked commit under kill`, async () => {
    const dir = tempDir('crash-kill');
    const s = await runCrashTrials(spec(e.name, 'sync', null, dir), { setting: KILL, trials: TRIALS, window: WINDOW });
    assert.equal(s.trialsErrored, 0, JSON.stringify(s.trials.map((t) => t.error)));
    assert.ok(s.trials.every((t) => t.acked > 0));
    assert.equal(s.lostMax, 0);
    assert.equal(s.corruptTotal, 0);
    assert.equal(s.verdict, 'consistent');
    assert.deepEqual(labResidue(dir), []);
  });
}

for (const e of durableEngines().filter((f) => f.modes.includes('none'))) {
  test(`${e.name} in none mode loses no acked commit under kill (the page cache survives)`, async () => {
    const dir = tempDir('crash-kill');
    const s = await runCrashTrials(spec(e.name, 'none', null, dir), { setting: KILL, trials: TRIALS, window: WINDOW });
    assert.equal(s.trialsErrored, 0);
    assert.equal(s.lostMax, 0);
    assert.equal(s.corruptTotal, 0);
  });
}

for (const e of enginesWithFault('flush-no-fsync')) {
  test(`${e.name} with flush-no-fsync loses no acked commit under kill`, async () => {
    const dir = tempDir('crash-kill');
    const s = await runCrashTrials(spec(e.name, 'sync', 'flush-no-fsync', dir), { setting: KILL, trials: TRIALS, window: WINDOW });
    assert.equal(s.trialsErrored, 0);
    assert.equal(s.lostMax, 0);
    assert.equal(s.corruptTotal, 0);
  });
}

test('the in-memory null engine loses every acked commit under kill: the lab sees a kill loss', async () => {
  const dir = tempDir('crash-kill');
  const s = await runCrashTrials(spec('null', 'sync', null, dir), { setting: KILL, trials: 2, window: WINDOW });
  assert.equal(s.trialsWithLoss, 2);
  assert.ok(s.trials.every((t) => t.lost === t.acked && t.acked > 0));
  assert.ok(s.trials.every((t) => t.lossWindowCommits === t.acked && t.lossWindowMs > 0));
  assert.equal(s.verdict, 'durability-bug');
});
