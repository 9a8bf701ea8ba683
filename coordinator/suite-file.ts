/**
 * Suite files, checked against a schema before anything runs: a run suite (`suites/default.json`:
 * the matrix settings a command line can give) or a crash suite (`suites/seed.json`: explicit case
 * lines × crash kinds). The schemas are TypeBox (the same source as the types), with no unknown
 * fields: a misspelt field is an error, not a silently ignored setting. Numbers are checked against
 * the same limits as the flags (coordinator/defaults.ts), in the file's own units (milliseconds).
 * Every problem is one line naming the file and the field: `--suite 'my.json': field "engines"
 * must be a list, got "raw"`.
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import { CRASH_VERDICTS, DEVICE_CACHES, LAB_FILESYSTEMS } from '../model/crash-report.js';
import { UsageError } from '../model/errors.js';
import { describeRule, fits, quote, type NumberRule } from '../model/validate.js';
import { LIMITS } from './defaults.js';

const Str = Type.String({ minLength: 1 });
const OptionValue = Type.Union([Type.Number(), Type.String(), Type.Boolean()]);
const ModeName = Type.Union([Type.Literal('sync'), Type.Literal('batch'), Type.Literal('none')]);
const List = <T extends TSchema>(t: T) => Type.Array(t, { minItems: 1 });

/** A run suite: what `durabench run --suite FILE` reads. Every field optional; flags override. */
export const RunSuiteFile = Type.Object(
  {
    name: Type.Optional(Str),
    description: Type.Optional(Type.String()),
    engines: Type.Optional(List(Str)),
    modes: Type.Optional(List(ModeName)),
    batchSizes: Type.Optional(List(Type.Number())),
    batchMs: Type.Optional(Type.Union([Type.Number(), Type.Null()])),
    writers: Type.Optional(List(Type.Number())),
    valueBytes: Type.Optional(List(Type.Number())),
    workloads: Type.Optional(List(Str)),
    targets: Type.Optional(List(Str)),
    faults: Type.Optional(List(Type.Union([Str, Type.Null()]))),
    engineOptions: Type.Optional(Type.Record(Type.String(), OptionValue)),
    seed: Type.Optional(Type.Number()),
    warmupMs: Type.Optional(Type.Number()),
    durationMs: Type.Optional(Type.Union([Type.Number(), Type.Null()])),
    commitsPerWriter: Type.Optional(Type.Union([Type.Number(), Type.Null()])),
    repeat: Type.Optional(Type.Number()),
  },
  { additionalProperties: false },
);
export type RunSuiteFile = Static<typeof RunSuiteFile>;

const Verdict = Type.Union(CRASH_VERDICTS.map((v) => Type.Literal(v)));
const EXPECT_KEYS = ['kill', 'power', ...LAB_FILESYSTEMS.map((f) => `power-${f}`)];

const CrashKindLine = Type.Union([
  Type.Object({ kind: Type.Literal('kill') }, { additionalProperties: false }),
  Type.Object(
    {
      kind: Type.Literal('power'),
      fs: Type.Optional(Type.Union(LAB_FILESYSTEMS.map((f) => Type.Literal(f)))),
      writeback: Type.Optional(Type.Union([Type.Literal('none'), Type.Literal('random')])),
      deviceCache: Type.Optional(Type.Union(DEVICE_CACHES.map((c) => Type.Literal(c)))),
      torn: Type.Optional(Type.Boolean()),
    },
    { additionalProperties: false },
  ),
]);

const CrashCaseLine = Type.Object(
  {
    engine: Str,
    mode: ModeName,
    batchSize: Type.Optional(Type.Number()),
    fault: Type.Optional(Type.Union([Str, Type.Null()])),
    crashAt: Type.Optional(Str),
    crashSweep: Type.Optional(Str),
    engineOptions: Type.Optional(Type.Record(Type.String(), OptionValue)),
    kinds: Type.Optional(List(CrashKindLine)),
    /** What the lab must find: one verdict, or one by kind (`kill`, `power`, `power-<fs>`; the most specific wins). */
    expect: Type.Optional(Type.Union([Verdict, Type.Object(Object.fromEntries(EXPECT_KEYS.map((k) => [k, Type.Optional(Verdict)])), { additionalProperties: false })])),
  },
  { additionalProperties: false },
);

