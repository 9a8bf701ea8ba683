/**
 * Device truth of plain `durabench run` cases: the loop device's own counters over the measured
 * window. On a `run --fs ext4` image (exact), wal under sync asks the device for a flush per commit;
 * under none it asks for (almost) none — a ratio of counts within one run, not a timing. On tmpfs
 * there is no device, and the report says why.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import type { CompletedCase, RunReport } from '../model/run-report.js';
import { fsImagesUnavailable } from '../coordinator/fs-targets.js';
import { parseFsSpecs } from '../model/fs-spec.js';
import { runCli } from './helpers/cli.js';
import { tempDir } from './helpers/tmp.js';

const root = process.getuid?.() === 0;
const why = root ? fsImagesUnavailable(parseFsSpecs(['ext4'])) : 'needs root to attach loop devices and mount the ext4 image';

function completed(rep: RunReport): CompletedCase[] {
  return rep.cases.filter((c): c is CompletedCase => c.state === 'completed');
}

test('run --fs ext4: wal sync flushes the loop device about once per commit, none far less', { skip: why ?? false }, async () => {
  const dir = tempDir('run-device');
  const out = path.join(dir, 'out');
  const r = await runCli(['run', '--engine', 'wal', '--mode', 'sync,none', '--commits', '300', '--warmup', '0.2', '--repeat', '2', '--fs', 'ext4', '--image-mib', '300', '--dir', dir, '--out', out, '--format', 'json,csv,md', '--quiet']);
  assert.equal(r.code, 0, r.stderr);
  const rep = JSON.parse(fs.readFileSync(path.join(out, 'report.json'), 'utf8')) as RunReport;
  const cases = completed(rep);
  assert.equal(cases.length, 2);
  const by = (mode: string): Extract<NonNullable<CompletedCase['device']>, { state: 'measured' }> => {
    const d = cases.find((c) => c.key.mode === mode)!.device;
    assert.equal(d?.state, 'measured', JSON.stringify(d));
    return d as Extract<NonNullable<CompletedCase['device']>, { state: 'measured' }>;
  };
  const sync = by('sync');
  const none = by('none');
  for (const d of [sync, none]) {
    assert.match(d.device, /^loop\d+$/);
    assert.equal(d.approximate, false, 'the image is the case\'s own device');
    // Two repeats of 300 commits merged: the commits add up.
    assert.equal(d.commits, 600);
  }
  // fdatasync of an appended log on ext4 commits the jbd2 journal and issues a cache flush (or FUA
  // write) per call; the journal may fold two fsyncs that arrive during one commit into one flush,
  // which with one writer is rare — so at least 0.5, not exactly 1.
  assert.ok(sync.flushesPerCommit! >= 0.5, `sync: ${sync.flushesPerCommit} flushes/commit`);
  // none never syncs in the window: the only flushes are jbd2's periodic commit (every 5 s) or writeback.
  assert.ok(none.delta.flushes * 10 <= sync.delta.flushes, `none ${none.delta.flushes} flushes vs sync ${sync.delta.flushes}`);
  assert.ok(sync.bytesPerCommittedByte! > 1, 'every synced commit writes at least a block for a few hundred bytes');
  const csv = fs.readFileSync(path.join(out, 'report.csv'), 'utf8').split('\n');
  const header = csv[0]!.split(',');
  for (const col of ['device', 'approximate', 'device_flushes_per_commit', 'device_bytes_per_committed_byte']) assert.ok(header.includes(col), col);
  const md = fs.readFileSync(path.join(out, 'report.md'), 'utf8');
  assert.match(md, /flushes\/commit/);
});

test('a target on tmpfs: device truth unavailable, with the reason', { skip: fs.existsSync('/dev/shm') ? false : 'no /dev/shm tmpfs here' }, async () => {
  const dir = fs.mkdtempSync('/dev/shm/durabench-device-');
  const out = tempDir('run-device-tmpfs');
  try {
    const r = await runCli(['run', '--engine', 'null', '--mode', 'sync', '--commits', '20', '--warmup', '0', '--dir', dir, '--out', out, '--format', 'json', '--quiet']);
    assert.equal(r.code, 0, r.stderr);
    const rep = JSON.parse(fs.readFileSync(path.join(out, 'report.json'), 'utf8')) as RunReport;
    const d = completed(rep)[0]!.device;
    assert.equal(d?.state, 'unavailable');
    assert.match((d as { reason: string }).reason, /tmpfs.*no block device/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
