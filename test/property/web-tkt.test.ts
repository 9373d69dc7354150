/**
 * Properties of the auth_tkt guard of tessera/web against hostile requests:
 * - any Cookie header, URL and client address: `check` resolves (never rejects) and never
 *   accepts without a ticket the secret signed;
 * - a one-character change of a valid cookie is refused, or (a spelling Apache also accepts)
 *   accepted as exactly the original identity;
 * - after logout, no spelling or mutation of the ticket is accepted.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { MemoryStore } from '../../src/stores/index.ts';
import { AuthTicket } from '../../src/tkt/index.ts';
import { TktGuard } from '../../src/web/tkt.ts';

const RUNS = 300;
const NOW = 1_700_000_000;
const now = () => NOW * 1000;
const SECRET = 'property-web-tkt';
const IP = '203.0.113.9';
const tkt = new AuthTicket({ secret: SECRET, now });
const cookie = tkt.cookieValue(
  tkt.create({ uid: 'alice', tokens: ['admin'], userData: 'data', ip: IP }),
);

test('random requests never throw and are never accepted', async () => {
  const guard = new TktGuard({ secret: SECRET, now, loginUrl: '/login' });
  await fc.assert(
    fc.asyncProperty(
      fc.string({ unit: 'binary', maxLength: 300 }),
      fc.string({ maxLength: 200 }),
      fc.option(fc.string({ maxLength: 40 })),
      fc.option(fc.string({ maxLength: 60 })),
      async (header, url, remoteAddress, forwardedFor) => {
        const result = await guard.check({ url, cookie: header, remoteAddress, forwardedFor });
        assert.equal(result.ok, false);
        const withTicket = await guard.check({ url, cookie: `auth_tkt=${header}`, remoteAddress });
        assert.equal(withTicket.ok, false);
      },
    ),
    { numRuns: RUNS },
  );
});

test('a mutated cookie is refused, or accepted as exactly the original identity', async () => {
  const guard = new TktGuard({ secret: SECRET, now });
  const chars = fc.constantFrom(...'AaZz09+/=!%"; \0'.split(''));
  await fc.assert(
    fc.asyncProperty(fc.nat({ max: cookie.length - 1 }), chars, async (at, c) => {
      const mutated = `${cookie.slice(0, at)}${c}${cookie.slice(at + 1)}`;
      const result = await guard.check({
        url: '/',
        cookie: `auth_tkt=${mutated}`,
        remoteAddress: IP,
      });
      if (result.ok) {
        assert.deepEqual(result.tkt, {
          uid: 'alice',
          tokens: ['admin'],
          userData: 'data',
          ts: NOW,
        });
      }
    }),
    { numRuns: RUNS },
  );
});

test('after logout, no mutation of the ticket is accepted', async () => {
  const store = new MemoryStore({ now });
  const guard = new TktGuard({ secret: SECRET, now, store });
  const request = (value: string) => ({ url: '/', cookie: `auth_tkt=${value}`, remoteAddress: IP });
  assert.equal((await guard.logout(request(cookie))).revoked, true);
  await fc.assert(
    fc.asyncProperty(fc.nat({ max: cookie.length }), fc.string({ maxLength: 3 }), async (at, s) => {
      const mutated = `${cookie.slice(0, at)}${s}${cookie.slice(at + s.length)}`;
      assert.equal((await guard.check(request(mutated))).ok, false);
    }),
    { numRuns: RUNS },
  );
});
