import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { StoreUnavailable } from '../../src/core/errors.ts';
import { MemoryStore, once } from '../../src/stores/index.ts';
import { fakeClock } from './helpers/contract.ts';

describe('MemoryStore', () => {
  test('is bounded: a full store of live entries fails closed instead of evicting', async () => {
    const clock = fakeClock();
    const store = new MemoryStore({ maxEntries: 3, now: clock.now });
    const t = clock.now();
    assert.equal(await store.consume('a', t + 100), true);
    assert.equal(await store.consume('b', t + 200), true);
    assert.equal(await store.consume('c', t + 300), true);
    await assert.rejects(store.consume('d', t + 300), StoreUnavailable);
    await assert.rejects(store.revoke('d', t + 300), StoreUnavailable);
    await assert.rejects(once(store, 'token', t + 300), StoreUnavailable);
    // Revoking an id it already holds needs no new slot.
    await store.revoke('a', t + 100);
    assert.equal(await store.isRevoked('a'), true);
    // Nothing was evicted: every entry is still refused.
    for (const id of ['a', 'b', 'c']) assert.equal(await store.consume(id, t + 300), false);
    // Once 'a' expires, its slot is free again.
    await clock.advance(100);
    assert.equal(await store.consume('d', clock.now() + 300), true);
    assert.equal(store.size, 3);
  });

  test('expired entries leave in expiry order, whatever the insertion order', async () => {
    const clock = fakeClock();
    const store = new MemoryStore({ now: clock.now });
    const t0 = clock.now();
    const expiries = Array.from({ length: 500 }, (_, i) => ((i * 7919) % 500) + 1);
    for (const [i, e] of expiries.entries())
      assert.equal(await store.consume(`id${i}`, t0 + e), true);
    for (let step = 0; step <= 500; step += 37) {
      await clock.advance(step - (clock.now() - t0));
      const live = expiries.filter((e) => t0 + e > clock.now()).length;
      assert.equal(store.size, live, `at +${step} ms`);
    }
  });

  test('purgeExpired counts what it dropped', async () => {
    const clock = fakeClock();
    const store = new MemoryStore({ now: clock.now });
    const t = clock.now();
    await store.consume('a', t + 10);
    await store.consume('b', t + 20);
    await store.revoke('c', t + 30);
    await store.consume('d', t + 1000);
    await clock.advance(25);
    assert.equal(await store.purgeExpired(), 2);
    assert.equal(await store.purgeExpired(), 0);
    assert.equal(store.size, 2);
  });

  test('a revoke that raises an expiry many times stays correct', async () => {
    const clock = fakeClock();
    const store = new MemoryStore({ now: clock.now });
    const t = clock.now();
    assert.equal(await store.consume('x', t + 10), true);
    for (let i = 1; i <= 3000; i++) await store.revoke('x', t + 10 + i);
    await store.consume('y', t + 5);
    await clock.advance(3009);
    assert.equal(await store.isRevoked('x'), true);
    await clock.advance(1);
    assert.equal(await store.isRevoked('x'), false);
    assert.equal(store.size, 0);
  });

  test('creates no timer and holds no handle (an idle store never keeps the process alive)', async () => {
    const before = process.getActiveResourcesInfo().length;
    const store = new MemoryStore({ maxEntries: 10 });
    for (let i = 0; i < 10; i++) await store.consume(`t${i}`, Date.now() + 60_000);
    await store.purgeExpired();
    assert.equal(process.getActiveResourcesInfo().length, before);
  });

  test('misuse throws at construction', () => {
    for (const maxEntries of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, '10']) {
      assert.throws(() => new MemoryStore({ maxEntries: maxEntries as number }), RangeError);
    }
    assert.throws(() => new MemoryStore({ now: 5 as unknown as () => number }), TypeError);
  });

  test('close() empties the store', async () => {
    const store = new MemoryStore();
    await store.consume('a', Date.now() + 1000);
    await store.close();
    await assert.rejects(store.consume('a', Date.now() + 1000), StoreUnavailable);
    assert.equal(store.size, 0);
  });
});
