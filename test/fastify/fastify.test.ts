/** tessera/fastify at the HTTP boundary: Fastify 5 `inject()`. */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { loginHandler, protect, skaPlugin } from '../../src/fastify/index.ts';
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

async function build(): Promise<FastifyInstance> {
  const app = Fastify();
  // What @fastify/formbody does: urlencoded bodies become an object.
  app.addContentTypeParser(FORM['content-type'], { parseAs: 'string' }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });
  await app.register(skaPlugin, { secretKey: SECRET, now, lifetime: 60 });
  app.get('/r', { preHandler: app.skaProtect }, async (request) => request.ska);
  app.post('/r', { preHandler: app.skaProtect }, async (request) => request.ska);
  app.get('/open', async (request) => ({ ska: request.ska }));
  app.get('/share', async () => app.skaSignUrl('/r', { authUser: 'joe', extra: { id: '3' } }));
  app.get('/late', { preHandler: protect({ secretKey: SECRET, now: later }) }, async (r) => r.ska);
  app.get(
    '/msg',
    { preHandler: protect({ secretKey: SECRET, now, message: 'No: {0}' }) },
    async () => 'x',
  );
  app.get(
    '/fn',
    {
      preHandler: protect({
        secretKey: SECRET,
        now,
        onUnauthorized: async (request, reply, result) => {
          await reply.code(403).send({ url: request.url, reasons: result.reason });
        },
      }),
    },
    async () => 'x',
  );
  app.get(
    '/fn-silent',
    { preHandler: protect({ secretKey: SECRET, now, onUnauthorized: () => undefined }) },
    async () => 'x',
  );
  app.get(
    '/fn-throws',
    {
      preHandler: protect({
        secretKey: SECRET,
        now,
        onUnauthorized: () => {
          throw new Error('boom');
        },
      }),
    },
    async () => 'x',
  );
  const login = loginHandler<User>({
    secretKey: SECRET,
    now,
    redirectAfterLogin: '/home',
    providers: { partner: { secretKey: PARTNER_SECRET, redirectAfterLogin: '/partner/' } },
    getUser: (authUser) => USERS.get(authUser),
    onLogin: (_request, reply, user) => {
      reply.header('set-cookie', `sid=${user.name}; HttpOnly`);
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
      onLogin: async (_request, reply, user) => {
        await reply.send({ welcome: user.name });
      },
      onFailure: async (_request, reply, failure) => {
        await reply.code(failure.status).send({ code: failure.code });
      },
    }),
  );
  await app.ready();
  return app;
}

