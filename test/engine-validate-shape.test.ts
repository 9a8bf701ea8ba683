/**
 * Load-time validation of engine factories: every built-in engine and the example user engine pass;
 * a module that lacks a member, has bad modes/options/contract, or declares a mode its own check()
 * rejects is refused with one line naming what is wrong.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { builtinEngines, EngineLoadError, loadEngine } from '../engines/registry.js';
import { factoryProblems } from '../engines/validate.js';
import { repoRoot, tempDir } from './helpers/tmp.js';

const EXAMPLE = path.join(repoRoot, 'examples', 'append-log-engine.mjs');

const good = {
  name: 'good',
  summary: 'a good engine',
  modes: ['sync', 'none'],
  options: [{ name: 'good-level', type: 'number', default: 1, min: 0, describe: 'a level' }],
  faults: [],
  markers: [],
  contract: 'sync',
  create: () => ({}),
};

test('every built-in engine has a valid shape', () => {
  for (const f of builtinEngines()) assert.deepEqual(factoryProblems(f), [], f.name);
});

test('the example user engine loads and has a valid shape', async () => {
  const f = await loadEngine(EXAMPLE);
  assert.equal(f.name, 'append-log');
  assert.deepEqual(factoryProblems(f), []);
});

test('a good factory has no problems', () => {
  assert.deepEqual(factoryProblems(good), []);
});

/** Each broken factory: what to change, and a fragment the problem must contain. */
const BROKEN: [string, Record<string, unknown>, RegExp][] = [
  ['missing create', { create: undefined }, /missing create \(a function create\(ctx\) returning an Engine\)/],
  ['missing name', { name: undefined }, /missing name/],
  ['missing options', { options: undefined }, /missing options/],
  ['empty modes', { modes: [] }, /modes must be a non-empty array of sync, batch, none/],
  ['unknown mode', { modes: ['sync', 'turbo'] }, /modes has "turbo", which is not a mode/],
  ['duplicate mode', { modes: ['sync', 'sync'] }, /modes lists a mode twice/],
  ['bad contract', { contract: 'promise' }, /contract must be 'sync' .* or 'async'/],
  ['option with wrong default type', { options: [{ name: 'x', type: 'number', default: 'one', describe: 'x' }] }, /option 'x': default must be a number/],
  ['option with bad type', { options: [{ name: 'x', type: 'float', default: 1, describe: 'x' }] }, /option 'x': type must be one of number, string, boolean/],
  ['option with bad name', { options: [{ name: 'X Y', type: 'number', default: 1, describe: 'x' }] }, /options\[0\]\.name must be a lower-case flag name/],
  [
    'option default outside its choices',
    { options: [{ name: 'x', type: 'string', choices: ['a', 'b'], default: 'c', describe: 'x' }] },
    /option 'x': default "c" is not one of its choices \(a, b\)/,
  ],
  ['faults not an array', { faults: 'none' }, /missing faults/],
  ['markers with a number', { markers: [1] }, /markers must be an array of strings/],
  ['check not a function', { check: 'yes' }, /check must be a function/],
  ['availability not a function', { availability: true }, /availability must be a function/],
  [
    'declares a mode its own check rejects',
    { modes: ['sync', 'batch'], check: (m: string) => (m === 'batch' ? 'no batching here' : null) },
    /declares mode batch but its own check\(\) rejects it with the default options \(no batching here\); remove batch from modes/,
  ],
];

for (const [label, change, expected] of BROKEN) {
  test(`factory problem: ${label}`, () => {
    const problems = factoryProblems({ ...good, ...change });
    assert.ok(problems.some((p) => expected.test(p)), `${label}: ${JSON.stringify(problems)}`);
  });
}

test('loadEngine rejects a broken module with one line naming the module and what is missing', async () => {
  const dir = tempDir('validate-shape');
  const file = path.join(dir, 'no-create.mjs');
  fs.writeFileSync(
    file,
    `export default { name: 'x', summary: 's', modes: ['sync'], options: [], faults: [], markers: [], contract: 'sync' };\n`,
  );
  await assert.rejects(loadEngine(file), (err: Error) => {
    assert.ok(err instanceof EngineLoadError);
    assert.match(err.message, /^engine module '.*no-create\.mjs' does not implement the engine interface \(see docs\/engines\.md\): missing create/);
    assert.ok(!err.message.includes('\n'), 'one line');
    return true;
  });
});

test('loadEngine rejects a module without an engine export, and one that fails to import', async () => {
  const dir = tempDir('validate-shape');
  const noExport = path.join(dir, 'no-export.mjs');
  fs.writeFileSync(noExport, 'export const something = 1;\n');
  await assert.rejects(loadEngine(noExport), /must export an EngineFactory as default or as 'engine'/);
  const syntax = path.join(dir, 'syntax.mjs');
  fs.writeFileSync(syntax, 'export default {\n');
  await assert.rejects(loadEngine(syntax), /cannot load engine module '.*syntax\.mjs'/);
});

test('an engine whose availability() gives a reason is refused with it', async () => {
  const dir = tempDir('validate-shape');
  const file = path.join(dir, 'unavailable.mjs');
  fs.writeFileSync(
    file,
    `export default { name: 'u', summary: 's', modes: ['none'], options: [], faults: [], markers: [], contract: 'sync',
      availability: async () => 'libfoo is not installed', create: () => ({}) };\n`,
  );
  await assert.rejects(loadEngine(file), /engine module '.*unavailable\.mjs' is not available on this machine: libfoo is not installed/);
});
