/**
 * The golden report fixtures, built in memory from report-builder.ts (so they can never drift from
 * the code): a baseline, a regression, an improvement, noise, a missing case, a loss, repeats, a
 * slow runner, another suite, two targets, a newer schema, not a report, and a gate rule file.
 * `fixtureDir()` writes them to a temporary directory for tests that run the real CLI on files.
 */
import fs from 'node:fs';
import path from 'node:path';
import { report, type CaseSpec } from './report-builder.js';
import { tempDir } from './tmp.js';

const raw: CaseSpec = { engine: 'raw', mode: 'sync', commitsPerSec: 5000, commitP50Us: 190, commitP99Us: 380, syncP50Us: 180, syncP99Us: 360, crashLost: 0 };
const walSync: CaseSpec = { engine: 'wal', mode: 'sync', commitsPerSec: 4000, commitP50Us: 240, commitP99Us: 480, syncP50Us: 220, syncP99Us: 440, crashLost: 0 };
const walBatch: CaseSpec = { engine: 'wal', mode: 'batch', batchSize: 16, commitsPerSec: 40000, commitP50Us: 20, commitP99Us: 400, syncP50Us: 250, syncP99Us: 500, exposureMaxCommits: 15, exposureMaxMs: 1.5 };

let built: Record<string, unknown> | null = null;

/** Every fixture by file name. */
export function fixtures(): Record<string, unknown> {
  built ??= {
    'baseline.json': report('runner-a', [raw, walSync, walBatch]),
    'regression.json': report('runner-b', [raw, { ...walSync, commitsPerSec: 3000, commitP99Us: 624 }, walBatch]),
    'improvement.json': report('runner-b', [raw, { ...walSync, commitsPerSec: 5200, commitP99Us: 336 }, walBatch]),
    'noise.json': report('runner-b', [raw, { ...walSync, commitsPerSec: 3920, commitP99Us: 494 }, walBatch]),
    'missing.json': report('runner-b', [raw, walSync]),
    'loss.json': report('runner-b', [raw, { ...walSync, crashLost: 3 }, walBatch]),
    'repeats-base.json': report('runner-a', [raw, { ...walSync, repeatFactors: [1, 0.9, 1.1, 0.95, 1.05] }]),
    'repeats-noise.json': report('runner-b', [raw, { ...walSync, commitP99Us: 518, repeatFactors: [1, 0.85, 1.15, 0.9, 1.1] }]),
    'repeats-worse.json': report('runner-b', [raw, { ...walSync, commitP99Us: 624, repeatFactors: [1, 0.99, 1.01, 1, 1] }]),
    'slow-runner.json': report('runner-slow', [
      { ...raw, commitsPerSec: 2500, commitP50Us: 380, commitP99Us: 760, syncP50Us: 360, syncP99Us: 720 },
      { ...walSync, commitsPerSec: 2000, commitP50Us: 480, commitP99Us: 960, syncP50Us: 440, syncP99Us: 880 },
      walBatch,
    ]),
    'other-suite.json': report('runner-c', [{ engine: 'lsm', mode: 'sync', commitsPerSec: 3000, commitP50Us: 300, commitP99Us: 600, syncP50Us: 280, syncP99Us: 560 }]),
    'two-targets.json': report(
      'runner-a',
      [
        { ...raw, target: '/mnt/ext4' },
        { ...raw, target: '/mnt/xfs', commitsPerSec: 6000, commitP50Us: 150, commitP99Us: 300, syncP50Us: 140, syncP99Us: 280 },
      ],
      [
        { dir: '/mnt/ext4', fs: 'ext4' },
        { dir: '/mnt/xfs', fs: 'xfs' },
      ],
    ),
    'newer-schema.json': { schemaVersion: 99, kind: 'run', tool: { name: 'durabench', version: '9.0.0', gitSha: null }, cases: [] },
    'not-a-report.json': { name: 'some-package', version: '1.0.0' },
    'gate-rules.json': {
      baseline: 'baseline.json',
      rules: ['commit_p99_ns +10%', 'commits_per_sec -10%', { metric: 'sync_p99_ns', op: '<', value: '10ms', mode: 'sync' }, { metric: 'lost_max', op: '<=', value: 0, mode: 'sync' }],
    },
  };
  return built;
}

/** One fixture (a deep copy: tests may change it). */
export function fixture<T = unknown>(name: string): T {
  const v = fixtures()[name];
  if (v === undefined) throw new Error(`no fixture ${name}`);
  return structuredClone(v) as T;
}

/** A temporary directory holding every fixture as a file; returns its path. */
export function fixtureDir(): string {
  const dir = tempDir('fixtures');
  for (const [name, value] of Object.entries(fixtures())) fs.writeFileSync(path.join(dir, name), JSON.stringify(value, null, 2) + '\n');
  return dir;
}
