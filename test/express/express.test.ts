/** tessera/express at the HTTP boundary: Express 5 on a loopback port (ephemeral). */
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import express from 'express';
import { loginHandler, protect, signUrlHelper } from '../../src/express/index.ts';
import {
  formOf,
  later,
  link,
  NOW_S,
  now,
  OPEN_REDIRECTS,
  PARTNER_SECRET,
  SECRET,
  type User,
  withParam,
} from '../web/fixtures.ts';

const USERS = new Map<string, User>([['jane', { name: 'jane' }]]);

function app() {
  const a = express();
  a.use(express.urlencoded({ extended: false }));
  const json = (req: express.Request, res: express.Response) => res.json(req.ska ?? null);
  a.get('/r', protect({ secretKey: SECRET, now }), json);
  a.post('/r', protect({ secretKey: SECRET, now }), json);
  a.get('/late', protect({ secretKey: SECRET, now: later }), json);
  a.get('/msg', protect({ secretKey: SECRET, now, message: 'Link refused: {0}' }), json);
  a.get(
    '/fn',
    protect({
      secretKey: SECRET,
      now,
      onUnauthorized: (req, res, result) => {
        res.status(418).json({ path: req.path, codes: result.errors.map((e) => e.code) });
      },
    }),
    json,
  );
  a.get(
    '/throws',
    protect({
      secretKey: SECRET,
      now,
      onUnauthorized: async () => {
        throw new Error('boom');
      },
    }),
    json,
  );
  a.get(
    '/signed',
    signUrlHelper({ secretKey: SECRET, now, getAuthUser: (req) => String(req.query.as ?? 'anon') }),
    (_req, res) => res.send(res.locals.signUrl?.('/r', { extra: { id: '1' } })),
  );
  const login = loginHandler<User>({
    secretKey: SECRET,
    now,
    redirectAfterLogin: '/home',
    providers: { partner: { secretKey: PARTNER_SECRET, redirectAfterLogin: '/partner/' } },
    getUser: (authUser) => USERS.get(authUser),
    onLogin: (_req, res, user) => {
      res.cookie('sid', user.name, { httpOnly: true });
    },
  });
  a.get('/login/', login);
  a.post('/login/', login);
  a.get(
    '/login-custom/',
    loginHandler<User>({
      secretKey: SECRET,
      now,
      getUser: (authUser) => USERS.get(authUser),
      onLogin: (_req, res, user) => {
        res.json({ welcome: user.name });
      },
      onFailure: (_req, res, failure) => {
        res.status(failure.status).json({ code: failure.code });
      },
    }),
  );
  a.get(
    '/login-broken/',
    loginHandler<User>({
      secretKey: SECRET,
      now,
      getUser: () => {
        throw new Error('db down');
      },
      onLogin: () => undefined,
    }),
  );
  a.use((err: Error, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    res.status(500).send(`error: ${err.message}`);
  });
  return a;
}

