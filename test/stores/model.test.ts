/**
 * Model-based check: random sequences of consume / revoke / isRevoked / time steps / purge give
 * the same answers from MemoryStore and SqliteStore as from a naive reference (a Map scanned in
 * full). Catches heap-order and upsert mistakes a hand-written case would miss.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { MemoryStore, type ReplayStore, SqliteStore } from '../../src/stores/index.ts';

type Op =
  | { op: 'consume'; id: number; ttl: number }
  | { op: 'revoke'; id: number; ttl: number }
  | { op: 'isRevoked'; id: number }
  | { op: 'advance'; ms: number }
  | { op: 'purge' };

const id = fc.integer({ min: 0, max: 3 });
// Few distinct values, so that an expiry and a later call often meet at the same millisecond.
const ttl = fc.constantFrom(-1, 0, 1, 10, 20, 30);
const ops: fc.Arbitrary<Op[]> = fc.array(
  fc.oneof(
    fc.record({ op: fc.constant('consume' as const), id, ttl }),
    fc.record({ op: fc.constant('revoke' as const), id, ttl }),
    fc.record({ op: fc.constant('isRevoked' as const), id }),
    fc.record({ op: fc.constant('advance' as const), ms: fc.constantFrom(0, 1, 9, 10, 20) }),
    fc.record({ op: fc.constant('purge' as const) }),
  ),
  { minLength: 5, maxLength: 80, size: 'max' },
);

/** The reference: live while now < expiresAt; revoke never shortens; past expiries are refused. */
class Model {
  readonly entries = new Map<number, { at: number; revoked: boolean }>();
  now = 1_700_000_000_000;
  #live(id: number) {
    const e = this.entries.get(id);
    return e !== undefined && this.now < e.at ? e : undefined;
  }
  consume(id: number, at: number): boolean {
    if (at <= this.now || this.#live(id)) return false;
    this.entries.set(id, { at, revoked: false });
    return true;
  }
  revoke(id: number, at: number): void {
    if (at <= this.now) return;
    const e = this.#live(id);
    this.entries.set(id, { at: e ? Math.max(e.at, at) : at, revoked: true });
  }
  isRevoked(id: number): boolean {
    return this.#live(id)?.revoked === true;
  }
}

async function check(make: (now: () => number) => ReplayStore): Promise<void> {
  await fc.assert(
    fc.asyncProperty(ops, async (seq) => {
      const model = new Model();
      const store = make(() => model.now);
      try {
        for (const step of seq) {
          const at = model.now + (step.op === 'consume' || step.op === 'revoke' ? step.ttl : 0);
          const key = 'id' in step ? `k${step.id}` : '';
          if (step.op === 'consume') {
            assert.equal(await store.consume(key, at), model.consume(step.id, at));
          } else if (step.op === 'revoke') {
            await store.revoke(key, at);
            model.revoke(step.id, at);
          } else if (step.op === 'isRevoked') {
            assert.equal(await store.isRevoked(key), model.isRevoked(step.id));
          } else if (step.op === 'advance') {
            model.now += step.ms;
          } else {
            await store.purgeExpired();
          }
        }
        for (let i = 0; i <= 3; i++)
          assert.equal(await store.isRevoked(`k${i}`), model.isRevoked(i));
      } finally {
        await store.close();
      }
    }),
    { numRuns: 300 },
  );
}

describe('stores agree with the reference model', () => {
  test('MemoryStore', () => check((now) => new MemoryStore({ now })));
  test('SqliteStore', () => check((now) => new SqliteStore({ path: ':memory:', now })));
});
