/**
 * The progress component on a fake clock and a fake stream: percentage of planned work, elapsed,
 * ETA, the live line on a TTY (redrawn in place, finished units left as lines), plain lines
 * otherwise (with a heartbeat while a long unit runs), the closing line with the total time,
 * plural forms, and the ASCII fallback.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CrashProgress, Progress, ProbeProgress, RunProgress } from '../../coordinator/progress.js';
import { asciiText, formatClock, formatElapsed, localeIsUtf8, plural } from '../../model/units.js';
import { renderText } from '../../reports/document/text.js';
import { table } from '../../reports/document/model.js';
import type { CaseResult } from '../../model/run-report.js';
import type { CrashCaseResult } from '../../model/crash-report.js';

class FakeStream {
  text = '';
  constructor(
    readonly isTTY: boolean,
    readonly columns = 120,
  ) {}
  write(s: string): boolean {
    this.text += s;
    return true;
  }
  /** What a terminal shows: each `\r` returns to the line start, `\x1b[2K` erases it. */
  screen(): string[] {
    const lines: string[] = [];
    let cur = '';
    for (const part of this.text.split(/(\x1b\[2K|\r|\n)/)) {
      if (part === '\x1b[2K') cur = '';
      else if (part === '\r') continue;
      else if (part === '\n') {
        lines.push(cur);
        cur = '';
      } else cur += part;
    }
    if (cur !== '') lines.push(cur);
    return lines;
  }
}

function clock(): { now: () => number; advance: (ms: number) => void } {
  let t = 1_000_000;
  return { now: () => t, advance: (ms) => (t += ms) };
}

test('units: plural forms, fio-style clock, elapsed, locale', () => {
  assert.equal(plural(1, 'case'), '1 case');
  assert.equal(plural(0, 'case'), '0 cases');
  assert.equal(plural(1200, 'trial'), '1,200 trials');
  assert.equal(formatClock(5_400), '00m:05s');
  assert.equal(formatClock(750_000), '12m:30s');
  assert.equal(formatClock(3_723_000), '1h:02m:03s');
  assert.equal(formatElapsed(8_400), '8.40 s');
  assert.equal(formatElapsed(125_000), '2 min 05 s');
  assert.equal(localeIsUtf8({ LANG: 'en_US.UTF-8' }), true);
  assert.equal(localeIsUtf8({ LANG: 'C.utf8' }), true);
  assert.equal(localeIsUtf8({ LC_ALL: 'C', LANG: 'en_US.UTF-8' }), false, 'LC_ALL wins');
  assert.equal(localeIsUtf8({}), false);
});

test('plain lines: one per finished unit with percentage of planned work, elapsed and ETA', () => {
  const c = clock();
  const s = new FakeStream(false);
  const p = new Progress({ command: 'run', stream: s, now: c.now });
  p.begin([{ weight: 1000 }, { weight: 1000 }, { weight: 2000 }], 'ms');
  p.start(0, 'raw/sync');
  c.advance(500);
  p.update(0.5, '5,000 commits/s');
  assert.equal(s.text, '', 'no line until a unit finishes');
  c.advance(700);
  p.finish('5,864 commits/s');
  p.start(1, 'raw/none');
  c.advance(1200);
  p.finish('173,256 commits/s');
  assert.deepEqual(s.screen(), [
    // 1 s of 4 s planned, 1.2 s elapsed: ETA = 1.2 × 3/1 = 3.6 s.
    '[1/3 25.0%] raw/sync  5,864 commits/s (elapsed 00m:01s, eta 00m:04s)',
    '[2/3 50.0%] raw/none  173,256 commits/s (elapsed 00m:02s, eta 00m:02s)',
  ]);
  p.done();
  p.closing(plural(3, 'case'));
  assert.equal(s.screen().at(-1), 'durabench run: 3 cases in 2.40 s');
});

test('plain lines: a heartbeat every 30 s inside a long unit', () => {
  const c = clock();
  const s = new FakeStream(false);
  const p = new Progress({ command: 'crash', stream: s, now: c.now });
  p.begin([{ weight: 10 }]);
  p.start(0, 'wal/sync');
  for (let i = 1; i <= 7; i++) {
    c.advance(10_000);
    p.update(i / 10, `trial ${i}/10`);
  }
  assert.deepEqual(s.screen(), ['[1/1 30.0%] wal/sync  trial 3/10 (elapsed 00m:30s, eta 01m:10s)', '[1/1 60.0%] wal/sync  trial 6/10 (elapsed 01m:00s, eta 00m:40s)']);
});