/** A crash suite: `durabench crash --suite FILE`. */
export const CrashSuiteFile = Type.Object(
  {
    name: Str,
    description: Type.Optional(Type.String()),
    kind: Type.Literal('crash'),
    trials: Type.Optional(Type.Number()),
    valueBytes: Type.Optional(Type.Number()),
    seed: Type.Optional(Type.Number()),
    batchMs: Type.Optional(Type.Union([Type.Number(), Type.Null()])),
    kinds: List(CrashKindLine),
    cases: List(CrashCaseLine),
    /** The same suite as a run matrix (`durabench run --suite NAME`): a run suite's fields. */
    run: Type.Optional(RunSuiteFile),
  },
  { additionalProperties: false },
);
export type CrashSuiteFile = Static<typeof CrashSuiteFile>;

const ms = (r: NumberRule): NumberRule => ({ ...r, ...(r.min !== undefined ? { min: r.min * 1000 } : {}), ...(r.max !== undefined ? { max: r.max * 1000 } : {}) });

/** The limits of each numeric field, in the file's units (per item for lists). */
const RUN_RULES: Record<string, NumberRule> = {
  batchSizes: LIMITS.batchSize,
  batchMs: LIMITS.batchMs,
  writers: LIMITS.writers,
  valueBytes: LIMITS.valueBytes,
  seed: LIMITS.seed,
  warmupMs: ms(LIMITS.warmup),
  durationMs: ms(LIMITS.duration),
  commitsPerWriter: LIMITS.commits,
  repeat: LIMITS.repeat,
};
const CRASH_RULES: Record<string, NumberRule> = {
  trials: LIMITS.trials,
  valueBytes: LIMITS.valueBytes,
  seed: LIMITS.seed,
  batchMs: LIMITS.batchMs,
  batchSize: LIMITS.batchSize,
};

const compiled = new Map<TSchema, TypeCheck<TSchema>>();
function checker(schema: TSchema): TypeCheck<TSchema> {
  let c = compiled.get(schema);
  if (!c) {
    c = TypeCompiler.Compile(schema);
    compiled.set(schema, c);
  }
  return c;
}

/** `/cases/3/mode` → `cases[3].mode`. */
function fieldName(pointer: string): string {
  return pointer
    .split('/')
    .filter((p) => p !== '')
    .map((p, i) => (/^\d+$/.test(p) ? `[${p}]` : i === 0 ? p : `.${p}`))
    .join('');
}

function valueAt(root: unknown, pointer: string): unknown {
  let v = root;
  for (const p of pointer.split('/').filter((x) => x !== '')) v = (v as Record<string, unknown> | undefined)?.[p];
  return v;
}

/** The properties a schema object allows (for "not a suite field; the fields are …"). */
function fieldsOf(schema: TSchema, pointer: string): string[] {
  let s: TSchema | undefined = schema;
  for (const p of pointer.split('/').filter((x) => x !== '').slice(0, -1)) {
    if (!s) return [];
    if (/^\d+$/.test(p)) s = (s as { items?: TSchema }).items;
    else s = (s as { properties?: Record<string, TSchema> }).properties?.[p];
  }
  const props = (s as { properties?: Record<string, TSchema> } | undefined)?.properties;
  return props ? Object.keys(props) : [];
}

const EXPECT: Record<string, string> = {
  array: 'a list',
  string: 'a string',
  number: 'a number',
  boolean: 'true or false',
  object: 'an object',
};

/** The key every branch of a union of objects fixes to a literal (`kind`), with the literals. */
function discriminator(branches: readonly TSchema[]): { key: string; values: unknown[] } | null {
  const first = (branches[0] as { properties?: Record<string, { const?: unknown }> } | undefined)?.properties;
  if (!first) return null;
  for (const key of Object.keys(first)) {
    const values = branches.map((b) => (b as { properties?: Record<string, { const?: unknown }> }).properties?.[key]?.const);
    if (values.every((v) => v !== undefined)) return { key, values };
  }
  return null;
}

