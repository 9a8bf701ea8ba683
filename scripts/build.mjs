#!/usr/bin/env node
// `npm run build`: compile with tsc incrementally (its state in dist/.tsbuildinfo), so a build with
// nothing changed takes seconds instead of a full compile, and still leave dist/ exactly what a
// clean build leaves:
//
// - every output whose source is gone (a file moved or deleted) is removed — otherwise `npm test`'s
//   globs would still run a stale compiled test;
// - when an output of a source that still exists is missing (someone deleted it), the incremental
//   state is dropped first: tsc does not re-emit the output of a source it considers unchanged.
//
// The sources are the .ts files of tsconfig.json's `include` directories (`rootDir` is the project).
//
// Then esbuild bundles the CLI and every thread and process entry (workspace/entry-point.ts) into
// dist/bundle/, which bin/durabench.js runs: one file per entry and shared chunks instead of over
// 300 module files (315 for `--version`; yargs and TypeBox are hundreds of small files), so a
// command starts about 0.2 s sooner, and so does each crash-lab child (scripts/bench-startup).
// Packages that are native, optional, start their own worker file (piscina) or are loaded only when
// needed (echarts) stay outside. hdr-histogram-js's WebAssembly goes in already inflated
// (`hdrWasmInflated` below). The compiled modules in dist/ stay what the tests import.
//
// Last, the ECharts parts the HTML charts use (reports/render/echarts-parts.ts) are bundled alone into
// dist/vendor/echarts.cjs, minified, which the charts load instead of the whole package (3.8 MB).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import zlib from 'node:zlib';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');
const buildInfo = path.join(dist, '.tsbuildinfo');
const config = JSON.parse(fs.readFileSync(path.join(root, 'tsconfig.json'), 'utf8'));

/**
 * hdr-histogram-js ships its WebAssembly deflated and base64-encoded, and inflates it with pako (in
 * JavaScript) in every thread that creates a histogram, before compiling it: 30 ms of a writer
 * thread's start, 22 ms of it the inflate (a `node --cpu-prof` profile; README, Benchmarks). The bundle carries the module inflated
 * instead, base64-encoded, and decodes it with Buffer (native). The two pieces of the package's code
 * it replaces are counted, and the build fails instead of bundling something else when an update
 * changed them, left another use of the deflated module, or the file is no longer what esbuild loads.
 */
const hdrWasmInflated = {
  name: 'hdr-wasm-inflated',
  setup(b) {
    let rewritten = 0;
    b.onStart(() => {
      rewritten = 0;
    });
    b.onLoad({ filter: /[\\/]hdr-histogram-js[\\/]dist[\\/]wasm[\\/]index\.js$/ }, (args) => {
      const fail = (what) => ({
        errors: [{ text: `hdr-histogram-js changed (${args.path}): ${what}; update hdrWasmInflated in scripts/build.mjs` }],
      });
      const src = fs.readFileSync(args.path, 'utf8');
      const inflateCall = 'pako.inflate(base64.toByteArray(generated_wasm_1.BINARY))';
      const binaryImport = 'const generated_wasm_1 = require("./generated-wasm");';
      const calls = src.split(inflateCall).length - 1;
      const imports = src.split(binaryImport).length - 1;
      if (calls !== 2 || imports !== 1)
        return fail(`expected 2 × '${inflateCall}' and 1 × '${binaryImport}', found ${calls} and ${imports}`);
      const { BINARY } = createRequire(args.path)('./generated-wasm.js');
      const wasm = zlib.inflateSync(Buffer.from(BINARY, 'base64'));
      if (!WebAssembly.validate(wasm)) return fail('its inflated module is not valid WebAssembly');
      const contents = src
        .replace(binaryImport, `const HDR_WASM_BASE64 = ${JSON.stringify(wasm.toString('base64'))};`)
        .replaceAll(inflateCall, 'Buffer.from(HDR_WASM_BASE64, "base64")');
      if (contents.includes('generated_wasm_1')) return fail('it uses the deflated module somewhere else too');
      rewritten += 1;
      return { contents, loader: 'js' };
    });
    b.onEnd((result) => {
      if (result.errors.length > 0 || rewritten > 0) return undefined;
      return {
        errors: [
          {
            text: 'hdrWasmInflated (scripts/build.mjs): hdr-histogram-js/dist/wasm/index.js was not bundled; the package is resolved another way now',
          },
        ],
      };
    });
  },
};

