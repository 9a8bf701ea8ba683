/**
 * The bundle that bin/durabench.js runs (scripts/build.mjs, workspace/entry-point.ts): every entry
 * is there, every output is one folder deep (what entry-point.ts's `../<name>` relies on), and every
 * import in it stays inside the bundle or names a Node built-in or a package this one depends on.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { Buffer } from 'node:buffer';
import { builtinModules, createRequire } from 'node:module';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ENTRY_POINTS, entryCommand, entryUrl } from '../../workspace/entry-point.js';
import { repoRoot } from '../helpers/tmp.js';

const require = createRequire(import.meta.url);
const dist = path.join(repoRoot, 'dist');
const bundle = path.join(dist, 'bundle');

function files(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? files(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

test('every entry is compiled and bundled, and the CLI binary runs the bundle', () => {
  for (const name of ['cli/main', ...ENTRY_POINTS]) {
    assert.ok(fs.existsSync(path.join(dist, `${name}.js`)), `dist/${name}.js`);
    assert.ok(fs.existsSync(path.join(bundle, `${name}.js`)), `dist/bundle/${name}.js`);
  }
  assert.match(fs.readFileSync(path.join(repoRoot, 'bin', 'durabench.js'), 'utf8'), /^import '\.\.\/dist\/bundle\/cli\/main\.js';$/m);
});

test('a compiled module starts the bundled entries, as the CLI does', () => {
  // This test imports the compiled entry-point.js (dist/workspace/); the bundle exists.
  assert.equal(fileURLToPath(entryUrl('lab/child-thread')), path.join(bundle, 'lab', 'child-thread.js'));
  assert.deepEqual(entryCommand('coordinator/case-child'), { script: path.join(bundle, 'coordinator', 'case-child.js'), execArgv: [] });
});

test('every bundle output is one folder deep, and its imports resolve inside the bundle or to dependencies', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as Record<
    string,
    Record<string, string> | undefined
  >;
  const deps = new Set([...Object.keys(pkg['dependencies'] ?? {}), ...Object.keys(pkg['optionalDependencies'] ?? {})]);
  const builtins = new Set(builtinModules);
  const outputs = files(bundle);
  assert.ok(outputs.length > ENTRY_POINTS.length, 'shared chunks exist');
  for (const file of outputs) {
    const rel = path.relative(bundle, file);
    assert.equal(rel.split(path.sep).length, 2, `${rel} is one folder deep`);
    const text = fs.readFileSync(file, 'utf8');
    for (const m of text.matchAll(/^(?:import|export)\b[^;'"()]*?["']([^"']+)["'];$|\bimport\(\s*["']([^"']+)["']\s*\)/gm)) {
      const spec = (m[1] ?? m[2])!;
      if (spec.startsWith('.')) {
        const target = path.resolve(path.dirname(file), spec);
        assert.ok(target.startsWith(bundle + path.sep) && fs.existsSync(target), `${rel} imports ${spec}, outside the bundle or missing`);
      } else {
        const name = spec.startsWith('node:')
          ? spec
          : spec
              .split('/')
              .slice(0, spec.startsWith('@') ? 2 : 1)
              .join('/');
        assert.ok(
          name.startsWith('node:') || builtins.has(name) || deps.has(name),
          `${rel} imports ${spec}: neither a built-in nor a dependency`,
        );
      }
    }
  }
});

test("the bundle carries hdr-histogram-js's WebAssembly inflated, byte for byte what the package inflates, and not also deflated", () => {
  // The package's own decoders, from where it resolves them.
  const req = createRequire(require.resolve('hdr-histogram-js/dist/wasm/index.js'));
  const { BINARY } = req('./generated-wasm.js') as { BINARY: string };
  const pako = req('pako') as { inflate(b: Uint8Array): Uint8Array };
  const base64 = req('base64-js') as { toByteArray(s: string): Uint8Array };
  const expected = Buffer.from(pako.inflate(base64.toByteArray(BINARY)));
  const inflated = JSON.stringify(expected.toString('base64'));
  let copies = 0;
  for (const file of files(bundle)) {
    const text = fs.readFileSync(file, 'utf8');
    assert.ok(!text.includes(BINARY.slice(0, 200)), `${path.relative(bundle, file)} still carries the deflated module`);
    copies += text.split(inflated).length - 1;
  }
  assert.equal(copies, 1, 'the bundle holds the module the package ships, inflated, once');
});
