/**
 * `durabench probe`: which way of making a write durable is fastest on this disk and filesystem, and
 * how steady it is (pg_test_fsync's comparison, with percentiles). A session: the report is written
 * after every method; one table per comparison on stdout, warnings on stderr.
 * Exit codes: 0 done (unsupported methods are results, not failures), 1 some method errored,
 * 2 bad input, 130/143 stopped by SIGINT/SIGTERM.
 */
import type { Argv, CommandModule } from 'yargs';
import {
  PROBE_DEFAULT_BLOCK_BYTES,
  PROBE_DEFAULT_PASSES,
  PROBE_DEFAULT_PATTERNS,
  PROBE_DEFAULT_SECONDS,
  PROBE_SYNC_THREADS,
} from '../../coordinator/defaults.js';
import type { ProbePattern } from '../../model/probe-report.js';
import { uniqueTargets } from '../../coordinator/resolve.js';
import { UsageError } from '../../model/errors.js';
import { methodIds } from '../../probe/methods.js';
import { parallelMethodIds } from '../../probe/parallel.js';
import { newProbeReport, runProbe, selectMethods, selectParallel } from '../../probe/run-probe.js';
import { ProbeProgress } from '../../coordinator/progress.js';
import type { ProbeMethodInfo, ProbeResult } from '../../model/probe-report.js';
import { fileFormatsOf, render } from '../../reports/formats.js';
import { newRunId } from '../../workspace/workdir.js';
import { declareFlags, FLAGS, OUTPUT_FLAGS, readNumber, readNumbers, readStrings, rejectPositionals, type FlagSpec } from '../flags.js';
import { consoleOptions, closeSession, humanStream, openSession, printPaths, progressLine, printWarnings, sessionOutput } from '../session.js';
import { EXIT, setExitCode } from '../exit.js';

type Args = Record<string, unknown>;

export const PROBE_FLAGS: readonly FlagSpec[] = [
  FLAGS.dir,
  FLAGS.probeDuration,
  FLAGS.probeWarmup,
  FLAGS.blockBytes,
  FLAGS.pattern,
  FLAGS.passes,
  FLAGS.threads,
  FLAGS.method,
  ...OUTPUT_FLAGS,
];

function builder(y: Argv): Argv<Args> {
  return declareFlags(y, PROBE_FLAGS, fileFormatsOf('probe'))
    .example('$0 probe', 'every method in the current directory, 1 s each')
    .example('$0 probe --dir /mnt/nvme --dir /mnt/hdd --duration 5', 'two disks side by side')
    .example('$0 probe --pattern rewrite,sequential --method fdatasync,o_direct_dsync', "pg_test_fsync's pattern against a WAL's")
    .example('$0 probe --method fdatasync-one-file-k1,fdatasync-one-file-k4,fdatasync-one-file-k16', 'do concurrent syncs of one file overlap here?') as Argv<Args>;
}

/** Validate and normalise the flags; every mistake is one UsageError line naming the option. */
export function probeSettings(args: Args): {
  targets: string[];
  seconds: number;
  warmupSeconds: number;
  blockBytes: number[];
  patterns: ProbePattern[];
  passes: number;
  threads: number[];
  methods: string[] | null;
} {
  const seconds = readNumber(args, FLAGS.probeDuration) ?? PROBE_DEFAULT_SECONDS;
  const warmupSeconds = readNumber(args, FLAGS.probeWarmup) ?? Math.min(0.2, seconds / 5);
  const blockBytes = [...new Set(readNumbers(args, FLAGS.blockBytes) ?? [PROBE_DEFAULT_BLOCK_BYTES])];
  const patterns = [...new Set((readStrings(args, FLAGS.pattern) ?? PROBE_DEFAULT_PATTERNS) as ProbePattern[])];
  const passes = readNumber(args, FLAGS.passes) ?? PROBE_DEFAULT_PASSES;
  const threads = [...new Set(readNumbers(args, FLAGS.threads) ?? [...PROBE_SYNC_THREADS])].sort((a, b) => a - b);
  let methods: string[] | null = null;
  const asked = readStrings(args, FLAGS.method);
  if (asked !== undefined) {
    const known = [...methodIds(), ...parallelMethodIds(threads)];
    for (const m of asked)
      if (!known.includes(m)) throw new UsageError(`--method '${m}' is not a probe method; use one of ${known.join(', ')}`);
    methods = [...new Set(asked)];
  }
  const targets = uniqueTargets(readStrings(args, FLAGS.dir) ?? [process.cwd()]);
  return { targets, seconds, warmupSeconds, blockBytes, patterns, passes, threads, methods };
}

async function handler(args: Args): Promise<void> {
  rejectPositionals(args, 'probe');
  const o = { kind: 'probe', args, baseName: 'probe' } as const;
  const out = sessionOutput(o);
  const s = probeSettings(args);
  const report = newProbeReport(s);
  const session = openSession(o, out, report);
  const line = progressLine('probe', out);
  // One unit of progress per slot: every method on every target, once per pass.
  const passes = Math.max(1, s.passes);
  const units = (selectMethods(s.blockBytes, s.methods, s.patterns).length * passes + selectParallel(s.blockBytes, s.threads, s.methods).length) * s.targets.length;
  const progress = line ? new ProbeProgress(line, units, ((s.seconds + s.warmupSeconds) * 1000) / passes) : null;
  await runProbe(session, {
    ...s,
    runId: report.runId ?? newRunId(),
    ...(progress
      ? {
          onStart: (m: ProbeMethodInfo, target: string, i: number) => progress.started(m, target, i, s.targets.length > 1),
          onResult: (last: ProbeResult) => progress.finished(last),
        }
      : {}),
  });
  line?.done();
  humanStream(out).write(render('probe', 'console', report, consoleOptions()));
  printWarnings(report.warnings);
  printPaths(session.paths);
  if (progress) progress.line.closing(progress.summary());
  if (report.results.some((r) => r.state === 'errored')) setExitCode(EXIT.failed);
  closeSession(session);
}

export const probeCommand: CommandModule<object, Args> = {
  command: 'probe',
  describe:
    'compare ways of making a write durable (fdatasync, fsync, O_DSYNC, O_DIRECT, ...) on each --dir: ops/s and latency percentiles',
  builder,
  handler,
};
