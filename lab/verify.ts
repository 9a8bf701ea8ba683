/**
 * Verification after a crash: open every writer's engine on the crashed (kill) or recovered (power)
 * directory — that is its recovery — and check every acked commit against the deterministic workload.
 *
 * - `unique` workload: commit i wrote key(i); it is intact when get(key(i)) equals value(i), lost when
 *   missing, corrupt when any other value comes back.
 * - `overwrite:K`: only the latest acked commit of each key can be checked. Its key must hold that
 *   commit's value or a later (written, not yet acked) one; an older version or nothing is a loss
 *   (counted once, as the latest commit of that key); a value no commit wrote is corrupt.
 * The commit in flight at the crash (acked + 1) may or may not be there; if it is, it must be intact.
 *
 * A lost commit is judged against what the engine had declared durable at the crash instant
 * (`durable(n)` in the ledger): lost at or below that is a broken promise (`lostDeclared`). Losses
 * come back as ranges of sequence numbers, each a tail or a gap (analysis/loss-ranges.ts).
 *
 * A shared log (`sharedLogBytes` set) is one log for all writers: it is opened — recovered — once,
 * by writer 0 as the benchmark's writer 0 recovers it, and every writer's acked commits are checked
 * in it. What survives a crash of one log must also be a prefix of its order: a surviving commit
 * that provably followed a lost one is an order violation (analysis/log-order.ts; unique workloads).
 */
import { orderViolations } from '../analysis/log-order.js';
import { lossShape } from '../analysis/loss-ranges.js';
import { LOST_RANGES_KEPT } from '../coordinator/defaults.js';
import type { LostRange, WriterOutcome } from '../model/crash-report.js';
import type { RecoveryReport } from '../model/recovery.js';
import { createEngineInstance, type EngineInstance, type InstanceSpec } from '../workers/engine-instance.js';
import { parseWorkload, Workload, type WorkloadSpec } from '../workers/workload.js';
import type { LedgerAt } from './ledger.js';
import { writerDir } from './protocol.js';

export interface VerifyInput {
  /** The engine instance; `dir` is the case directory on the recovered image (writers below it). */
  readonly instance: InstanceSpec;
  readonly writers: number;
  /** Writer 0's workload (`writer` is set per writer). */
  readonly workload: WorkloadSpec;
  /** The ledger at the crash instant. */
  readonly at: LedgerAt;
  readonly ackTimeNs: (writer: number, seq: number) => bigint;
  /** The crash instant (hrtime ns, same clock as the ack times). */
  readonly crashNs: bigint;
  /** A shared log: bytes of its shared memory; null or absent: each writer its own engine. */
  readonly sharedLogBytes?: number | null;
}

export interface VerifyResult {
  readonly acked: number;
  readonly declaredDurable: number;
  readonly exposure: number;
  readonly lost: number;
  readonly lostDeclared: number;
  readonly lostTail: number;
  readonly lostGap: number;
  readonly lostRanges: LostRange[];
  readonly lostRangeCount: number;
  readonly corrupt: number;
  /** The longest tail loss of a writer: commits from its first lost to its last ack, and crash instant − that commit's ack, ms. */
  readonly lossWindowCommits: number;
  readonly lossWindowMs: number;
  readonly recoveryNs: number;
  readonly recovery: RecoveryReport;
  readonly notes: string[];
  readonly writers: WriterOutcome[];
  /** Shared log (unique workload): surviving commits that provably followed a lost acked commit in the log order; null: not checked. */
  readonly orderViolations: number | null;
}

/** Thrown when an engine's open (its recovery) throws: a finding, not a lab failure. */
export class RecoveryFailedError extends Error {
  override readonly name = 'RecoveryFailedError';
}

interface OneWriter {
  readonly outcome: WriterOutcome;
  /** Acked commits that came back intact, ascending. */
  readonly survived: number[];
  readonly ranges: LostRange[];
  readonly lostTail: number;
  readonly lostGap: number;
  readonly windowCommits: number;
  readonly windowMs: number;
  readonly recoveryNs: number;
  readonly recovery: RecoveryReport;
  readonly notes: string[];
}

