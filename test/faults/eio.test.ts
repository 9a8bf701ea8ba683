/**
 * Fault lane: a filesystem that fails under a running case (`xfs_io -x -c shutdown`: from then on
 * every operation returns EIO, on xfs and ext4 alike). The running case is `errored` with the
 * writer's own EIO as its reason (the failed removal of its files appended, never in its place), the
 * remaining cases on that target are `errored` at once with the target's reason, the report — on
 * another disk — ends `completed` with every case, exit 1. The work directory that could not be
 * removed stays in the run record: after a remount the next command says so in one line and
 * `durabench clean` removes it, leaving nothing.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { readReportOf } from '../../reports/read.js';
import { runCli, startCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';
import { faultLaneSkip, loopFs, residue, shutdown } from './helpers.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

for (const [fsType, mib] of [
  ['ext4', 64],
  ['xfs', 300],
] as const) {
  test(`EIO on ${fsType} mid-case: that case errored with EIO, the rest errored at once, report completed, exit 1, clean removes what is left`, { skip: faultLaneSkip(fsType), timeout: 300_000 }, async (t) => {
    const lfs = loopFs(`eio-${fsType}`, fsType, mib);
    const out = path.join(tempDir(`eio-${fsType}-out`), 'out');
    const { done } = startCli(['run', '--engine', 'raw,wal,lsm', '--mode', 'sync,none', '--duration', '2', '--warmup', '0', '--dir', lfs.mnt, '--out', out, '--quiet']);
    // Mid-case: the first case's writer has opened its engine (its file exists), and is measuring.
    const ls = (p: string): string[] => (fs.existsSync(p) ? fs.readdirSync(p) : []);
    const engineFile = (): boolean => ls(lfs.mnt).some((n) => n.startsWith('durabench-') && ls(path.join(lfs.mnt, n)).some((c) => c.startsWith('001-') && ls(path.join(lfs.mnt, n, c, 'w0')).length > 0));
    for (let i = 0; i < 1500 && !engineFile(); i++) await sleep(10);
    await sleep(300);
    shutdown(lfs.mnt);
    const r = await done;
    assert.equal(r.code, 1, r.stderr);
    const report = readReportOf(path.join(out, 'report.json'), ['run']);
    assert.equal(report.status, 'completed');
    assert.equal(report.cases.length, 6, 'every planned case is in the report');
    const [first, ...rest] = report.cases;
    assert.ok(first!.state === 'errored', 'the case running at the shutdown errored');
    assert.match(first!.reason, /^writer 0 failed during measure: EIO/, 'the writer’s own error comes first');
    assert.equal(first!.code, 'EIO');
    for (const c of rest) {
      assert.equal(c.state, 'errored', c.id);
      assert.match(c.state === 'errored' ? c.reason : '', /target .* fails with I\/O errors \(EIO/, c.id);
    }
    assert.ok(report.warnings.some((w) => w.code === 'cleanup-failed'), 'the work directory that could not be removed is a warning');
    // After a remount, what the dead run could not remove is found and removed by clean.
    lfs.remount();
    const notice = await runCli(['env', '--dir', lfs.mnt, '--format', 'json']);
    assert.match(notice.stderr, /durabench: a dead durabench run left \d+ (directory|directories).* behind: durabench clean removes/);
    const clean = await runCli(['clean', '--dir', lfs.mnt]);
    assert.equal(clean.code, 0, clean.stdout + clean.stderr);
    assert.deepEqual(residue([lfs.mnt, out], process.env['DURABENCH_STATE_DIR']!), []);
    t.diagnostic(`fault lane EIO ${fsType}: 1 shutdown injected, ${report.cases.length} cases reported, run completed, leftovers removed by clean: ${(clean.stdout.match(/^ {2}removed (work|crash)/gm) ?? []).length}`);
  });
}
