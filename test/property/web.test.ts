/**
 * Properties of tessera/web and the adapters: random and mutated query strings never
 * authenticate and never throw out of the middleware (only 401 from `protect`, 403 from the
 * login handler); unsigned parameters never reach the handler.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import Fastify from 'fastify';
import { Hono } from 'hono';
import { protect as fastifyProtect } from '../../src/fastify/index.ts';
import { protect as honoProtect, type SkaVariables } from '../../src/hono/index.ts';
import { signUrl } from '../../src/ska/index.ts';
import { createLoginHandler, protect } from '../../src/web/index.ts';
import { NOW_S, now, PARTNER_SECRET, SECRET } from '../web/fixtures.ts';

const RUNS = { numRuns: 200 };
const BASE = 'http://app.test';
const RESERVED = ['signature', 'auth_user', 'valid_until', 'extra', 'provider', 'next'];

const guard = protect({ secretKey: SECRET, now });
const login = createLoginHandler({
  secretKey: SECRET,
  providers: { partner: { secretKey: PARTNER_SECRET } },
  now,
  getUser: (authUser: string) => ({ authUser }),
  onLogin: () => undefined,
});

const text = fc.string({ unit: 'grapheme', maxLength: 16 });
/** Raw query text: encoded pieces, reserved names, broken escapes, separators. */
const piece = fc.oneof(
  text.map(encodeURIComponent),
  fc.constantFrom(
    ...RESERVED,
    '=',
    '&',
    '%',
    '%zz',
    '%FF',
    '%E2%82',
    '+',
    ',',
    '%3D',
    '%26',
    '.0',
    '1600000600',
  ),
  fc.base64String({ maxLength: 40 }).map(encodeURIComponent),
);
const rawQuery = fc.array(piece, { maxLength: 24 }).map((p) => p.join(''));
/** Structured hostile params: reserved names with random values. */
const hostileParams = fc.array(
  fc.tuple(
    fc.oneof(fc.constantFrom(...RESERVED), text),
    fc.oneof(text, fc.base64String({ maxLength: 40 })),
  ),
  { maxLength: 8 },
);
const queryOf = (params: [string, string][]) => new URLSearchParams(params).toString();

/** A genuine signed link with extras. */
const genuine = fc
  .record({
    authUser: text,
    extra: fc.dictionary(
      text.filter((k) => k !== '' && !k.includes(',') && !RESERVED.includes(k)),
      text,
      { maxKeys: 3 },
    ),
  })
  .map(({ authUser, extra }) => ({
    authUser,
    extra,
    url: signUrl({ authUser, secretKey: SECRET, extra, url: '/p', now }),
  }));

async function refusedByProtect(query: string): Promise<void> {
  const outcome = await guard(new Request(`${BASE}/p?${query}`));
  assert.equal(outcome.ok, false);
  if (!outcome.ok) assert.equal(outcome.response.status, 401);
}

async function refusedByLogin(query: string): Promise<void> {
  const res = await login(new Request(`${BASE}/login/?${query}`));
  assert.equal(res.status, 403);
}

describe('web: random queries', () => {
  test('raw query text never authenticates, never throws', async () => {
    await fc.assert(
      fc.asyncProperty(rawQuery, async (q) => {
        await refusedByProtect(q);
        await refusedByLogin(q);
      }),
      RUNS,
    );
  });

  test('reserved names with random values never authenticate', async () => {
    await fc.assert(
      fc.asyncProperty(hostileParams, async (params) => {
        await refusedByProtect(queryOf(params));
        await refusedByLogin(queryOf(params));
      }),
      RUNS,
    );
  });
});

describe('web: mutated genuine links', () => {
  test('genuine links authenticate with exactly the signed data, unsigned extras ignored', async () => {
    await fc.assert(
      fc.asyncProperty(genuine, hostileParams, async (g, junk) => {
        // ska reads an empty list as [''], naming a parameter called '' (it then fails).
        const unsigned = junk.filter(
          ([k]) => k !== '' && !RESERVED.includes(k) && !Object.hasOwn(g.extra, k),
        );
        const outcome = await guard(new Request(`${BASE}${g.url}&${queryOf(unsigned)}`));
        assert.ok(outcome.ok);
        assert.deepEqual(outcome.ska, { authUser: g.authUser, extra: { ...g.extra } });
      }),
      RUNS,
    );
  });

  test('changing any signed value (signature, auth_user, valid_until, an extra) is refused', async () => {
    await fc.assert(
      fc.asyncProperty(genuine, fc.nat(), text, async (g, pick, replacement) => {
        const params = new URL(g.url, BASE).searchParams;
        const names = ['signature', 'auth_user', 'valid_until', ...Object.keys(g.extra)];
        const name = names[pick % names.length] as string;
        const old = params.get(name) ?? '';
        const value = replacement === old ? `${old}x` : replacement;
        params.set(name, value);
        await refusedByProtect(params.toString());
        await refusedByLogin(params.toString());
      }),
      RUNS,
    );
  });

  test('a link used with another provider parameter is refused (403, never a crash)', async () => {
    await fc.assert(
      fc.asyncProperty(genuine, text, async (g, provider) => {
        await refusedByLogin(`${g.url.slice(3)}&provider=${encodeURIComponent(provider || 'x')}`);
      }),
      RUNS,
    );
  });
});

describe('adapters: random queries only ever get 401', () => {
  test('Hono app.request()', async () => {
    const app = new Hono<{ Variables: SkaVariables }>();
    app.get('/p', honoProtect({ secretKey: SECRET, now }), (c) => c.json(c.get('ska')));
    await fc.assert(
      fc.asyncProperty(fc.oneof(rawQuery, hostileParams.map(queryOf)), async (q) => {
        const res = await app.request(`/p?${q}`);
        assert.equal(res.status, 401);
      }),
      { numRuns: 100 },
    );
  });

  test('Fastify inject()', async () => {
    const app = Fastify();
    app.get('/p', { preHandler: fastifyProtect({ secretKey: SECRET, now }) }, async (r) => r.ska);
    await app.ready();
    try {
      await fc.assert(
        fc.asyncProperty(fc.oneof(rawQuery, hostileParams.map(queryOf)), async (q) => {
          const res = await app.inject({ method: 'GET', url: `/p?${q}` });
          // 400 only if Fastify itself refuses the URL before the hook; never a 5xx.
          assert.ok(res.statusCode === 401 || res.statusCode === 400, String(res.statusCode));
        }),
        { numRuns: 100 },
      );
      const ok = await app.inject(signUrl({ authUser: 'a', secretKey: SECRET, url: '/p', now }));
      assert.equal(ok.statusCode, 200);
    } finally {
      await app.close();
    }
  });

  test('expired genuine links are refused everywhere', async () => {
    const late = protect({ secretKey: SECRET, now: () => (NOW_S + 600) * 1000 });
    await fc.assert(
      fc.asyncProperty(genuine, async (g) => {
        const outcome = await late(new Request(`${BASE}${g.url}`));
        assert.equal(outcome.ok, false);
      }),
      { numRuns: 50 },
    );
  });
});
