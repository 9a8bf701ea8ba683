/**
 * One writer of the crash lab's child: one engine instance, built exactly as the benchmark builds it
 * (`createEngineInstance`) and driven by the same measurement loop (`runLoop`). Every ack and every
 * growth of the engine's durability claim (`durable(n)`) is written to fd 3 synchronously as it
 * happens, so the coordinator's ledger holds every promise made before the crash. Writer 0 also
 * reports markers and stops itself (SIGSTOP: the whole process, every writer) at crash points.
 */
import fs from 'node:fs';
import type { DurabilityListener } from '../engines/types.js';
import type { IoObserver } from '../io/io.js';
import { createEngineInstance } from '../workers/engine-instance.js';
import { ExposureTracker } from '../workers/exposure.js';
import { runLoop } from '../workers/loop.js';
import { WriterRecorders } from '../workers/recorders.js';
import { Workload } from '../workers/workload.js';
import { encodeRecord, RECORD_BYTES, RecordType, writerDir, type ChildConfig } from './protocol.js';

const LEDGER_FD = 3;

export interface WriterHandle {
  /** Start the loop; resolves when it ended (caps reached). */
  run(): Promise<void>;
}

/**
 * Open writer `w`'s engine (its recovery; on a shared log writer 0 recovers the one log and the
 * others wait for it) and report readiness; `run()` then starts committing. `memory`: the shared
 * log's memory, the same for every writer of the child, or null.
 */
export async function openWriter(config: ChildConfig, w: number, memory: SharedArrayBuffer | null = null): Promise<WriterHandle> {
  const record = Buffer.alloc(RECORD_BYTES);
  const send = (type: RecordType, a: number, index: number): void => {
    fs.writeSync(LEDGER_FD, encodeRecord(record, type, a, process.hrtime.bigint(), index));
  };
  const sendAck = (seq: number, ackNs: bigint): void => {
    fs.writeSync(LEDGER_FD, encodeRecord(record, RecordType.Ack, seq, ackNs, w));
  };

  const stops = w === 0 ? config.stops : ({ kind: 'none' } as const);
  const stopOps = stops.kind === 'ops' ? [...stops.ops].sort((a, b) => a - b) : [];
  let nextStop = 0;
  let lastOp = 0;
  /** Report the crash point, then stop; the coordinator never lets this process continue past it unobserved. */
  const hit = (): void => {
    send(RecordType.Point, lastOp, 0);
    process.kill(process.pid, 'SIGSTOP');
  };
  const observer: IoObserver =
    w === 0
      ? {
          afterOp(op) {
            lastOp = op.seq;
            if (nextStop < stopOps.length && op.seq === stopOps[nextStop]) {
              nextStop += 1;
              hit();
            }
          },
          onMarker(name, occurrence) {
            const idx = config.reportMarkers.indexOf(name);
            if (idx >= 0) send(RecordType.Marker, lastOp, idx);
            if (stops.kind === 'marker' && stops.name === name && stops.occurrence === occurrence) hit();
          },
        }
      : {};

  const rec = new WriterRecorders(observer);
  const tracker = new ExposureTracker(config.instance.durability.mode, process.hrtime.bigint, memory !== null);
  let claimed = 0;
  const claims: DurabilityListener = {
    durable(n) {
      tracker.durable(n);
      if (n > claimed) {
        claimed = n;
        send(RecordType.Durable, n, w);
      }
    },
  };
  const workload = new Workload({ ...config.workload, writer: w });
  const share = memory === null ? null : { kind: 'log' as const, memory, writer: w, writers: config.writers };
  const instance = await createEngineInstance(
    { ...config.instance, dir: writerDir(config.instance.dir, w, config.writers, memory !== null), share },
    rec,
    claims,
    (name, ns) => rec.recordPhase(name, ns),
  );
  await instance.engine.open();
  send(RecordType.Ready, lastOp, w);
  return {
    async run() {
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
        },
        { shouldStop: () => false, onAck: sendAck },
      );
      if (result.failure !== undefined) throw result.failure;
      // No crash yet (a cap was reached): report it and leave the engine open, so that a later crash
      // instant still finds the files as the writer left them. The coordinator kills the process.
      send(RecordType.Done, result.totalCommits, w);
    },
  };
}
