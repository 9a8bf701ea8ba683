/**
 * Run one case in a child process (coordinator/case-child.ts) instead of this process's worker
 * threads, for engines that declare `isolation: 'process'`: their native library can abort or
 * crash the process (lmdb-js after ENOSPC), and then only the child dies — the case is `errored`
 * with what it said on stderr, its files are removed, and the run goes on. The child gets the
 * kernel's parent-death signal and its own process group (a Ctrl-C reaches the coordinator, which
 * aborts the case over IPC), and is held in the registry like every child.
 */
import { spawn } from 'node:child_process';
import { entryCommand } from '../workspace/entry-point.js';
import { withParentDeathSignal } from '../workspace/exec.js';
import { hold, release } from '../workspace/registry.js';
import { removeTree } from '../workspace/workdir.js';
import type { CaseResult } from '../model/run-report.js';
import type { FromCaseChild, ToCaseChild } from './case-messages.js';
import type { PlannedCase } from './plan.js';
import { caseDirOf, erroredCase, messageOf, type CaseRunContext } from './run-case.js';

/** The line of a crashed child's stderr that says most (glibc's "free(): invalid pointer", an exception). */
function lastWords(stderr: string): string {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    // Node's own trailer after an uncaught exception ("Node.js v20.20.0") and stack frames say nothing.
    .filter((l) => l !== '' && !/^Node\.js v\d/.test(l) && !l.startsWith('at '));
  return lines.at(-1)?.slice(0, 300) ?? '';
}

export async function runCaseInChild(planned: PlannedCase, ctx: CaseRunContext): Promise<CaseResult> {
  const startedAt = new Date().toISOString();
  const { script, execArgv } = entryCommand('coordinator/case-child');
  const [program, args] = withParentDeathSignal(process.execPath, [...execArgv, script, '--work-dir', ctx.workDir]);
  const child = spawn(program, args, { stdio: ['ignore', 'ignore', 'pipe', 'ipc'], detached: true, serialization: 'json' });
  const pid = child.pid;
  // Detached: it leads its own process group, released as a whole (anything the case child started).
  if (pid !== undefined) hold({ kind: 'process', pid, group: true });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  let result: CaseResult | null = null;
  const send = (m: ToCaseChild): void => {
    if (child.connected) child.send(m);
  };
  child.on('message', (m: FromCaseChild) => {
    if (m.kind === 'progress') ctx.onProgress?.(m.commits);
    else result = m.result;
  });
  const onAbort = (): void => send({ kind: 'abort' });
  ctx.signal.addEventListener('abort', onAbort);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const failedToStart = new Promise<Error>((resolve) => child.on('error', resolve));
  try {
    send({
      kind: 'case',
      spec: { id: planned.id, key: planned.key, params: planned.params, engineOptions: planned.engineOptions },
      settings: { workDir: ctx.workDir, caseIndex: ctx.caseIndex, intervalMs: ctx.intervalMs, timelineMaxPoints: ctx.timelineMaxPoints, barrierTimeoutMs: ctx.barrierTimeoutMs, keep: ctx.keep, device: ctx.device },
    });
    if (ctx.signal.aborted) onAbort();
    const end = await Promise.race([exited, failedToStart]);
    if (result !== null) return result;
    const how = end instanceof Error ? `could not start (${end.message})` : end.signal ? `was killed by ${end.signal}` : `exited with code ${end.code}`;
    const said = lastWords(stderr);
    let reason = `the case's process (${planned.key.engine} runs in a process of its own: its native library can crash) ${how} before it reported${said ? `: ${said}` : ''}`;
    // It died with the case's files in place: they go now.
    if (!ctx.keep) {
      try {
        removeTree(caseDirOf(planned, ctx));
      } catch (err) {
        reason += `; then removing its files failed: ${messageOf(err)}`;
      }
    }
    return erroredCase(planned, { startedAt, finishedAt: new Date().toISOString() }, reason, end instanceof Error ? null : (end.signal ?? null), [], ctx.intervalMs);
  } finally {
    ctx.signal.removeEventListener('abort', onAbort);
    if (pid !== undefined) release({ kind: 'process', pid });
  }
}
