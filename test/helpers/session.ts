/** Sessions for tests: no files unless asked, and a stop signal the test controls. */
import { neverStop, Session } from '../../coordinator/session.js';
import type { SessionReport } from '../../model/report.js';
import { newProbeReport, runProbe, type ProbeRunOptions } from '../../probe/run-probe.js';
import type { ProbeReport } from '../../model/probe-report.js';

export function memorySession<R extends SessionReport>(report: R, signal: AbortSignal = neverStop()): Session<R> {
  return new Session(report, null, signal);
}

/** Run the probe in a memory session. */
export function probeForTest(opts: ProbeRunOptions, signal?: AbortSignal): Promise<ProbeReport> {
  return runProbe(memorySession(newProbeReport(opts), signal), opts);
}
