#!/usr/bin/env node
// Write the JSON Schema of every report kind to schemas/ from the compiled TypeBox definitions
// (run `npm run schemas`, which builds first). test/unit/shipped-schemas.test.ts checks that the
// files in the repository are exactly what this writes.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { schemaFiles } = await import(path.join(root, 'dist', 'reports', 'schema-files.js'));
const dir = path.join(root, 'schemas');
fs.mkdirSync(dir, { recursive: true });
for (const s of schemaFiles()) {
  fs.writeFileSync(path.join(dir, s.file), s.text);
  process.stdout.write(`schemas/${s.file}\n`);
}
