/**
 * The JSON Schema files in the package are exactly what the TypeBox definitions produce, and an
 * independent validator (Ajv, draft-07) holding reports to the shipped files agrees with the
 * reader's own check.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { Ajv } from 'ajv';
import { schemaFiles } from '../../reports/schema-files.js';
import { parseReport } from '../../reports/read.js';
import { REPORT_KINDS, SCHEMA_VERSION } from '../../model/report.js';
import { fixtures } from '../helpers/fixtures.js';
import { repoRoot } from '../helpers/tmp.js';

const shipped = (file: string): string => fs.readFileSync(path.join(repoRoot, 'schemas', file), 'utf8');

test('schemas/*.schema.json match the TypeBox definitions (run `npm run schemas` after changing model/)', () => {
  const files = schemaFiles();
  assert.deepEqual(files.map((f) => f.kind), [...REPORT_KINDS]);
  for (const f of files) assert.equal(shipped(f.file), f.text, `schemas/${f.file} is stale: run npm run schemas`);
  assert.deepEqual(fs.readdirSync(path.join(repoRoot, 'schemas')).sort(), files.map((f) => f.file).sort());
  const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { files: string[] };
  assert.ok(pkg.files.includes('schemas'), 'the schemas are shipped in the package');
});

test('an independent validator holding reports to the shipped run schema agrees with the reader', () => {
  const ajv = new Ajv({ allErrors: false, strict: false });
  const validate = ajv.compile(JSON.parse(shipped('run-report.schema.json')) as object);
  const reports = Object.entries(fixtures()).filter(([name, v]) => name.endsWith('.json') && (v as { kind?: string }).kind === 'run' && (v as { schemaVersion?: number }).schemaVersion === SCHEMA_VERSION);
  assert.ok(reports.length >= 10);
  for (const [name, value] of reports) {
    assert.equal(validate(value), true, `${name}: ${ajv.errorsText(validate.errors)}`);
    parseReport(structuredClone(value), name, ['run']);
  }
  // A damaged report: both refuse it.
  const damaged = structuredClone(fixtures()['baseline.json']) as { cases: { metrics: Record<string, unknown> }[] };
  delete damaged.cases[0]!.metrics['commitLatency'];
  assert.equal(validate(damaged), false);
  assert.throws(() => parseReport(damaged, 'damaged.json', ['run']), /damaged\.json is not a valid run report/);
  // Every shipped schema compiles.
  for (const f of schemaFiles()) ajv.compile(JSON.parse(shipped(f.file)) as object);
});
