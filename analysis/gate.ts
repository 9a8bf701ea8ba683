/**
 * `durabench gate`: rules → checks → a verdict for CI. Pure: parsed rules and reports in, a
 * `GateResult` out. The CLI maps it to exit codes: 0 every rule checked something and none was
 * broken; 1 a rule was broken; 2 bad input — a bad rule, an unreadable report, or a rule that
 * checked nothing (no case matched its filter, or none measured its metric: a loss rule on a report
 * without crash trials) unless `--allow-missing`. A gate never passes because nothing was checked.
 *
 * Rule grammar (the same in `--rule` flags and in a rule file's `rules` array): see `RULE_GRAMMAR`.
 *
 * Values are the ones every view shows (analysis/metric-value.ts): the median of the repeats, or
 * the value of one run. A relative rule broken by the medians is checked for noise when both sides
 * ran repeats: if the Mann–Whitney test on the repeats finds no significant difference (p ≥ α) the
 * check is `noise` and passes; with too few repeats for the test, or none, the medians decide.
 *
 * Normalisation (`raw-sync-p50`) divides latencies (and multiplies throughput) by the same report's
 * raw sync p50 on the same target, so a relative rule holds on runners of different speed. It
 * applies to relative rules (`--normalize`, or the rule file's `normalize`); an absolute rule is
 * normalised only when the rule itself says so in the rule file, and its limit is then a multiple
 * (`"value": "3x"`).
 */
import { UsageError } from '../model/errors.js';
import { METRICS, findMetric, formatMetric, parseMetricValue, type MetricDef } from '../model/metrics.js';
import { type CompletedCase, type RunReport } from '../model/run-report.js';
import { reportCaseKey } from './lineup.js';
import { metricValue, sampleOf, statisticName, type MetricValue } from './metric-value.js';
import { mannWhitney } from './rank-test.js';

export type Normalize = 'raw-sync-p50';

/** The rule grammar, for `durabench gate --help` and the docs. */
export const RULE_GRAMMAR = `Rules (--rule, repeatable; or a rule file's "rules"):
  METRIC +N%            relative to --baseline: a lower-is-better metric may get at most N % worse
  METRIC -N%            relative: a higher-is-better metric (commits_per_sec) may drop at most N %
  METRIC < V            absolute limit; also <=, >, >=; latencies take 10ms, 250us, 800ns (or ns)
  … [engine=E,mode=M,case=GLOB]   only cases matching every filter (case globs the case key, * = anything)
Examples: 'commit_p99_ns +10%'  'commits_per_sec -5% [engine=wal]'  'sync_p99_ns < 10ms [mode=sync]'  'lost_max <= 0 [mode=sync]'
Metrics: ${METRICS.map((m) => m.id).join(', ')}
Exit: 0 every rule checked at least one case and none was broken; 1 a rule was broken (or a checked case errored);
2 bad input: a bad rule, an unreadable report, or a rule that checked nothing (no case matched, the metric was not
measured: loss rules need crash trials) unless --allow-missing.`;

/** A rule as written in a rule file (object form); the string form is parsed by `compileRule`. */
export interface GateRuleInput {
  metric: string;
  /** Absolute: `<`, `<=`, `>`, `>=` with `value` (a number in the metric's unit, `10ms`, or `3x` when normalised). */
  op?: '<' | '<=' | '>' | '>=';
  value?: number | string;
  /** Relative to the baseline: `+10%` (lower-is-better metrics) or `-10%` (higher-is-better). */
  change?: string;
  engine?: string;
  mode?: string;
  case?: string;
  normalize?: Normalize | null;
}

