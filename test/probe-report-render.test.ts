/** Probe and env reports validate against the schema shape; the renderers show every result. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parse } from 'node:path';
import { runProbe } from '../probe/run-probe.js';
import { validateEnvReport, validateProbeReport } from '../probe/validate.js';
import { collectHost } from '../provenance/host.js';
import { collectToolInfo } from '../provenance/tool.js';
import { renderProbeConsole } from '../reports/render/probe-console.js';
import { renderProbeCsv } from '../reports/render/probe-csv.js';
import { renderProbeMarkdown } from '../reports/render/probe-markdown.js';
import { renderEnvText } from '../reports/render/probe-provenance.js';
import { SCHEMA_VERSION, type ProbeReport } from '../reports/schema.js';
import { tempDir } from './helpers/tmp.js';

let cached: ProbeReport | null = null;
async function report(): Promise<ProbeReport> {
  cached ??= await runProbe({
    targets: [tempDir('probe-render'), tempDir('probe-render-b')],
    seconds: 0.02,
    warmupSeconds: 0,
    blockBytes: [4096, 8192],
    methods: ['fdatasync', 'o_direct_dsync', 'o_sync-4x4k', 'dirfsync-after-rename'],
    runId: 'render',
  });
  return cached;
}

test('a probe report validates against the schema shape, also after a JSON round trip', async () => {
  const r = await report();
  assert.deepEqual(validateProbeReport(JSON.parse(JSON.stringify(r))), []);
  assert.equal(r.kind, 'probe');
  assert.equal(r.schemaVersion, SCHEMA_VERSION);
  // 2 targets × (2 block sizes × 2 block-size methods + 2 fixed methods)
  assert.equal(r.results.length, 12);
});

test('the validator names what is wrong', async () => {
  const r = JSON.parse(JSON.stringify(await report())) as Record<string, unknown>;
  r['kind'] = 'run';
  const results = r['results'] as Record<string, unknown>[];
  results[0]!['state'] = 'finished';
  delete (r['host'] as Record<string, unknown>)['cpuCount'];
  const problems = validateProbeReport(r);
  assert.ok(problems.some((p) => p.startsWith('report.kind')), problems.join('\n'));
  assert.ok(problems.some((p) => p.startsWith('results[0].state')), problems.join('\n'));
  assert.ok(problems.some((p) => p.startsWith('host.cpuCount')), problems.join('\n'));
  const target = ((r['host'] as Record<string, unknown>)['targets'] as Record<string, unknown>[])[0]!;
  target['fsType'] = { value: null };
  assert.ok(validateProbeReport(r).some((p) => p.startsWith('host.targets[0].fsType')));
});

test('renderers: console and Markdown tables per comparison, one CSV row per result', async () => {
  const r = await report();
  const text = renderProbeConsole(r);
  for (const g of ['one write per sync', 'O_SYNC write sizes', 'directory fsync']) assert.ok(text.includes(g), g);
  assert.match(text, /fdatasync 4k/);
  assert.match(text, /fdatasync 8k/);
  const md = renderProbeMarkdown(r);
  assert.match(md, /^# durabench probe/);
  assert.match(md, /\| method \| target \| ops\/s \| p50 \| p99 \| p99\.9 \| max \| ±rme \| samples \|/);
  assert.match(md, /## Host/);
  const csv = renderProbeCsv(r).trim().split('\n');
  assert.equal(csv.length, 1 + r.results.length);
  assert.match(csv[0]!, /^target,group,method,block_bytes,bytes_per_op,writes_per_op,syncs_per_op,state,reason,code,samples,ops_per_sec,rme_percent,min_ns,mean_ns,p50_ns/);
});

test('an env report validates and renders the host and each target', () => {
  const dir = tempDir('env');
  const host = collectHost([dir]);
  const env = { schemaVersion: SCHEMA_VERSION, kind: 'env' as const, tool: collectToolInfo(), host, warnings: [] };
  assert.deepEqual(validateEnvReport(JSON.parse(JSON.stringify(env))), []);
  const text = renderEnvText(env.tool, host, []);
  assert.match(text, /filesystem/);
  assert.match(text, /UV_THREADPOOL_SIZE/);
  assert.ok(text.includes(parse(dir).base));
});
