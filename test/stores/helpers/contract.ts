/**
 * The ReplayStore contract: one suite, run against every store (memory, SQLite over each way of
 * opening it, Redis over each client), as itsdangerous reruns its Signer tests on every variant.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import {
  StoreUnavailable,
  TesseraError,
  TokenReplayed,
  TokenRevoked,
} from '../../../src/core/errors.ts';
import { ensureNotRevoked, once, type ReplayStore, tokenId } from '../../../src/stores/index.ts';

/** A fresh store and control over the clock it expires entries by. */
export interface StoreFixture {
  store: ReplayStore;
  /** The store's current time (ms). */
  now(): number;
  /** Let `ms` pass for the store (a fake clock moves; a real server is waited for). */
  advance(ms: number): Promise<void>;
  /** Extra cleanup after `store.close()`. */
  cleanup?(): Promise<void>;
}

let serial = 0;
/** A unique id per call, so fixtures sharing a server never collide. */
export function freshId(label = 'id'): string {
  return tokenId(`${label}-${process.pid}-${Date.now()}-${++serial}`);
}

export function storeContract(
  name: string,
  make: () => Promise<StoreFixture>,
  { ttl = 1000, skip }: { ttl?: number; skip?: string | false } = {},
): void {
  describe(`${name} — ReplayStore contract`, { skip }, () => {
    let f: StoreFixture;
    beforeEach(async () => {
      f = await make();
    });
    afterEach(async () => {
      await f.store.close();
      await f.cleanup?.();
    });

    // `life`: entries that must stay alive for the whole test (no stall of a loaded machine can
    // outlast it). `ttl`: entries meant to expire; nothing asserts they are still alive.
    const life = 60_000;

    test('consume is true once, then false', async () => {
      const id = freshId();
      const exp = f.now() + life;
      assert.equal(await f.store.consume(id, exp), true);
      assert.equal(await f.store.consume(id, exp), false);
      assert.equal(await f.store.consume(id, exp + life), false);
    });

    test('ids are independent', async () => {
      const a = freshId('a');
      const b = freshId('b');
      assert.equal(await f.store.consume(a, f.now() + life), true);
      assert.equal(await f.store.consume(b, f.now() + life), true);
      assert.equal(await f.store.isRevoked(a), false);
    });

    test('concurrent consumes of one id: exactly one true', async () => {
      const id = freshId();
      const exp = f.now() + life;
      const results = await Promise.all(Array.from({ length: 64 }, () => f.store.consume(id, exp)));
      assert.equal(results.filter(Boolean).length, 1);
    });

    test('an entry vanishes at its expiry; the id can then be consumed again', async () => {
      const id = freshId();
      assert.equal(await f.store.consume(id, f.now() + ttl), true);
      await f.advance(ttl);
      assert.equal(await f.store.consume(id, f.now() + life), true);
      assert.equal(await f.store.consume(id, f.now() + life), false);
    });

    test('an expiresAt that is not in the future is refused and remembers nothing', async () => {
      const id = freshId();
      assert.equal(await f.store.consume(id, f.now() - 1), false);
      assert.equal(await f.store.consume(id, 1_700_000_000), false); // seconds, not ms
      assert.equal(await f.store.consume(id, f.now() + life), true);
    });

    test('revoke: isRevoked is true and consume false until expiry', async () => {
      const id = freshId();
      assert.equal(await f.store.isRevoked(id), false);
      await f.store.revoke(id, f.now() + life);
      await f.store.revoke(id, f.now() + life); // idempotent
      assert.equal(await f.store.isRevoked(id), true);
      assert.equal(await f.store.consume(id, f.now() + life), false);
      const brief = freshId('brief');
      await f.store.revoke(brief, f.now() + ttl);
      await f.advance(ttl);
      assert.equal(await f.store.isRevoked(brief), false);
      assert.equal(await f.store.consume(brief, f.now() + life), true);
    });

    test('revoke after consume: revoked, still not consumable', async () => {
      const id = freshId();
      assert.equal(await f.store.consume(id, f.now() + life), true);
      await f.store.revoke(id, f.now() + life);
      assert.equal(await f.store.isRevoked(id), true);
      assert.equal(await f.store.consume(id, f.now() + life), false);
    });

    test('revoke never shortens an entry', async () => {
      const id = freshId();
      assert.equal(await f.store.consume(id, f.now() + life), true);
      await f.store.revoke(id, f.now() + ttl);
      await f.advance(ttl);
      assert.equal(await f.store.isRevoked(id), true);
      assert.equal(await f.store.consume(id, f.now() + life), false);
    });

    test('revoke with a past expiry changes nothing', async () => {
      const id = freshId();
      assert.equal(await f.store.consume(id, f.now() + life), true);
      await f.store.revoke(id, f.now() - 1);
      assert.equal(await f.store.isRevoked(id), false);
      assert.equal(await f.store.consume(id, f.now() + life), false);
    });

    test('purgeExpired resolves a count and keeps live entries', async () => {
      const live = freshId('live');
      const old = freshId('old');
      assert.equal(await f.store.consume(old, f.now() + ttl), true);
      assert.equal(await f.store.consume(live, f.now() + life), true);
      await f.advance(ttl);
      const purged = await f.store.purgeExpired();
      assert.ok(Number.isInteger(purged) && purged >= 0);
      assert.equal(await f.store.consume(live, f.now() + life), false);
      assert.equal(await f.store.consume(old, f.now() + life), true);
    });

    test('ids are opaque strings', async () => {
      for (const id of ['x', 'ünïcødé 🔑', 'a:b:c', 'k'.repeat(500)]) {
        assert.equal(await f.store.consume(id + serial++, f.now() + life), true);
      }
    });

    test('once() and ensureNotRevoked() over the store', async () => {
      const token = `token-${process.pid}-${++serial}`;
      const id = await once(f.store, token, f.now() + life);
      assert.equal(id, tokenId(token));
      const replayed = await once(f.store, token, f.now() + life).catch((e: unknown) => e);
      assert.ok(replayed instanceof TokenReplayed && replayed instanceof TesseraError);
      assert.equal((replayed as TokenReplayed).code, 'ERR_TOKEN_REPLAYED');

      const other = `other-${process.pid}-${++serial}`;
      await ensureNotRevoked(f.store, other);
      await f.store.revoke(tokenId(other), f.now() + life);
      await assert.rejects(ensureNotRevoked(f.store, other), TokenRevoked);
      await assert.rejects(once(f.store, other, f.now() + life), TokenRevoked);
    });

    test('misuse rejects with TypeError / RangeError', async () => {
      const s = f.store as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
      await assert.rejects(s.consume!('', f.now() + life), TypeError);
      await assert.rejects(s.consume!(42, f.now() + life), TypeError);
      await assert.rejects(s.consume!('id', Number.NaN), RangeError);
      await assert.rejects(s.consume!('id', '1700000000000'), RangeError);
      await assert.rejects(s.revoke!('id', Number.POSITIVE_INFINITY), RangeError);
      await assert.rejects(s.isRevoked!(undefined), TypeError);
    });

    test('after close every call rejects with StoreUnavailable', async () => {
      await f.store.close();
      await f.store.close(); // idempotent
      const id = freshId();
      await assert.rejects(f.store.consume(id, f.now() + life), StoreUnavailable);
      await assert.rejects(f.store.revoke(id, f.now() + life), StoreUnavailable);
      await assert.rejects(f.store.isRevoked(id), StoreUnavailable);
      await assert.rejects(f.store.purgeExpired(), StoreUnavailable);
      await assert.rejects(once(f.store, 'tok', f.now() + life), StoreUnavailable);
    });
  });
}

/** A fake clock for stores that take `now`. */
export function fakeClock(start = 1_700_000_000_000): {
  now: () => number;
  advance: (ms: number) => Promise<void>;
} {
  let t = start;
  return {
    now: () => t,
    advance: async (ms) => {
      t += ms;
    },
  };
}
