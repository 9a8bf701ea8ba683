/**
 * Verification after a crash: open the engine on the crashed (kill) or copied and replayed (power)
 * directory — that is its recovery — and check every acked commit against the deterministic
 * workload.
 *
 * - `unique` workload: commit i wrote key(i); it is intact when get(key(i)) equals value(i), lost when
 *   missing, corrupt when any other value comes back.
 * - `overwrite:K`: only the latest acked commit of each key can be checked. Its key must hold that
 *   commit's value or a later (written, not yet acked) one; an older version or nothing is a loss
 *   (counted once, as the latest commit of that key); a value no commit wrote is corrupt.
 * The commit in flight at the crash (acked + 1) may or may not be there; if it is, it must be intact.
 */
import { createEngineInstance, type InstanceSpec } from '../workers/engine-instance.js';
import { parseWorkload, Workload, type WorkloadSpec } from '../workers/workload.js';
import type { RecoveryReport } from '../engines/types.js';

export interface VerifyInput {
  readonly instance: InstanceSpec;
  readonly workload: WorkloadSpec;
  /** Commits in the ack ledger (1..acked). */
  readonly acked: number;
  readonly ackTimeNs: (seq: number) => bigint;
  /** The crash instant (hrtime ns, same clock as the ack times). */
  readonly crashNs: bigint;
}

export interface VerifyResult {
  readonly acked: number;
  readonly lost: number;
  readonly corrupt: number;
  /** Commits from the oldest lost one to the last ack (0 when nothing was lost). */
  readonly lossWindowCommits: number;
  /** Crash instant minus the ack time of the oldest lost commit (0 when nothing was lost). */
  readonly lossWindowMs: number;
  readonly oldestLost: number | null;
  readonly recoveryNs: number;
  readonly recovery: RecoveryReport;
  readonly notes: string[];
}

export async function verifyRecovered(input: VerifyInput): Promise<VerifyResult> {
  const { instance: spec, acked } = input;
  const workload = new Workload(input.workload);
  const overwrite = parseWorkload(input.workload.workload)?.kind === 'overwrite';
  const inst = await createEngineInstance(spec, {}, { durable() {} }, () => {});
  const t0 = process.hrtime.bigint();
  let recovery: RecoveryReport;
  try {
    recovery = await inst.engine.open();
  } catch (err) {
    // Recovery threw: its files must not stay open in this process (they would pin the mount).
    inst.io.closeAll();
    throw err;
  }
  const recoveryNs = Number(process.hrtime.bigint() - t0);
  const notes: string[] = [];
  let lost = 0;
  let corrupt = 0;
  let oldestLost: number | null = null;
  const markLost = (i: number): void => {
    lost += 1;
    if (oldestLost === null || i < oldestLost) oldestLost = i;
  };
  const get = async (key: Buffer): Promise<Buffer | undefined> => (inst.isAsync ? await inst.engine.get(key) : (inst.engine.get(key) as Buffer | undefined));
  try {
    if (!overwrite) {
      for (let i = 1; i <= acked; i++) {
        const got = await get(workload.key(i));
        if (got === undefined) markLost(i);
        else if (!got.equals(workload.value(i))) {
          corrupt += 1;
          if (corrupt <= 3) notes.push(`commit ${i}: value differs from what was written (${got.length} bytes)`);
        }
      }
      const inflight = await get(workload.key(acked + 1));
      if (inflight !== undefined && !inflight.equals(workload.value(acked + 1))) {
        corrupt += 1;
        notes.push(`commit ${acked + 1} (in flight): value differs from what was written`);
      }
    } else {
      // The latest acked commit of every key.
      const latest = new Map<number, number>();
      for (let i = 1; i <= acked; i++) latest.set(workload.slot(i), i);
      for (const [, i] of latest) {
        const key = workload.key(i);
        const got = await get(key);
        if (got === undefined) {
          markLost(i);
          continue;
        }
        const j = workload.commitOf(key, got);
        if (j === null || j > acked + 1 || !got.equals(workload.value(j))) {
          corrupt += 1;
          if (corrupt <= 3) notes.push(`key of commit ${i}: holds a value no commit wrote`);
        } else if (j < i) markLost(i);
      }
    }
  } finally {
    await inst.engine.close();
  }
  const window = oldestLost === null ? 0 : acked - oldestLost + 1;
  const windowMs = oldestLost === null ? 0 : Math.max(0, Number(input.crashNs - input.ackTimeNs(oldestLost)) / 1e6);
  return { acked, lost, corrupt, lossWindowCommits: window, lossWindowMs: windowMs, oldestLost, recoveryNs, recovery, notes };
}