/** What one schema error means, said for a person. */
function explain(schema: TSchema, value: unknown, err: { path: string; message: string; schema: TSchema }): string {
  const field = fieldName(err.path);
  const got = valueAt(value, err.path);
  // A union of objects told apart by a field (`kind`): say which value of it is wrong, or what is wrong in the branch it picks.
  const branches = (err.schema as { anyOf?: TSchema[] }).anyOf;
  const tag = branches ? discriminator(branches) : null;
  if (branches && tag && typeof got === 'object' && got !== null && !Array.isArray(got)) {
    const v = (got as Record<string, unknown>)[tag.key];
    const i = tag.values.indexOf(v);
    if (i < 0) return `field "${field}.${tag.key}" must be one of ${tag.values.map(String).join(', ')}, got ${JSON.stringify(v)}`;
    const inner = [...checker(branches[i]!).Errors(got)];
    const pick = inner.find((e) => /unexpected property/i.test(e.message)) ?? inner.sort((a, b) => b.path.length - a.path.length)[0];
    if (pick) return explain(schema, value, { ...pick, path: `${err.path}${pick.path}` });
  }
  if (/unexpected property/i.test(err.message) || (got !== undefined && err.schema === undefined)) {
    const known = fieldsOf(schema, err.path);
    return `"${field}" is not a suite field${known.length ? `; the fields are ${known.join(', ')}` : ''}`;
  }
  if (got === undefined) return `field "${field}" is missing`;
  const s = err.schema as { type?: string; const?: unknown; anyOf?: { const?: unknown; type?: string }[]; minItems?: number; minLength?: number };
  if (s.anyOf && s.anyOf.every((a) => a.const !== undefined)) return `field "${field}" must be one of ${s.anyOf.map((a) => String(a.const)).join(', ')}, got ${JSON.stringify(got)}`;
  if (s.const !== undefined) return `field "${field}" must be ${JSON.stringify(s.const)}, got ${JSON.stringify(got)}`;
  if (s.type === 'array' && Array.isArray(got) && s.minItems) return `field "${field}" needs at least one value`;
  if (s.type === 'string' && typeof got === 'string' && s.minLength) return `field "${field}" must not be empty`;
  const want = s.type ? EXPECT[s.type] : s.anyOf ? s.anyOf.map((a) => (a.type ? EXPECT[a.type] ?? a.type : JSON.stringify(a.const))).join(' or ') : undefined;
  return `field "${field}" must be ${want ?? 'something else'}, got ${JSON.stringify(got)}`;
}

function checkSchema<T>(schema: TSchema, value: unknown, name: string, example: string): T {
  const c = checker(schema);
  if (c.Check(value)) return value as T;
  // The deepest error is the most specific one (a union reports its branches first).
  const errors = [...c.Errors(value)];
  const unexpected = errors.find((e) => /unexpected property/i.test(e.message));
  const first = unexpected ?? errors.sort((a, b) => b.path.length - a.path.length)[0]!;
  throw new UsageError(`--suite '${name}': ${explain(schema, value, first)} (see ${example} for the format)`);
}

function checkRules(value: Record<string, unknown>, rules: Record<string, NumberRule>, name: string, prefix = ''): void {
  for (const [field, rule] of Object.entries(rules)) {
    const v = value[field];
    for (const [i, n] of (Array.isArray(v) ? v.map((x, j) => [j, x] as const) : v === undefined || v === null ? [] : [[-1, v] as const])) {
      if (typeof n === 'number' && !fits(n, rule)) {
        throw new UsageError(`--suite '${name}': field "${prefix}${field}${i >= 0 ? `[${i}]` : ''}" must be ${describeRule(rule)}, got ${quote(n)}`);
      }
    }
  }
}

/** A parsed run suite file, checked; `name` is what the user gave (`--suite NAME`). */
export function checkRunSuite(value: unknown, name: string): RunSuiteFile {
  if (typeof value === 'object' && value !== null && (value as Record<string, unknown>)['kind'] === 'crash') {
    // A crash suite may carry its own run matrix ("run"): the same engines and settings, measured.
    const c = value as Record<string, unknown>;
    if (typeof c['run'] !== 'object' || c['run'] === null) throw new UsageError(`--suite '${name}' is a crash suite; run it with durabench crash --suite ${name}`);
    return checkRunSuite({ name: c['name'], ...(c['description'] !== undefined ? { description: c['description'] } : {}), ...(c['run'] as object) }, name);
  }
  const suite = checkSchema<RunSuiteFile>(RunSuiteFile, value, name, 'suites/full.json');
  checkRules(suite as Record<string, unknown>, RUN_RULES, name);
  if (suite.durationMs !== undefined && suite.durationMs !== null && suite.commitsPerWriter !== undefined && suite.commitsPerWriter !== null) {
    throw new UsageError(`--suite '${name}': give either "durationMs" or "commitsPerWriter", not both`);
  }
  return suite;
}

/** A parsed crash suite file, checked. */
export function checkCrashSuiteFile(value: unknown, name: string): CrashSuiteFile {
  if (typeof value !== 'object' || value === null || (value as Record<string, unknown>)['kind'] !== 'crash') {
    throw new UsageError(`--suite '${name}' is not a crash suite (needs "kind": "crash", "kinds" and "cases"); see suites/seed.json`);
  }
  const suite = checkSchema<CrashSuiteFile>(CrashSuiteFile, value, name, 'suites/seed.json');
  checkRules(suite as Record<string, unknown>, CRASH_RULES, name);
  suite.cases.forEach((c, i) => checkRules(c as Record<string, unknown>, { batchSize: LIMITS.batchSize }, name, `cases[${i}].`));
  return suite;
}
