/**
 * Runs many command lines through the real CLI (`cli/program.ts`'s `main`, the function
 * bin/durabench.js calls) in one process, so a table of hundreds of bad inputs costs one Node start
 * instead of hundreds. Each case runs in its own working directory with stdout and stderr captured.
 *
 *   node dist/test/helpers/cli-driver.js cases.json results.json
 *
 * cases.json: [{ "args": [...], "cwd": "..." }, …]; results.json: [{ "code", "stdout", "stderr" }, …].
 */
import fs from 'node:fs';
import { main } from '../../cli/program.js';

interface DriverCase {
  readonly args: string[];
  readonly cwd: string;
}

export interface DriverResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

const [casesFile, resultsFile] = process.argv.slice(2);
const cases = JSON.parse(fs.readFileSync(casesFile!, 'utf8')) as DriverCase[];
const results: DriverResult[] = [];
const realOut = process.stdout.write.bind(process.stdout);
const realErr = process.stderr.write.bind(process.stderr);

for (const c of cases) {
  let stdout = '';
  let stderr = '';
  process.stdout.write = ((chunk: string | Uint8Array): boolean => {
    stdout += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
    return true;
  }) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array): boolean => {
    stderr += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
    return true;
  }) as typeof process.stderr.write;
  let code: number;
  try {
    process.chdir(c.cwd);
    code = await main(c.args);
  } catch (err) {
    code = -1;
    stderr += `driver: main threw: ${(err as Error)?.stack ?? String(err)}\n`;
  } finally {
    process.stdout.write = realOut;
    process.stderr.write = realErr;
  }
  results.push({ code, stdout, stderr });
}
fs.writeFileSync(resultsFile!, JSON.stringify(results));
process.exitCode = 0;
