/**
 * Run-time contract checks (engines/validate.ts guardEngine): the first call of each method must
 * return what the contract says (`sync`: plain values, `async`: promises), required methods must
 * exist, sync mode must declare the first commit durable before acking it, and after the first call
 * the engine's own method is used directly.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DurabilityCounter, EngineContractError, guardEngine } from '../../engines/validate.js';
import { emptyRecovery, type Mode } from '../../engines/types.js';

const noop = { durable: () => undefined };

function syncEngine(counter: DurabilityCounter | null) {
  let n = 0;
  return {
    open: () => emptyRecovery(),
    put: () => {
      n += 1;
      counter?.durable(n);
    },
    get: () => undefined,
    close: () => undefined,
  };
}

const K = Buffer.from('k');
const V = Buffer.from('v');

test('a correct sync engine passes and its methods are used directly after the first call', () => {
  const counter = new DurabilityCounter(noop);
  const raw = syncEngine(counter);
  const e = guardEngine(raw, { name: 's', contract: 'sync' }, 'sync', counter);
  const firstPut = e.put;
  assert.deepEqual(e.open(), emptyRecovery());
  e.put(K, V);
  assert.notEqual(e.put, firstPut, 'the checking wrapper is replaced after the first call');
  e.put(K, V);
  assert.equal(counter.durableCommits, 2);
  assert.equal(e.get(K), undefined);
  e.close();
});

test('a sync engine whose put returns a promise is rejected, naming put and the fix', () => {
  const raw = { ...syncEngine(null), put: async () => undefined };
  const e = guardEngine(raw, { name: 'bad', contract: 'sync' }, 'none', null);
  assert.throws(
    () => e.put(K, V),
    (err: Error) =>
      err instanceof EngineContractError &&
      /engine 'bad': put\(\) returned a promise, but the engine declares contract 'sync'.*declare contract: 'async'/.test(err.message),
  );
});

test('an async engine whose open returns a plain value is rejected, naming open', () => {
  const raw = syncEngine(null);
  const e = guardEngine(raw, { name: 'bad', contract: 'async' }, 'none', null);
  assert.throws(() => e.open(), /engine 'bad': open\(\) returned a plain value, but the engine declares contract 'async'/);
});

test('an async engine whose get returns a plain value is rejected, naming get', async () => {
  const raw = {
    open: async () => emptyRecovery(),
    put: async () => undefined,
    get: () => undefined,
    close: async () => undefined,
  };
  const e = guardEngine(raw, { name: 'half', contract: 'async' }, 'none', null);
  await e.open();
  await e.put(K, V);
  assert.throws(() => e.get(K), /get\(\) returned a plain value, but the engine declares contract 'async'/);
});

test('a correct async engine passes; its recovery report is completed with zeros', async () => {
  const counter = new DurabilityCounter(noop);
  let n = 0;
  const raw = {
    open: async () => ({ recordsRecovered: 3 }),
    put: async () => {
      n += 1;
      counter.durable(n);
    },
    get: async () => V,
    close: async () => undefined,
  };
  const e = guardEngine(raw, { name: 'a', contract: 'async' }, 'sync', counter);
  assert.deepEqual(await e.open(), { ...emptyRecovery(), recordsRecovered: 3 });
  await e.put(K, V);
  await e.put(K, V);
  assert.deepEqual(await e.get(K), V);
  await e.close();
});

test('an engine without put is rejected when created, naming the missing method', () => {
  const { put: _put, ...raw } = syncEngine(null);
  assert.throws(
    () => guardEngine(raw, { name: 'np', contract: 'sync' }, 'none', null),
    /engine 'np': the engine returned by create\(\) lacks put\(\) \(required: open, put, get, close/,
  );
  assert.throws(() => guardEngine(null, { name: 'nul', contract: 'sync' }, 'none', null), /create\(\) returned null/);
});

test('an error thrown by open passes through unchanged', () => {
  const raw = {
    ...syncEngine(null),
    open: () => {
      throw new Error('disk on fire');
    },
  };
  const e = guardEngine(raw, { name: 'x', contract: 'sync' }, 'none', null);
  assert.throws(() => e.open(), /disk on fire/);
});

for (const mode of ['sync'] as Mode[]) {
  test(`declaring ${mode} mode but acking without durable(1) is rejected`, () => {
    const counter = new DurabilityCounter(noop);
    const raw = syncEngine(null); // never calls durable
    const e = guardEngine(raw, { name: 'liar', contract: 'sync' }, mode, counter);
    e.open();
    assert.throws(() => e.put(K, V), /engine 'liar': declares mode sync, but its first put\(\) was acked without ctx\.durability\.durable\(1\)/);
  });
}

test('batch and none modes do not require a durability claim on the first put', () => {
  for (const mode of ['batch', 'none'] as Mode[]) {
    const counter = new DurabilityCounter(noop);
    const e = guardEngine(syncEngine(null), { name: 'b', contract: 'sync' }, mode, counter);
    e.open();
    e.put(K, V);
  }
});
