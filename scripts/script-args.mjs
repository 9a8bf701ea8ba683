// The command line of a benchmark script: `--help` prints the usage (the comment at the top of the
// script), and a wrong option or value is one line naming it, exit 2 — never a stack trace.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

/** `parseArgs(config)` for the script at `scriptUrl` (its `import.meta.url`). */
export function scriptArgs(scriptUrl, config) {
  const file = fileURLToPath(scriptUrl);
  const name = path.basename(file);
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    const comment = [];
    for (const line of lines.slice(lines[0]?.startsWith('#!') ? 1 : 0)) {
      if (!line.startsWith('//')) break;
      comment.push(line.replace(/^\/\/ ?/, ''));
    }
    process.stdout.write(comment.join('\n') + '\n');
    process.exit(0);
  }
  try {
    return parseArgs({ ...config, args: argv });
  } catch (err) {
    process.stderr.write(`${name}: ${err.message.split('\n')[0]} (--help shows the usage)\n`);
    process.exit(2);
  }
}
