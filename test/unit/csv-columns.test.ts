/**
 * CSV: every row says where it was measured (host, run id, target, filesystem, mount options), so
 * fleet CSVs concatenate; numbers are rounded to their unit's precision (whole ns, 3 significant
 * digits for rates, 4 for ratios, µs for ms values, `inf` for unbounded).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderCsv } from '../../reports/render/csv.js';
import { csvNumber } from '../../reports/render/csv-values.js';
import { report } from '../helpers/report-builder.js';

/** RFC 4180 rows as records (quoted fields may hold commas and doubled quotes). */
function parse(text: string): Record<string, string>[] {
  const lines = text.trim().split('\n').map((line) => {
    const cells: string[] = [];
    let cur = '';
    let quoted = false;
    for (let i = 0; i < line.length; i++) {
      const ch = line[i]!;
      if (quoted) {
        if (ch === '"' && line[i + 1] === '"') (cur += '"'), (i += 1);
        else if (ch === '"') quoted = false;
        else cur += ch;
      } else if (ch === '"') quoted = true;
      else if (ch === ',') cells.push(cur), (cur = '');
      else cur += ch;
    }
    cells.push(cur);
    return cells;
  });
  const [head, ...body] = lines;
  return body.map((cells) => Object.fromEntries(head!.map((h, i) => [h, cells[i] ?? ''])));
}

test('csvNumber rounds each unit to its precision', () => {
  assert.equal(csvNumber('ns', 102143.7), 102144);
  assert.equal(csvNumber('commits/s', 297.42732866255585), 297);
  assert.equal(csvNumber('commits/s', 5.43219), 5.43);
  assert.equal(csvNumber('commits/s', 197901.3), 197901);
  assert.equal(csvNumber('bytes/s', 850238.0007934748), 850238);
  assert.equal(csvNumber('ratio', 0.0625), 0.0625);
  assert.equal(csvNumber('ratio', 1.0001706), 1);
  assert.equal(csvNumber('ratio', 0.333333333), 0.3333);
  assert.equal(csvNumber('ms', 2.0004567), 2.0);
  assert.equal(csvNumber('ms', 12.3456789), 12.346);
  assert.equal(csvNumber('count', 7), 7);
  assert.equal(csvNumber('commits', Infinity), 'inf');
  assert.equal(csvNumber('ns', null), null);
});

test('run CSV: host, run id, target, filesystem and mount options on every row; no float noise', () => {
  const r = report('runner-a', [
    { engine: 'raw', mode: 'sync', commitsPerSec: 5863.710350299826, commitP50Us: 102.143, commitP99Us: 1984.511, syncP50Us: 92.2 },
    { engine: 'wal', mode: 'none', commitsPerSec: 237311.44, commitP50Us: 2.97, commitP99Us: 9.04 },
  ]);
  r.runId = '20261201-113301-4242-0a1b';
  const rows = parse(renderCsv(r));
  assert.equal(rows.length, 2);
  for (const row of rows) {
    assert.equal(row['host'], 'runner-a');
    assert.equal(row['run_id'], '20261201-113301-4242-0a1b');
    assert.equal(row['target'], '/data');
    assert.equal(row['filesystem'], 'ext4');
    assert.equal(row['mount_options'], 'rw,relatime');
  }
  const header = Object.keys(rows[0]!);
  assert.deepEqual(header.slice(0, 3), ['host', 'run_id', 'id']);
  for (const row of rows) {
    for (const [k, v] of Object.entries(row)) {
      if (k.endsWith('_ns') && v !== '' && v !== 'inf') assert.match(v, /^\d+$/, `${k} = ${v}: whole nanoseconds`);
      if (/^-?\d+\.\d+$/.test(v)) assert.ok(v.replace(/^-?\d+\./, '').length <= 4, `${k} = ${v}: no float noise`);
    }
  }
  assert.equal(rows[0]!['commits_per_sec'], '5864');
  assert.equal(rows[1]!['exposure_max_commits'], 'inf');
});
