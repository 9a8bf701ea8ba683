/**
 * `durabench gate`: rules → checks → pass or fail, for CI. Pure: parsed rules and reports in, a
 * `GateResult` out (the CLI maps it to exit 0 pass / 1 regression; bad rules are `UsageError`s → 2).
 *
 * Rule kinds (the same syntax in `--rule` flags and in a rule file's `rules` array):
 *   `commit_p99_ns +10%`       relative: may get at most 10 % worse than the baseline report
 *   `commits_per_sec -10%`     (for a higher-is-better metric the allowed change is a decrease)
 *   `sync_p99_ns < 10ms`       absolute limit (etcd's rule for WAL fdatasync p99)
 *   `lost_max <= 0 [mode=sync]` loss limit, only for cases matching the filter
 * Filters in brackets: engine=, mode=, case= (a glob on the case key, `*` matches anything).
 * `normalize: raw-sync-p50` divides latencies (and multiplies throughput) by the same report's raw
 * sync p50 on the same target, so one rule holds on runners of different speed; absolute limits of
 * normalised rules are then multiples (`commit_p99_ns < 3x`).
 */
import { UsageError } from '../model/errors.js';
import { measure, reportCaseKey } from './compare.js';
import { METRICS, findMetric, formatMetric, parseMetricValue, type MetricDef } from '../model/metrics.js';
import { type CompletedCase, type RunReport } from '../model/run-report.js';

export type Normalize = 'raw-sync-p50';

/** A rule as written in a rule file (object form); the string form is parsed by `parseRuleText`. */
export interface GateRuleInput {
  metric: string;
  /** Absolute: `<`, `<=`, `>`, `>=` with `value` (a number in the metric's unit or `10ms`). */
  op?: '<' | '<=' | '>' | '>=';
  value?: number | string;
  /** Relative to the baseline: `+10%` (lower-is-better metrics) or `-10%` (higher-is-better). */
  change?: string;
  engine?: string;
  mode?: string;
  case?: string;
  normalize?: Normalize | null;
}

/** The rule file: `{ "baseline"?: "base.json", "noise"?: 0.05, "normalize"?: "raw-sync-p50", "rules": [...] }`. */
export interface GateConfig {
  baseline?: string;
  normalize?: Normalize | null;
  rules: (string | GateRuleInput)[];
}

export interface GateRule {
  /** The rule as the user would write it, for messages. */
  readonly text: string;
  readonly metric: MetricDef;
  readonly check: { kind: 'absolute'; op: '<' | '<=' | '>' | '>='; limit: number } | { kind: 'relative'; maxWorsening: number };
  readonly filter: { engine?: string; mode?: string; case?: string };
  readonly normalize: Normalize | null;
}

const RULE_RE = /^\s*([a-z0-9_]+)\s*(<=|>=|<|>|\+|-)\s*([^\s[\]]+)\s*(?:\[([^\]]*)\])?\s*$/i;

function unknownMetric(id: string, where: string): never {
  throw new UsageError(`${where}: unknown metric '${id}'; use one of ${METRICS.map((m) => m.id).join(', ')}`);
}

function parseFilter(text: string | undefined, where: string): GateRule['filter'] {
  const f: { engine?: string; mode?: string; case?: string } = {};
  if (!text) return f;
  for (const part of text.split(',').map((p) => p.trim()).filter((p) => p !== '')) {
    const [k, v] = part.split('=').map((x) => x.trim());
    if ((k !== 'engine' && k !== 'mode' && k !== 'case') || !v) throw new UsageError(`${where}: filter '${part}' must be engine=NAME, mode=MODE or case=GLOB`);
    f[k] = v;
  }
  return f;
}

