/**
 * A failing case never ends the run (coordinator/run-case.ts, run.ts, workers/writer-worker.ts), on
 * real files and real worker threads:
 * - an engine whose put fails (ENOSPC) and whose close fails too: the case is `errored` with the
 *   put's error first and the close's appended, the engine was closed, no descriptor is left open in
 *   the process, its files are gone, and the next case runs;
 * - a target that disappears mid-run: the case that finds it gone is `errored` with the reason, the
 *   remaining cases on it are `errored` at once with the target's reason, a second target goes on;
 * - the report ends `completed` with every planned case either way.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { silentProgress } from '../coordinator/progress.js';
import { loadEngines, resolveSuite } from '../coordinator/resolve.js';
import { executeRun, newRunReport } from '../coordinator/run.js';
import { memorySession } from './helpers/session.js';
import { tempDir } from './helpers/tmp.js';

/** Descriptors of this process that point under `dir` (worker threads share the process's table). */
function openUnder(dir: string): string[] {
  const out: string[] = [];
  for (const fd of fs.readdirSync('/proc/self/fd')) {
    try {
      const target = fs.readlinkSync(`/proc/self/fd/${fd}`);
      if (target.startsWith(dir)) out.push(target);
    } catch {
      // closed while listing
    }
  }
  return out;
}

/** A user engine that fails like a full disk after `failing-put-after` commits, and whose close fails too (leaving its second file open). */
function failingEngine(dir: string): string {
  const file = path.join(dir, 'failing-engine.mjs');
  fs.writeFileSync(
    file,
    `import fs from 'node:fs';
import path from 'node:path';
class Failing {
  constructor(ctx) { this.ctx = ctx; this.n = 0; }
  open() {
    this.fd = this.ctx.io.open(path.join(this.ctx.dir, 'data'), { create: true });
    this.side = this.ctx.io.open(path.join(this.ctx.dir, 'side'), { create: true });
    return { recordsRecovered: 0, discardedBytes: 0, crcFailures: 0, tornTail: false, notes: [] };
  }
  put(key, value) {
    this.n += 1;
    if (this.n > Number(this.ctx.options['failing-put-after'])) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    this.ctx.io.write(this.fd, value, null);
    this.ctx.durability.durable(this.n);
  }
  get() { return undefined; }
  close() {
    fs.writeFileSync(path.join(String(this.ctx.options['failing-witness']), 'closed-' + path.basename(this.ctx.dir) + '-' + Date.now() + Math.random()), '');
    this.ctx.io.close(this.fd);
    throw Object.assign(new Error('EIO: i/o error, close'), { code: 'EIO' });
  }
}
export default {
  name: 'failing', summary: 'fails like a full disk', modes: ['sync', 'none'],
  options: [
    { name: 'failing-put-after', type: 'number', default: 20, min: 0, describe: 'fail after this many puts' },
    { name: 'failing-witness', type: 'string', default: '/nonexistent', describe: 'where close() leaves a file' },
  ],
  faults: [], markers: [], contract: 'sync', create: (ctx) => new Failing(ctx),
};
`,
  );
  return file;
}

test('a writer whose put and close fail: errored with the first error, close appended, engine closed, nothing open or left, the next case runs', async () => {
  const dir = tempDir('case-faults');
  const witness = path.join(dir, 'witness');
  fs.mkdirSync(witness);
  const target = path.join(dir, 'target');
  fs.mkdirSync(target);
  const engine = failingEngine(dir);
  const suite = await resolveSuite(
    { engines: [engine, 'null'], modes: ['sync', 'none'], targets: [target], commitsPerWriter: 200, durationMs: null, warmupMs: 0, engineOptions: { 'failing-put-after': 20, 'failing-witness': witness } },
    new Set(['engines', 'modes', 'targets', 'commitsPerWriter', 'warmupMs', 'engineOptions']),
  );
  const report = newRunReport(suite);
  await executeRun({ suite, factories: await loadEngines(suite.engines), session: memorySession(report), progress: silentProgress, keep: false });
  assert.equal(report.status, 'completed');
  assert.deepEqual(
    report.cases.map((c) => [c.key.engine.endsWith('failing-engine.mjs') ? 'failing' : c.key.engine, c.key.mode, c.state]),
    [
      ['failing', 'sync', 'errored'],
      ['failing', 'none', 'errored'],
      ['null', 'sync', 'completed'],
      ['null', 'none', 'completed'],
    ],
  );
  for (const c of report.cases.slice(0, 2)) {
    assert.ok(c.state === 'errored');
    assert.match(c.reason, /^writer 0 failed during measure: ENOSPC: no space left on device, write; closing the engine failed too: EIO: i\/o error, close; 1 file\(s\) it left open were closed$/);
    assert.equal(c.code, 'ENOSPC');
    assert.equal(c.partialMetrics?.commits, 20, 'what was measured before the failure is kept');
  }
  assert.equal(fs.readdirSync(witness).length, 2, 'close() was called for both failed cases');
  assert.deepEqual(openUnder(target), [], 'no descriptor left open under the target');
  assert.deepEqual(fs.readdirSync(target), [], 'no work directory left');
});

