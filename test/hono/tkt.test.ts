/** tessera/hono authTkt at the HTTP boundary: Hono 4 `app.request()`. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Hono } from 'hono';
import { authTkt, type TktVariables } from '../../src/hono/index.ts';
import { MemoryStore } from '../../src/stores/index.ts';
import {
  cookieFor,
  LOGIN,
  NOW_S,
  now,
  TKT_SECRET,
  tampered,
  ticketOf,
  tsOf,
} from '../web/tkt-fixtures.ts';

const CLEAR = 'auth_tkt=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; HttpOnly';
const IP = '198.51.100.7';
const BASE = 'http://app.test';

function build() {
  const store = new MemoryStore({ now });
  const auth = authTkt({ secret: TKT_SECRET, now, loginUrl: LOGIN, store });
  const app = new Hono<{ Variables: TktVariables }>();
  app.get('/r', auth, (c) => c.json(c.get('tkt')));
  // A handler returning its own Response: the refreshed cookie is still added.
  app.get('/raw', auth, () => new Response('raw'));
  app.post('/logout', async (c) => {
    const out = await auth.logout(c);
    return c.json({ revoked: out.revoked }, 303, { location: '/' });
  });
  app.get('/plain', authTkt({ secret: TKT_SECRET, now }), (c) => c.text('x'));
  app.get(
    '/fn',
    authTkt({
      secret: TKT_SECRET,
      now,
      onUnauthorized: (c, result) => c.json({ path: c.req.path, code: result.code }, 418),
    }),
    (c) => c.text('x'),
  );
  app.get(
    '/header-ip',
    authTkt({ secret: TKT_SECRET, now, getClientIp: (c) => c.req.header('x-real-ip') }),
    (c) => c.text(c.get('tkt').uid),
  );
  return app;
}

describe('tessera/hono authTkt', () => {
  const app = build();
  /** `@hono/node-server` puts the Node request in the env: the default client IP comes from it. */
  const request = (path: string, cookie?: string, init: RequestInit = {}, ip = IP) =>
    app.request(
      `${BASE}${path}`,
      {
        ...init,
        headers: {
          ...(cookie === undefined ? {} : { cookie: `auth_tkt=${cookie}` }),
          ...init.headers,
        },
      },
      { incoming: { socket: { remoteAddress: ip } } },
    );

  test('valid cookie: c.get("tkt"); no cookie while fresh', async () => {
    const res = await request('/r', cookieFor({ ip: IP }));
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), {
      uid: 'alice',
      tokens: ['admin'],
      userData: 'Alice',
      ts: NOW_S,
    });
    assert.equal(res.headers.get('set-cookie'), null);
  });

  test('tampered → 307 to the login URL with back = the full original URL', async () => {
    const res = await request('/r?z=%2F', tampered());
    assert.equal(res.status, 307);
    assert.equal(
      res.headers.get('location'),
      `${LOGIN}?back=${encodeURIComponent(`${BASE}/r?z=%2F`)}`,
    );
  });

  test('no login URL → 401', async () => {
    const res = await request('/plain');
    assert.equal(res.status, 401);
    assert.equal(await res.text(), 'Unauthorized');
  });

  test('expired → 307 and the deleting cookie', async () => {
    const res = await request('/r', cookieFor({ ip: IP, age: 7300 }));
    assert.equal(res.status, 307);
    assert.equal(res.headers.get('set-cookie'), CLEAR);
  });

  test('wrong IP → 307; the client IP can come from getClientIp', async () => {
    assert.equal((await request('/r', cookieFor({ ip: IP }), {}, '198.51.100.8')).status, 307);
    const viaHeader = await request('/header-ip', cookieFor({ ip: '192.0.2.1', uid: 'hd' }), {
      headers: { 'x-real-ip': '192.0.2.1' },
    });
    assert.equal(await viaHeader.text(), 'hd');
  });

  test('a refreshed cookie is added to the response when due, also to a handler-built Response', async () => {
    for (const path of ['/r', '/raw']) {
      const res = await request(path, cookieFor({ ip: IP, age: 3700 }));
      assert.equal(res.status, 200, path);
      assert.equal(tsOf(ticketOf(res.headers.get('set-cookie') ?? '')), NOW_S, path);
    }
  });

  test('onUnauthorized answers refusals', async () => {
    const res = await request('/fn');
    assert.equal(res.status, 418);
    assert.deepEqual(await res.json(), { path: '/fn', code: 'no-ticket' });
  });

  test('logout revokes: the same ticket is refused afterwards', async () => {
    const value = cookieFor({ ip: IP, uid: 'frank' });
    assert.equal((await request('/r', value)).status, 200);
    const out = await request('/logout', value, { method: 'POST' });
    assert.equal(out.status, 303);
    assert.equal(out.headers.get('set-cookie'), CLEAR);
    assert.deepEqual(await out.json(), { revoked: true });
    const again = await request('/r', value);
    assert.equal(again.status, 307);
    assert.equal(again.headers.get('set-cookie'), CLEAR);
  });
});