/** Compile one rule (string or object form). `where` names it in messages (e.g. `--rule 'x'`). */
export function compileRule(input: string | GateRuleInput, defaults: { normalize?: Normalize | null } = {}, where?: string): GateRule {
  if (typeof input === 'string') {
    const w = where ?? `rule '${input}'`;
    const m = RULE_RE.exec(input);
    if (!m) throw new UsageError(`${w} is not a rule; write METRIC < VALUE, METRIC +10% or METRIC -10%, optionally followed by [mode=sync]`);
    const [, id, op, value, filter] = m;
    const metric = findMetric(id!) ?? unknownMetric(id!, w);
    if (op === '+' || op === '-') return relative(metric, `${op}${value}`, parseFilter(filter, w), defaults.normalize ?? null, input.trim(), w);
    return absolute(metric, op as '<', value!, parseFilter(filter, w), defaults.normalize ?? null, input.trim(), w);
  }
  const w = where ?? `rule ${JSON.stringify(input)}`;
  if (typeof input !== 'object' || input === null || typeof input.metric !== 'string') throw new UsageError(`${w} needs a "metric"`);
  const metric = findMetric(input.metric) ?? unknownMetric(input.metric, w);
  const filter = { ...(input.engine ? { engine: input.engine } : {}), ...(input.mode ? { mode: input.mode } : {}), ...(input.case ? { case: input.case } : {}) };
  const normalize = input.normalize === undefined ? (defaults.normalize ?? null) : input.normalize;
  if (normalize !== null && normalize !== 'raw-sync-p50') throw new UsageError(`${w}: normalize must be "raw-sync-p50"`);
  const suffix = Object.keys(filter).length ? ` [${Object.entries(filter).map(([k, v]) => `${k}=${v}`).join(',')}]` : '';
  if (input.change !== undefined && input.op === undefined) return relative(metric, String(input.change), filter, normalize, `${metric.id} ${input.change}${suffix}`, w);
  if (input.op !== undefined && input.value !== undefined && input.change === undefined) {
    if (!['<', '<=', '>', '>='].includes(input.op)) throw new UsageError(`${w}: op must be <, <=, > or >=`);
    return absolute(metric, input.op, input.value, filter, normalize, `${metric.id} ${input.op} ${input.value}${suffix}`, w);
  }
  throw new UsageError(`${w}: give either "change" (e.g. "+10%") or "op" and "value" (e.g. "<", "10ms")`);
}

function relative(metric: MetricDef, change: string, filter: GateRule['filter'], normalize: Normalize | null, text: string, where: string): GateRule {
  const m = /^([+-])(\d+(?:\.\d+)?)%$/.exec(change.replace(/\s+/g, ''));
  if (!m) throw new UsageError(`${where}: change must look like +10% or -10%`);
  const sign = m[1]!;
  const expected = metric.better === 'lower' ? '+' : '-';
  if (sign !== expected) {
    throw new UsageError(
      `${where}: ${metric.id} is ${metric.better} is better, so its allowed change is written ${expected}N% (how much worse it may get)`,
    );
  }
  return { text, metric, check: { kind: 'relative', maxWorsening: Number(m[2]) / 100 }, filter, normalize };
}

function absolute(metric: MetricDef, op: '<' | '<=' | '>' | '>=', value: string | number, filter: GateRule['filter'], normalize: Normalize | null, text: string, where: string): GateRule {
  const limit = normalize ? Number(String(value).replace(/x$/i, '')) : parseMetricValue(metric, value);
  if (limit === null || !Number.isFinite(limit)) {
    const hint = normalize ? 'a multiple of the raw sync p50, e.g. 3x' : metric.unit === 'ns' ? 'a duration such as 10ms, 250us or a number of ns' : `a number in ${metric.unit}`;
    throw new UsageError(`${where}: limit '${value}' is not ${hint}`);
  }
  return { text, metric, check: { kind: 'absolute', op, limit }, filter, normalize };
}

/** Parse and compile a rule file's JSON (`name` for messages). */
export function compileConfig(config: unknown, name: string): { rules: GateRule[]; baseline: string | null } {
  const c = config as GateConfig | null;
  if (typeof c !== 'object' || c === null || !Array.isArray(c.rules)) throw new UsageError(`${name} is not a gate rule file: it needs a "rules" array (see docs/compare-gate-tune.md)`);
  const rules = c.rules.map((r, i) => compileRule(r, { normalize: c.normalize ?? null }, `${name} rule ${i + 1}`));
  return { rules, baseline: typeof c.baseline === 'string' ? c.baseline : null };
}

export type CheckStatus = 'pass' | 'fail' | 'noise' | 'missing' | 'not-measured';

export interface GateCheck {
  rule: string;
  report: string;
  caseKey: string;
  metric: string;
  value: string;
  baseline: string | null;
  /** What the value was held against: `< 10 ms`, `≤ +10 % (baseline 4.1 ms)`. */
  expectation: string;
  status: CheckStatus;
  detail: string;
}