test('a target that disappears mid-run: its remaining cases errored at once with the reason, another target goes on, report completed', async () => {
  const dir = tempDir('target-gone');
  const a = path.join(dir, 'a');
  const b = path.join(dir, 'b');
  fs.mkdirSync(a);
  fs.mkdirSync(b);
  const suite = await resolveSuite(
    { engines: ['null'], modes: ['sync', 'batch', 'none'], targets: [a, b], commitsPerWriter: 50, durationMs: null, warmupMs: 0 },
    new Set(['engines', 'modes', 'targets', 'commitsPerWriter', 'warmupMs']),
  );
  const report = newRunReport(suite);
  let done = 0;
  await executeRun({
    suite,
    factories: await loadEngines(suite.engines),
    session: memorySession(report),
    progress: silentProgress,
    keep: false,
    // After the first case, the target vanishes (an unmounted disk, a removed directory).
    afterCase: () => {
      if (++done === 1) fs.rmSync(a, { recursive: true, force: true });
    },
  });
  assert.equal(report.status, 'completed');
  assert.equal(report.cases.length, 6);
  const onA = report.cases.filter((c) => c.key.target === a);
  assert.equal(onA[0]!.state, 'completed');
  assert.ok(onA[1]!.state === 'errored');
  assert.match(onA[1]!.reason, /^could not create the case directory: ENOENT/);
  for (const c of onA.slice(2)) {
    assert.ok(c.state === 'errored');
    assert.match(c.reason, new RegExp(`^target ${a} is gone \\(after null/batch-`));
    assert.equal(c.code, 'ENOENT');
  }
  assert.deepEqual(
    report.cases.filter((c) => c.key.target === b).map((c) => c.state),
    ['completed', 'completed', 'completed'],
  );
  assert.deepEqual(fs.readdirSync(b), []);
});

test('an engine whose native library takes the process down (isolation: process): only its case dies, errored with what it said; the run goes on', async () => {
  const dir = tempDir('case-abort');
  const target = path.join(dir, 'target');
  fs.mkdirSync(target);
  const file = path.join(dir, 'aborting-engine.mjs');
  fs.writeFileSync(
    file,
    `import fs from 'node:fs';
class Aborting {
  constructor(ctx) { this.ctx = ctx; this.n = 0; }
  open() { return { recordsRecovered: 0, discardedBytes: 0, crcFailures: 0, tornTail: false, notes: [] }; }
  put() {
    this.n += 1;
    this.ctx.durability.durable(this.n);
    // What a native library's heap check does after a failed write (glibc: "free(): invalid pointer").
    // Straight to fd 2, as glibc writes it (a worker thread's process.stderr is relayed through the main thread).
    if (this.n === 10) { fs.writeSync(2, 'free(): invalid pointer\\n'); process.kill(process.pid, 'SIGABRT'); }
  }
  get() { return undefined; }
  close() {}
}
export default { name: 'aborting', summary: 'aborts its process', modes: ['sync'], options: [], faults: [], markers: [], contract: 'sync', isolation: 'process', create: (ctx) => new Aborting(ctx) };
`,
  );
  const suite = await resolveSuite(
    { engines: [file, 'null'], modes: ['sync'], targets: [target], commitsPerWriter: 100, durationMs: null, warmupMs: 0 },
    new Set(['engines', 'modes', 'targets', 'commitsPerWriter', 'warmupMs']),
  );
  const report = newRunReport(suite);
  await executeRun({ suite, factories: await loadEngines(suite.engines), session: memorySession(report), progress: silentProgress, keep: false });
  assert.equal(report.status, 'completed');
  const [aborted, after] = report.cases;
  assert.ok(aborted!.state === 'errored');
  assert.match(aborted!.reason, /^the case's process \(.*aborting-engine\.mjs runs in a process of its own: its native library can crash\) was killed by SIGABRT before it reported: free\(\): invalid pointer$/);
  assert.equal(aborted!.code, 'SIGABRT');
  assert.equal(after!.state, 'completed', 'the next case runs');
  assert.deepEqual(fs.readdirSync(target), [], 'nothing left');
});
