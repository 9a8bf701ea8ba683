/**
 * Plausibility warnings judge data syncs of modes that sync: a `none` case whose only syncs are
 * directory fsyncs after a segment rotation (cheap on any honest device) is not called a lying cache.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { caseSyncPlausibilityWarnings } from '../../analysis/warnings.js';
import type { TargetInfo } from '../../model/provenance.js';
import type { CompletedCase } from '../../model/run-report.js';
import { completedCase, latency } from '../helpers/report-builder.js';

const writeBack: TargetInfo = {
  dir: '/t',
  realPath: '/t',
  fsType: { value: 'ext4' },
  mountPoint: { value: '/t' },
  mountOptions: { value: 'rw' },
  device: { value: '/dev/vda' },
  deviceChain: { value: ['/dev/vda'] },
  model: { value: null, reason: 'x' },
  rotational: { value: false },
  writeCache: { value: 'write back' },
  scheduler: { value: null, reason: 'x' },
  syncSemantics: 'fdatasync(2)',
  devices: [],
} as TargetInfo;

function withSyncs(mode: 'sync' | 'none', kinds: Partial<Record<'fdatasync' | 'dirfsync', number>>): CompletedCase {
  const c = completedCase({ engine: 'wal', mode, commitsPerSec: 1000, commitP50Us: 50, commitP99Us: 100 }, ['/t']);
  c.metrics.syncLatencyByKind = Object.fromEntries(Object.entries(kinds).map(([k, us]) => [k, latency(us * 1000, us * 2000)]));
  c.metrics.syncLatency = latency(Math.min(...Object.values(kinds)) * 1000, 100_000);
  return c;
}

test('a none case with only directory fsyncs gets no plausibility warning', () => {
  assert.deepEqual(caseSyncPlausibilityWarnings(writeBack, withSyncs('none', { dirfsync: 46.9 })), []);
});

test('a sync case is judged on its data syncs, not on its directory fsyncs', () => {
  assert.deepEqual(caseSyncPlausibilityWarnings(writeBack, withSyncs('sync', { fdatasync: 180, dirfsync: 20 })), []);
  const fast = caseSyncPlausibilityWarnings(writeBack, withSyncs('sync', { fdatasync: 30, dirfsync: 20 }));
  assert.equal(fast.length, 1);
  assert.equal(fast[0]!.code, 'implausible-sync');
  assert.match(fast[0]!.message, /data sync p50 30\.\d µs is below 50\.0 µs/);
});
