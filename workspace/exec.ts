/**
 * Running the system programs the crash lab needs (mkfs, losetup, mount, umount, cp). Always an
 * argument array, never a shell string: no word splitting, no globbing, no
 * injection through a path.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

/** A system program failed: what was run and what it said. */
export class ExecError extends Error {
  override readonly name = 'ExecError';
  constructor(
    readonly program: string,
    readonly args: readonly string[],
    readonly stderr: string,
    readonly status: number | null,
  ) {
    super(`${program} ${args.join(' ')} failed (exit ${status ?? 'signal'}): ${stderr.trim().split('\n').pop() ?? ''}`);
  }
}

/** Run `program` with `args` synchronously; returns stdout. Throws ExecError with its stderr. */
export function run(program: string, args: readonly string[], timeoutMs = 60_000): string {
  try {
    return execFileSync(program, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs });
  } catch (err) {
    const e = err as { stderr?: string | Buffer; status?: number | null; message: string };
    throw new ExecError(program, args, String(e.stderr ?? e.message), e.status ?? null);
  }
}

/** Is `program` on the PATH (or at the given path) and executable? access(2) with X_OK, as `test -x` asks. */
export function hasProgram(program: string): boolean {
  for (const dir of (process.env['PATH'] ?? '').split(':').concat(['/usr/sbin', '/sbin'])) {
    try {
      fs.accessSync(`${dir}/${program}`, fs.constants.X_OK);
      return true;
    } catch {
      // not in this directory
    }
  }
  return false;
}

let setpriv: boolean | undefined;
/**
 * The command line that starts `program` so the kernel kills it when this process dies
 * (PR_SET_PDEATHSIG, prctl(2), set by util-linux's `setpriv --pdeathsig KILL`, which then execs the
 * program in place: same pid). Node has no prctl; without setpriv the program runs as given and
 * must watch its parent itself. A child stopped with SIGSTOP at a crash point cannot watch
 * anything: only the kernel's signal (SIGKILL works on stopped processes) reaches it.
 */
export function withParentDeathSignal(program: string, args: readonly string[]): [string, string[]] {
  setpriv ??= process.platform === 'linux' && hasProgram('setpriv');
  return setpriv ? ['setpriv', ['--pdeathsig', 'KILL', '--', program, ...args]] : [program, [...args]];
}
