/**
 * The layer rule (docs/architecture.md): a file imports only from its own folder or from folders of
 * a lower layer. Read from the source itself, so a back arrow fails here before it lands.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../helpers/tmp.js';

/** Bottom to top; folders of one layer do not import each other. */
export const LAYERS: readonly (readonly string[])[] = [
  ['model'],
  ['io', 'stats'],
  ['engines', 'workspace'],
  ['workers', 'provenance'],
  ['analysis'],
  // reports only reads, renders, writes and exports: it never reaches up into the runners.
  ['reports'],
  ['coordinator'],
  ['lab', 'probe'],
  ['cli'],
];

const rank = new Map(LAYERS.flatMap((folders, i) => folders.map((f) => [f, i] as const)));

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...sources(p));
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/** Every relative import and re-export of a file, as repository-relative paths. */
function importsOf(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+'(\.[^']+)'/g), ...text.matchAll(/import\('(\.[^']+)'\)/g), ...text.matchAll(/new URL\('(\.[^']+)'/g)].map((m) => m[1]!);
  return specs.map((s) => path.relative(repoRoot, path.resolve(path.dirname(file), s)));
}

/** The imports of `file` (in top folder `folder`) that break the rule. */
function violations(file: string, folder: string, targets: readonly string[]): string[] {
  const mine = rank.get(folder)!;
  const out: string[] = [];
  for (const target of targets) {
    const top = target.split(path.sep)[0]!;
    const theirs = rank.get(top);
    if (theirs === undefined || top === folder) continue;
    if (theirs >= mine) out.push(`${file} imports ${target} (${folder} is layer ${mine}, ${top} is layer ${theirs})`);
  }
  return out;
}

test('no file in a lower layer imports a higher one (or a sibling folder of its own layer)', () => {
  const problems: string[] = [];
  for (const folder of rank.keys()) {
    const dir = path.join(repoRoot, folder);
    if (!fs.existsSync(dir)) continue;
    for (const file of sources(dir)) problems.push(...violations(path.relative(repoRoot, file), folder, importsOf(file)));
  }
  assert.deepEqual(problems, []);
});

test('every source folder has a layer', () => {
  const folders = fs
    .readdirSync(repoRoot, { withFileTypes: true })
    .filter((e) => e.isDirectory() && !e.name.startsWith('.') && sources(path.join(repoRoot, e.name)).length > 0)
    .map((e) => e.name)
    .filter((n) => !['node_modules', 'dist', 'test', 'examples', 'scripts'].includes(n));
  assert.deepEqual(folders.filter((f) => !rank.has(f)), []);
});

test('the checker finds back arrows and sibling imports, and reads real imports', () => {
  assert.equal(violations('model/x.ts', 'model', ['reports/read.ts']).length, 1);
  assert.equal(violations('reports/x.ts', 'reports', ['coordinator/session.ts']).length, 1, 'reports sits below the runners');
  assert.equal(violations('stats/x.ts', 'stats', ['io/io.ts']).length, 1, 'io and stats are one layer: no imports between them');
  assert.deepEqual(violations('cli/x.ts', 'cli', ['model/errors.ts', 'cli/flags.ts', 'node_modules/x.js']), []);
  const seen = importsOf(path.join(repoRoot, 'cli', 'program.ts'));
  assert.ok(seen.includes(path.join('model', 'errors.js')), seen.join(', '));
});
