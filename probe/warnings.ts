/**
 * The warnings of a probe report, from its provenance and results (pure): every target's own
 * warnings, an implausibly fast sync (judged on the fastest one-write-per-sync method of each
 * target), and noisy methods (a wide spread between the slices of their measured time).
 */
import { NOISE_SPREAD, noiseWarnings, spreadOf, syncPlausibilityWarnings, targetWarnings } from '../analysis/warnings.js';
import { methodLabel } from '../model/probe-report.js';
import { type ProbeReport } from '../model/probe-report.js';
import { type Warning } from '../model/warning.js';
import { GROUPS } from './methods.js';

/** Noise is judged only with at least this many operations per slice. */
const MIN_OPS_PER_SLICE = 10;

export function probeWarnings(report: ProbeReport): Warning[] {
  const out: Warning[] = [];
  for (const target of report.host.targets) {
    out.push(...targetWarnings(target));
    const mine = report.results.filter((r) => r.target === target.dir);
    let fastest: { id: string; p50Ns: number } | null = null;
    for (const r of mine) {
      if (r.state !== 'completed' || r.method.group !== GROUPS.one) continue;
      const p50Ns = r.metrics.latency.p50Ns;
      if (!fastest || p50Ns < fastest.p50Ns) fastest = { id: r.method.id, p50Ns };
    }
    if (fastest) out.push(...syncPlausibilityWarnings(target, fastest.p50Ns, `the fastest sync method (${fastest.id})`));
    // Noise: each method's five slices are its repeats. One warning per target, not one per method.
    const noisy: { label: string; spread: number; warning: Warning }[] = [];
    for (const r of mine) {
      if (r.state !== 'completed') continue;
      const slices = r.metrics.sliceOpsPerSec;
      if (r.metrics.samples < MIN_OPS_PER_SLICE * slices.length || slices.some((v) => v <= 0)) continue;
      const label = methodLabel(r.method, report.settings.blockBytes.length > 1, (report.settings.patterns?.length ?? 1) > 1);
      const [w] = noiseWarnings(slices, `${target.dir}: ${label} ops/s`);
      if (w) noisy.push({ label, spread: spreadOf(slices)?.spread ?? 0, warning: w });
    }
    if (noisy.length === 1) out.push(noisy[0]!.warning);
    else if (noisy.length > 1) {
      const worst = [...noisy].sort((a, b) => b.spread - a.spread).slice(0, 4);
      out.push({
        code: 'noisy',
        message: `${target.dir}: ${noisy.length} of ${mine.filter((r) => r.state === 'completed').length} methods varied by more than ${NOISE_SPREAD * 100} % of their median ops/s between the slices of their measured time (round-robin passes, or fifths of one pass) (worst: ${worst.map((x) => `${x.label} ${(x.spread * 100).toFixed(0)} %`).join(', ')})`,
        remedy: noisy[0]!.warning.remedy,
      });
    }
  }
  return out;
}
