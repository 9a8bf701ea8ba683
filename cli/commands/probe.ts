/**
 * `durabench probe`: which way of making a write durable is fastest on this disk and filesystem, and
 * how steady it is (pg_test_fsync's comparison, with percentiles). Prints one table per comparison,
 * writes the report (JSON, CSV, Markdown) after every method, warnings on stderr.
 * Exit codes: 0 done (unsupported methods are results, not failures), 1 some method errored,
 * 2 bad input, 130 interrupted.
 */
import path from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { checkTarget } from '../../coordinator/resolve.js';
import { UsageError } from '../../coordinator/usage-error.js';
import { newRunId } from '../../coordinator/workdir.js';
import { methodIds } from '../../probe/methods.js';
import { ProbeOutput } from '../../probe/output.js';
import { runProbe } from '../../probe/run-probe.js';
import { renderProbeConsole } from '../../reports/render/probe-console.js';
import { isProbeFormat, type ProbeFormat } from '../../reports/render/probe-index.js';
import { warningLines } from '../../reports/render/probe-provenance.js';
import { listOption, numberList, parseFormats } from '../options.js';

interface ProbeArgs {
  dir?: string[];
  seconds: number;
  warmup?: number;
  'block-bytes': string[];
  method?: string[];
  out?: string;
  format: string[];
  quiet: boolean;
}

/** Largest accepted write size: the preallocated file must hold several operations. */
const MAX_BLOCK_BYTES = 4 * 1024 * 1024;
/** Longest accepted --seconds per method (an hour: anything longer is a typo). */
const MAX_SECONDS = 3600;

function builder(y: Argv): Argv<ProbeArgs> {
  return y
    .option('dir', {
      type: 'string',
      array: true,
      describe: 'target directory (repeatable: targets are measured side by side); default: the current directory',
    })
    .option('seconds', { type: 'number', default: 1, describe: 'measured seconds per method and target' })
    .option('warmup', { type: 'number', describe: 'warm-up seconds per method and target (default: a fifth of --seconds, at most 0.2)' })
    .option('block-bytes', { ...listOption('write size in bytes of the block-size methods (comma list; default 8192)'), default: ['8192'] })
    .option('method', listOption(`only these methods (comma list): ${methodIds().join(', ')}`))
    .option('out', { type: 'string', describe: 'report directory (default durabench-out/probe-<run id>)' })
    .option('format', { ...listOption('report formats: json, csv, md (comma list)'), default: ['json', 'csv', 'md'] })
    .option('quiet', { type: 'boolean', default: false, describe: 'no progress on stderr' })
    .example('$0 probe', 'every method in the current directory, 1 s each')
    .example('$0 probe --dir /mnt/nvme --dir /mnt/hdd --seconds 5', 'two disks side by side') as unknown as Argv<ProbeArgs>;
}

/** Validate and normalise the flags; every mistake is one UsageError line naming the option. */
export function probeSettings(args: ProbeArgs): {
  targets: string[];
  seconds: number;
  warmupSeconds: number;
  blockBytes: number[];
  methods: string[] | null;
  formats: ProbeFormat[];
} {
  const seconds = args.seconds;
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds <= 0 || seconds > MAX_SECONDS) {
    throw new UsageError(`--seconds must be a number of seconds > 0 and ≤ ${MAX_SECONDS}, got '${String(seconds)}'`);
  }
  const warmup = args.warmup ?? Math.min(0.2, seconds / 5);
  if (typeof warmup !== 'number' || !Number.isFinite(warmup) || warmup < 0 || warmup > MAX_SECONDS) {
    throw new UsageError(`--warmup must be a number of seconds ≥ 0, got '${String(args.warmup)}'`);
  }
  const blockBytes = [...new Set(numberList(args['block-bytes'], '--block-bytes'))];
  if (blockBytes.length === 0) throw new UsageError('--block-bytes needs at least one size, e.g. --block-bytes 8192');
  for (const b of blockBytes) {
    if (!Number.isInteger(b) || b < 1 || b > MAX_BLOCK_BYTES) {
      throw new UsageError(`--block-bytes must be whole numbers of bytes from 1 to ${MAX_BLOCK_BYTES}, got '${b}'`);
    }
  }
  let methods: string[] | null = null;
  if (args.method !== undefined) {
    const known = methodIds();
    for (const m of args.method) if (!known.includes(m)) throw new UsageError(`--method '${m}' is not a probe method; use one of ${known.join(', ')}`);
    methods = [...new Set(args.method)];
    if (methods.length === 0) throw new UsageError('--method needs at least one method name');
  }
  const targets = [...new Set(args.dir && args.dir.length > 0 ? args.dir : [process.cwd()])];
  for (const t of targets) checkTarget(t);
  const formats = parseFormats(args.format, isProbeFormat);
  return { targets, seconds, warmupSeconds: warmup, blockBytes, methods, formats };
}

async function handler(args: ProbeArgs): Promise<void> {
  const s = probeSettings(args);
  const runId = newRunId();
  const output = new ProbeOutput(path.resolve(args.out ?? path.join('durabench-out', `probe-${runId}`)), s.formats);
  let interrupted = false;
  const onSigint = (): void => {
    if (interrupted) process.exit(130);
    interrupted = true;
    process.stderr.write('\ndurabench: interrupted; finishing the current method, then writing the partial report (Ctrl-C again to quit now)\n');
  };
  process.on('SIGINT', onSigint);
  try {
    const report = await runProbe({
      ...s,
      runId,
      shouldStop: () => interrupted,
      onProgress: (r, last, done, total) => {
        output.write(r);
        if (!args.quiet) process.stderr.write(`[${done}/${total}] ${last.method.id} on ${last.target}: ${last.state}\n`);
      },
    });
    output.write(report);
    process.stdout.write(renderProbeConsole(report));
    for (const line of warningLines(report.warnings)) process.stderr.write(`${line}\n`);
    process.stderr.write(`reports: ${output.paths().join(', ')}\n`);
    if (report.status === 'interrupted') process.exitCode = 130;
    else if (report.results.some((r) => r.state === 'errored')) process.exitCode = 1;
  } finally {
    process.off('SIGINT', onSigint);
  }
}

export const probeCommand: CommandModule<object, ProbeArgs> = {
  command: 'probe',
  describe: 'compare ways of making a write durable (fdatasync, fsync, O_DSYNC, O_DIRECT, ...) on each --dir: ops/s and latency percentiles',
  builder,
  handler,
};
