/**
 * A user mistake: one line naming the option and the fix. The CLI prints it and exits with code 2.
 */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/**
 * Output could not be written (a full disk, a vanished directory) after the work ran: the CLI prints
 * the one line and exits 1 — the results were printed, the files are missing or stale.
 */
export class OutputError extends Error {
  override readonly name = 'OutputError';
}