/** The rule file: `{ "baseline"?: "base.json", "normalize"?: "raw-sync-p50", "rules": [...] }`. */
export interface GateConfig {
  baseline?: string;
  /** Applies to the file's relative rules (a rule's own `normalize` wins). */
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

/**
 * Compile one rule (string or object form). `defaults.normalize` (the `--normalize` flag or the
 * rule file's) applies to relative rules only. `where` names the rule in messages (`--rule 'x'`).
 */
export function compileRule(input: string | GateRuleInput, defaults: { normalize?: Normalize | null } = {}, where?: string): GateRule {
  const forRelative = defaults.normalize ?? null;
  if (typeof input === 'string') {
    const w = where ?? `rule '${input}'`;
    const m = RULE_RE.exec(input);
    if (!m) throw new UsageError(`${w} is not a rule; write METRIC < VALUE, METRIC +10% or METRIC -10%, optionally followed by [mode=sync] (durabench gate --help shows the grammar)`);
    const [, id, op, value, filter] = m;
    const metric = findMetric(id!) ?? unknownMetric(id!, w);
    if (op === '+' || op === '-') return relative(metric, `${op}${value}`, parseFilter(filter, w), forRelative, input.trim(), w);
    return absolute(metric, op as '<', value!, parseFilter(filter, w), null, input.trim(), w);
  }
  const w = where ?? `rule ${JSON.stringify(input)}`;
  if (typeof input !== 'object' || input === null || typeof input.metric !== 'string') throw new UsageError(`${w} needs a "metric"`);
  const metric = findMetric(input.metric) ?? unknownMetric(input.metric, w);
  const filter = { ...(input.engine ? { engine: input.engine } : {}), ...(input.mode ? { mode: input.mode } : {}), ...(input.case ? { case: input.case } : {}) };
  if (input.normalize !== undefined && input.normalize !== null && input.normalize !== 'raw-sync-p50') throw new UsageError(`${w}: normalize must be "raw-sync-p50" or null`);
  const suffix = Object.keys(filter).length ? ` [${Object.entries(filter).map(([k, v]) => `${k}=${v}`).join(',')}]` : '';
  if (input.change !== undefined && input.op === undefined) {
    return relative(metric, String(input.change), filter, input.normalize === undefined ? forRelative : input.normalize, `${metric.id} ${input.change}${suffix}`, w);
  }
  if (input.op !== undefined && input.value !== undefined && input.change === undefined) {
    if (!['<', '<=', '>', '>='].includes(input.op)) throw new UsageError(`${w}: op must be <, <=, > or >=`);
    return absolute(metric, input.op, input.value, filter, input.normalize ?? null, `${metric.id} ${input.op} ${input.value}${suffix}`, w);
  }
  throw new UsageError(`${w}: give either "change" (e.g. "+10%") or "op" and "value" (e.g. "<", "10ms")`);
}

function relative(metric: MetricDef, change: string, filter: GateRule['filter'], normalize: Normalize | null, text: string, where: string): GateRule {
  const m = /^([+-])(\d+(?:\.\d+)?)%$/.exec(change.replace(/\s+/g, ''));
  if (!m) throw new UsageError(`${where}: change must look like +10% or -10%`);
  const sign = m[1]!;
  const expected = metric.better === 'lower' ? '+' : '-';
  if (sign !== expected) {
    throw new UsageError(`${where}: ${metric.id} is ${metric.better} is better, so its allowed change is written ${expected}N% (how much worse it may get)`);
  }
  return { text, metric, check: { kind: 'relative', maxWorsening: Number(m[2]) / 100 }, filter, normalize: normalizable(metric) ? normalize : null };
}

function normalizable(m: MetricDef): boolean {
  return m.kind === 'latency' || m.kind === 'throughput';
}

function absolute(metric: MetricDef, op: '<' | '<=' | '>' | '>=', value: string | number, filter: GateRule['filter'], normalize: Normalize | null, text: string, where: string): GateRule {
  if (normalize && !normalizable(metric)) throw new UsageError(`${where}: ${metric.id} is not a latency or throughput; it cannot be normalised by the raw sync p50`);
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
  if (c.normalize !== undefined && c.normalize !== null && c.normalize !== 'raw-sync-p50') throw new UsageError(`${name}: "normalize" must be "raw-sync-p50" or null`);
  const rules = c.rules.map((r, i) => compileRule(r, { normalize: c.normalize ?? null }, `${name} rule ${i + 1}`));
  return { rules, baseline: typeof c.baseline === 'string' ? c.baseline : null };
}

/** `pass`/`noise` (passes: inside the noise) and `fail` are checks made; `missing` and `not-measured` could not be made. */
export type CheckStatus = 'pass' | 'fail' | 'noise' | 'missing' | 'not-measured';

export interface GateCheck {
  rule: string;
  report: string;
  caseKey: string;
  metric: string;
  value: string;
  /** How the value was obtained: `median of 5 repeats`, `one run`. */
  statistic: string;
  baseline: string | null;
  /** What the value was held against: `< 10 ms`, `+10 % at most`. */
  expectation: string;
  status: CheckStatus;
  detail: string;
}

/** A rule that checked nothing in a report, and why. */
export interface UncheckedRule {
  rule: string;
  report: string;
  reason: string;
}

export interface GateResult {
  checks: GateCheck[];
  /** Checks that broke their rule. */
  failed: number;
  /** Checks that held (including `noise`). */
  passed: number;
  /** Rules that checked no case of a report: exit 2 unless allowed. */
  unchecked: UncheckedRule[];
  /** `--allow-missing`: unchecked rules are listed, not fatal. */
  allowMissing: boolean;
  /** No rule broken and (unless allowed) every rule checked something. */
  pass: boolean;
  /** Significance level of the noise test. */
  alpha: number;
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
    throw new UsageError(`rule '${rule.text}' normalises by the raw sync p50, but ${name} has no completed raw sync case on target ${c.key.target}; add --engine raw --mode sync to that run`);
  }
  const v = metricValue(best, findMetric('sync_p50_ns')!).value;
  if (!v) throw new UsageError(`rule '${rule.text}': the raw sync p50 of ${name} is 0; it cannot normalise`);
  return v;
}

