/**
 * Pure: which acked commits a crash lost, as ranges of sequence numbers, each classified. A range of
 * lost commits followed by no intact checked commit is the `tail` (what a crash of a correct but
 * unsynced engine loses: a suffix); a range with an intact commit after it is a `gap` (a commit dropped
 * while later ones survived: out-of-order persistence or a silently dropped write). Only the tail has
 * a loss window in time; gaps are counted and listed apart.
 */
import type { LostRange } from '../model/crash-report.js';

export interface LossShape {
  readonly ranges: LostRange[];
  readonly lost: number;
  readonly lostTail: number;
  readonly lostGap: number;
  /** First sequence number of the tail range, or null when nothing was lost at the tail. */
  readonly tailFrom: number | null;
}

/**
 * `checked`: the sequence numbers that were checked, ascending (1..acked for unique keys; the latest
 * commit of each key for overwrite workloads). Consecutive lost entries of `checked` form one range.
 */
export function lossShape(writer: number, checked: readonly number[], isLost: (seq: number) => boolean): LossShape {
  const ranges: LostRange[] = [];
  let open: { from: number; to: number } | null = null;
  let lost = 0;
  for (const seq of checked) {
    if (isLost(seq)) {
      lost += 1;
      if (open) open.to = seq;
      else open = { from: seq, to: seq };
    } else if (open) {
      ranges.push({ writer, from: open.from, to: open.to, where: 'gap' });
      open = null;
    }
  }
  let tailFrom: number | null = null;
  let lostTail = 0;
  if (open) {
    ranges.push({ writer, from: open.from, to: open.to, where: 'tail' });
    tailFrom = open.from;
    lostTail = checked.filter((s) => s >= open!.from).length;
  }
  return { ranges, lost, lostTail, lostGap: lost - lostTail, tailFrom };
}

/** `100`, `4501–4512`. */
export function formatRange(r: LostRange): string {
  return r.from === r.to ? String(r.from) : `${r.from}–${r.to}`;
}
