import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { parseReportText, readReport } from '../../reports/read.js';
import { UsageError } from '../../model/errors.js';
import { SCHEMA_VERSION } from '../../model/report.js';
import { fixtureDir } from '../helpers/fixtures.js';

const fixturesDir = fixtureDir();
const fx = (name: string): string => path.join(fixturesDir, `${name}.json`);

function oneLineUsage(f: () => unknown, re: RegExp): void {
  assert.throws(f, (e: Error) => e instanceof UsageError && !e.message.includes('\n') && re.test(e.message));
}

test('a golden fixture reads as a report', () => {
  const r = readReport(fx('baseline'));
  assert.equal(r.schemaVersion, SCHEMA_VERSION);
  assert.equal(r.cases.length, 3);
});

test('not JSON, not a report, newer schema, missing file: one line each', () => {
  oneLineUsage(() => parseReportText('{"cases": [', 'x.json', ['run']), /^x\.json is not JSON/);
  oneLineUsage(() => readReport(fx('not-a-report')), /not-a-report\.json is not a durabench report/);
  oneLineUsage(() => readReport(fx('newer-schema')), new RegExp(`schemaVersion 99 .*newer than the schemaVersion ${SCHEMA_VERSION} this durabench reads; upgrade durabench`));
  oneLineUsage(() => readReport(fx('does-not-exist')), /does not exist/);
  oneLineUsage(() => parseReportText('[1,2]', 'a.json', ['run']), /not a durabench report/);
  oneLineUsage(() => parseReportText(JSON.stringify({ tool: { name: 'durabench' }, schemaVersion: 1, kind: 'run', cases: [{ id: 1 }] }), 'b.json', ['run']), /b\.json is not a valid run report: at \//);
  oneLineUsage(() => parseReportText(JSON.stringify({ tool: { name: 'durabench' }, schemaVersion: 2, kind: 'banana', cases: [] }), 'c.json', ['run']), /c\.json has kind "banana", which is not a durabench report kind/);
});
