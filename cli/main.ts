/**
 * durabench's command line: parse, dispatch to a command, map the outcome to an exit code. The only
 * layer that prints errors and calls process.exit (here, and in stop.ts for a second signal).
 * Exit codes: 0 success; 1 a gate rule broken, a probe method errored, or a crash case failed (a
 * DURABILITY BUG, or a fault its suite expected that the lab missed); 2 bad input or an unreadable
 * report; 3 a crash case inconclusive (nothing verified, a trial errored, or skipped); 130 SIGINT;
 * 143 SIGTERM. Commands set `process.exitCode`; a stop signal's code replaces it.
 */
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { UsageError } from '../model/errors.js';
import { COMMANDS } from './commands/index.js';
import { stopExitCode, stopSignal } from './stop.js';

function fail(message: string): never {
  process.stderr.write(`durabench: ${message}\n`);
  process.exit(2);
}

export async function main(argv: string[]): Promise<void> {
  // The one SIGINT/SIGTERM handler, installed before any work starts.
  stopSignal();
  let cli = yargs(argv)
    .scriptName('durabench')
    .usage('$0 <command> [options]\n\nMeasures what durability costs (fsync and commit latency) and what it risks (the measured loss window).')
    .strict()
    .demandCommand(1, 'name a command: durabench run, or durabench --help for the list')
    .recommendCommands()
    .help()
    .alias('help', 'h')
    .version()
    .wrap(Math.min(120, process.stdout.columns || 100))
    .fail((msg, err) => {
      if (err) throw err;
      // yargs' own messages may span several lines: fold them into one, add where to look.
      fail(`${(msg ?? 'invalid arguments').replace(/\s*\n\s*/g, ' ').trim()} (see durabench --help)`);
    });
  for (const command of COMMANDS) cli = cli.command(command);
  try {
    await cli.parseAsync();
  } catch (err) {
    if (err instanceof UsageError) fail(err.message);
    throw err;
  }
  const stopped = stopExitCode();
  if (stopped !== null) process.exitCode = stopped;
}

await main(hideBin(process.argv));
