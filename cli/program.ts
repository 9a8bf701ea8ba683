/**
 * durabench's command line: parse, check for leftovers of dead runs, dispatch to a command, map the
 * outcome to an exit code (cli/exit.ts: the one table). The only layer that prints errors; the
 * process exits in cli/main.ts (and in stop.ts on a second signal).
 */
import yargs from 'yargs';
import { OutputError, UsageError } from '../model/errors.js';
import { COMMANDS, requestedCommand } from './commands/index.js';
import { toolVersion } from '../provenance/tool.js';
import { EXIT } from './exit.js';
import { leftoverNotice } from './leftover-notice.js';
import { checkSwitchValues, joinDashValues } from './flags.js';
import { stopExitCode, stopSignal } from './stop.js';

/** One line, whatever the message holds (a JSON parser's excerpt may contain newlines). */
export function oneLine(message: string): string {
  return message.replace(/\s*\n\s*/g, ' ').trim();
}

function say(message: string): void {
  process.stderr.write(`durabench: ${oneLine(message)}\n`);
}

/**
 * yargs middleware (it passes the instance of the running command as the second argument, which
 * @types/yargs 17 does not declare): switch values checked against that command's boolean options.
 */
function beforeCommand(argv: readonly string[]): (args: Record<string, unknown>, y: { getOptions(): { boolean: string[] } }) => void {
  return (args, y) => {
    checkSwitchValues(argv, y.getOptions().boolean);
    leftoverNotice(args);
  };
}

/** The part of yargs' internal API that skipHelpCache replaces (yargs 17 declares none of it). */
interface YargsInternals {
  getInternalMethods(): { getUsageInstance(): { cacheHelpMessage(): void } };
}

/**
 * yargs lays out a command's whole help as soon as its handler starts (`cacheHelpMessage`, for a
 * help shown after an async handler failed): 0.13–0.17 s of text wrapping on every `run`, `crash`,
 * `tune` or `probe`. durabench never shows help after a failure (`showHelpOnFail(false)`, our own
 * fail handler) and `--help` runs no handler, so nothing ever reads that cache.
 */
function skipHelpCache(cli: unknown): void {
  const usage = (cli as YargsInternals).getInternalMethods?.().getUsageInstance?.();
  if (usage && typeof usage.cacheHelpMessage === 'function') usage.cacheHelpMessage = () => undefined;
}

function ignoreEpipe(err: NodeJS.ErrnoException): void {
  if (err.code !== 'EPIPE') throw err;
}

/** Run the CLI with `argv` (without node and the script); returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  // The one SIGINT/SIGTERM handler, installed before any work starts.
  stopSignal();
  // `durabench run --out - | head`: a reader that stops early is not an error of ours.
  if (!process.stdout.listeners('error').includes(ignoreEpipe)) process.stdout.on('error', ignoreEpipe);
  process.exitCode = undefined;
  let cli = yargs(joinDashValues(argv))
    .scriptName('durabench')
    .usage('$0 <command> [options]\n\nMeasures what durability costs (fsync and commit latency) and what it risks (the measured loss window).')
    .strict()
    .demandCommand(1, 'name a command: durabench run, or durabench --help for the list')
    .recommendCommands()
    .help()
    .alias('help', 'h')
    // durabench's own package.json: yargs would look for one from the working directory when it
    // runs from the bundle (its own path then has no node_modules to start from).
    .version(toolVersion())
    .exitProcess(false)
    // A failure prints one line (ours), never the help: and yargs then need not lay the help out (~0.4 s for run).
    .showHelpOnFail(false)
    .wrap(Math.min(120, process.stdout.columns || 100))
    .fail((msg, err) => {
      if (err) throw err;
      // yargs' own messages may span several lines: fold them into one, add where to look.
      throw new UsageError(`${oneLine(msg ?? 'invalid arguments')} (see durabench --help)`);
    })
    // Before any command runs: switches given a value (`--keep=maybe`), then one line about leftovers of dead runs.
    .middleware(beforeCommand(argv) as never);
  // Only the command that runs is loaded; the others are listed (for --help and "did you mean").
  const wanted = requestedCommand(argv);
  for (const entry of COMMANDS) {
    if (entry === wanted) cli = cli.command(await entry.load());
    else
      cli = cli.command(
        entry.command,
        entry.describe,
        (y) => y,
        () => undefined,
      );
  }
  skipHelpCache(cli);
  let code: number;
  try {
    await cli.parseAsync();
    code = typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (err) {
    if (err instanceof UsageError) {
      say(err.message);
      code = EXIT.usage;
    } else if (err instanceof OutputError) {
      say(err.message);
      code = EXIT.failed;
    } else {
      const e = err as NodeJS.ErrnoException;
      // A system error (EACCES, ENOSPC, EIO) outside any case: one line. Anything else is a bug: the stack helps.
      if (typeof e?.code === 'string' && typeof e.syscall === 'string') say(String(e.message));
      else process.stderr.write(`durabench: internal error: ${(e as Error)?.stack ?? String(err)}\n`);
      code = EXIT.failed;
    }
  }
  const stopped = stopExitCode();
  return stopped ?? code;
}