interface Opened {
  readonly inst: EngineInstance;
  readonly recovery: RecoveryReport;
  readonly recoveryNs: number;
}

/** Open an engine on the crashed files: that is its recovery. `who`: `writer 3: ` or empty. */
async function openRecovered(spec: InstanceSpec, who: string): Promise<Opened> {
  const inst = await createEngineInstance(spec, {}, { durable() {} }, () => {});
  const t0 = process.hrtime.bigint();
  try {
    const recovery = await inst.engine.open();
    return { inst, recovery, recoveryNs: Number(process.hrtime.bigint() - t0) };
  } catch (err) {
    // Recovery threw: its files must not stay open in this process (they would pin the mount).
    inst.io.closeAll();
    throw new RecoveryFailedError(`${who}${(err as Error)?.message ?? String(err)}`);
  }
}

/** Check writer `w`'s acked commits in an opened engine (its own, or the shared log). */
async function checkWriter(input: VerifyInput, w: number, inst: EngineInstance): Promise<Omit<OneWriter, 'recoveryNs' | 'recovery'>> {
  const acked = input.at.acked[w] ?? 0;
  const durable = Math.min(acked, input.at.durable[w] ?? 0);
  const workload = new Workload({ ...input.workload, writer: w });
  const overwrite = parseWorkload(input.workload.workload)?.kind === 'overwrite';
  const notes: string[] = [];
  const lostSet = new Set<number>();
  let corrupt = 0;
  const checked: number[] = [];
  const get = async (key: Buffer): Promise<Buffer | undefined> => (inst.isAsync ? await inst.engine.get(key) : (inst.engine.get(key) as Buffer | undefined));
  const who = input.writers > 1 ? `writer ${w} ` : '';
  try {
    if (!overwrite) {
      for (let i = 1; i <= acked; i++) {
        checked.push(i);
        const got = await get(workload.key(i));
        if (got === undefined) lostSet.add(i);
        else if (!got.equals(workload.value(i))) {
          corrupt += 1;
          if (corrupt <= 3) notes.push(`${who}commit ${i}: value differs from what was written (${got.length} bytes)`);
        }
      }
      const inflight = await get(workload.key(acked + 1));
      if (inflight !== undefined && !inflight.equals(workload.value(acked + 1))) {
        corrupt += 1;
        notes.push(`${who}commit ${acked + 1} (in flight): value differs from what was written`);
      }
    } else {
      // The latest acked commit of every key.
      const latest = new Map<number, number>();
      for (let i = 1; i <= acked; i++) latest.set(workload.slot(i), i);
      checked.push(...[...latest.values()].sort((a, b) => a - b));
      for (const i of checked) {
        const key = workload.key(i);
        const got = await get(key);
        if (got === undefined) {
          lostSet.add(i);
          continue;
        }
        const j = workload.commitOf(key, got);
        if (j === null || j > acked + 1 || !got.equals(workload.value(j))) {
          corrupt += 1;
          if (corrupt <= 3) notes.push(`${who}key of commit ${i}: holds a value no commit wrote`);
        } else if (j < i) lostSet.add(i);
      }
    }
  } catch (err) {
    throw new RecoveryFailedError(`${who}reading after recovery: ${(err as Error)?.message ?? String(err)}`);
  }
  const shape = lossShape(w, checked, (s) => lostSet.has(s));
  let lostDeclared = 0;
  for (const s of lostSet) if (s <= durable) lostDeclared += 1;
  const tailFrom = shape.tailFrom;
  return {
    outcome: { writer: w, acked, declaredDurable: durable, lost: shape.lost, lostDeclared, corrupt },
    survived: overwrite ? [] : checked.filter((s) => !lostSet.has(s)),
    ranges: shape.ranges,
    lostTail: shape.lostTail,
    lostGap: shape.lostGap,
    windowCommits: tailFrom === null ? 0 : acked - tailFrom + 1,
    windowMs: tailFrom === null ? 0 : Math.max(0, Number(input.crashNs - input.ackTimeNs(w, tailFrom)) / 1e6),
    notes,
  };
}