describe('tessera/fastify', async () => {
  const app = await build();
  after(() => app.close());
  const get = (url: string) => app.inject({ method: 'GET', url });

  test('valid: request.ska is the signed data only', async () => {
    const res = await get(`${link('/r', { extra: { id: '7' } })}&admin=1`);
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), { authUser: 'jane', extra: { id: '7' } });
    // The decorator exists everywhere and stays null where the hook did not run.
    assert.deepEqual((await get('/open')).json(), { ska: null });
  });

  test('tampered → 401 with ska text', async () => {
    const res = await get(withParam(link('/r'), 'valid_until', String(NOW_S + 9999)));
    assert.equal(res.statusCode, 401);
    assert.equal(res.headers['content-type'], 'text/plain; charset=utf-8');
    assert.equal(res.body, 'Unauthorised request. Invalid signature!');
  });

  test('expired → 401', async () => {
    const res = await get(link('/late'));
    assert.equal(res.statusCode, 401);
    assert.equal(res.body, 'Unauthorised request. Signature timestamp expired!');
  });

  test('custom message and response function', async () => {
    const msg = await get('/msg');
    assert.deepEqual([msg.statusCode, msg.body], [401, 'No: Invalid signature!']);
    const fn = await get('/fn?signature=x');
    assert.equal(fn.statusCode, 403);
    assert.deepEqual(fn.json(), { url: '/fn?signature=x', reasons: ['Invalid signature!'] });
    // A function that sends nothing: the default 401 still goes out.
    const silent = await get('/fn-silent');
    assert.deepEqual(
      [silent.statusCode, silent.body],
      [401, 'Unauthorised request. Invalid signature!'],
    );
    assert.equal((await get('/fn-throws')).statusCode, 500);
  });

  test('POST form body parsed by a content-type parser', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/r?q=1',
      headers: FORM,
      payload: formOf(link('/r', { extra: { id: '9' } })),
    });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), { authUser: 'jane', extra: { id: '9' } });
  });

  test('fastify.skaSignUrl signs with the plugin options', async () => {
    const url = (await get('/share')).body;
    assert.match(url, /^\/r\?signature=.*&auth_user=joe&valid_until=1600000060\.0&extra=id&id=3$/);
    assert.deepEqual((await get(url)).json(), { authUser: 'joe', extra: { id: '3' } });
  });

  test('login: once, cookie and redirect; second use refused', async () => {
    const path = `${link('/login/')}&next=%2Finbox`;
    const first = await get(path);
    assert.equal(first.statusCode, 302);
    assert.equal(first.headers.location, '/inbox');
    assert.equal(first.headers['set-cookie'], 'sid=jane; HttpOnly');
    const second = await get(path);
    assert.deepEqual([second.statusCode, second.body], [403, 'Authentication error!']);
  });

  test('login: tampered, expired, unknown provider → 403; known provider → its redirect', async () => {
    assert.equal((await get(withParam(link('/login/'), 'auth_user', 'root'))).statusCode, 403);
    assert.equal((await get(link('/login/', { validUntil: String(NOW_S) }))).statusCode, 403);
    for (const provider of ['nobody', '__proto__', 'constructor']) {
      assert.equal((await get(link('/login/', { extra: { provider } }))).statusCode, 403);
    }
    const partner = await get(
      link('/login/', { secretKey: PARTNER_SECRET, extra: { provider: 'partner' } }),
    );
    assert.deepEqual([partner.statusCode, partner.headers.location], [302, '/partner/']);
  });

  test('login: open redirects are refused', async () => {
    let i = 0;
    for (const next of OPEN_REDIRECTS) {
      const path = link('/login/', { validUntil: String(NOW_S + 200 + i++) });
      const res = await get(`${path}&next=${encodeURIComponent(next)}`);
      assert.deepEqual([res.statusCode, res.headers.location], [302, '/home'], next);
    }
  });

  test('login: POST form', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/login/',
      headers: FORM,
      payload: `${formOf(link('/login/', { validUntil: String(NOW_S + 300) }))}&next=%2Fform`,
    });
    assert.deepEqual([res.statusCode, res.headers.location], [302, '/form']);
  });

  test('login: onLogin sending itself, onFailure', async () => {
    const path = link('/login-custom/');
    assert.deepEqual((await get(path)).json(), { welcome: 'jane' });
    const again = await get(path);
    assert.deepEqual([again.statusCode, again.json()], [403, { code: 'link-used' }]);
  });

  test('decorators land in the registering scope (skip-override), not above it', async () => {
    const parent = Fastify();
    let seenInChild = false;
    await parent.register(async (child) => {
      await child.register(skaPlugin, { secretKey: SECRET });
      seenInChild = child.hasDecorator('skaProtect');
    });
    await parent.ready();
    assert.equal(seenInChild, true);
    assert.equal(parent.hasDecorator('skaProtect'), false);
    const scoped = Fastify();
    await scoped.register(skaPlugin, { secretKey: SECRET, protectAllRoutes: true, now });
    scoped.get('/any', async (request) => request.ska);
    assert.equal(scoped.hasDecorator('skaProtect'), true);
    assert.equal(scoped.hasRequestDecorator('ska'), true);
    assert.equal((await scoped.inject('/any')).statusCode, 401);
    assert.equal((await scoped.inject(link('/any'))).statusCode, 200);
    await parent.close();
    await scoped.close();
  });

  test('misuse throws at construction', () => {
    assert.throws(() => protect({ secretKey: SECRET, message: 1 as never }), TypeError);
    assert.throws(() => protect({ secretKey: SECRET, onUnauthorized: 1 as never }), TypeError);
    const getUser = () => null;
    assert.throws(() => loginHandler({ secretKey: SECRET, getUser } as never), TypeError);
    assert.throws(
      () => loginHandler({ secretKey: SECRET, getUser, onLogin: () => {}, onFailure: 1 as never }),
      TypeError,
    );
  });
});