function scaleOf(rule: GateRule, report: RunReport, c: CompletedCase, name: string): (v: number) => number {
  if (!rule.normalize) return (v) => v;
  const ref = rawSyncP50(report, c, name, rule);
  return rule.metric.kind === 'throughput' ? (v) => (v * ref) / 1e9 : (v) => v / ref;
}

function show(rule: GateRule, v: number): string {
  if (!rule.normalize) return formatMetric(rule.metric, v);
  return rule.metric.kind === 'throughput' ? `${v.toPrecision(3)} commits per raw sync` : `${v.toPrecision(3)}× raw sync p50`;
}

function statisticText(v: MetricValue): string {
  return statisticName(v.statistic);
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
  /** Significance level for the noise test of relative rules (0.05). */
  alpha: number;
  allowMissing?: boolean;
}

function pText(p: number): string {
  return p < 0.001 ? p.toExponential(1) : Number(p.toPrecision(2)).toString();
}

/** A relative rule on one case: the change of the medians, and whether it is beyond the noise. */
function relativeCheck(
  rule: GateRule & { check: { kind: 'relative' } },
  cur: MetricValue,
  base: MetricValue,
  scaleCur: (v: number) => number,
  scaleBase: (v: number) => number,
  alpha: number,
): Pick<GateCheck, 'value' | 'baseline' | 'expectation' | 'status' | 'detail'> {
  const value = scaleCur(cur.value!);
  const bv = scaleBase(base.value!);
  const worsening = bv === 0 ? (value === bv ? 0 : Infinity) : rule.metric.better === 'lower' ? value / bv - 1 : 1 - value / bv;
  const sign = rule.metric.better === 'lower' ? '+' : '−';
  const expectation = `${sign}${Number((rule.check.maxWorsening * 100).toPrecision(3))} % at most`;
  const changeText = Math.abs(worsening) < 0.0005 ? 'unchanged' : `${worsening > 0 ? 'worse' : 'better'} by ${Number.isFinite(worsening) ? `${Math.abs(worsening * 100).toFixed(1)} %` : 'an unbounded factor'}`;
  const shown = { value: show(rule, value), baseline: show(rule, bv), expectation };
  if (worsening <= rule.check.maxWorsening) return { ...shown, status: 'pass', detail: changeText };
  const xs = sampleOf(base).map(scaleBase);
  const ys = sampleOf(cur).map(scaleCur);
  if (xs.length < 2 || ys.length < 2) return { ...shown, status: 'fail', detail: `${changeText} (medians; no noise test: ${xs.length < 2 ? 'the baseline' : 'this report'} ran once)` };
  const t = mannWhitney(xs, ys);
  if (t.minP >= alpha) return { ...shown, status: 'fail', detail: `${changeText} (medians; no noise test: ${xs.length} vs ${ys.length} repeats cannot reach p < ${alpha})` };
  if (t.p >= alpha) return { ...shown, status: 'noise', detail: `${changeText}, but within the noise of the repeats: p = ${pText(t.p)} (Mann–Whitney, ${xs.length} vs ${ys.length})` };
  return { ...shown, status: 'fail', detail: `${changeText}, p = ${pText(t.p)} (Mann–Whitney, ${xs.length} vs ${ys.length} repeats)` };
}

