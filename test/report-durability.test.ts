/**
 * Every report file the real CLI writes is fsynced before it replaces the old one, and its
 * directory is fsynced after the rename: traced from outside with strace, for the run, crash and
 * probe sessions in every format. Skipped with the reason where strace is missing (.ci/run installs it).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { BIN } from './helpers/cli.js';
import { tempDir } from './helpers/tmp.js';

const strace = spawnSync('strace', ['-V'], { stdio: 'ignore' }).status === 0 ? false : 'strace is not installed (apt-get install strace; .ci/run installs it)';

interface Call {
  pid: string;
  name: string;
  args: string;
  ret: string;
}

/** Parse `strace -f` output (complete lines only; `<unfinished ...>` pairs are joined). */
function parseTrace(text: string): Call[] {
  const pending = new Map<string, string>();
  const out: Call[] = [];
  for (const line of text.split('\n')) {
    const m = /^(\d+)\s+(.*)$/.exec(line);
    if (!m) continue;
    const [, pid, rest] = m as unknown as [string, string, string];
    let body = rest;
    if (body.endsWith('<unfinished ...>')) {
      pending.set(pid, body.slice(0, -'<unfinished ...>'.length));
      continue;
    }
    const resumed = /^<\.\.\. \w+ resumed>(.*)$/.exec(body);
    if (resumed) body = (pending.get(pid) ?? '') + resumed[1];
    const call = /^(\w+)\((.*)\)\s+=\s+(-?\d+|\?)/.exec(body);
    if (call) out.push({ pid, name: call[1]!, args: call[2]!, ret: call[3]! });
  }
  return out;
}

/** For each file in `outDir`: was a synced temporary renamed onto it and the directory synced afterwards? */
function durabilityProblems(calls: readonly Call[], outDir: string): string[] {
  const fdPath = new Map<string, string>();
  const events: { kind: 'fsync' | 'rename'; path: string; to?: string }[] = [];
  for (const c of calls) {
    if (c.name === 'openat' && Number(c.ret) >= 0) {
      const p = /"([^"]+)"/.exec(c.args)?.[1];
      if (p) fdPath.set(`${c.pid}:${c.ret}`, p);
    } else if (c.name === 'fsync' || c.name === 'fdatasync') {
      const fd = c.args.split(',')[0]!.trim();
      // Same thread first; descriptors are shared between the threads of a process, so any thread next.
      const p = fdPath.get(`${c.pid}:${fd}`) ?? [...fdPath.entries()].reverse().find(([k]) => k.endsWith(`:${fd}`))?.[1];
      if (p) events.push({ kind: 'fsync', path: p });
    } else if (c.name === 'rename' || c.name === 'renameat' || c.name === 'renameat2') {
      const paths = [...c.args.matchAll(/"([^"]+)"/g)].map((m) => m[1]!);
      if (paths.length === 2) events.push({ kind: 'rename', path: paths[0]!, to: paths[1]! });
    }
  }
  const problems: string[] = [];
  for (const name of fs.readdirSync(outDir)) {
    const file = path.join(outDir, name);
    const i = events.findLastIndex((e) => e.kind === 'rename' && e.to === file);
    if (i < 0) {
      problems.push(`${name}: never renamed into place`);
      continue;
    }
    const tmp = events[i]!.path;
    if (!events.slice(0, i).some((e) => e.kind === 'fsync' && e.path === tmp)) problems.push(`${name}: its temporary file was not fsynced before the rename`);
    if (!events.slice(i + 1).some((e) => e.kind === 'fsync' && e.path === outDir)) problems.push(`${name}: the directory was not fsynced after the rename`);
  }
  return problems;
}

function traced(args: readonly string[], dir: string): { code: number | null; calls: Call[]; stderr: string } {
  const log = path.join(dir, 'strace.log');
  const r = spawnSync('strace', ['-f', '-qq', '-e', 'trace=openat,fsync,fdatasync,rename,renameat,renameat2', '-o', log, process.execPath, BIN, ...args], { encoding: 'utf8', cwd: dir });
  return { code: r.status, calls: parseTrace(fs.readFileSync(log, 'utf8')), stderr: r.stderr };
}

for (const [name, args] of [
  ['run', ['run', '--engine', 'null', '--mode', 'sync,batch', '--commits', '50', '--warmup', '0', '--format', 'json,csv,md,html']],
  ['crash', ['crash', '--engine', 'raw', '--mode', 'sync', '--trials', '1', '--format', 'json,csv,md,html']],
  ['probe', ['probe', '--method', 'fdatasync', '--duration', '0.02', '--format', 'json,csv,md,html']],
] as const) {
  test(`${name}: every report file is fsynced before its rename and its directory after`, { skip: strace }, () => {
    const dir = tempDir(`durable-${name}`);
    const out = path.join(dir, 'out');
    const r = traced([...args, '--dir', dir, '--out', out, '--quiet'], dir);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(fs.readdirSync(out).length, 4);
    assert.deepEqual(durabilityProblems(r.calls, out), []);
  });
}

test('the trace check itself catches a report written without fsync', { skip: strace }, () => {
  const dir = tempDir('durable-negative');
  const out = path.join(dir, 'out');
  fs.mkdirSync(out);
  // A plain write + rename, the way durabench wrote reports before: no fsync of the file or the directory.
  const script = `const fs=require('fs');fs.writeFileSync('${out}/.r.tmp','x');fs.renameSync('${out}/.r.tmp','${out}/report.json');`;
  const log = path.join(dir, 'strace.log');
  spawnSync('strace', ['-f', '-qq', '-e', 'trace=openat,fsync,fdatasync,rename,renameat,renameat2', '-o', log, process.execPath, '-e', script]);
  const problems = durabilityProblems(parseTrace(fs.readFileSync(log, 'utf8')), out);
  assert.deepEqual(problems, ['report.json: its temporary file was not fsynced before the rename', 'report.json: the directory was not fsynced after the rename']);
});
