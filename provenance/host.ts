/**
 * Host provenance for every report: what machine, kernel and Node ran the benchmark, and per target
 * directory what filesystem and device it lives on. Whatever cannot be read is `{ value: null,
 * reason }`, never a guess.
 *
 * (Minimal version: issue #5 extends it with device chains, models, write cache and scheduler.)
 */
import fs from 'node:fs';
import os from 'node:os';
import type { HostInfo, Known, TargetInfo } from '../reports/schema.js';

function unknown<T>(reason: string): Known<T> {
  return { value: null, reason };
}

/** The mount entry holding `dir`, from /proc/self/mountinfo (longest mount point prefix). */
function mountOf(realDir: string): { mountPoint: string; fsType: string; options: string; source: string } | null {
  let text: string;
  try {
    text = fs.readFileSync('/proc/self/mountinfo', 'utf8');
  } catch {
    return null;
  }
  let best: { mountPoint: string; fsType: string; options: string; source: string } | null = null;
  for (const line of text.split('\n')) {
    const [left, right] = line.split(' - ');
    if (!left || !right) continue;
    const f = left.split(' ');
    const mountPoint = (f[4] ?? '').replace(/\\040/g, ' ');
    const [fsType = '', source = '', superOpts = ''] = right.split(' ');
    const inside = realDir === mountPoint || realDir.startsWith(mountPoint.endsWith('/') ? mountPoint : mountPoint + '/');
    if (inside && (!best || mountPoint.length >= best.mountPoint.length)) {
      best = { mountPoint, fsType, options: [f[5], superOpts].filter(Boolean).join(','), source };
    }
  }
  return best;
}

export function collectTarget(dir: string): TargetInfo {
  const realPath = fs.realpathSync(dir);
  const m = mountOf(realPath);
  const noMount = 'not found in /proc/self/mountinfo';
  return {
    dir,
    realPath,
    fsType: m ? { value: m.fsType } : unknown(noMount),
    mountPoint: m ? { value: m.mountPoint } : unknown(noMount),
    mountOptions: m ? { value: m.options } : unknown(noMount),
    device: m ? { value: m.source } : unknown(noMount),
    deviceChain: unknown('not collected yet'),
    model: unknown('not collected yet'),
    rotational: unknown('not collected yet'),
    writeCache: unknown('not collected yet'),
    scheduler: unknown('not collected yet'),
    syncSemantics: process.platform === 'darwin' ? 'fsync/fdatasync use F_FULLFSYNC (libuv)' : 'fsync(2)/fdatasync(2)',
  };
}

export function collectHost(dirs: readonly string[]): HostInfo {
  const cpus = os.cpus();
  return {
    hostname: os.hostname(),
    os: `${os.type()} ${os.release()}`,
    kernel: os.release(),
    arch: os.arch(),
    cpuModel: cpus[0]?.model ?? 'unknown',
    cpuCount: cpus.length,
    memoryBytes: os.totalmem(),
    nodeVersion: process.version,
    uvThreadpoolSize: process.env['UV_THREADPOOL_SIZE'] ?? null,
    targets: dirs.map(collectTarget),
  };
}
