/** Writing a command's text output to a file atomically (temporary file + rename). */
import fs from 'node:fs';
import path from 'node:path';

export function writeTextFile(file: string, text: string): void {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}
