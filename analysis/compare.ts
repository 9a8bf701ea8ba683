/**
 * `durabench compare`: line up the cases of several reports (hosts, filesystems, commits) — or the
 * targets, hosts or filesystems of reports — by key, and judge each headline metric against the
 * first side. Pure: reports in, a `Comparison` out; renderers turn it into text.
 *
 * A difference is called `better` or `worse` only with evidence that it is outside the noise of
 * both sides: both sides ran repeats, the two-sided Mann–Whitney rank test on the repeats' values
 * (analysis/rank-test.ts) gives p < α (default 0.05), and the medians differ by at least the
 * minimum effect (default 1 %, criterion.rs's noise threshold: a significant change too small to
 * matter stays noise). Otherwise:
 *
 * - `noise`: the test could have shown a difference and did not (p ≥ α), or the change is below
 *   the minimum effect;
 * - `unknown`: no significance can be given — a side ran once (one run says nothing about its own
 *   spread), or the repeats are too few for the test to ever reach α (3 against 3: p ≥ 0.1).
 *
 * Each cell keeps its side's own statistic: the median of the repeats with its 95 % interval, or
 * the value of one run (analysis/metric-value.ts), the same number every other view shows.
 */
import { keyWithoutTarget } from '../model/case.js';
import { UsageError } from '../model/errors.js';
import { HEADLINE_METRICS, type MetricDef } from '../model/metrics.js';
import { type CompletedCase, type RunReport } from '../model/run-report.js';
import { describeReport, fsOfTarget, hostLabel, reportCaseKey, targetLabel, uniqueLabels } from './lineup.js';
import { metricValue, sampleOf, type MetricValue, type Statistic } from './metric-value.js';
import { mannWhitney, type RankTestResult } from './rank-test.js';

/** One column of the comparison: a report, a target, a host or a filesystem. */
export interface CompareSide {
  /** Short unique label (file name, target, host, filesystem). */
  readonly label: string;
  /** Where it ran: host, filesystem, device. */
  readonly description: string;
  /** Completed cases by comparison key. */
  readonly cases: ReadonlyMap<string, CompletedCase>;
}

export type CompareBy = 'report' | 'target' | 'host' | 'fs';

export type Verdict = 'baseline' | 'better' | 'worse' | 'noise' | 'unknown' | 'missing' | 'n/a';

export interface CompareCell {
  value: number | null;
  /** How the value was obtained (median of repeats with its interval, or one run). */
  statistic: Statistic;
  /** value / baseline value (null when either is missing or the baseline is 0). */
  ratio: number | null;
  /** The rank test against the baseline's repeats, when both sides have repeats. */
  test: RankTestResult | null;
  verdict: Verdict;
  /** Why: the p-value and effect, or why no significance can be given. */
  reason: string;
}

export interface MetricComparison {
  metric: MetricDef;
  cells: CompareCell[];
}

export interface CaseComparison {
  /** The comparison key (case id without the target directory). */
  key: string;
  /** Which sides have this case completed. */
  present: boolean[];
  metrics: MetricComparison[];
}

export interface Comparison {
  by: CompareBy;
  sides: { label: string; description: string }[];
  /** Significance level of the rank test. */
  alpha: number;
  /** Smallest relative change of the medians called a difference. */
  minEffect: number;
  cases: CaseComparison[];
  /** Keys present in only some sides. */
  missing: { key: string; missingFrom: string[] }[];
}

function completed(report: RunReport): CompletedCase[] {
  return report.cases.filter((c): c is CompletedCase => c.state === 'completed');
}

/** Sides from several reports; labels are made unique from the file names. */
export function sidesFromReports(reports: readonly { file: string; report: RunReport }[]): CompareSide[] {
  const labels = uniqueLabels(reports.map((r) => r.file));
  return reports.map((r, i) => ({
    label: labels[i]!,
    description: describeReport(r.report),
    cases: new Map(completed(r.report).map((c) => [reportCaseKey(r.report, c), c])),
  }));
}

function onlyTarget(report: RunReport, t: string): RunReport {
  return { ...report, host: { ...report.host, targets: report.host.targets.filter((x) => x.dir === t) } };
}

