/** The exit-code rule for cases, and switches given a value (`--keep=maybe` is not silently false). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EXIT, exitForCases } from '../../cli/exit.js';
import { checkSwitchValues } from '../../cli/flags.js';
import { UsageError } from '../../model/errors.js';

test('exit codes: 0 when every case completed or was skipped with a reason, 1 when one errored', () => {
  assert.equal(exitForCases([]), EXIT.ok);
  assert.equal(exitForCases([{ state: 'completed' }, { state: 'skipped' }]), EXIT.ok);
  assert.equal(exitForCases([{ state: 'completed' }, { state: 'errored' }]), EXIT.failed);
  assert.deepEqual(EXIT, { ok: 0, failed: 1, usage: 2, inconclusive: 3, sigint: 130, sigterm: 143 });
});

test('a switch takes no value but true or false; anything else is one line naming it', () => {
  checkSwitchValues(['run', '--keep', '--quiet=true', '--preallocate=false', '--no-keep', '--out=x=y'], ['keep', 'quiet', 'preallocate']);
  assert.throws(() => checkSwitchValues(['run', '--keep=maybe'], ['keep']), (e: unknown) => e instanceof UsageError && e.message === "--keep is a switch and takes no value (got '--keep=maybe'); give --keep or leave it out");
  assert.throws(() => checkSwitchValues(['run', '--preallocate=1'], ['preallocate']), /--preallocate is a switch/);
  assert.throws(() => checkSwitchValues(['run', '--no-keep=0'], ['keep']), /--keep is a switch/);
  // After `--`, nothing is an option.
  checkSwitchValues(['run', '--', '--keep=maybe'], ['keep']);
});