export interface GateResult {
  checks: GateCheck[];
  failed: number;
  passed: number;
  /** Rules that found no case to check (a typo in a filter, or no crash trials for a loss rule). */
  idleRules: string[];
  pass: boolean;
}

function globToRegExp(glob: string): RegExp {
  return new RegExp(`^${glob.replace(/[.+^${}()|[\]\\?]/g, '\\$&').replace(/\*/g, '.*')}$`);
}

function matches(rule: GateRule, key: string, c: { key: { engine: string; mode: string } }): boolean {
  if (rule.filter.engine && rule.filter.engine !== c.key.engine) return false;
  if (rule.filter.mode && rule.filter.mode !== c.key.mode) return false;
  if (rule.filter.case && !globToRegExp(rule.filter.case).test(key)) return false;
  return true;
}

/** The report's raw sync p50 on a case's target (the normalisation reference). */
export function rawSyncP50(report: RunReport, c: CompletedCase, name: string, rule: GateRule): number {
  const candidates = report.cases.filter(
    (x): x is CompletedCase => x.state === 'completed' && x.key.engine === 'raw' && x.key.mode === 'sync' && x.key.target === c.key.target && x.metrics.syncLatency.count > 0,
  );
  const best = candidates.find((x) => x.key.valueBytes === c.key.valueBytes && x.key.writers === c.key.writers) ?? candidates[0];
  if (!best) {
    throw new UsageError(
      `rule '${rule.text}' normalises by the raw sync p50, but ${name} has no completed raw sync case on target ${c.key.target}; add --engine raw --mode sync to that run`,
    );
  }
  const v = measure(best, findMetric('sync_p50_ns')!).value;
  if (!v) throw new UsageError(`rule '${rule.text}': the raw sync p50 of ${name} is 0; it cannot normalise`);
  return v;
}

function normalised(rule: GateRule, value: number, report: RunReport, c: CompletedCase, name: string): number {
  if (!rule.normalize || rule.metric.kind === 'loss' || rule.metric.kind === 'other') return value;
  const ref = rawSyncP50(report, c, name, rule);
  return rule.metric.kind === 'throughput' ? (value * ref) / 1e9 : value / ref;
}

function show(rule: GateRule, v: number): string {
  if (!rule.normalize || rule.metric.kind === 'loss' || rule.metric.kind === 'other') return formatMetric(rule.metric, v);
  return rule.metric.kind === 'throughput' ? `${v.toPrecision(3)} commits per raw sync` : `${v.toPrecision(3)}× raw sync p50`;
}

const OPS: Record<'<' | '<=' | '>' | '>=', (a: number, b: number) => boolean> = {
  '<': (a, b) => a < b,
  '<=': (a, b) => a <= b,
  '>': (a, b) => a > b,
  '>=': (a, b) => a >= b,
};

export interface GateInput {
  rules: readonly GateRule[];
  reports: readonly { name: string; report: RunReport }[];
  baseline: { name: string; report: RunReport } | null;
}