function walk(dir, out = []) {
  let entries;
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else out.push(p);
  }
  return out;
}

/** dist-relative path of the .js output of every source. */
const expected = new Set();
for (const inc of config.include) {
  for (const f of walk(path.join(root, inc))) {
    if (f.endsWith('.ts') && !f.endsWith('.d.ts')) expected.add(path.relative(root, f).replace(/\.ts$/, '.js'));
  }
}

if (fs.existsSync(buildInfo) && [...expected].some((js) => !fs.existsSync(path.join(dist, js)))) fs.rmSync(buildInfo);

const tsc = createRequire(path.join(root, 'package.json')).resolve('typescript/bin/tsc');
try {
  execFileSync(process.execPath, [tsc, '-p', root], { stdio: 'inherit' });
} catch (err) {
  process.exit(typeof err.status === 'number' ? err.status : 1);
}

let removed = 0;
for (const f of walk(dist)) {
  const rel = path.relative(dist, f);
  const js = rel.endsWith('.js.map') ? rel.slice(0, -'.map'.length) : rel.endsWith('.js') ? rel : null;
  if (js !== null && !expected.has(js) && !rel.startsWith(`bundle${path.sep}`)) {
    fs.rmSync(f);
    removed += 1;
  }
}
await bundle();

// Directories left empty by the removals (deepest first).
for (const d of dirsOf(dist).sort((a, b) => b.length - a.length)) {
  if (fs.readdirSync(d).length === 0) fs.rmdirSync(d);
}
if (removed > 0) process.stderr.write(`build: removed ${removed} compiled file(s) whose source is gone\n`);

function dirsOf(dir, out = []) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    if (e.isDirectory()) {
      const p = path.join(dir, e.name);
      out.push(p);
      dirsOf(p, out);
    }
  }
  return out;
}

async function bundle() {
  const { build } = await import('esbuild');
  const { ENTRY_POINTS } = await import(pathToFileURL(path.join(dist, 'workspace', 'entry-point.js')).href);
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  // The oldest Node the package supports (engines: ">=20.19"), not the one building.
  const nodeTarget = `node${String(pkg.engines?.node ?? '20').replace(/^>=\s*/, '')}`;
  const outdir = path.join(dist, 'bundle');
  fs.rmSync(outdir, { recursive: true, force: true });
  await build({
    absWorkingDir: dist,
    entryPoints: ['cli/main', ...ENTRY_POINTS].map((name) => `${name}.js`),
    outdir,
    outbase: '.',
    entryNames: '[dir]/[name]',
    // Every output one folder deep, as entry-point.ts requires.
    chunkNames: 'chunks/[name]-[hash]',
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: nodeTarget,
    // Class and function names stay what the sources call them (error names, messages).
    keepNames: true,
    external: [...Object.keys(pkg.optionalDependencies ?? {}), 'piscina', 'echarts'],
    plugins: [hdrWasmInflated],
    logLevel: 'warning',
  });
  // The ECharts bundle takes seconds to minify: made again only when its entry or the package changed.
  const parts = path.join(dist, 'reports', 'render', 'echarts-parts.js');
  const vendored = path.join(dist, 'vendor', 'echarts.cjs');
  const echartsPackage = createRequire(path.join(root, 'package.json')).resolve('echarts/package.json');
  const mtime = (f) => fs.statSync(f).mtimeMs;
  if (fs.existsSync(vendored) && mtime(vendored) >= Math.max(mtime(parts), mtime(echartsPackage), mtime(fileURLToPath(import.meta.url))))
    return;
  fs.rmSync(path.dirname(vendored), { recursive: true, force: true });
  await build({
    entryPoints: [parts],
    outfile: vendored,
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: nodeTarget,
    minify: true,
    logLevel: 'warning',
  });
}
