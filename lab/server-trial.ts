/**
 * Server engines in the crash lab: the database server is started for the writer run in the
 * trial's directory (or on the lab's drive), crashed with it (a SIGKILL of the server's whole tree,
 * or frozen at a power cut's instant), then started again on the directory the crash left — its own
 * crash recovery — and every acked key is read back through the client. Recovery time is the
 * restarted server's time to ready plus the client's connect.
 */
import path from 'node:path';
import { RunningServer } from '../coordinator/servers.js';
import type { ServerFailure } from '../model/server.js';
import { RECOVERY_FAILED } from '../analysis/crash-verdict.js';
import { straceArgs } from './syscall-trace.js';
import type { RunSpec } from './trial.js';
import { verifyOrError } from './trial.js';
import type { VerifyInput, VerifyResult } from './verify.js';

/** The server's data directory inside a trial or engine directory. */
export function serverDataDir(dir: string): string {
  return path.join(dir, 'server-data');
}

/** Start the server for a writer run: fresh data in `dir` (a directory the lab created). */
export async function startRunServer(spec: RunSpec, dir: string, failure: ServerFailure, traceLog: string | null, signal?: AbortSignal): Promise<RunningServer> {
  const s = spec.server!;
  // The census counts the server's own sync calls: the server runs under strace for the writer run.
  const trace = traceLog ? { log: traceLog, straceArgs: straceArgs(traceLog, null) } : undefined;
  return RunningServer.start({ factory: s.factory, root: dir, dataDir: serverDataDir(dir), fresh: true, durability: spec.instance.durability, options: s.options, failure, ...(s.templates ? { templates: s.templates } : {}), ...(trace ? { trace } : {}), ...(signal ? { signal } : {}) });
}

/**
 * Restart the server on the crashed directory (`dir` as the run had it, or the recovered image's
 * copy), verify through the client, stop it. A server that does not come back is a failed recovery.
 */
export async function verifyServer(spec: RunSpec, input: Omit<VerifyInput, 'instance'> & { readonly dir: string }, failure: ServerFailure, copy: boolean): Promise<VerifyResult | { error: string }> {
  const s = spec.server!;
  let server: RunningServer;
  try {
    server = await RunningServer.start({ factory: s.factory, root: input.dir, dataDir: serverDataDir(input.dir), fresh: false, durability: spec.instance.durability, options: s.options, failure, copy });
  } catch (err) {
    return { error: `${RECOVERY_FAILED}the server did not come back on the crashed directory: ${(err as Error).message}` };
  }
  try {
    const v = await verifyOrError({ ...input, instance: { ...spec.instance, dir: input.dir, server: server.endpoint } });
    if ('error' in v) return v;
    return { ...v, recoveryNs: v.recoveryNs + Math.round(server.readyMs * 1e6) };
  } finally {
    await server.stop();
  }
}
