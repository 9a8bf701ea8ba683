/**
 * Pure: is what survived a crash of a shared log a prefix of the log's order? Several writers
 * append to one log; recovery must stop at the first record that is missing, so a surviving commit
 * that came after a lost one in the log is an order violation. The log's order of a lost record is
 * not on disk any more, so the proof comes from the ack ledger alone: a writer reserves its commit j
 * only after its ack of j − 1 returned, and every commit is reserved before it is acked — so when
 * writer a's commit i was acked before writer b's ack of j − 1, i precedes b's j in the log.
 * (Within one writer, sequence order is log order.) The check can miss a violation between commits
 * that ran concurrently; it never reports one that did not happen.
 */

/**
 * Surviving commits of a shared log that provably followed a lost acked commit in the log order
 * (see the head of this file). Per writer the earliest lost commit is the one to test against: if
 * any lost commit precedes a survivor, the earliest does too.
 */
export function orderViolations(
  per: readonly { readonly survived: readonly number[]; readonly firstLost: number | null }[],
  ackTimeNs: (writer: number, seq: number) => bigint,
): { count: number; first: string | null } {
  let count = 0;
  let first: string | null = null;
  for (let b = 0; b < per.length; b++) {
    for (const j of per[b]!.survived) {
      const culprit = per.findIndex((x, a) => {
        const i = x.firstLost;
        if (i === null) return false;
        if (a === b) return i < j;
        // Commit j of writer b was reserved after b's ack of j − 1; commit i of writer a before its own ack.
        return j >= 2 && ackTimeNs(a, i) < ackTimeNs(b, j - 1);
      });
      if (culprit < 0) continue;
      count += 1;
      first ??= `writer ${b}'s commit ${j} survived, but writer ${culprit}'s commit ${per[culprit]!.firstLost}, earlier in the log, was lost`;
    }
  }
  return { count, first };
}
