/**
 * A session's report stays complete on disk after every case while whole rewrites happen only when
 * the case count doubles: report.json + its journal, applied by every reader. Real files, real fsync.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import type { RunReport } from '../model/run-report.js';
import { journalPathOf } from '../reports/journal.js';
import { ReportOutput } from '../reports/output.js';
import { readReport, readReportOf } from '../reports/read.js';
import { completedCase, report } from './helpers/report-builder.js';
import { tempDir } from './helpers/tmp.js';

function growingReport(): { rep: RunReport; add(i: number): void } {
  const rep = report('journal-host', []);
  rep.status = 'running';
  rep.finishedAt = null;
  return {
    rep,
    add(i: number) {
      const c = completedCase({ engine: 'null', mode: 'sync', commitsPerSec: 1000, commitP50Us: 10 + i, commitP99Us: 100 + i }, ['/data']);
      rep.cases.push({ ...c, id: `${c.id}/${i}` });
    },
  };
}

test('after every case the report read from disk has every case; whole rewrites only when the count doubles', () => {
  const out = tempDir('journal');
  const sink = new ReportOutput('run', { kind: 'dir', dir: out }, ['json', 'csv', 'md']);
  const { rep, add } = growingReport();
  sink.write(rep, false);
  for (let i = 0; i < 40; i++) {
    add(i);
    sink.write(rep, false);
    const read = readReport(path.join(out, 'report.json'));
    assert.equal(read.cases.length, i + 1, `after case ${i + 1}`);
    assert.deepEqual(
      read.cases.map((c) => c.id),
      rep.cases.map((c) => c.id),
    );
  }
  // Header, then cases 1, 2, 4, 8, 16, 32: seven whole rewrites for 40 cases; the rest were appended.
  assert.equal(sink.counts.rewrites, 7);
  assert.equal(sink.counts.journalLines, 40 - 6);
  assert.ok(fs.existsSync(journalPathOf(path.join(out, 'report.json'))));
  // A case replaced in place (a later repeat round) is journaled again and read back as replaced.
  const replaced = { ...rep.cases[3]!, warnings: [{ code: 'noisy', message: 'round 2', remedy: 'none' }] };
  rep.cases[3] = replaced;
  rep.warnings.push({ code: 'test', message: 'a run-level warning', remedy: 'none' });
  sink.write(rep, false);
  const read = readReport(path.join(out, 'report.json'));
  assert.deepEqual(read.cases[3], replaced);
  assert.deepEqual(read.warnings, rep.warnings);
  // The final write is whole and removes the journal.
  rep.status = 'completed';
  rep.finishedAt = new Date().toISOString();
  sink.write(rep, true);
  assert.ok(!fs.existsSync(journalPathOf(path.join(out, 'report.json'))));
  const final = JSON.parse(fs.readFileSync(path.join(out, 'report.json'), 'utf8')) as RunReport;
  assert.equal(final.cases.length, 40);
  assert.equal(final.status, 'completed');
  assert.equal(fs.readFileSync(path.join(out, 'report.csv'), 'utf8').trim().split('\n').length, 41);
});

test('a journal left from an older report.json is ignored; a torn last line is dropped', () => {
  const out = tempDir('journal-stale');
  const sink = new ReportOutput('run', { kind: 'dir', dir: out }, ['json']);
  const { rep, add } = growingReport();
  sink.write(rep, false);
  for (let i = 0; i < 3; i++) {
    add(i);
    sink.write(rep, false);
  }
  const file = path.join(out, 'report.json');
  const journal = journalPathOf(file);
  // Case 3 is in the journal (the file was rewritten at 2 cases).
  assert.equal(JSON.parse(fs.readFileSync(file, 'utf8')).cases.length, 2);
  assert.equal(readReport(file).cases.length, 3);
  // A torn append (the process died mid-line) loses only that line.
  fs.appendFileSync(journal, '{"case":3,"value":{"id":"tor');
  assert.equal(readReport(file).cases.length, 3);
  // The journal of an older report.json (e.g. the crash came between the rewrite and the new journal).
  const saved = fs.readFileSync(journal);
  add(3);
  sink.write(rep, false); // 4 cases: whole rewrite, new journal
  fs.writeFileSync(journal, saved);
  const read = readReportOf(file, ['run']);
  assert.equal(read.cases.length, 4, 'the stale journal is not applied over the newer file');
});
