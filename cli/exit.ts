/**
 * Exit codes: one table for every command (the README shows the same). Commands set
 * `process.exitCode` from their outcome (`exitForCases`, a gate's verdict); `cli/main.ts` maps a
 * usage error to 2 and a stop signal to 130 or 143 over whatever the command set.
 */
export const EXIT = {
  /** Every planned case completed, or was skipped with a reason. */
  ok: 0,
  /**
   * At least one case errored (the report is complete), a probe method errored, a gate rule broke, a
   * crash case failed (a DURABILITY BUG, or a fault its suite expected that the lab missed), or the
   * report could not be written.
   */
  failed: 1,
  /** Bad input: an option, a suite file, a report file. Nothing ran. */
  usage: 2,
  /** `durabench crash`: a crash case inconclusive (nothing verified, a trial errored, or skipped). */
  inconclusive: 3,
  /** Stopped by SIGINT (128 + 2); the partial report says `interrupted`. */
  sigint: 130,
  /** Stopped by SIGTERM (128 + 15). */
  sigterm: 143,
} as const;

/** A session's outcome from its cases' states: 1 when any errored, else 0. */
export function exitForCases(cases: readonly { readonly state: string }[]): number {
  return cases.some((c) => c.state === 'errored') ? EXIT.failed : EXIT.ok;
}

/** Raise the exit code to `code` unless a code was set already (the first failure decides). */
export function setExitCode(code: number): void {
  if (code !== 0 && (process.exitCode === undefined || process.exitCode === 0)) process.exitCode = code;
}
