/**
 * How cases of different reports line up: the key that names "the same case" across hosts,
 * filesystems and commits, how a report's targets and hosts are named for people, and the shortest
 * labels that tell report files apart. Compare, gate, merge and the CI exports use these. Pure.
 */
import { keyWithoutTarget, type CaseKey } from '../model/case.js';
import type { HostInfo } from '../model/provenance.js';
import type { RunReport } from '../model/run-report.js';

/** Across reports: the key without the target directory plus the target's position in its suite (t0, t1, …). */
export function reportCaseKey(report: RunReport, c: { key: CaseKey }): string {
  const i = report.suite?.targets?.indexOf(c.key.target) ?? -1;
  return `${keyWithoutTarget(c.key)}/t${i < 0 ? 0 : i}`;
}

/** The filesystem a target of a report is: its `run --fs` spec (`xfs:logbsize=256k`), else the target's filesystem type. */
export function fsOfTarget(report: RunReport, target: string): string {
  const image = report.suite.filesystems?.find((f) => f.target === target);
  if (image) return image.spec;
  return report.host.targets?.find((x) => x.dir === target)?.fsType.value ?? 'unknown fs';
}

/**
 * A short name for a target of a report: for a `run --fs` image its spec (with the `--dir` it was
 * made in when there were several), else the directory as given.
 */
export function targetLabel(report: RunReport, target: string): string {
  const images = report.suite.filesystems ?? [];
  const image = images.find((f) => f.target === target);
  if (!image) return target;
  return new Set(images.map((f) => f.dir)).size > 1 ? `${image.spec} on ${image.dir}` : image.spec;
}

/** `fv-az12 (x64, Linux 6.8.0-1017-azure)`: a host as compare --by host names it. */
export function hostLabel(h: HostInfo): string {
  return `${h.hostname} (${h.arch}, ${h.os} ${h.kernel})`;
}

/** Where a report ran: host, kernel, CPU and the filesystems and devices of its targets. */
export function describeReport(report: RunReport): string {
  const targets = (report.host.targets ?? []).map(
    (t) =>
      `${targetLabel(report, t.dir)} (${fsOfTarget(report, t.dir)} on ${t.device.value ?? '?'}${t.model.value ? `, ${t.model.value}` : ''})`,
  );
  return `${report.host.hostname}, ${report.host.arch}, ${report.host.kernel}, ${report.host.cpuModel}; ${targets.join('; ')}`;
}

/** Shortest distinguishing labels: the file name, else more of its path. */
export function uniqueLabels(files: readonly string[]): string[] {
  const parts = files.map((f) => f.split(/[\\/]/).filter((p) => p !== ''));
  for (let depth = 1; ; depth++) {
    const labels = parts.map((p) =>
      p
        .slice(-depth)
        .join('/')
        .replace(/\.json$/, ''),
    );
    const longest = Math.max(...parts.map((p) => p.length));
    if (new Set(labels).size === labels.length || depth >= longest) {
      return new Set(labels).size === labels.length ? labels : labels.map((l, i) => `${l} #${i + 1}`);
    }
  }
}
