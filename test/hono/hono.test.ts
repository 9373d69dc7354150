/** tessera/hono at the HTTP boundary: Hono 4 `app.request()`. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Hono } from 'hono';
import { setCookie } from 'hono/cookie';
import {
  loginHandler,
  protect,
  type SignUrlVariables,
  type SkaVariables,
  signUrlHelper,
} from '../../src/hono/index.ts';
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
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

function build() {
  const app = new Hono<{ Variables: SkaVariables & SignUrlVariables }>();
  app.get('/r', protect({ secretKey: SECRET, now }), (c) => c.json(c.get('ska')));
  app.post('/r', protect({ secretKey: SECRET, now }), async (c) => {
    // The handler can still read the body the middleware read.
    const body = await c.req.parseBody();
    return c.json({ ska: c.get('ska'), note: body.note ?? null });
  });
  app.get('/late', protect({ secretKey: SECRET, now: later }), (c) => c.json(c.get('ska')));
  app.get('/msg', protect({ secretKey: SECRET, now, message: 'Refused ({reasons})' }), (c) =>
    c.text('x'),
  );
  app.get(
    '/fn',
    protect({
      secretKey: SECRET,
      now,
      onUnauthorized: (c, result) =>
        c.json({ path: c.req.path, codes: result.errors.map((e) => e.code) }, 403),
    }),
    (c) => c.text('x'),
  );
  app.get(
    '/signed',
    signUrlHelper({ secretKey: SECRET, now, getAuthUser: (c) => c.req.query('as') }),
    (c) => c.text(c.get('signUrl')('/r', { extra: { id: '1' } })),
  );
  const login = loginHandler<User>({
    secretKey: SECRET,
    now,
    redirectAfterLogin: '/home',
    providers: { partner: { secretKey: PARTNER_SECRET, redirectAfterLogin: '/partner/' } },
    getUser: (authUser) => USERS.get(authUser),
    onLogin: (c, user) => {
      setCookie(c, 'sid', user.name, { httpOnly: true });
    },
  });
  app.get('/login/', login);
  app.post('/login/', login);
  app.get(
    '/login-custom/',
    loginHandler<User>({
      secretKey: SECRET,
      now,
      getUser: (authUser) => USERS.get(authUser),
      onLogin: (c, user) => c.json({ welcome: user.name }),
      onFailure: (c, failure) => c.json({ code: failure.code }, failure.status),
    }),
  );
  return app;
}

describe('tessera/hono', () => {
  const app = build();
  const get = (path: string) => app.request(path);

  test("valid: c.get('ska') is the signed data only", async () => {
    const res = await get(`${link('/r', { extra: { id: '7' } })}&admin=1`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { authUser: 'jane', extra: { id: '7' } });
  });

  test('tampered → 401 with ska text', async () => {
    const res = await get(withParam(link('/r', { extra: { id: '7' } }), 'id', '8'));
    assert.equal(res.status, 401);
    assert.equal(res.headers.get('content-type'), 'text/plain; charset=utf-8');
    assert.equal(await res.text(), 'Unauthorised request. Invalid signature!');
  });

  test('expired → 401', async () => {
    const res = await get(link('/late'));
    assert.equal(res.status, 401);
    assert.equal(await res.text(), 'Unauthorised request. Signature timestamp expired!');
  });

  test('custom message and response function', async () => {
    const msg = await get('/msg');
    assert.deepEqual([msg.status, await msg.text()], [401, 'Refused (Invalid signature!)']);
    const fn = await get('/fn');
    assert.deepEqual([fn.status, await fn.json()], [403, { path: '/fn', codes: [1] }]);
  });

  test('POST form body (urlencoded and multipart)', async () => {
    const form = `${formOf(link('/r', { extra: { id: '9' } }))}&note=hi`;
    const res = await app.request('/r?x=1', { method: 'POST', headers: FORM, body: form });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), {
      ska: { authUser: 'jane', extra: { id: '9' } },
      note: 'hi',
    });
    const fd = new FormData();
    for (const [k, v] of new URLSearchParams(form)) fd.append(k, v);
    const multi = await app.request('/r', { method: 'POST', body: fd });
    assert.equal(multi.status, 200);
    // A body that does not parse: the query decides (here: no signature → 401).
    const broken = await app.request('/r', {
      method: 'POST',
      headers: { 'content-type': 'multipart/form-data; boundary=x' },
      body: 'garbage',
    });
    assert.equal(broken.status, 401);
  });

  test("signUrlHelper: c.get('signUrl')", async () => {
    const signed = await (await get('/signed?as=joe')).text();
    assert.match(
      signed,
      /^\/r\?signature=.*&auth_user=joe&valid_until=1600000600\.0&extra=id&id=1$/,
    );
    assert.deepEqual(await (await get(signed)).json(), { authUser: 'joe', extra: { id: '1' } });
  });

  test('login: once, cookie and redirect; second use refused', async () => {
    const path = `${link('/login/')}&next=%2Finbox`;
    const first = await get(path);
    assert.equal(first.status, 302);
    assert.equal(first.headers.get('location'), '/inbox');
    assert.equal(first.headers.get('set-cookie'), 'sid=jane; Path=/; HttpOnly');
    const second = await get(path);
    assert.deepEqual([second.status, await second.text()], [403, 'Authentication error!']);
  });

  test('login: tampered, expired, unknown provider → 403; known provider → its redirect', async () => {
    assert.equal((await get(withParam(link('/login/'), 'signature', 'AAAA'))).status, 403);
    assert.equal((await get(link('/login/', { validUntil: String(NOW_S - 5) }))).status, 403);
    for (const provider of ['nobody', '__proto__', 'toString']) {
      assert.equal((await get(link('/login/', { extra: { provider } }))).status, 403);
    }
    const partner = await get(
      link('/login/', { secretKey: PARTNER_SECRET, extra: { provider: 'partner' } }),
    );
    assert.deepEqual([partner.status, partner.headers.get('location')], [302, '/partner/']);
  });

  test('login: open redirects are refused', async () => {
    let i = 0;
    for (const next of OPEN_REDIRECTS) {
      const path = link('/login/', { validUntil: String(NOW_S + 200 + i++) });
      const res = await get(`${path}&next=${encodeURIComponent(next)}`);
      assert.deepEqual([res.status, res.headers.get('location')], [302, '/home'], next);
    }
  });

  test('login: POST form', async () => {
    const body = `${formOf(link('/login/', { validUntil: String(NOW_S + 300) }))}&next=%2Fform`;
    const res = await app.request('/login/', { method: 'POST', headers: FORM, body });
    assert.deepEqual([res.status, res.headers.get('location')], [302, '/form']);
  });

  test('login: onLogin returning a Response, onFailure', async () => {
    const path = link('/login-custom/');
    assert.deepEqual(await (await get(path)).json(), { welcome: 'jane' });
    const again = await get(path);
    assert.deepEqual([again.status, await again.json()], [403, { code: 'link-used' }]);
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
