/**
 * `npm test` lists its test files as shell globs (slowest groups first, so two runners stay busy);
 * a new file whose name no glob matches would silently never run. Every test file must be matched
 * by exactly one glob of `npm test` and belong to exactly one lane (test:unit, test:crash,
 * test:engines, test:cli, test:faults).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../helpers/tmp.js';

/** The dist/test globs of an npm script. */
function globsOf(script: string): string[] {
  return script.split(/\s+/).filter((w) => w.startsWith('dist/test/'));
}

/** A shell glob as a regular expression: `*` within one path segment, `[!ab]` and `[ab]` classes. */
function globRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') re += '[^/]*';
    else if (c === '[') {
      const end = glob.indexOf(']', i);
      const body = glob.slice(i + 1, end);
      re += body.startsWith('!') ? `[^${body.slice(1)}/]` : `[${body}]`;
      i = end;
    } else re += c.replace(/[.+?^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

function testFiles(): string[] {
  const out: string[] = [];
  for (const sub of ['test', 'test/unit', 'test/faults']) {
    for (const name of fs.readdirSync(path.join(repoRoot, sub))) {
      if (name.endsWith('.test.ts')) out.push(`dist/${sub}/${name.replace(/\.ts$/, '.js')}`);
    }
  }
  return out;
}

const scripts = (JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;

test('the glob matcher reads the shell classes the scripts use', () => {
  assert.ok(globRegExp('dist/test/[!ce]*.test.js').test('dist/test/wal-rotation.test.js'));
  assert.ok(!globRegExp('dist/test/[!ce]*.test.js').test('dist/test/cli-run.test.js'));
  assert.ok(!globRegExp('dist/test/*.test.js').test('dist/test/unit/crc32c.test.js'));
});

test('npm test runs every test file exactly once', () => {
  const globs = globsOf(scripts['test']!).map(globRegExp);
  for (const file of testFiles()) {
    const n = globs.filter((g) => g.test(file)).length;
    assert.equal(n, 1, `${file} is matched by ${n} globs of npm test`);
  }
});

test('every test file belongs to exactly one lane', () => {
  const lanes = ['test:unit', 'test:crash', 'test:engines', 'test:cli', 'test:faults'].map((name) => ({ name, globs: globsOf(scripts[name]!).map(globRegExp) }));
  for (const file of testFiles()) {
    const inLanes = lanes.filter((l) => l.globs.some((g) => g.test(file))).map((l) => l.name);
    assert.equal(inLanes.length, 1, `${file} is in lanes [${inLanes.join(', ')}]`);
  }
});
