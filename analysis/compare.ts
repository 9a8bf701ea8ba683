/**
 * `durabench compare`: line up the cases of several reports (hosts, filesystems, commits) — or the
 * targets of one report — by key, and judge each headline metric against the first side with a
 * noise allowance. Pure: reports in, a `Comparison` out; renderers turn it into text.
 *
 * Noise allowance: when both sides ran repeats, a change is inside the noise when their 95 %
 * intervals overlap (the allowance shown is the two half-widths over the baseline value). Otherwise
 * the documented default allowance applies (±5 %, `--noise`), because one run per side says
 * nothing about its own spread.
 */
import { UsageError } from '../model/errors.js';
import { HEADLINE_METRICS, type MetricDef } from '../model/metrics.js';
import { keyWithoutTarget, type CaseKey } from '../model/case.js';
import { type CompletedCase, type RunReport } from '../model/run-report.js';

/** Default relative noise allowance when a side has no repeats: ±5 %. */
export const DEFAULT_NOISE = 0.05;

/** One column of the comparison: a report, or one target of a report (`--by target`). */
export interface CompareSide {
  /** Short unique label (file name, or target directory). */
  readonly label: string;
  /** Where it ran: host, filesystem, device. */
  readonly description: string;
  /** Completed cases by comparison key. */
  readonly cases: ReadonlyMap<string, CompletedCase>;
}

export type Verdict = 'baseline' | 'better' | 'worse' | 'noise' | 'missing' | 'n/a';

export interface CompareCell {
  value: number | null;
  ciLow: number | null;
  ciHigh: number | null;
  /** value / baseline value (null when either is missing or the baseline is 0). */
  ratio: number | null;
  /** Relative allowance used for the verdict (0.05 = ±5 %). */
  allowance: number | null;
  /** Whether the allowance came from repeats or from the default. */
  allowanceFrom: 'repeats' | 'default' | null;
  verdict: Verdict;
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
  by: 'report' | 'target';
  sides: { label: string; description: string }[];
  defaultNoise: number;
  cases: CaseComparison[];
  /** Keys present in only some sides. */
  missing: { key: string; missingFrom: string[] }[];
}

/** The key that lines cases up: everything but the target directory (`raw/sync/w1/v128/unique`). */
export { keyWithoutTarget };

/** Across reports: the key plus the target's position in its suite (t0, t1, …). */
export function reportCaseKey(report: RunReport, c: { key: CaseKey }): string {
  const i = report.suite?.targets?.indexOf(c.key.target) ?? -1;
  return `${keyWithoutTarget(c.key)}/t${i < 0 ? 0 : i}`;
}

function completed(report: RunReport): CompletedCase[] {
  return report.cases.filter((c): c is CompletedCase => c.state === 'completed');
}

function fsOf(report: RunReport, target: string): string {
  const t = report.host.targets?.find((x) => x.dir === target);
  return t?.fsType.value ?? 'unknown fs';
}

