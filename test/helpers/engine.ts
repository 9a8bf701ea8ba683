/**
 * Builds engine instances for tests the way workers/engine-instance.ts does (one `Io`, one context,
 * the factory's `create`), but with an `Io` that remembers every write, so a test can find "the file
 * and byte range the last commit wrote" without knowing the engine's file layout, and can simulate a
 * `kill` crash by copying the directory while the engine is still open (the page cache survives a
 * process crash, so what the OS has is exactly what a recovering process would see).
 */
import fs from 'node:fs';
import path from 'node:path';
import { Io, type IoOp } from '../../io/io.js';
import { tempDir } from './tmp.js';
import { resolveEngineOptions } from '../../engines/options.js';
import type { Engine, EngineFactory, EngineOptionValue, Mode, RecoveryReport } from '../../engines/types.js';

/** One write as the io layer saw it: file, absolute start offset, length. */
export interface WriteRecord {
  readonly path: string;
  readonly start: number;
  readonly bytes: number;
}

/** An `Io` that records every write with its absolute position and every numbered op. */
export class TracingIo extends Io {
  readonly writes: WriteRecord[] = [];
  readonly ops: IoOp[] = [];
  /** Called after every numbered op (a test may take a kill snapshot here). */
  onOp: ((op: IoOp) => void) | null = null;
  /** Called for every phase marker the engine announces. */
  onMarker: ((name: string, occurrence: number) => void) | null = null;

  constructor() {
    super({
      afterOp: (op) => {
        this.ops.push(op);
        this.onOp?.(op);
      },
      onMarker: (name, n) => this.onMarker?.(name, n),
    });
  }

  override write(fd: number, buf: Uint8Array, position: number | null = null, offset = 0, length = buf.byteLength - offset): number {
    // Recorded before the write so `onOp` already sees it. With a null position (O_APPEND or the
    // current offset) the record is taken to start at the current end of the file.
    const start = position === null ? fs.fstatSync(fd).size : position;
    this.writes.push({ path: this.pathOf(fd), start, bytes: length });
    return super.write(fd, buf, position, offset, length);
  }

  /** Data syncs so far (fdatasync + fsync + O_DSYNC writes); directory fsyncs are counted apart. */
  get dataSyncs(): number {
    const c = this.syncCounts;
    return c.fdatasync + c.fsync + c['odsync-write'];
  }
}

/** Options that make an engine rotate, flush, checkpoint or merge early, by engine name. */
const SMALL_OPTIONS: Record<string, Record<string, EngineOptionValue>> = {
  bitcask: { 'bitcask-file-bytes': 4096, 'bitcask-merge-files': 3 },
  btree: { 'checkpoint-commits': 8 },
  wal: { 'segment-bytes': 4096 },
  lsm: { 'memtable-bytes': 4096, 'segment-bytes': 4096 },
};

/** Options every test instance gets (only those the engine has are applied). */
const TEST_OPTIONS: Record<string, EngineOptionValue> = { 'null-keep': true };

export interface OpenSpec {
  mode?: Mode;
  batchSize?: number;
  batchMs?: number | null;
  options?: Record<string, EngineOptionValue>;
  faults?: readonly string[];
  /** Apply SMALL_OPTIONS (early rotation / flush / checkpoint / merge). */
  small?: boolean;
}

export interface TestEngine {
  readonly factory: EngineFactory;
  readonly engine: Engine;
  readonly io: TracingIo;
  readonly dir: string;
  readonly recovery: RecoveryReport;
  /** The highest commit count the engine has declared durable. */
  readonly durable: () => number;
  readonly phases: Map<string, number>;
  put(key: Buffer, value: Buffer): Promise<void>;
  get(key: Buffer): Promise<Buffer | undefined>;
  close(): Promise<void>;
}

/** The options for `factory` under `spec`, with defaults filled in; throws on an invalid value. */
export function testOptions(factory: EngineFactory, spec: OpenSpec = {}): Record<string, EngineOptionValue> {
  const own = new Set(factory.options.map((o) => o.name));
  const given: Record<string, EngineOptionValue> = {};
  const layers = [TEST_OPTIONS, spec.small ? (SMALL_OPTIONS[factory.name] ?? {}) : {}, spec.options ?? {}];
  for (const layer of layers) for (const [k, v] of Object.entries(layer)) if (own.has(k)) given[k] = v;
  const { options, problem } = resolveEngineOptions(factory, given);
  if (problem) throw new Error(`${factory.name}: ${problem}`);
  return options;
}

/** Create and open an engine on `dir` (running its recovery). */
export async function openEngine(factory: EngineFactory, dir: string, spec: OpenSpec = {}): Promise<TestEngine> {
  const mode = spec.mode ?? 'sync';
  const io = new TracingIo();
  let durable = 0;
  const phases = new Map<string, number>();
  const engine = factory.create({
    dir,
    io,
    mode,
    batchSize: mode === 'batch' ? (spec.batchSize ?? 8) : 1,
    batchMs: mode === 'batch' ? (spec.batchMs ?? null) : null,
    options: testOptions(factory, spec),
    faults: new Set(spec.faults ?? []),
    durability: { durable: (n) => (durable = Math.max(durable, n)) },
    recordPhase: (name, ns) => phases.set(name, (phases.get(name) ?? 0) + ns),
    clockNs: process.hrtime.bigint,
  });
  const recovery = await engine.open();
  return {
    factory,
    engine,
    io,
    dir,
    recovery,
    durable: () => durable,
    phases,
    put: async (k, v) => void (await engine.put(k, v)),
    get: async (k) => engine.get(k),
    close: async () => engine.close(),
  };
}

/** Every regular file under `dir` (recursively), with its size. */
export function listFiles(dir: string): { path: string; bytes: number }[] {
  const out: { path: string; bytes: number }[] = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) out.push({ path: p, bytes: fs.statSync(p).size });
    }
  };
  walk(dir);
  return out.sort((a, b) => a.path.localeCompare(b.path));
}

/**
 * Simulate a `kill` crash: copy the directory of a still-open engine (the page cache survives a
 * process crash, so the copy is what a recovering process would find). Returns the copy's path.
 */
export function killSnapshot(dir: string, label = 'crash'): string {
  const to = tempDir(label);
  fs.cpSync(dir, to, { recursive: true });
  return to;
}

/** Translate a path under `from` to the same relative path under `to`. */
export function rebase(p: string, from: string, to: string): string {
  return path.join(to, path.relative(from, p));
}

/** Deterministic key and value of commit `i` (values differ per `round`, so overwrites are visible). */
export function keyOf(i: number): Buffer {
  return Buffer.from(`key-${String(i).padStart(6, '0')}`);
}

export function valueOf(i: number, round = 0, bytes = 32): Buffer {
  const v = Buffer.alloc(bytes);
  for (let j = 0; j < bytes; j++) v[j] = (i * 31 + round * 17 + j * 7) & 0xff;
  if (bytes >= 8) {
    v.writeUInt32LE(i, 0);
    v.writeUInt32LE(round, 4);
  }
  return v;
}
