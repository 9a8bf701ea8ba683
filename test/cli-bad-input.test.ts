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
  ['unknown mode', ['run', '--engine', 'null', '--mode', 'fast'], /--mode 'fast' is not a mode; use sync, batch, delay, pipelined or none/],
  ['unknown share', ['run', '--engine', 'wal', '--share', 'disk'], /--share 'disk' is not a way to share storage; use none or log/],
  ['shared log on an engine without one', ['run', '--engine', 'raw', '--share', 'log'], /--share log: raw does not run a shared log; use --engine wal/],
  ['delay without a shared log', ['run', '--engine', 'wal', '--mode', 'delay'], /--mode delay runs only on a shared log; add --share log/],
  ['pipelined without a shared log', ['run', '--engine', 'wal', '--mode', 'sync,pipelined'], /--mode pipelined runs only on a shared log; add --share log/],
  ['ack after sync per writer', ['run', '--engine', 'wal', '--mode', 'batch', '--ack', 'after-sync'], /--ack after-sync needs --share log/],
  ['ack outside batch mode', ['run', '--engine', 'wal', '--share', 'log', '--mode', 'sync', '--ack', 'before-sync'], /--ack only applies to --mode batch/],
  ['unknown ack', ['run', '--engine', 'wal', '--share', 'log', '--mode', 'batch', '--ack', 'later'], /--ack 'later' is not an ack point; use after-sync or before-sync/],
  ['commit delay outside delay mode', ['run', '--engine', 'wal', '--share', 'log', '--mode', 'sync', '--commit-delay-us', '100'], /--commit-delay-us only applies to --mode delay/],
  ['commit delay out of range', ['run', '--engine', 'wal', '--share', 'log', '--mode', 'delay', '--commit-delay-us', '200000'], /--commit-delay-us must be a whole number from 0 to 100000, got '200000'/],
  ['sync parallelism outside pipelined mode', ['run', '--engine', 'wal', '--share', 'log', '--mode', 'sync', '--sync-parallelism', '2'], /--sync-parallelism only applies to --mode pipelined/],
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
