import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RECOVERY_FAILED } from '../../analysis/crash-verdict.js';
import { lossMeasured } from '../../model/crash-report.js';
import { findMetric, type Measured } from '../../model/metrics.js';
import { crashCells } from '../../reports/render/crash-table.js';
import { completedCase, crashSummaryOf, crashTrial } from '../helpers/report-builder.js';

const base = completedCase({ engine: 'wal', mode: 'sync', commitsPerSec: 1000, commitP50Us: 50, commitP99Us: 100 }, ['/data']);
const withCrash = (crash: Measured['crash']): Measured => ({ metrics: base.metrics, ...(crash ? { crash } : {}) });

const failed = crashTrial({ outcome: 'recovery-failed', error: `${RECOVERY_FAILED}boom` });
const errored = crashTrial({ outcome: 'errored', error: 'crash point never reached' });

test('loss figures are read only where a crash state was verified: a recovery failure or an error measured no loss', () => {
  const onlyFailures = crashSummaryOf([failed, errored]);
  assert.equal(onlyFailures.trialsVerified, 0);
  assert.equal(onlyFailures.recoveryFailures, 1);
  assert.equal(lossMeasured(onlyFailures), false);
  assert.equal(lossMeasured(undefined), false);
  for (const id of ['lost_max', 'lost_p99', 'lost_p50', 'loss_window_ms_max', 'loss_window_ms_p99', 'trials_with_loss', 'corrupt_total']) {
    assert.equal(findMetric(id)!.read(withCrash(onlyFailures)), null, id);
  }
  // Counts of trials are facts either way.
  assert.equal(findMetric('crash_trials')!.read(withCrash(onlyFailures)), 2);
  assert.equal(findMetric('crash_trials_errored')!.read(withCrash(onlyFailures)), 1);

  const mixed = crashSummaryOf([failed, crashTrial({ lost: 3, lostDeclared: 0, exposure: 3 })]);
  assert.equal(lossMeasured(mixed), true);
  assert.equal(findMetric('lost_max')!.read(withCrash(mixed)), 3);
});

test('tables show no loss figure for a case with nothing verified', () => {
  const s = crashSummaryOf([failed]);
  const cells = crashCells(s);
  assert.equal(cells[1], '—');
  assert.equal(cells[4], '—');
  assert.equal(crashCells(crashSummaryOf([crashTrial({ lost: 0 })]))[1], '0');
});
