/**
 * Kind `kill`: one writer run per crash instant. The writer runs in the target's scratch directory;
 * at the instant (a random time after the first ack, an io operation, a marker, a system call) it is
 * stopped, then killed with SIGKILL; every writer's engine reopens the same directory (the page cache
 * survives) and is verified.
 */
import type { CrashTrial } from '../model/crash-report.js';
import { RecordType } from './protocol.js';
import type { StraceInjection } from './syscall-trace.js';
import { childConfig, errorTrial, notReached, prepareDirs, readTrace, runningMs, trialFrom, verifyOrError, type RunSpec } from './trial.js';
import type { TraceLog } from './syscall-trace.js';
import { WriterProcess } from './writer-process.js';
import type { RunningServer } from '../coordinator/servers.js';
import { startRunServer, verifyServer } from './server-trial.js';
import type { ChildStops } from './protocol.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Where one kill run crashes: at a random instant (ms of running time after the first ack), or at a point. */
export type KillStop =
  | { readonly kind: 'instant'; readonly atMs: number }
  | { readonly kind: 'point'; readonly child: ChildStops; readonly inject: StraceInjection | null };

export interface KillRunResult {
  readonly trial: CrashTrial;
  /** Commits acked in the run (every writer), for device truth and the census. */
  readonly commits: number;
  readonly trace: TraceLog | null;
}

export async function runKillTrial(spec: RunSpec, stop: KillStop, instant: number, label: string, dir: string, fifoPath: string, traceLog: string | null): Promise<KillRunResult> {
  prepareDirs(dir, spec.writers, `${dir}/..`, spec.sharedLogBytes !== null);
  const where = { instant, image: 'page-cache' as const, crashPoint: label };
  const inject = stop.kind === 'point' ? stop.inject : null;
  let server: RunningServer | null = null;
  if (spec.server) {
    try {
      server = await startRunServer(spec, dir, 'kill', traceLog);
    } catch (err) {
      return { trial: errorTrial(where, `the server did not start: ${(err as Error).message}`), commits: 0, trace: null };
    }
  }
  // With a server, the census traces the server (above), not the writer.
  const w = new WriterProcess(childConfig(spec, dir, stop.kind === 'point' ? stop.child : { kind: 'none' }, spec.maxMs, server?.endpoint), fifoPath, traceLog !== null && !server ? { strace: { log: traceLog, inject } } : {});
  const done = (trial: CrashTrial): KillRunResult => ({ trial, commits: w.ledger.count, trace: readTrace(traceLog) });
  try {
    const ended = (): boolean => w.ledger.all(RecordType.Done).length >= spec.writers;
    let crashNs: bigint;
    if (stop.kind === 'instant') {
      const started = await w.waitFor(() => w.ledger.count >= 1 || ended(), 30_000);
      if (!started || w.ledger.count === 0) return done(errorTrial(where, w.exited ? w.failure : 'the writer acked nothing within 30 s'));
      const first = w.ledger.firstAckNs()!;
      const waitMs = stop.atMs - runningMs(process.hrtime.bigint(), first, 0n);
      if (waitMs > 0) await sleep(waitMs);
      if (w.exited) return done(errorTrial(where, w.failure, w.ledger.at()));
      crashNs = await w.stop();
    } else {
      const injected = (): boolean => w.injectedStops() >= 1;
      const hit = (): boolean => (inject ? injected() : w.ledger.find(RecordType.Point) !== undefined);
      // Start-up (engine open) first, then the point within the run's cap.
      await w.waitFor(() => w.ledger.all(RecordType.Ready).length >= spec.writers || hit(), 30_000);
      const t0 = Date.now();
      const reached = await w.waitFor(() => hit() || ended(), spec.maxMs);
      if (!reached || !hit()) {
        return done(errorTrial(where, w.exited && !ended() ? w.failure : notReached(label, w.ledger.count, Date.now() - t0, inject?.name ?? null, readTrace(traceLog)), w.ledger.at()));
      }
      await w.waitStopped();
      crashNs = inject ? process.hrtime.bigint() : w.ledger.find(RecordType.Point)!.ns;
    }
    const at = w.ledger.at();
    const first = w.ledger.firstAckNs();
    const writerRunMs = runningMs(crashNs, first, 0n);
    const syscall = inject ? readTrace(traceLog)?.stops[0] : undefined;
    // A server engine's crash is the server's: SIGKILL of its whole tree; the stopped writer goes too.
    if (server) await server.crash();
    await w.kill();
    const killedNs = process.hrtime.bigint();
    const ledger = w.ledger;
    const input = { writers: spec.writers, sharedLogBytes: spec.sharedLogBytes, workload: spec.workload, at, ackTimeNs: (wr: number, s: number) => ledger.ackTimeNs(wr, s), crashNs };
    const v = server ? await verifyServer(spec, { ...input, dir }, 'kill', false) : await verifyOrError({ ...input, instance: { ...spec.instance, dir } });
    const doneNs = process.hrtime.bigint();
    const whereAt = { ...where, writerRunMs };
    if ('error' in v) return done({ ...errorTrial(whereAt, v.error, at), ...(syscall ? { syscall } : {}) });
    const labPhasesNs = { kill: Number(killedNs - crashNs), recover: v.recoveryNs, verify: Number(doneNs - killedNs) - v.recoveryNs };
    return done(trialFrom(whereAt, v, { labNs: Number(doneNs - crashNs), labPhasesNs, ...(syscall ? { syscall } : {}) }));
  } finally {
    await w.dispose();
    if (server) await server.crash(true);
  }
}
