/**
 * Suite files are checked against their schema (coordinator/suite-file.ts): unknown fields are
 * rejected, wrong types and out-of-range numbers are named by file and field, and every bundled
 * suite passes. One line per problem, exactly as the CLI prints it.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { suitesDir } from '../../coordinator/resolve.js';
import { checkCrashSuiteFile, checkRunSuite } from '../../coordinator/suite-file.js';
import { UsageError } from '../../model/errors.js';

function problem(f: () => unknown): string {
  try {
    f();
  } catch (err) {
    assert.ok(err instanceof UsageError, String(err));
    assert.ok(!err.message.includes('\n'), 'one line');
    return err.message;
  }
  assert.fail('no problem found');
}

test('every bundled suite passes its schema', () => {
  for (const f of fs.readdirSync(suitesDir()).filter((n) => n.endsWith('.json'))) {
    const v = JSON.parse(fs.readFileSync(path.join(suitesDir(), f), 'utf8')) as { kind?: string };
    if (v.kind === 'crash') checkCrashSuiteFile(v, f);
    else checkRunSuite(v, f);
  }
});

test('run suites: the field and the file are named, what was given is quoted', () => {
  assert.equal(problem(() => checkRunSuite({ engines: 'raw' }, 'my.json')), `--suite 'my.json': field "engines" must be a list, got "raw" (see suites/full.json for the format)`);
  assert.match(problem(() => checkRunSuite({ engines: ['raw'], durationSecs: 3 }, 'my.json')), /^--suite 'my.json': "durationSecs" is not a suite field; the fields are name, description, engines, modes, /);
  assert.equal(problem(() => checkRunSuite({ modes: ['sync', 'fast'] }, 'm.json')), `--suite 'm.json': field "modes[1]" must be one of sync, batch, none, got "fast" (see suites/full.json for the format)`);
  assert.equal(problem(() => checkRunSuite({ writers: [1, 0] }, 'w.json')), `--suite 'w.json': field "writers[1]" must be a whole number from 1 to 256, got '0'`);
  assert.equal(problem(() => checkRunSuite({ durationMs: 0 }, 'd.json')), `--suite 'd.json': field "durationMs" must be a number > 0 and ≤ 86400000, got '0'`);
  assert.equal(problem(() => checkRunSuite({ engines: [] }, 'e.json')), `--suite 'e.json': field "engines" needs at least one value (see suites/full.json for the format)`);
  assert.match(problem(() => checkRunSuite({ durationMs: 100, commitsPerWriter: 5 }, 'b.json')), /give either "durationMs" or "commitsPerWriter", not both/);
  assert.match(problem(() => checkRunSuite({ kind: 'crash' }, 'seed')), /is a crash suite; run it with durabench crash --suite seed/);
  // A crash suite with its own run matrix is a run suite too, checked as one.
  const both = { name: 'both', kind: 'crash', kinds: [{ kind: 'kill' }], cases: [{ engine: 'raw', mode: 'sync' }] };
  assert.deepEqual(checkRunSuite({ ...both, run: { engines: ['raw'], modes: ['sync', 'none'] } }, 'both').modes, ['sync', 'none']);
  assert.match(problem(() => checkRunSuite({ ...both, run: { engines: ['raw'], kinds: [] } }, 'both')), /"kinds" is not a suite field/);
});

test('crash suites: kinds and case lines are checked field by field', () => {
  const ok = { name: 'x', kind: 'crash', kinds: [{ kind: 'kill' }], cases: [{ engine: 'raw', mode: 'sync' }] };
  checkCrashSuiteFile(ok, 'x.json');
  assert.match(problem(() => checkCrashSuiteFile({ ...ok, kinds: [{ kind: 'banana' }] }, 'x.json')), /^--suite 'x.json': field "kinds\[0\]\.kind" must be one of (kill|power)/);
  assert.match(problem(() => checkCrashSuiteFile({ ...ok, kinds: [{ kind: 'power', fs: 'zfs' }] }, 'x.json')), /field "kinds\[0\]\.fs" must be one of ext4, xfs, btrfs, got "zfs"/);
  assert.match(problem(() => checkCrashSuiteFile({ ...ok, cases: [{ engine: 'raw', mode: 'sync', crashat: 'op:3' }] }, 'x.json')), /"cases\[0\]\.crashat" is not a suite field; the fields are engine, mode, batchSize, /);
  assert.match(problem(() => checkCrashSuiteFile({ ...ok, cases: [{ engine: 'raw' }] }, 'x.json')), /field "cases\[0\]\.mode" is missing/);
  assert.match(problem(() => checkCrashSuiteFile({ ...ok, trials: 0 }, 'x.json')), /field "trials" must be a whole number from 1 to 10000, got '0'/);
  assert.match(problem(() => checkCrashSuiteFile({ ...ok, cases: [{ engine: 'wal', mode: 'batch', batchSize: 0 }] }, 'x.json')), /field "cases\[0\]\.batchSize" must be a whole number from 1 to 1000000, got '0'/);
  assert.match(problem(() => checkCrashSuiteFile({ engines: ['raw'] }, 'run.json')), /is not a crash suite/);
});