/** Sides from the targets of one report (`--by target`). */
export function sidesFromTargets(report: RunReport): CompareSide[] {
  const targets = report.suite.targets;
  if (targets.length < 2) throw new UsageError(`--by target needs a report with two or more targets (--dir or --fs); this one has ${targets.length}`);
  return targets.map((t) => ({
    label: `${targetLabel(report, t)} (${fsOfTarget(report, t)})`,
    description: describeReport(onlyTarget(report, t)),
    cases: new Map(completed(report).filter((c) => c.key.target === t).map((c) => [keyWithoutTarget(c.key), c])),
  }));
}

/** Group cases into sides by a label; the same case twice under one label is a usage error. */
function grouped(
  entries: readonly { label: string; description: string; file: string; key: string; c: CompletedCase }[],
  by: string,
  hint: string,
): CompareSide[] {
  const sides = new Map<string, { description: string; cases: Map<string, CompletedCase>; files: Map<string, string> }>();
  for (const e of entries) {
    let s = sides.get(e.label);
    if (!s) sides.set(e.label, (s = { description: e.description, cases: new Map(), files: new Map() }));
    const other = s.files.get(e.key);
    if (other !== undefined) throw new UsageError(`${other} and ${e.file} both have case ${e.key} for ${by} ${e.label}; ${hint}`);
    s.cases.set(e.key, e.c);
    s.files.set(e.key, e.file);
  }
  return [...sides].map(([label, s]) => ({ label, description: s.description, cases: s.cases }));
}

/** Sides by host (`--by host`): the reports of each host together, in the order the hosts first appear. */
export function sidesFromHosts(reports: readonly { file: string; report: RunReport }[]): CompareSide[] {
  const entries = reports.flatMap(({ file, report }) =>
    completed(report).map((c) => ({ label: hostLabel(report.host), description: describeReport(report), file, key: reportCaseKey(report, c), c })),
  );
  const sides = grouped(entries, 'host', 'merge the reports of one host first (durabench merge), or compare them --by report');
  if (sides.length < 2) throw new UsageError(`--by host needs reports from two or more hosts; these all come from ${sides[0]?.label ?? 'no host'} (compare --by report lines up reports of one host)`);
  return sides;
}

/**
 * Sides by filesystem (`--by fs`): every target of every report under its filesystem — the spec a
 * `run --fs` image was made with (`ext4:data=journal`), else the target's filesystem type.
 */
export function sidesFromFilesystems(reports: readonly { file: string; report: RunReport }[]): CompareSide[] {
  const entries = reports.flatMap(({ file, report }) =>
    completed(report).map((c) => {
      const label = targetLabel(report, c.key.target) === c.key.target ? fsOfTarget(report, c.key.target) : targetLabel(report, c.key.target);
      return { label, description: describeReport(onlyTarget(report, c.key.target)), file, key: keyWithoutTarget(c.key), c };
    }),
  );
  const sides = grouped(entries, 'filesystem', 'compare --by target or --by report to tell them apart');
  if (sides.length < 2) throw new UsageError(`--by fs needs cases on two or more filesystems; these all ran on ${sides[0]?.label ?? 'nothing'} (durabench run --fs ext4,xfs runs one matrix on several)`);
  return sides;
}

export interface JudgeOptions {
  /** Significance level (0.05). */
  readonly alpha: number;
  /** Smallest relative change called a difference (0.01 = 1 %). */
  readonly minEffect: number;
}

function pText(p: number): string {
  return p < 0.001 ? p.toExponential(1) : Number(p.toPrecision(2)).toString();
}

function pct(x: number): string {
  return `${x >= 0 ? '+' : '−'}${Number((Math.abs(x) * 100).toPrecision(2))} %`;
}

