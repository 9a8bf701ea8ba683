/** The entry point: run the CLI and exit with its code (cli/exit.ts). */
import { hideBin } from 'yargs/helpers';
import { main } from './program.js';

process.exitCode = await main(hideBin(process.argv));
