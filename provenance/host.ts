/**
 * Host provenance for every report: what machine, OS, kernel and Node ran the benchmark, and per
 * target directory what filesystem and device it lives on (provenance/target.ts). Whatever cannot
 * be read is `{ value: null, reason }`, never a guess.
 */
import fs from 'node:fs';
import os from 'node:os';
import { type HostInfo, type Known } from '../model/provenance.js';
import { collectTarget } from './target.js';

export { collectTarget } from './target.js';
export { collectToolInfo } from './tool.js';

/** libuv's thread pool size when UV_THREADPOOL_SIZE is unset (libuv src/threadpool.c). */
const UV_DEFAULT_THREADPOOL = 4;
/** libuv clamps UV_THREADPOOL_SIZE to 1..1024 (MAX_THREADPOOL_SIZE). */
const UV_MAX_THREADPOOL = 1024;

/** Parse /etc/os-release (`KEY="value"` lines, shell quoting). Pure. */
export function parseOsRelease(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    let v = line.slice(eq + 1);
    if ((v.startsWith('"') && v.endsWith('"')) || (v.startsWith("'") && v.endsWith("'"))) v = v.slice(1, -1);
    out[line.slice(0, eq)] = v.replace(/\\(["'$`\\])/g, '$1');
  }
  return out;
}

/** The OS name from /etc/os-release (then /usr/lib/os-release, as os-release(5) says). */
export function readOsRelease(files = ['/etc/os-release', '/usr/lib/os-release']): Known<string> {
  const reasons: string[] = [];
  for (const f of files) {
    try {
      const kv = parseOsRelease(fs.readFileSync(f, 'utf8'));
      const name = kv['PRETTY_NAME'] ?? [kv['NAME'], kv['VERSION'] ?? kv['VERSION_ID']].filter(Boolean).join(' ');
      if (name) return { value: name };
      reasons.push(`${f} has neither PRETTY_NAME nor NAME`);
    } catch (err) {
      reasons.push(`${f}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
  }
  return { value: null, reason: reasons.join('; ') };
}

/**
 * The thread pool size libuv actually uses for a UV_THREADPOOL_SIZE value (unset or not a
 * positive number: 4; clamped to 1024). Pure.
 */
export function effectiveThreadpoolSize(env: string | undefined): number {
  const n = env === undefined ? NaN : parseInt(env, 10);
  if (!Number.isFinite(n) || n <= 0) return UV_DEFAULT_THREADPOOL;
  return Math.min(n, UV_MAX_THREADPOOL);
}

/** Collect the host provenance and that of every target directory (each must exist). */
export function collectHost(dirs: readonly string[]): HostInfo {
  const cpus = os.cpus();
  const osRelease = process.platform === 'linux' ? readOsRelease() : { value: null, reason: `no /etc/os-release on ${process.platform}` };
  const uv = process.env['UV_THREADPOOL_SIZE'];
  return {
    hostname: os.hostname(),
    os: osRelease.value ?? `${os.type()} ${os.release()}`,
    osRelease,
    platform: process.platform,
    kernel: os.release(),
    kernelBuild: os.version(),
    arch: os.arch(),
    cpuModel: cpus[0]?.model.trim() || 'unknown',
    cpuCount: cpus.length,
    availableParallelism: os.availableParallelism(),
    memoryBytes: os.totalmem(),
    nodeVersion: process.version,
    uvThreadpoolSize: uv ?? null,
    uvThreadpoolSizeEffective: effectiveThreadpoolSize(uv),
    targets: dirs.map(collectTarget),
  };
}
