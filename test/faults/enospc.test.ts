/**
 * Fault lane: a full disk. Every built-in engine in sync and none mode on a loop-mounted ext4 and
 * xfs filesystem that has only a few MiB free: the cases that fill it are `errored` with ENOSPC
 * (the first error as the reason) and keep what they measured, every later case still runs — and
 * gets its space back, because the failed case closed its engine and removed its files — the report
 * ends `completed` with every planned case, exit 1, and nothing is left on the filesystem. The
 * database servers (redis, postgres, mariadb, etcd, where installed) fill it in their preparation,
 * their start or their run: their reasons name the full disk too, from the server's own log (kept
 * off the target, in the temporary directory, which must be empty afterwards) or from the target's
 * free space when the log names only a short write.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { builtinEngines, engineAvailability } from '../../engines/registry.js';
import { readReportOf } from '../../reports/read.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';
import { faultLaneSkip, fillUp, freeBytes, loopFs, residue } from './helpers.js';

/** Engines that run here (the library engines need their optional libraries, the server engines their server binaries). */
async function enginesHere(): Promise<string[]> {
  const out: string[] = [];
  for (const e of builtinEngines()) if ((await engineAvailability(e)) === null) out.push(e.name);
  return out;
}

/** What a full disk looks like in each engine's own words. */
const FULL = /ENOSPC|no space left|disk is full|SQLITE_FULL|MDB_MAP_FULL|NoSpace|IO error/i;

for (const [fsType, mib] of [
  ['ext4', 48],
  ['xfs', 300],
] as const) {
  test(`ENOSPC on ${fsType}: every engine's cases end completed or errored with the reason, the run goes on, exit 1, nothing left`, { skip: faultLaneSkip(fsType), timeout: 600_000 }, async (t) => {
    const lfs = loopFs(`enospc-${fsType}`, fsType, mib);
    // A nearly full disk: every engine fills the rest within its case.
    fillUp(lfs.mnt, 6);
    const freeBefore = freeBytes(lfs.mnt);
    const out = path.join(tempDir(`enospc-${fsType}-out`), 'out');
    const tmp = tempDir(`enospc-${fsType}-tmp`);
    const engines = await enginesHere();
    const r = await runCli(['run', '--engine', engines.join(','), '--mode', 'sync,none', '--value-bytes', '4096', '--duration', '1.5', '--warmup', '0', '--dir', lfs.mnt, '--out', out, '--quiet'], { env: { TMPDIR: tmp } });
    const report = readReportOf(path.join(out, 'report.json'), ['run']);
    assert.equal(report.status, 'completed', r.stderr);
    assert.equal(report.cases.length, engines.length * 2, 'every planned case is in the report');
    const errored = report.cases.filter((c) => c.state === 'errored');
    assert.ok(errored.length > 0, 'some case filled the disk');
    assert.equal(r.code, 1, `exit 1 when a case errored; stderr: ${r.stderr}`);
    for (const c of report.cases) {
      assert.ok(c.state === 'completed' || c.state === 'errored', `${c.id}: ${c.state}`);
      if (c.state !== 'errored') continue;
      assert.match(c.reason, FULL, `${c.id}: the reason says the disk is full`);
      // The space came back between cases: no case failed to open or to create its directory.
      assert.doesNotMatch(c.reason, /during open|could not create the case directory/, `${c.id} started with the space the previous case held: ${c.reason}`);
    }
    // Measured data before the failure is kept for the raw, append-only engine.
    const rawNone = report.cases.find((c) => c.key.engine === 'raw' && c.key.mode === 'none');
    if (rawNone?.state === 'errored') assert.ok(rawNone.partialMetrics !== null && rawNone.partialMetrics.commits > 0, 'raw none kept what it measured');
    assert.deepEqual(residue([lfs.mnt, out, tmp], process.env['DURABENCH_STATE_DIR']!), []);
    // Every byte is back: no engine file is held open or left on the disk.
    assert.ok(Math.abs(freeBytes(lfs.mnt) - freeBefore) < 256 * 1024, `free space ${freeBytes(lfs.mnt)} vs ${freeBefore} before`);
    const faults = errored.filter((c) => c.state === 'errored' && FULL.test(c.reason)).length;
    t.diagnostic(`fault lane ENOSPC ${fsType}: ${report.cases.length} cases, ${faults} hit ENOSPC, run completed, 0 left`);
  });
}
