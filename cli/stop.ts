/**
 * The one stop mechanism: SIGINT and SIGTERM both abort one `AbortSignal` that every command hands
 * down (sessions, runs, the crash lab, the probe). The first signal asks the work to stop cleanly —
 * the current case ends at its next commit, the partial report is written, temporary directories,
 * mounts and loop devices are released — and the process then exits 130 (SIGINT) or 143 (SIGTERM).
 * A second signal writes the partial report, releases everything durabench still holds at once (no
 * waiting) and ends the process by that signal (the shell's status is the same 130 or 143).
 */
import { releaseAll } from '../workspace/registry.js';

export type StopSignalName = 'SIGINT' | 'SIGTERM';
const EXIT_CODE: Record<StopSignalName, number> = { SIGINT: 130, SIGTERM: 143 };

const controller = new AbortController();
let installed = false;
let received: StopSignalName | null = null;

/** What must still happen on a second signal before the process exits (finish the open sessions' reports). */
const quitHooks = new Set<() => void>();

/** Run `hook` if a second signal quits at once (it must be synchronous and quick); returns the unregister function. */
export function onQuit(hook: () => void): () => void {
  quitHooks.add(hook);
  return () => quitHooks.delete(hook);
}

function onSignal(name: StopSignalName): void {
  if (received !== null) {
    process.stderr.write(`\ndurabench: ${name} again; writing the partial report, releasing everything durabench holds and quitting now\n`);
    // The report first (it is quick and it is what the user keeps), then every directory, mount,
    // loop device and child: nothing durabench created is skipped, only the waiting is.
    for (const hook of quitHooks) {
      try {
        hook();
      } catch (err) {
        process.stderr.write(`durabench: could not write the partial report: ${(err as Error)?.message ?? String(err)}\n`);
      }
    }
    const problems = releaseAll();
    for (const p of problems) process.stderr.write(`durabench: cleanup: ${p}\n`);
    // Die by the signal itself (the shell's $? is 128 + signal: 130, 143) instead of process.exit:
    // exit() runs C++ teardown that races worker threads still starting or running and can abort
    // the process (SIGABRT; nodejs/node#25007), and a worker may be mid-start after a quick second
    // signal. With no listener left Node restores the default action, which skips that teardown.
    process.removeAllListeners('SIGINT');
    process.removeAllListeners('SIGTERM');
    process.kill(process.pid, received);
    process.exit(EXIT_CODE[received]);
  }
  received = name;
  // Also when the command has already returned its code and the process is only winding down (the
  // pool's threads ending): the signal still asks for 130/143, not the finished command's 0.
  process.exitCode = EXIT_CODE[name];
  process.stderr.write(`\ndurabench: ${name}; finishing the current step, writing the partial report and cleaning up (${name === 'SIGINT' ? 'Ctrl-C' : 'the signal'} again quits at once)\n`);
  controller.abort(name);
}

/** Install the handlers (once per process) and return the signal every command passes down. */
export function stopSignal(): AbortSignal {
  if (!installed) {
    installed = true;
    process.on('SIGINT', () => onSignal('SIGINT'));
    process.on('SIGTERM', () => onSignal('SIGTERM'));
  }
  return controller.signal;
}

/** The exit code the stop signal asks for (130, 143), or null when no signal came. */
export function stopExitCode(): number | null {
  return received === null ? null : EXIT_CODE[received];
}