/** Describe where a report ran (host, kernel, filesystems of its targets). */
export function describeReport(report: RunReport): string {
  const targets = (report.host.targets ?? []).map((t) => `${t.dir} (${t.fsType.value ?? '?'} on ${t.device.value ?? '?'}${t.model.value ? `, ${t.model.value}` : ''})`);
  return `${report.host.hostname}, ${report.host.kernel}, ${report.host.cpuModel}; ${targets.join('; ')}`;
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

/** Sides from the targets of one report (`--by target`). */
export function sidesFromTargets(report: RunReport): CompareSide[] {
  const targets = report.suite.targets;
  if (targets.length < 2) throw new UsageError(`--by target needs a report with two or more targets (--dir); this one has ${targets.length}`);
  return targets.map((t) => ({
    label: `${t} (${fsOf(report, t)})`,
    description: describeReport({ ...report, host: { ...report.host, targets: report.host.targets.filter((x) => x.dir === t) } }),
    cases: new Map(completed(report).filter((c) => c.key.target === t).map((c) => [keyWithoutTarget(c.key), c])),
  }));
}

/** Shortest distinguishing labels: the file name, else more of its path. */
export function uniqueLabels(files: readonly string[]): string[] {
  const parts = files.map((f) => f.split(/[\\/]/).filter((p) => p !== ''));
  for (let depth = 1; ; depth++) {
    const labels = parts.map((p) => p.slice(-depth).join('/').replace(/\.json$/, ''));
    const longest = Math.max(...parts.map((p) => p.length));
    if (new Set(labels).size === labels.length || depth >= longest) {
      return new Set(labels).size === labels.length ? labels : labels.map((l, i) => `${l} #${i + 1}`);
    }
  }
}

interface Measured {
  value: number | null;
  ciLow: number | null;
  ciHigh: number | null;
  hasRepeats: boolean;
}

/** A case's value for a metric: the median over repeats when it has them, else the merged value. */
export function measure(c: CompletedCase | undefined, m: MetricDef): Measured {
  if (!c) return { value: null, ciLow: null, ciHigh: null, hasRepeats: false };
  const r = c.repeats?.metrics[m.id];
  if (r && (c.repeats?.count ?? 0) >= 2) return { value: r.median, ciLow: r.ciLow, ciHigh: r.ciHigh, hasRepeats: true };
  const v = m.read(c);
  return { value: v, ciLow: null, ciHigh: null, hasRepeats: false };
}

/** Judge one value against the baseline. */
export function judge(m: MetricDef, base: Measured, other: Measured, defaultNoise: number): CompareCell {
  const cell: CompareCell = { value: other.value, ciLow: other.ciLow, ciHigh: other.ciHigh, ratio: null, allowance: null, allowanceFrom: null, verdict: 'n/a' };
  if (other.value === null) return { ...cell, verdict: base.value === null ? 'n/a' : 'missing' };
  if (base.value === null || !Number.isFinite(base.value) || !Number.isFinite(other.value)) return cell;
  if (base.value === 0) return { ...cell, verdict: other.value === 0 ? 'noise' : 'n/a' };
  const ratio = other.value / base.value;
  const change = ratio - 1;
  if (base.hasRepeats && other.hasRepeats) {
    const overlap = other.ciLow! <= base.ciHigh! && base.ciLow! <= other.ciHigh!;
    const allowance = ((base.ciHigh! - base.ciLow!) / 2 + (other.ciHigh! - other.ciLow!) / 2) / Math.abs(base.value);
    return { ...cell, ratio, allowance, allowanceFrom: 'repeats', verdict: overlap ? 'noise' : direction(m, change) };
  }
  return { ...cell, ratio, allowance: defaultNoise, allowanceFrom: 'default', verdict: Math.abs(change) <= defaultNoise ? 'noise' : direction(m, change) };
}

function direction(m: MetricDef, change: number): Verdict {
  return (change > 0) === (m.better === 'higher') ? 'better' : 'worse';
}

export interface CompareOptions {
  by?: 'report' | 'target';
  metrics?: readonly MetricDef[];
  /** Relative allowance when a side has no repeats (default 0.05). */
  noise?: number;
}

export function compareSides(sides: readonly CompareSide[], opts: CompareOptions = {}): Comparison {
  const metrics = opts.metrics ?? HEADLINE_METRICS;
  const noise = opts.noise ?? DEFAULT_NOISE;
  if (sides.length < 2) throw new UsageError('compare needs at least two reports (or --by target with a report of several targets)');
  const keys: string[] = [];
  for (const s of sides) for (const k of s.cases.keys()) if (!keys.includes(k)) keys.push(k);
  const shared = keys.filter((k) => sides.filter((s) => s.cases.has(k)).length >= 2);
  if (shared.length === 0) {
    throw new UsageError(
      `${sides.map((s) => s.label).join(', ')} have no completed case in common (cases line up by engine, mode, batch size, writers, value size, workload and target position); run the same suite on each`,
    );
  }
  const cases: CaseComparison[] = keys.map((key) => {
    const present = sides.map((s) => s.cases.has(key));
    return {
      key,
      present,
      metrics: metrics.map((m) => {
        const base = measure(sides[0]!.cases.get(key), m);
        const cells = sides.map((s, i) => {
          const v = measure(s.cases.get(key), m);
          if (i === 0) return { value: v.value, ciLow: v.ciLow, ciHigh: v.ciHigh, ratio: v.value === null ? null : 1, allowance: null, allowanceFrom: null, verdict: (v.value === null ? (s.cases.has(key) ? 'n/a' : 'missing') : 'baseline') as Verdict };
          return judge(m, base, v, noise);
        });
        return { metric: m, cells };
      }),
    };
  });
  const missing = cases
    .filter((c) => c.present.some((p) => !p))
    .map((c) => ({ key: c.key, missingFrom: sides.filter((_, i) => !c.present[i]).map((s) => s.label) }));
  return { by: opts.by ?? 'report', sides: sides.map((s) => ({ label: s.label, description: s.description })), defaultNoise: noise, cases, missing };
}
