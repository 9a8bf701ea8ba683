/**
 * What the CI tools themselves accept, so tests hold our exports to the tools' own checks rather
 * than to our idea of them.
 *
 * github-action-benchmark (src/extract.ts, customBiggerIsBetter / customSmallerIsBetter):
 * `JSON.parse` of the file, `json.map(({ name, value, unit, range, extra }) => …)` (so it must be an
 * array), then `if (benches.length === 0) throw new Error('No benchmark result was found in …')`;
 * its charts and alerts then use `value` as a number, `name` as the series key, `unit`, `range` and
 * `extra` as text.
 *
 * Bencher Metric Format (bencher.dev/docs/reference/bencher-metric-format): an object of benchmark
 * name → object of measure slug → `{ value: number, lower_value?: number, upper_value?: number }`.
 */
import assert from 'node:assert/strict';

export interface GabResult {
  name: string;
  value: number;
  unit: string;
  range?: string;
  extra?: string;
}

/** Parse a github-action-benchmark custom-tool file as the action does; throws what the action would. */
export function githubActionBenchmarkAccepts(text: string): GabResult[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new Error(
      `Output file for 'custom-(bigger|smaller)-is-better' must be JSON file containing an array of entries in BenchmarkResult format: ${(err as Error).message}`,
    );
  }
  if (!Array.isArray(json))
    throw new Error(
      "Output file for 'custom-(bigger|smaller)-is-better' must be JSON file containing an array of entries in BenchmarkResult format: json.map is not a function",
    );
  const benches = json.map(({ name, value, unit, range, extra }: Record<string, unknown>) => ({ name, value, unit, range, extra }));
  if (benches.length === 0) throw new Error(`No benchmark result was found. Benchmark output was '${text}'`);
  for (const b of benches) {
    assert.equal(typeof b.name, 'string');
    assert.ok(typeof b.value === 'number' && Number.isFinite(b.value), `value of ${String(b.name)}`);
    assert.equal(typeof b.unit, 'string');
    if (b.range !== undefined) assert.equal(typeof b.range, 'string');
    if (b.extra !== undefined) assert.equal(typeof b.extra, 'string');
  }
  assert.equal(new Set(benches.map((b) => b.name)).size, benches.length, 'benchmark names are unique');
  return benches as GabResult[];
}

/** Bencher's BMF shape. */
export function assertBmf(bmf: unknown): void {
  assert.equal(typeof bmf, 'object');
  assert.ok(bmf !== null && !Array.isArray(bmf));
  assert.ok(Object.keys(bmf as object).length > 0, 'at least one benchmark');
  for (const [bench, measures] of Object.entries(bmf as Record<string, unknown>)) {
    assert.ok(bench.length > 0 && bench.length <= 1024);
    assert.equal(typeof measures, 'object');
    for (const [measure, metric] of Object.entries(measures as Record<string, Record<string, unknown>>)) {
      assert.match(measure, /^[a-z0-9-]{1,64}$/);
      assert.equal(typeof metric['value'], 'number');
      for (const k of Object.keys(metric)) assert.ok(['value', 'lower_value', 'upper_value'].includes(k), `unexpected key ${k}`);
      if ('lower_value' in metric)
        assert.ok(
          (metric['lower_value'] as number) <= (metric['value'] as number) &&
            (metric['value'] as number) <= (metric['upper_value'] as number),
        );
    }
  }
}
