/**
 * Benchmark names for the CI exports: stable across runs, runners and paths, so one benchmark can
 * be followed over time and across testbeds — the case's identity (engine with fault, durability,
 * writers, value size, workload) and, when a report has several targets, which one (the `run --fs`
 * filesystem, else its position `t1`). Never the runner, the host or a directory. Pure.
 */
import { keyWithoutTarget } from '../../model/case.js';
import type { CompletedCase, RunReport } from '../../model/run-report.js';
import type { HostInfo } from '../../model/provenance.js';

/** `wal/batch-16/w1/v128/unique`, or `wal/batch-16/w1/v128/unique/xfs:logbsize=256k` with several targets. */
export function benchmarkName(report: RunReport, c: CompletedCase): string {
  const base = keyWithoutTarget(c.key);
  if (report.suite.targets.length <= 1) return base;
  const index = `t${Math.max(0, report.suite.targets.indexOf(c.key.target))}`;
  const images = report.suite.filesystems ?? [];
  const image = images.find((f) => f.target === c.key.target);
  if (!image) return `${base}/${index}`;
  return images.filter((f) => f.spec === image.spec).length > 1 ? `${base}/${image.spec}/${index}` : `${base}/${image.spec}`;
}

/** A Bencher testbed slug from the host the report ran on: its hostname, lower case, [a-z0-9-]. */
export function testbedOf(host: HostInfo): string {
  const slug = host.hostname
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return slug === '' ? 'localhost' : slug.slice(0, 64);
}
