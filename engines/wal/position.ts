/**
 * A place in the write-ahead log: the segment's sequence number and the byte offset of a record's
 * frame header inside it. Positions order the log: a checkpoint is a position, and everything before
 * it may be truncated.
 */
export interface WalPosition {
  /** Sequence number of the segment file (`wal-<16 digits>.log`). */
  readonly segment: number;
  /** Byte offset of the record's frame header in that segment. */
  readonly offset: number;
}

/** Negative when `a` comes before `b`, zero when equal, positive after. */
export function comparePositions(a: WalPosition, b: WalPosition): number {
  return a.segment - b.segment || a.offset - b.offset;
}
