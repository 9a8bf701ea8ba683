/**
 * A user mistake: one line naming the option and the fix. The CLI prints it and exits with code 2.
 */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
