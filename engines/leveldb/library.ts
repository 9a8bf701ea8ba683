/**
 * classic-level (LevelDB), loaded lazily: an optional dependency with a native addon. A missing or
 * broken install makes the `leveldb` engine unavailable, never the rest of durabench.
 */

/** The part of classic-level's API this engine uses. */
export interface LevelDb {
  open(): Promise<void>;
  put(key: Buffer, value: Buffer, options?: { sync?: boolean }): Promise<void>;
  get(key: Buffer): Promise<Buffer | undefined>;
  keys(): AsyncIterable<Buffer>;
  close(): Promise<void>;
}
export type LevelDbCtor = new (location: string, options?: Record<string, unknown>) => LevelDb;

const PACKAGE = 'classic-level';
let ctor: LevelDbCtor | null = null;
let failure: string | null = null;

export async function loadLevel(): Promise<string | null> {
  if (ctor || failure) return failure;
  try {
    const specifier: string = PACKAGE; // a variable: tsc must not need the optional package's types
    const mod = (await import(specifier)) as { ClassicLevel: LevelDbCtor };
    if (typeof mod.ClassicLevel !== 'function') throw new Error('no ClassicLevel export');
    ctor = mod.ClassicLevel;
  } catch (err) {
    const msg = ((err as Error)?.message ?? String(err)).split('\n')[0];
    failure = `the optional dependency ${PACKAGE} did not load (${msg}); install it with 'npm install ${PACKAGE}'`;
  }
  return failure;
}

export function levelDb(): LevelDbCtor {
  if (!ctor) throw new Error(`${PACKAGE} is not loaded; the engine's availability() must be awaited first`);
  return ctor;
}
