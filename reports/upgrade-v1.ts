/**
 * Reports of schema version 1 in today's shape (version 2), so every reader sees one shape:
 * - case keys: `batchSize`/`batchMs` only in batch mode (version 1 wrote `batchSize: 1` for sync and
 *   `null` for none);
 * - crash summaries: the crash setting (`kind`, filesystem, mount options, crash point, writeback)
 *   as one `setting` object; verdicts as codes (`durability-bug`, not the display text);
 * - crash reports: cases keyed like run cases (`CaseKey` plus `setting`), a `warnings` list.
 * Pure: JSON in, JSON out; the result is then checked against the current schema.
 */
import type { ReportKind } from '../model/report.js';

type Json = Record<string, unknown>;

function obj(v: unknown): Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : {};
}

function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

/** A version-1 key (flat batch fields) as a version-2 key. */
function key(k: Json): Json {
  const { batchSize, batchMs, ...rest } = k;
  return rest['mode'] === 'batch' ? { ...rest, batchSize, batchMs: batchMs ?? null } : rest;
}

function verdict(v: unknown): unknown {
  return v === 'DURABILITY BUG' ? 'durability-bug' : v;
}

function lossBound(k: Json): number | null {
  return k['mode'] === 'sync' ? 0 : k['mode'] === 'batch' ? Math.max(0, Number(k['batchSize']) - 1) : null;
}

/** A version-1 crash summary (flat crash setting) as a version-2 one. */
function crashSummary(s: Json, k: Json): Json {
  const { crashKind, filesystem, mountOptions, crashAt, writeback, trialsErrored, lossBoundCommits, labNsP50, labNsMax, verdict: v, ...rest } = s;
  const power = crashKind === 'power';
  return {
    ...rest,
    setting: {
      kind: crashKind,
      filesystem: power ? (filesystem ?? null) : null,
      mountOptions: power ? (mountOptions ?? null) : null,
      crashAt: crashAt ?? 'random',
      writeback: power && writeback === 'random' ? 'random' : 'none',
    },
    trialsErrored: trialsErrored ?? arr(rest['trials']).filter((t) => obj(t)['error'] !== undefined).length,
    lossBoundCommits: lossBoundCommits === undefined ? lossBound(k) : lossBoundCommits,
    labNsP50: labNsP50 ?? 0,
    labNsMax: labNsMax ?? 0,
    verdict: verdict(v),
  };
}

function runCase(c: Json): Json {
  const k = obj(c['key']);
  const out: Json = { ...c, key: key(k) };
  if (c['crash'] !== undefined) out['crash'] = crashSummary(obj(c['crash']), k);
  return out;
}

/** A version-1 crash case (its own key type, flat engine options and seed) as a version-2 one. */
function crashCase(c: Json, target: string): Json {
  const k = obj(c['key']);
  const { engineOptions, seed, key: _old, crash, ...rest } = c;
  const caseKey = key({ engine: k['engine'], fault: k['fault'] ?? null, writers: 1, valueBytes: k['valueBytes'], workload: k['workload'] ?? 'unique', target, mode: k['mode'], batchSize: k['batchSize'], batchMs: k['batchMs'] });
  const power = k['crashKind'] === 'power';
  const setting = {
    kind: k['crashKind'],
    filesystem: power ? (k['filesystem'] ?? null) : null,
    mountOptions: power ? (k['mountOptions'] ?? null) : null,
    crashAt: k['crashAt'] ?? 'random',
    writeback: power && k['writeback'] === 'random' ? 'random' : 'none',
  };
  return {
    ...rest,
    key: caseKey,
    setting,
    params: { engineOptions: engineOptions ?? {}, seed: seed ?? 1 },
    ...(crash !== undefined ? { crash: crashSummary(obj(crash), caseKey) } : {}),
  };
}

export function upgradeV1(report: Json, kind: ReportKind): Json {
  const out: Json = { ...report, schemaVersion: 2 };
  if (kind === 'run') {
    out['cases'] = arr(report['cases']).map((c) => runCase(obj(c)));
  } else if (kind === 'crash') {
    const target = String(obj(arr(obj(report['host'])['targets'])[0])['dir'] ?? '.');
    out['cases'] = arr(report['cases']).map((c) => crashCase(obj(c), target));
    out['warnings'] = arr(report['warnings']);
  }
  return out;
}
