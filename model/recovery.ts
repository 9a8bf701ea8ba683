/** What an engine's recovery found when it opened existing files (part of the engine contract). */
export interface RecoveryReport {
  /** Records (or commits) recovered intact. */
  recordsRecovered: number;
  /** Bytes at the tail of logs that recovery discarded (torn or garbage). */
  discardedBytes: number;
  /** Records rejected because their checksum failed. */
  crcFailures: number;
  /** True if a torn (incomplete) record was found at a log tail. */
  tornTail: boolean;
  /** Free-form details ("segment 3: zero-filled tail from offset 4096"). */
  notes: string[];
}

export function emptyRecovery(): RecoveryReport {
  return { recordsRecovered: 0, discardedBytes: 0, crcFailures: 0, tornTail: false, notes: [] };
}