/** Each writer its own engine: open and check them one at a time. */
async function verifyOwnLogs(input: VerifyInput): Promise<OneWriter[]> {
  const per: OneWriter[] = [];
  for (let w = 0; w < input.writers; w++) {
    const who = input.writers > 1 ? `writer ${w}: ` : '';
    const o = await openRecovered({ ...input.instance, dir: writerDir(input.instance.dir, w, input.writers) }, who);
    try {
      per.push({ ...(await checkWriter(input, w, o.inst)), recoveryNs: o.recoveryNs, recovery: o.recovery });
    } finally {
      await o.inst.engine.close();
    }
  }
  return per;
}

/** A shared log: one recovery (by writer 0), every writer checked in it; recovery figures counted once. */
async function verifySharedLog(input: VerifyInput, bytes: number): Promise<OneWriter[]> {
  const share = { kind: 'log' as const, memory: new SharedArrayBuffer(bytes), writer: 0, writers: input.writers };
  const o = await openRecovered({ ...input.instance, share }, '');
  const none: RecoveryReport = { recordsRecovered: 0, discardedBytes: 0, crcFailures: 0, tornTail: false, notes: [] };
  try {
    const per: OneWriter[] = [];
    for (let w = 0; w < input.writers; w++) {
      per.push({ ...(await checkWriter(input, w, o.inst)), recoveryNs: w === 0 ? o.recoveryNs : 0, recovery: w === 0 ? o.recovery : none });
    }
    return per;
  } finally {
    await o.inst.engine.close();
  }
}

/** Verify every writer; throws RecoveryFailedError when an engine's recovery throws. */
export async function verifyRecovered(input: VerifyInput): Promise<VerifyResult> {
  const shared = input.sharedLogBytes ?? null;
  const per = shared === null ? await verifyOwnLogs(input) : await verifySharedLog(input, shared);
  const order =
    shared === null || parseWorkload(input.workload.workload)?.kind === 'overwrite'
      ? null
      : orderViolations(
          per.map((x) => ({ survived: x.survived, firstLost: x.ranges[0]?.from ?? null })),
          input.ackTimeNs,
        );
  const sum = (f: (x: OneWriter) => number): number => per.reduce((s, x) => s + f(x), 0);
  const ranges = per.flatMap((x) => x.ranges);
  const acked = sum((x) => x.outcome.acked);
  const declaredDurable = sum((x) => x.outcome.declaredDurable);
  return {
    acked,
    declaredDurable,
    exposure: acked - declaredDurable,
    lost: sum((x) => x.outcome.lost),
    lostDeclared: sum((x) => x.outcome.lostDeclared),
    lostTail: sum((x) => x.lostTail),
    lostGap: sum((x) => x.lostGap),
    lostRanges: ranges.slice(0, LOST_RANGES_KEPT),
    lostRangeCount: ranges.length,
    corrupt: sum((x) => x.outcome.corrupt),
    lossWindowCommits: Math.max(0, ...per.map((x) => x.windowCommits)),
    lossWindowMs: Math.max(0, ...per.map((x) => x.windowMs)),
    recoveryNs: sum((x) => x.recoveryNs),
    recovery: {
      recordsRecovered: sum((x) => x.recovery.recordsRecovered),
      discardedBytes: sum((x) => x.recovery.discardedBytes),
      crcFailures: sum((x) => x.recovery.crcFailures),
      tornTail: per.some((x) => x.recovery.tornTail),
      notes: per.flatMap((x) => x.recovery.notes.map((n) => (input.writers > 1 && shared === null ? `writer ${x.outcome.writer}: ${n}` : n))),
    },
    notes: [...(order?.first ? [`not a prefix of the log: ${order.first}`] : []), ...per.flatMap((x) => x.notes)],
    writers: per.map((x) => x.outcome),
    orderViolations: order ? order.count : null,
  };
}
