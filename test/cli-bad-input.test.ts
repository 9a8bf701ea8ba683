import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { runCli } from './helpers/cli.js';
import { tempDir } from './helpers/tmp.js';

const dir = tempDir('bad-input');
const file = path.join(dir, 'a-file');
fs.writeFileSync(file, 'x');

/** Each bad input: the arguments and a fragment the one-line message must contain. */
const CASES: [string, string[], RegExp][] = [
  ['unknown engine', ['run', '--engine', 'nosuch'], /--engine: unknown engine 'nosuch'; choose one of/],
  ['unknown mode', ['run', '--engine', 'null', '--mode', 'fast'], /--mode 'fast' is not a mode; use sync, batch or none/],
  ['unknown flag', ['run', '--engine', 'null', '--frobnicate'], /unknown option --frobnicate: not an option of durabench run or of null/],
  ['unknown flag of another command', ['engines', '--frobnicate'], /Unknown argument: frobnicate/],
  ['stray positional argument', ['run', 'wal'], /unexpected argument 'wal' for durabench run/],
  ['zero writers', ['run', '--engine', 'null', '--writers', '0'], /--writers must be a whole number from 1 to 256, got '0'/],
  ['negative duration', ['run', '--engine', 'null', '--duration', '-1'], /--duration must be a number > 0 and ≤ 86400, got '-1'/],
  ['non-numeric batch size', ['run', '--engine', 'null', '--mode', 'batch', '--batch-size', 'abc'], /--batch-size must be a whole number from 1 to 1000000, got 'abc'/],
  [
    'fractional batch size',
    ['run', '--engine', 'null', '--mode', 'batch', '--batch-size', '2.5'],
    /--batch-size must be a whole number from 1 to 1000000, got '2.5'/,
  ],
  [
    'batch size without batch mode',
    ['run', '--engine', 'null', '--mode', 'sync', '--batch-size', '8'],
    /--batch-size only applies to --mode batch/,
  ],
  ['missing dir', ['run', '--engine', 'null', '--dir', path.join(dir, 'nope')], /--dir '.*nope' does not exist/],
  ['dir is a file', ['run', '--engine', 'null', '--dir', file], /--dir '.*a-file' is not a directory/],
  ['unknown format', ['run', '--engine', 'null', '--format', 'xml'], /--format 'xml' is not a format/],
  ['unknown fault', ['run', '--engine', 'raw', '--fault', 'nosuch'], /--fault 'nosuch' is not a fault of raw/],
  ['bad engine option value', ['run', '--engine', 'raw', '--sync-call', 'magic'], /sync-call/],
  ['option of another engine', ['run', '--engine', 'null', '--sync-call', 'fsync'], /--sync-call does not apply to null/],
  [
    'odsync outside sync mode',
    ['run', '--engine', 'raw', '--mode', 'batch', '--sync-call', 'odsync'],
    /--sync-call odsync .* only fits --mode sync/,
  ],
  ['both duration and commits', ['run', '--engine', 'null', '--duration', '1', '--commits', '10'], /either --duration or --commits/],
  ['unknown suite', ['run', '--suite', 'nosuch'], /--suite 'nosuch' not found/],
  ['unknown workload', ['run', '--engine', 'null', '--workload', 'zipf'], /--workload 'zipf' is not a workload/],
  ['no command', [], /name a command/],
];

for (const [name, args, message] of CASES) {
  test(`bad input: ${name} → one line naming the option, exit 2`, async () => {
    const r = await runCli(
      [...args, '--quiet'].filter((a, i, all) => !(a === '--quiet' && all[0] !== 'run')),
      { cwd: dir },
    );
    assert.equal(r.code, 2, `exit code; stderr: ${r.stderr}`);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, `one line, got: ${r.stderr}`);
    assert.match(lines[0]!, /^durabench: /);
    assert.match(lines[0]!, message);
    assert.equal(r.stdout, '');
    // Nothing was created in the target.
    assert.deepEqual(
      fs.readdirSync(dir).filter((f) => f.startsWith('durabench-')),
      [],
    );
  });
}