test('TTY: one live line redrawn in place; finished units stay above it; cleared at the end', () => {
  const c = clock();
  const s = new FakeStream(true, 130);
  const p = new Progress({ command: 'run', stream: s, now: c.now });
  p.begin([{ weight: 1000 }, { weight: 1000 }], 'ms');
  p.start(0, 'raw/sync/w1/v128/unique/t0');
  c.advance(500);
  p.update(0.5, '5,000 commits/s');
  const live = s.screen().at(-1)!;
  assert.match(live, /^run \[█████░{15}\]  25\.0% 1\/2 raw\/sync\/w1\/v128\/unique\/t0  5,000 commits\/s \[elapsed 00m:01s\] \[eta 00m:02s\]$/);
  assert.ok(live.length <= 129, 'fits the terminal');
  c.advance(50);
  p.update(0.55, '5,100 commits/s');
  assert.equal(s.screen().at(-1), live, 'redrawn at most every 100 ms');
  c.advance(550);
  p.finish('5,864 commits/s');
  p.start(1, 'raw/none/w1/v128/unique/t0');
  assert.deepEqual(s.screen().slice(0, 1), ['1/2 raw/sync/w1/v128/unique/t0  5,864 commits/s']);
  assert.match(s.screen().at(-1)!, /^run \[█{10}░{10}\]  50\.0% 2\/2 raw\/none/);
  p.done();
  assert.deepEqual(s.screen(), ['1/2 raw/sync/w1/v128/unique/t0  5,864 commits/s'], 'the live line is erased');
});

test('TTY: a long label is shortened in the middle so the line fits', () => {
  const c = clock();
  const s = new FakeStream(true, 80);
  const p = new Progress({ command: 'crash', stream: s, now: c.now });
  p.begin([{ weight: 1 }]);
  p.start(0, 'wal+flush-no-fsync/batch-32/w1/v128/unique/t0/power-ext4/random', 'trial 1/5 .');
  const line = s.screen().at(-1)!;
  assert.ok([...line].length <= 79, line);
  assert.match(line, /^crash \[░{10}\]   0\.0% 1\/1 wal\+flush-n.*….*random  trial 1\/5 \. \[eta --m:--s\]$/);
});