export function evaluateGate(input: GateInput): GateResult {
  const { rules, reports, baseline } = input;
  if (rules.length === 0) throw new UsageError('gate has no rules; give --rules FILE or --rule EXPR (see docs/compare-gate-tune.md)');
  const relativeRules = rules.filter((r) => r.check.kind === 'relative');
  if (relativeRules.length > 0 && baseline === null) {
    throw new UsageError(`rule '${relativeRules[0]!.text}' compares against a baseline; give --baseline BASE.json`);
  }
  const baseCases = new Map<string, CompletedCase>();
  const baseAll = new Map<string, string>();
  if (baseline) {
    for (const c of baseline.report.cases) {
      baseAll.set(reportCaseKey(baseline.report, c), c.state);
      if (c.state === 'completed') baseCases.set(reportCaseKey(baseline.report, c), c);
    }
  }
  const checks: GateCheck[] = [];
  const used = new Set<string>();
  for (const { name, report } of reports) {
    const keyed = report.cases.map((c) => ({ key: reportCaseKey(report, c), c }));
    if (baseline && relativeRules.length > 0 && !keyed.some(({ key }) => baseAll.has(key))) {
      throw new UsageError(`${name} and the baseline ${baseline.name} have no case in common; gate a report of the same suite as the baseline`);
    }
    for (const rule of rules) {
      if (rule.check.kind === 'relative' && baseline) {
        const here = new Set(keyed.map((k) => k.key));
        for (const [key, b] of baseCases) {
          if (here.has(key) || !matches(rule, key, b)) continue;
          checks.push({ rule: rule.text, report: name, caseKey: key, metric: rule.metric.id, value: '—', baseline: formatMetric(rule.metric, measure(b, rule.metric).value), expectation: '', status: 'missing', detail: 'in the baseline, not in this report' });
        }
      }
      for (const { key, c } of keyed) {
        if (!matches(rule, key, c)) continue;
        const base: Omit<GateCheck, 'value' | 'baseline' | 'expectation' | 'status' | 'detail'> = { rule: rule.text, report: name, caseKey: key, metric: rule.metric.id };
        if (c.state !== 'completed') {
          if (c.state === 'errored') {
            used.add(rule.text);
            checks.push({ ...base, value: '—', baseline: null, expectation: '', status: 'fail', detail: `case errored: ${c.reason}` });
          }
          continue;
        }
        const raw = measure(c, rule.metric).value;
        if (raw === null) {
          checks.push({ ...base, value: '—', baseline: null, expectation: '', status: 'not-measured', detail: rule.metric.kind === 'loss' ? 'no crash trials in this case' : 'not measured in this case' });
          continue;
        }
        used.add(rule.text);
        const value = normalised(rule, raw, report, c, name);
        if (rule.check.kind === 'absolute') {
          const ok = OPS[rule.check.op](value, rule.check.limit);
          const expectation = `${rule.check.op.replace('<=', '≤').replace('>=', '≥')} ${show(rule, rule.check.limit)}`;
          checks.push({ ...base, value: show(rule, value), baseline: null, expectation, status: ok ? 'pass' : 'fail', detail: ok ? 'within the limit' : `${show(rule, value)} breaks ${expectation}` });
          continue;
        }
        const b = baseCases.get(key);
        if (!b) {
          const state = baseAll.get(key);
          checks.push({ ...base, value: show(rule, value), baseline: null, expectation: '', status: 'missing', detail: state ? `baseline case ${state}` : 'not in the baseline' });
          continue;
        }
        const bm = measure(b, rule.metric);
        if (bm.value === null) {
          checks.push({ ...base, value: show(rule, value), baseline: '—', expectation: '', status: 'not-measured', detail: 'not measured in the baseline' });
          continue;
        }
        const bv = normalised(rule, bm.value, baseline!.report, b, baseline!.name);
        const worsening = bv === 0 ? (value === bv ? 0 : Infinity) : rule.metric.better === 'lower' ? value / bv - 1 : 1 - value / bv;
        const cm = measure(c, rule.metric);
        const bothRepeats = cm.ciLow !== null && bm.ciLow !== null;
        // With repeats on both sides, a change whose 95 % intervals overlap is noise, not a regression.
        const overlap = bothRepeats && cm.ciLow! <= bm.ciHigh! && bm.ciLow! <= cm.ciHigh!;
        const sign = rule.metric.better === 'lower' ? '+' : '−';
        const expectation = `${sign}${(rule.check.maxWorsening * 100).toFixed(0)} % at most`;
        const changeText = Math.abs(worsening) < 0.0005 ? 'unchanged' : `${worsening > 0 ? 'worse' : 'better'} by ${Math.abs(worsening * 100).toFixed(1)} %`;
        const status: CheckStatus = worsening <= rule.check.maxWorsening ? 'pass' : overlap ? 'noise' : 'fail';
        checks.push({
          ...base,
          value: show(rule, value),
          baseline: show(rule, bv),
          expectation,
          status,
          detail: status === 'noise' ? `${changeText}, but the 95 % intervals of the repeats overlap: inside the noise` : changeText,
        });
      }
    }
  }
  const failed = checks.filter((c) => c.status === 'fail').length;
  const passed = checks.filter((c) => c.status === 'pass' || c.status === 'noise').length;
  const idleRules = rules.map((r) => r.text).filter((t) => !used.has(t));
  return { checks, failed, passed, idleRules: [...new Set(idleRules)], pass: failed === 0 };
}