describe('tessera/express', () => {
  let server: ReturnType<express.Express['listen']>;
  let base = '';
  const get = (path: string, init?: RequestInit) =>
    fetch(`${base}${path}`, { redirect: 'manual', ...init });

  before(async () => {
    server = app().listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });

  test('valid: req.ska is the signed data only', async () => {
    const res = await get(`${link('/r', { extra: { id: '7' } })}&admin=1`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { authUser: 'jane', extra: { id: '7' } });
  });

  test('tampered → 401 with ska text', async () => {
    const res = await get(withParam(link('/r'), 'auth_user', 'admin'));
    assert.equal(res.status, 401);
    assert.equal(res.headers.get('content-type'), 'text/plain; charset=utf-8');
    assert.equal(await res.text(), 'Unauthorised request. Invalid signature!');
  });

  test('expired → 401', async () => {
    const res = await get(link('/late'));
    assert.equal(res.status, 401);
    assert.equal(await res.text(), 'Unauthorised request. Signature timestamp expired!');
  });

  test('custom message and response function; a throwing one reaches the error handler', async () => {
    const msg = await get('/msg?signature=x');
    assert.equal(msg.status, 401);
    assert.equal(await msg.text(), 'Link refused: Invalid signature!');
    const fn = await get('/fn');
    assert.equal(fn.status, 418);
    assert.deepEqual(await fn.json(), { path: '/fn', codes: [1] });
    const thrown = await get('/throws');
    assert.equal(thrown.status, 500);
    assert.equal(await thrown.text(), 'error: boom');
  });

  test('POST form body parsed by express.urlencoded()', async () => {
    const body = formOf(link('/r', { extra: { id: '9' } }));
    const res = await get('/r?extra=&x=1', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body,
    });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { authUser: 'jane', extra: { id: '9' } });
  });

  test('signUrlHelper: res.locals.signUrl with the request user', async () => {
    const signed = await (await get('/signed?as=joe')).text();
    assert.match(
      signed,
      /^\/r\?signature=.*&auth_user=joe&valid_until=1600000600\.0&extra=id&id=1$/,
    );
    const res = await get(signed);
    assert.deepEqual(await res.json(), { authUser: 'joe', extra: { id: '1' } });
  });

  test('login: once, with the cookie and the redirect; the second use is refused', async () => {
    const path = link('/login/').concat('&next=%2Finbox');
    const first = await get(path);
    assert.equal(first.status, 302);
    assert.equal(first.headers.get('location'), '/inbox');
    assert.match(first.headers.get('set-cookie') ?? '', /^sid=jane; Path=\/; HttpOnly/);
    const second = await get(path);
    assert.equal(second.status, 403);
    assert.equal(await second.text(), 'Authentication error!');
  });

  test('login: tampered, expired, unknown provider → 403', async () => {
    assert.equal((await get(withParam(link('/login/'), 'auth_user', 'root'))).status, 403);
    assert.equal((await get(link('/login/', { validUntil: String(NOW_S - 1) }))).status, 403);
    assert.equal((await get(link('/login/', { extra: { provider: 'nobody' } }))).status, 403);
    assert.equal((await get(link('/login/', { extra: { provider: '__proto__' } }))).status, 403);
    const partner = await get(
      link('/login/', { secretKey: PARTNER_SECRET, extra: { provider: 'partner' } }),
    );
    assert.equal(partner.status, 302);
    assert.equal(partner.headers.get('location'), '/partner/');
  });

  test('login: open redirects are refused', async () => {
    let i = 0;
    for (const next of OPEN_REDIRECTS) {
      const path = link('/login/', { validUntil: String(NOW_S + 200 + i++) });
      const res = await get(`${path}&next=${encodeURIComponent(next)}`);
      assert.equal(res.status, 302, next);
      assert.equal(res.headers.get('location'), '/home', next);
    }
  });

  test('login: POST form', async () => {
    const body = `${formOf(link('/login/', { validUntil: String(NOW_S + 300) }))}&next=%2Fform`;
    const res = await get('/login/', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body,
    });
    assert.equal(res.status, 302);
    assert.equal(res.headers.get('location'), '/form');
  });

  test('login: onLogin responding itself, onFailure, callback errors → next(err)', async () => {
    const path = link('/login-custom/');
    const ok = await get(path);
    assert.deepEqual([ok.status, await ok.json()], [200, { welcome: 'jane' }]);
    const again = await get(path);
    assert.deepEqual([again.status, await again.json()], [403, { code: 'link-used' }]);
    const broken = await get(link('/login-broken/'));
    assert.equal(broken.status, 500);
    assert.equal(await broken.text(), 'error: db down');
  });

  test('misuse throws at construction', () => {
    assert.throws(() => protect({ secretKey: SECRET, message: 1 as never }), TypeError);
    assert.throws(() => protect({ secretKey: SECRET, onUnauthorized: 1 as never }), TypeError);
    assert.throws(() => signUrlHelper({ secretKey: SECRET, getAuthUser: 1 as never }), TypeError);
    const getUser = () => null;
    assert.throws(() => loginHandler({ secretKey: SECRET, getUser } as never), TypeError);
    assert.throws(
      () => loginHandler({ secretKey: SECRET, getUser, onLogin: () => {}, onFailure: 1 as never }),
      TypeError,
    );
  });
});