test('ASCII fallback: the bar, the rules and the units spelled in ASCII', () => {
  const c = clock();
  const s = new FakeStream(true);
  const p = new Progress({ command: 'run', stream: s, now: c.now, unicode: false });
  p.begin([{ weight: 1000 }, { weight: 1000 }], 'ms');
  p.start(0, 'raw/sync');
  p.finish('done');
  p.start(1, 'raw/none', 'p99 9.26 µs');
  assert.match(s.screen().at(-1)!, /^run \[#{10}\.{10}\]  50\.0% 2\/2 raw\/none  p99 9\.26 us /);
  assert.doesNotMatch(s.text, /[^\x00-\x7f]/);
  const text = renderText({ title: 't', blocks: [table([['exposure', 'p99'], ['≤ 15 commits', '3.95 µs']])] }, { ascii: true });
  assert.equal(text, 'exposure       p99\n-------------  -------\n<= 15 commits  3.95 us\n');
  assert.equal(asciiText('✅ pass — 1.02× ±5 %'), '[ok] pass - 1.02x +/-5 %');
});

function completed(id: string, rate: number): CaseResult {
  return { id, state: 'completed', metrics: { commitsPerSec: rate } } as unknown as CaseResult;
}

test('run progress: percentage of planned case time, repeats and problems in the closing line', () => {
  const c = clock();
  const s = new FakeStream(false);
  const run = new RunProgress(new Progress({ command: 'run', stream: s, now: c.now }), c.now);
  const plan = { warmupMs: 200, durationMs: 800, commitsPerWriter: null, writers: 1, skipped: false };
  run.planned([plan, plan, { ...plan, skipped: true }, plan]);
  run.caseStarted(1, 4, 'a');
  c.advance(500);
  run.caseProgress(1000);
  c.advance(600);
  run.caseFinished(completed('a', 1000));
  run.caseStarted(2, 4, 'b');
  c.advance(1000);
  run.caseFinished({ id: 'b', state: 'errored', reason: 'ENOSPC' } as CaseResult);
  run.caseStarted(3, 4, 'c');
  run.caseFinished({ id: 'c', state: 'skipped', reason: 'no batch mode' } as CaseResult);
  run.caseStarted(4, 4, 'd');
  c.advance(1000);
  run.caseFinished(completed('d', 1100));
  assert.deepEqual(s.screen().map((l) => l.replace(/ \(elapsed.*/, '')), [
    '[1/4 33.3%] a  1,000 commits/s',
    '[2/4 66.7%] b  errored: ENOSPC',
    '[3/4 66.7%] c  skipped: no batch mode',
    '[4/4 100.0%] d  1,100 commits/s',
  ]);
  assert.equal(run.summary(), '4 cases (1 errored, 1 skipped)');
  const repeated = new RunProgress(new Progress({ command: 'run', stream: new FakeStream(false), now: c.now }), c.now);
  repeated.planned([plan, plan, plan, plan]);
  ['a', 'b', 'a', 'b'].forEach((id, i) => {
    repeated.caseStarted(i + 1, 4, id);
    repeated.caseFinished(completed(id, 1));
  });
  assert.equal(repeated.summary(), '2 cases × 2 repeats');
});

test('run progress: a commit-count case advances by commits', () => {
  const c = clock();
  const s = new FakeStream(true);
  const run = new RunProgress(new Progress({ command: 'run', stream: s, now: c.now }), c.now);
  run.planned([{ warmupMs: 0, durationMs: null, commitsPerWriter: 1000, writers: 2, skipped: false }]);
  run.caseStarted(1, 1, 'x');
  c.advance(1000);
  run.caseProgress(500);
  assert.match(s.screen().at(-1)!, / 25\.0% 1\/1 x  500 commits\/s /);
});

test('crash progress: trials as marks on the live line; the closing line counts cases and trials', () => {
  const c = clock();
  const s = new FakeStream(false);
  const crash = new CrashProgress(new Progress({ command: 'crash', stream: s, now: c.now }), [{ skipped: false }, { skipped: true }, { skipped: false }], 2);
  crash.caseStarted(1, 2, 'raw/sync/kill');
  crash.trial({ outcome: 'verified', lost: 0, corrupt: 0 } as never, 0, 2);
  crash.trial({ outcome: 'verified', lost: 3, corrupt: 0 } as never, 1, 2);
  crash.caseFinished({ state: 'completed', crash: { trials: [{}, {}], trialsVerified: 2, lostMax: 3, verdict: 'durability-bug' } } as unknown as CrashCaseResult);
  crash.caseStarted(2, 3, 'raw/sync/power');
  crash.caseFinished({ state: 'skipped', reason: 'power needs root' } as CrashCaseResult);
  crash.caseStarted(3, 3, 'lmdb/sync/power');
  crash.trial({ outcome: 'errored', lost: 0, corrupt: 0 } as never, 0, 3);
  crash.trial({ outcome: 'recovery-failed', lost: 0, corrupt: 0 } as never, 1, 3);
  crash.trial({ outcome: 'verified', lost: 0, corrupt: 1 } as never, 2, 3);
  crash.caseFinished({ state: 'completed', crash: { trials: [{}, {}, {}], trialsVerified: 0, lostMax: 0, verdict: 'inconclusive' } } as unknown as CrashCaseResult);
  assert.deepEqual(s.screen().map((l) => l.replace(/ \(elapsed.*/, '')), [
    '[1/3 50.0%] raw/sync/kill  2 trials .x  lost max 3  DURABILITY BUG',
    '[2/3 50.0%] raw/sync/power  skipped: power needs root',
    '[3/3 100.0%] lmdb/sync/power  3 trials ERC  nothing verified  inconclusive',
  ]);
  assert.equal(crash.summary(), '3 cases, 5 trials (1 skipped)');
});

test('probe progress: one unit per method and target', () => {
  const c = clock();
  const s = new FakeStream(false);
  const probe = new ProbeProgress(new Progress({ command: 'probe', stream: s, now: c.now }), 2, 1200);
  probe.started({ id: 'fdatasync' } as never, '/a', 0, false);
  c.advance(1200);
  probe.finished({ target: '/a', method: { id: 'fdatasync' }, state: 'completed', metrics: { opsPerSec: 4000, latency: { p99Ns: 400_000 } } } as never);
  probe.started({ id: 'odirect' } as never, '/a', 1, false);
  probe.finished({ target: '/a', method: { id: 'odirect' }, state: 'unsupported', reason: 'O_DIRECT: EINVAL' } as never);
  assert.deepEqual(s.screen().map((l) => l.replace(/ \(elapsed.*/, '')), ['[1/2 50.0%] fdatasync  4,000 ops/s, p99 400 µs', '[2/2 100.0%] odirect  unsupported: O_DIRECT: EINVAL']);
  assert.equal(probe.summary(), '2 methods (1 unsupported)');
});
