/** Probe and env reports validate against the schema shape; the renderers show every result. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parse } from 'node:path';
import { collectHost } from '../provenance/host.js';
import { collectToolInfo } from '../provenance/tool.js';
import { UsageError } from '../model/errors.js';
import { render } from '../reports/formats.js';
import { parseReport } from '../reports/read.js';
import { probeForTest } from './helpers/session.js';
import { SCHEMA_VERSION } from '../model/report.js';
import { type ProbeReport } from '../model/probe-report.js';
import { tempDir } from './helpers/tmp.js';

let cached: ProbeReport | null = null;
async function report(): Promise<ProbeReport> {
  cached ??= await probeForTest({
    targets: [tempDir('probe-render'), tempDir('probe-render-b')],
    seconds: 0.02,
    warmupSeconds: 0,
    blockBytes: [4096, 8192],
    methods: ['fdatasync', 'o_direct_dsync', 'o_sync-4x4k', 'dirfsync-after-rename'],
    runId: 'render',
  });
  return cached;
}

test('a probe report validates against its JSON Schema, also after a JSON round trip', async () => {
  const r = await report();
  assert.doesNotThrow(() => parseReport(JSON.parse(JSON.stringify(r)), 'probe.json', ['probe']));
  assert.equal(r.kind, 'probe');
  assert.equal(r.schemaVersion, SCHEMA_VERSION);
  // 2 targets × (2 block sizes × 2 block-size methods + 2 fixed methods)
  assert.equal(r.results.length, 12);
});

test('the reader names what is wrong: the kind, and the first field that does not fit', async () => {
  const fresh = (): Record<string, unknown> => JSON.parse(JSON.stringify(cached)) as Record<string, unknown>;
  await report();
  const problem = (r: unknown, kinds: ('probe' | 'run')[] = ['probe']): string => {
    try {
      parseReport(r, 'p.json', kinds);
    } catch (err) {
      assert.ok(err instanceof UsageError && !err.message.includes('\n'), String(err));
      return err.message;
    }
    return '';
  };
  const r = fresh();
  assert.match(problem(r, ['run']), /p\.json is a probe report; this command reads run reports/);
  const badState = fresh();
  ((badState['results'] as Record<string, unknown>[])[0]!)['state'] = 'finished';
  assert.match(problem(badState), /at \/results\/0/);
  const noCpu = fresh();
  delete (noCpu['host'] as Record<string, unknown>)['cpuCount'];
  assert.match(problem(noCpu), /at \/host\/cpuCount/);
  const unknownFs = fresh();
  ((((unknownFs['host'] as Record<string, unknown>)['targets'] as Record<string, unknown>[])[0]!) as Record<string, unknown>)['fsType'] = { value: null };
  assert.match(problem(unknownFs), /at \/host\/targets\/0\/fsType/);
});

test('renderers: console and Markdown tables per comparison, one CSV row per result', async () => {
  const r = await report();
  const text = render('probe', 'console', r);
  for (const g of ['one write per sync', 'O_SYNC write sizes', 'directory fsync']) assert.ok(text.includes(g), g);
  assert.match(text, /fdatasync 4k/);
  assert.match(text, /fdatasync 8k/);
  const md = render('probe', 'md', r);
  assert.match(md, /^# durabench probe/);
  assert.match(md, /\| method \| target \| ops\/s \| p50 \| p99 \| p99\.9 \| max \| ±rme \| samples \|/);
  assert.match(md, /## Host/);
  const csv = render('probe', 'csv', r).trim().split('\n');
  assert.equal(csv.length, 1 + r.results.length);
  // Where it was measured first (host, run id, target and its filesystem), so fleet CSVs concatenate.
  assert.match(csv[0]!, /^host,run_id,target,filesystem,mount_options,group,method,block_bytes,bytes_per_op,writes_per_op,syncs_per_op,state,reason,code,samples,ops_per_sec,rme_percent,min_ns,mean_ns,p50_ns/);
});

test('an env report validates and renders the host and each target', () => {
  const dir = tempDir('env');
  const host = collectHost([dir]);
  const env = { schemaVersion: SCHEMA_VERSION as typeof SCHEMA_VERSION, kind: 'env' as const, tool: collectToolInfo(), host, warnings: [] };
  assert.doesNotThrow(() => parseReport(JSON.parse(JSON.stringify(env)), 'env.json', ['env']));
  const text = render('env', 'console', env);
  assert.match(text, /filesystem/);
  assert.match(text, /UV_THREADPOOL_SIZE/);
  assert.ok(text.includes(parse(dir).base));
});
