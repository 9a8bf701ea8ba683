/**
 * The identity of a case — what reports are compared, merged and gated by — and how it was run.
 * A case key is the case's identity with its `Durability` spread in (`mode` is the tag), so a key is
 * itself a `Durability` and travels to the engine unchanged.
 */
import { Type, type Static, type TProperties } from '@sinclair/typebox';
import { DURABILITY_VARIANTS, durabilityId, type Durability } from './durability.js';

/** How a case's writers share storage: `none` (each its own engine instance and directory) or `log` (one shared log). */
export const SHARES = ['none', 'log'] as const;
export type Share = (typeof SHARES)[number];

const Identity = {
  /** Built-in engine name, or the absolute path of a user engine module. */
  engine: Type.String(),
  /** Fault switch, or null for the correct engine. */
  fault: Type.Union([Type.String(), Type.Null()]),
  /** Concurrent writers, each on its own thread (with `share: 'log'` all on one shared log). */
  writers: Type.Integer({ minimum: 1 }),
  /** Absent: `none` (each writer its own engine instance in its own directory); `log`: one shared log. */
  share: Type.Optional(Type.Union(SHARES.map((x) => Type.Literal(x)))),
  valueBytes: Type.Integer({ minimum: 0 }),
  /** `unique` (every commit a new key) or `overwrite:K` (K keys per writer). */
  workload: Type.String(),
  /** The `--dir` target this case ran in (as given). */
  target: Type.String(),
};

/** `props` with each variant of the `Durability` union spread in: a union tagged by `mode`. */
export function withDurability<P extends TProperties>(props: P) {
  const [sync, batch, delay, pipelined, none] = DURABILITY_VARIANTS;
  return Type.Union([
    Type.Object({ ...props, ...sync.properties }),
    Type.Object({ ...props, ...batch.properties }),
    Type.Object({ ...props, ...delay.properties }),
    Type.Object({ ...props, ...pipelined.properties }),
    Type.Object({ ...props, ...none.properties }),
  ]);
}

export const CaseKey = withDurability(Identity);
export type CaseKey = Static<typeof CaseKey>;
const IdentityObject = Type.Object(Identity);
/** Everything of a key but its durability. */
export type CaseIdentity = Static<typeof IdentityObject>;

/** A case key from its identity and durability (the one place both are joined). */
export function caseKey(identity: CaseIdentity, durability: Durability): CaseKey {
  // `share` is written only for shared logs, so per-writer keys stay what they were before shared logs.
  const { share, ...rest } = identity;
  return { ...rest, ...(share === 'log' ? { share } : {}), ...durability } as CaseKey;
}

/** How the case's writers share storage (absent in a key: `none`). */
export function shareOf(k: { readonly share?: Share | undefined }): Share {
  return k.share ?? 'none';
}

export const EngineOptions = Type.Record(Type.String(), Type.Union([Type.Number(), Type.String(), Type.Boolean()]));
export type EngineOptions = Record<string, number | string | boolean>;

/** How a case was run, beyond its key. */
export const CaseParams = Type.Object({
  /** The engine's options with defaults filled in. */
  engineOptions: EngineOptions,
  seed: Type.Integer({ minimum: 0 }),
  warmupMs: Type.Number({ minimum: 0 }),
  /** Stop condition: a duration in ms, or a commit count per writer. */
  durationMs: Type.Union([Type.Number({ exclusiveMinimum: 0 }), Type.Null()]),
  commitsPerWriter: Type.Union([Type.Integer({ minimum: 1 }), Type.Null()]),
});
export type CaseParams = Static<typeof CaseParams>;

/** Short display name of an engine (a user module path shows as its file name). */
export function engineLabel(name: string): string {
  return name.includes('/') ? name.slice(name.lastIndexOf('/') + 1) : name;
}

/** `wal+flush-no-fsync/batch-32/w4/v128/unique` (`w4-log` on a shared log): the key without its target. */
export function keyWithoutTarget(k: CaseKey): string {
  const engine = k.fault ? `${k.engine}+${k.fault}` : k.engine;
  return `${engine}/${durabilityId(k)}/w${k.writers}${shareOf(k) === 'log' ? '-log' : ''}/v${k.valueBytes}/${k.workload}`;
}

/** `wal+flush-no-fsync/batch-32/w4/v128/unique/t0`: stable id of a case in its report. */
export function caseId(k: CaseKey, targetIndex: number): string {
  return `${keyWithoutTarget(k)}/t${targetIndex}`;
}
