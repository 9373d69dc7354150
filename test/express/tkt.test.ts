/** tessera/express authTkt at the HTTP boundary: Express 5 on a loopback port (ephemeral). */
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import express from 'express';
import { authTkt } from '../../src/express/index.ts';
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
/** The loopback client's address: tickets bound to it validate. */
const IP = '127.0.0.1';

const store = new MemoryStore({ now });
const auth = authTkt({ secret: TKT_SECRET, now, loginUrl: LOGIN, store });

function app() {
  const a = express();
  a.get('/r', auth, (req, res) => res.json(req.tkt ?? null));
  a.get('/plain', authTkt({ secret: TKT_SECRET, now }), (req, res) => res.json(req.tkt ?? null));
  a.get(
    '/fn',
    authTkt({
      secret: TKT_SECRET,
      now,
      onUnauthorized: (req, res, result) => {
        res.status(418).json({ path: req.path, code: result.code });
      },
    }),
    (_req, res) => res.send('x'),
  );
  a.post('/logout', async (req, res) => {
    const out = await auth.logout(req, res);
    res.status(303).setHeader('location', '/');
    res.json({ revoked: out.revoked, uid: out.uid ?? null });
  });
  return a;
}

describe('tessera/express authTkt', () => {
  let server: ReturnType<express.Express['listen']>;
  let base = '';
  const get = (path: string, cookie?: string, init: RequestInit = {}) =>
    fetch(`${base}${path}`, {
      redirect: 'manual',
      ...init,
      headers: cookie === undefined ? {} : { cookie: `auth_tkt=${cookie}` },
    });

  before(async () => {
    server = app().listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });

  test('valid cookie: req.tkt is uid, tokens, user data; no cookie while fresh', async () => {
    const res = await get('/r', cookieFor({ ip: IP }));
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
    const res = await get('/r?x=1&auth_tkt=bogus', tampered());
    assert.equal(res.status, 307);
    const back = `${base}/r?x=1`;
    assert.equal(res.headers.get('location'), `${LOGIN}?back=${encodeURIComponent(back)}`);
  });

  test('no login URL → 401', async () => {
    const res = await get('/plain', tampered());
    assert.equal(res.status, 401);
    assert.equal(res.headers.get('content-type'), 'text/plain; charset=utf-8');
    assert.equal(await res.text(), 'Unauthorized');
  });

  test('expired → 307 and the deleting cookie', async () => {
    const res = await get('/r', cookieFor({ ip: IP, age: 7201 }));
    assert.equal(res.status, 307);
    assert.equal(res.headers.get('set-cookie'), CLEAR);
  });

  test('wrong IP → 307', async () => {
    assert.equal((await get('/r', cookieFor({ ip: '10.9.8.7' }))).status, 307);
    assert.equal((await get('/r', cookieFor())).status, 307); // unbound: only for 0.0.0.0
  });

  test('a refreshed cookie is sent when due', async () => {
    const res = await get('/r', cookieFor({ ip: IP, age: 5000 }));
    assert.equal(res.status, 200);
    const setCookie = res.headers.get('set-cookie') ?? '';
    assert.match(setCookie, /^auth_tkt=[A-Za-z0-9+/=]+; Path=\/; HttpOnly$/);
    assert.equal(tsOf(ticketOf(setCookie)), NOW_S);
    assert.equal((await get('/r', ticketOf(setCookie).replaceAll('!', '%21'))).status, 200);
  });

  test('a query ticket is accepted and set as the cookie', async () => {
    const value = cookieFor({ ip: IP, uid: 'qa' });
    const res = await get(`/r?auth_tkt=${value}`);
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as { uid: string }).uid, 'qa');
    assert.equal(res.headers.get('set-cookie'), `auth_tkt=${value}; Path=/; HttpOnly`);
  });

  test('onUnauthorized answers refusals', async () => {
    const res = await get('/fn');
    assert.equal(res.status, 418);
    assert.deepEqual(await res.json(), { path: '/fn', code: 'no-ticket' });
  });

  test('logout revokes: the same ticket is refused afterwards', async () => {
    const value = cookieFor({ ip: IP, uid: 'dave' });
    assert.equal((await get('/r', value)).status, 200);
    const out = await get('/logout', value, { method: 'POST' });
    assert.equal(out.status, 303);
    assert.equal(out.headers.get('set-cookie'), CLEAR);
    assert.deepEqual(await out.json(), { revoked: true, uid: 'dave' });
    const again = await get('/r', value);
    assert.equal(again.status, 307);
    assert.equal(again.headers.get('set-cookie'), CLEAR);
  });
});