/** Judge one side's value of a metric against the baseline's. `names` are the sides' labels, for reasons. */
export function judge(m: MetricDef, base: MetricValue, other: MetricValue, o: JudgeOptions, names: { base: string; other: string }): CompareCell {
  const cell: CompareCell = { value: other.value, statistic: other.statistic, ratio: null, test: null, verdict: 'n/a', reason: '' };
  if (other.value === null) return { ...cell, reason: `not measured on ${names.other}` };
  if (base.value === null) return { ...cell, reason: `not measured on ${names.base}` };
  if (!Number.isFinite(base.value) || !Number.isFinite(other.value)) return { ...cell, reason: 'unbounded' };
  const ratio = base.value === 0 ? (other.value === 0 ? 1 : null) : other.value / base.value;
  const withRatio = { ...cell, ratio };
  const xs = sampleOf(base);
  const ys = sampleOf(other);
  if (xs.length < 2 || ys.length < 2) {
    const once = [xs.length < 2 ? names.base : null, ys.length < 2 ? names.other : null].filter((s): s is string => s !== null);
    return { ...withRatio, verdict: 'unknown', reason: `no significance without repeats: ${once.join(' and ')} ran once (repeat both with --repeat 6)` };
  }
  const test = mannWhitney(xs, ys);
  const counts = `${xs.length} vs ${ys.length} repeats`;
  if (test.minP >= o.alpha) {
    return { ...withRatio, test, verdict: 'unknown', reason: `no significance: with ${counts} no result can reach p < ${o.alpha} (the smallest possible p is ${pText(test.minP)}); repeat both with --repeat 6` };
  }
  if (test.p >= o.alpha) return { ...withRatio, test, verdict: 'noise', reason: `within noise: p = ${pText(test.p)} (Mann–Whitney, ${counts})` };
  const change = ratio === null ? Math.sign(other.value - base.value) * Infinity : ratio - 1;
  if (Math.abs(change) < o.minEffect) {
    return { ...withRatio, test, verdict: 'noise', reason: `within noise: p = ${pText(test.p)}, but the change of the medians (${pct(change)}) is below the ${pct(o.minEffect).slice(1)} minimum effect` };
  }
  const verdict: Verdict = change > 0 === (m.better === 'higher') ? 'better' : 'worse';
  return { ...withRatio, test, verdict, reason: `${verdict}: p = ${pText(test.p)} (Mann–Whitney, ${counts}), medians ${Number.isFinite(change) ? pct(change) : 'from 0'}` };
}

export interface CompareOptions extends JudgeOptions {
  readonly by?: CompareBy;
  readonly metrics?: readonly MetricDef[];
}

export function compareSides(sides: readonly CompareSide[], opts: CompareOptions): Comparison {
  const metrics = opts.metrics ?? HEADLINE_METRICS;
  if (sides.length < 2) throw new UsageError('compare needs at least two sides: two or more reports, or one report with --by target or --by fs');
  const keys: string[] = [];
  for (const s of sides) for (const k of s.cases.keys()) if (!keys.includes(k)) keys.push(k);
  const shared = keys.filter((k) => sides.filter((s) => s.cases.has(k)).length >= 2);
  if (shared.length === 0) {
    throw new UsageError(
      `${sides.map((s) => s.label).join(', ')} have no completed case in common (cases line up by engine, mode, batch size, writers, value size, workload and target position); run the same suite on each`,
    );
  }
  const baseName = sides[0]!.label;
  const cases: CaseComparison[] = keys.map((key) => {
    const present = sides.map((s) => s.cases.has(key));
    return {
      key,
      present,
      metrics: metrics.map((m) => {
        const base = metricValue(sides[0]!.cases.get(key), m);
        const cells = sides.map((s, i): CompareCell => {
          const c = s.cases.get(key);
          const v = metricValue(c, m);
          if (!c) return { value: null, statistic: v.statistic, ratio: null, test: null, verdict: 'missing', reason: `not in ${s.label}` };
          if (i === 0) return { value: v.value, statistic: v.statistic, ratio: v.value === null ? null : 1, test: null, verdict: v.value === null ? 'n/a' : 'baseline', reason: v.value === null ? 'not measured' : 'baseline' };
          if (!present[0]) return { value: v.value, statistic: v.statistic, ratio: null, test: null, verdict: 'n/a', reason: `not in ${baseName} (the baseline)` };
          return judge(m, base, v, opts, { base: baseName, other: s.label });
        });
        return { metric: m, cells };
      }),
    };
  });
  const missing = cases
    .filter((c) => c.present.some((p) => !p))
    .map((c) => ({ key: c.key, missingFrom: sides.filter((_, i) => !c.present[i]).map((s) => s.label) }));
  return { by: opts.by ?? 'report', sides: sides.map((s) => ({ label: s.label, description: s.description })), alpha: opts.alpha, minEffect: opts.minEffect, cases, missing };
}