export function evaluateGate(input: GateInput): GateResult {
  const { rules, reports, baseline, alpha } = input;
  if (rules.length === 0) throw new UsageError('gate has no rules; give --rules FILE or --rule EXPR (durabench gate --help shows the grammar)');
  const relativeRules = rules.filter((r) => r.check.kind === 'relative');
  if (relativeRules.length > 0 && baseline === null) throw new UsageError(`rule '${relativeRules[0]!.text}' compares against a baseline; give --baseline BASE.json`);
  const baseCases = new Map<string, CompletedCase>();
  const baseAll = new Map<string, string>();
  if (baseline) {
    for (const c of baseline.report.cases) {
      baseAll.set(reportCaseKey(baseline.report, c), c.state);
      if (c.state === 'completed') baseCases.set(reportCaseKey(baseline.report, c), c);
    }
  }
  const checks: GateCheck[] = [];
  const unchecked: UncheckedRule[] = [];
  for (const { name, report } of reports) {
    const keyed = report.cases.map((c) => ({ key: reportCaseKey(report, c), c }));
    if (baseline && relativeRules.length > 0 && !keyed.some(({ key }) => baseAll.has(key))) {
      throw new UsageError(`${name} and the baseline ${baseline.name} have no case in common; gate a report of the same suite as the baseline`);
    }
    for (const rule of rules) {
      const before = checks.length;
      let matched = 0;
      const add = (c: Omit<GateCheck, 'rule' | 'report' | 'metric'>): void => {
        checks.push({ rule: rule.text, report: name, metric: rule.metric.id, ...c });
      };
      if (rule.check.kind === 'relative' && baseline) {
        const here = new Set(keyed.map((k) => k.key));
        for (const [key, b] of baseCases) {
          if (here.has(key) || !matches(rule, key, b)) continue;
          const bv = metricValue(b, rule.metric);
          add({ caseKey: key, value: '—', statistic: '', baseline: formatMetric(rule.metric, bv.value), expectation: '', status: 'missing', detail: 'in the baseline, not in this report' });
        }
      }
      for (const { key, c } of keyed) {
        if (!matches(rule, key, c)) continue;
        if (c.state === 'skipped') continue;
        matched += 1;
        if (c.state === 'errored') {
          add({ caseKey: key, value: '—', statistic: '', baseline: null, expectation: '', status: 'fail', detail: `the case errored: ${c.reason}` });
          continue;
        }
        const cur = metricValue(c, rule.metric);
        if (cur.value === null) {
          add({ caseKey: key, value: '—', statistic: '', baseline: null, expectation: '', status: 'not-measured', detail: rule.metric.kind === 'loss' ? 'no crash trials in this case' : 'not measured in this case' });
          continue;
        }
        const scale = scaleOf(rule, report, c, name);
        if (rule.check.kind === 'absolute') {
          const value = scale(cur.value);
          const ok = OPS[rule.check.op](value, rule.check.limit);
          const expectation = `${rule.check.op.replace('<=', '≤').replace('>=', '≥')} ${show(rule, rule.check.limit)}`;
          add({ caseKey: key, value: show(rule, value), statistic: statisticText(cur), baseline: null, expectation, status: ok ? 'pass' : 'fail', detail: ok ? 'within the limit' : `${show(rule, value)} breaks ${expectation}` });
          continue;
        }
        const b = baseCases.get(key);
        if (!b) {
          const state = baseAll.get(key);
          add({ caseKey: key, value: show(rule, scale(cur.value)), statistic: statisticText(cur), baseline: null, expectation: '', status: 'missing', detail: state ? `the baseline case ${state}` : 'not in the baseline' });
          continue;
        }
        const bm = metricValue(b, rule.metric);
        if (bm.value === null) {
          add({ caseKey: key, value: show(rule, scale(cur.value)), statistic: statisticText(cur), baseline: '—', expectation: '', status: 'not-measured', detail: 'not measured in the baseline' });
          continue;
        }
        const r = relativeCheck(rule as GateRule & { check: { kind: 'relative' } }, cur, bm, scale, scaleOf(rule, baseline!.report, b, baseline!.name), alpha);
        add({ caseKey: key, statistic: statisticText(cur), ...r });
      }
      const made = checks.slice(before).filter((x) => x.status === 'pass' || x.status === 'fail' || x.status === 'noise').length;
      if (made === 0) {
        const reason =
          matched === 0
            ? `no case of ${name} matches${Object.keys(rule.filter).length > 0 ? ` its filter [${Object.entries(rule.filter).map(([k, v]) => `${k}=${v}`).join(',')}]` : ''}`
            : rule.metric.kind === 'loss'
              ? `none of the ${matched} matching case${matched === 1 ? '' : 's'} of ${name} ran crash trials (add --crash kill or --crash power to the run)`
              : `none of the ${matched} matching case${matched === 1 ? '' : 's'} of ${name} could be checked (${rule.metric.id} not measured, or the case not in the baseline)`;
        unchecked.push({ rule: rule.text, report: name, reason });
      }
    }
  }
  const failed = checks.filter((c) => c.status === 'fail').length;
  const passed = checks.filter((c) => c.status === 'pass' || c.status === 'noise').length;
  const allowMissing = input.allowMissing === true;
  return { checks, failed, passed, unchecked, allowMissing, pass: failed === 0 && (allowMissing || unchecked.length === 0), alpha };
}
