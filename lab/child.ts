/**
 * The crash lab's writer child: one writer, one engine instance, built exactly as the benchmark
 * builds it (`createEngineInstance`) and driven by the same measurement loop (`runLoop`). Every ack is
 * written to fd 3 synchronously right after `put` returned, so the coordinator's ledger holds every
 * promise made before the crash. At a crash point the child reports it and stops itself with SIGSTOP:
 * the coordinator then kills it (kind `kill`) or snapshots the device first (kind `power`).
 *
 * Run as `node dist/coordinator/crash/child.js '<ChildConfig JSON>'` with fd 3 open for writing.
 */
import fs from 'node:fs';
import { createEngineInstance } from '../workers/engine-instance.js';
import { ExposureTracker } from '../workers/exposure.js';
import { runLoop } from '../workers/loop.js';
import { WriterRecorders } from '../workers/recorders.js';
import { Workload } from '../workers/workload.js';
import type { IoObserver } from '../io/io.js';
import { encodeRecord, RECORD_BYTES, RecordType, type ChildConfig } from './protocol.js';

const LEDGER_FD = 3;

/**
 * The second line of defence when the kernel cannot be asked to kill us with our parent (no
 * setpriv): once the coordinator is gone (we were re-parented), stop. Runs whenever the event loop
 * does — between async commits, and while idling after the caps.
 */
function watchParent(): void {
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) process.kill(process.pid, 'SIGKILL');
  }, 200).unref();
}

async function main(): Promise<void> {
  watchParent();
  const config = JSON.parse(process.argv[2] ?? '') as ChildConfig;
  const record = Buffer.alloc(RECORD_BYTES);
  const send = (type: RecordType, a: number, index = 0): void => {
    fs.writeSync(LEDGER_FD, encodeRecord(record, type, a, process.hrtime.bigint(), index));
  };
  const sendAck = (seq: number, ackNs: bigint): void => {
    fs.writeSync(LEDGER_FD, encodeRecord(record, RecordType.Ack, seq, ackNs));
  };

  const point = config.point;
  let lastOp = 0;
  /** Report the crash point, then stop; the coordinator never lets this process continue past it unobserved. */
  const hit = (): void => {
    send(RecordType.Point, lastOp);
    process.kill(process.pid, 'SIGSTOP');
  };
  const observer: IoObserver = {
    afterOp(op) {
      lastOp = op.seq;
      if (point.kind === 'op' && op.seq === point.op) hit();
    },
    onMarker(name, occurrence) {
      const idx = config.reportMarkers.indexOf(name);
      if (idx >= 0) send(RecordType.Marker, lastOp, idx);
      if (point.kind === 'marker' && point.name === name && point.occurrence === occurrence) hit();
    },
  };

  const rec = new WriterRecorders(observer);
  const tracker = new ExposureTracker(config.instance.durability.mode);
  const workload = new Workload(config.workload);
  const instance = await createEngineInstance(config.instance, rec, tracker, (name, ns) => rec.recordPhase(name, ns));
  await instance.engine.open();
  send(RecordType.Ready, lastOp);
  const result = await runLoop(
    instance.engine,
    instance.isAsync,
    workload,
    tracker,
    rec,
    {
      startNs: process.hrtime.bigint(),
      warmupNs: 0n,
      durationNs: BigInt(config.maxMs) * 1_000_000n,
      commits: config.maxCommits,
      intervalNs: 1_000_000_000n,
    },
    { shouldStop: () => false, onAck: sendAck },
  );
  if (result.failure !== undefined) throw result.failure;
  // No crash yet (a cap was reached): report it and idle without closing the engine, so that a
  // random crash instant still finds the files as the writer left them. The coordinator kills us.
  send(RecordType.Done, result.totalCommits);
  setInterval(() => {}, 1 << 30);
}

main().then(
  () => {},
  (err: unknown) => {
    process.stderr.write(`crash child: ${(err as Error)?.stack ?? String(err)}\n`);
    process.exit(1);
  },
);
