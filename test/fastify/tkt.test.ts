/** tessera/fastify authTkt and tktPlugin at the HTTP boundary: Fastify 5 `inject()`. */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { authTkt, tktPlugin } from '../../src/fastify/index.ts';
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
const IP = '203.0.113.9';

async function build(): Promise<FastifyInstance> {
  const app = Fastify();
  const store = new MemoryStore({ now });
  await app.register(tktPlugin, { secret: TKT_SECRET, now, loginUrl: LOGIN, store });
  app.get('/r', { preHandler: app.tktProtect }, async (request) => request.tkt);
  app.get('/open', async (request) => ({ tkt: request.tkt }));
  app.post('/logout', async (request, reply) => {
    const out = await app.tktLogout(request, reply);
    return reply.code(303).header('location', '/').send({ revoked: out.revoked });
  });
  app.get('/plain', { preHandler: authTkt({ secret: TKT_SECRET, now }) }, async (r) => r.tkt);
  app.get(
    '/fn',
    {
      preHandler: authTkt({
        secret: TKT_SECRET,
        now,
        onUnauthorized: async (request, reply, result) => {
          await reply.code(418).send({ url: request.url, code: result.code });
        },
      }),
    },
    async () => 'x',
  );
  app.get(
    '/fn-silent',
    { preHandler: authTkt({ secret: TKT_SECRET, now, onUnauthorized: () => undefined }) },
    async () => 'x',
  );
  return app;
}

describe('tessera/fastify authTkt', () => {
  let app: FastifyInstance;
  after(() => app?.close());
  const inject = async (
    url: string,
    cookie?: string,
    more: { method?: 'GET' | 'POST'; ip?: string } = {},
  ) => {
    app ??= await build();
    return app.inject({
      method: more.method ?? 'GET',
      url,
      remoteAddress: more.ip ?? IP,
      headers: cookie === undefined ? {} : { cookie: `auth_tkt=${cookie}` },
    });
  };

  test('valid cookie: request.tkt; no cookie while fresh; null where unprotected', async () => {
    const res = await inject('/r', cookieFor({ ip: IP }));
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), { uid: 'alice', tokens: ['admin'], userData: 'Alice', ts: NOW_S });
    assert.equal(res.headers['set-cookie'], undefined);
    assert.deepEqual((await inject('/open', cookieFor({ ip: IP }))).json(), { tkt: null });
  });

  test('tampered → 307 to the login URL with back = the full original URL', async () => {
    const res = await inject('/r?a=b', tampered());
    assert.equal(res.statusCode, 307);
    assert.equal(
      res.headers.location,
      `${LOGIN}?back=${encodeURIComponent('http://localhost:80/r?a=b')}`,
    );
  });

  test('no login URL → 401 text', async () => {
    const res = await inject('/plain');
    assert.equal(res.statusCode, 401);
    assert.equal(res.headers['content-type'], 'text/plain; charset=utf-8');
    assert.equal(res.body, 'Unauthorized');
  });

  test('expired → 307 and the deleting cookie', async () => {
    const res = await inject('/r', cookieFor({ ip: IP, age: 8000 }));
    assert.equal(res.statusCode, 307);
    assert.equal(res.headers['set-cookie'], CLEAR);
  });

  test('wrong IP → 307', async () => {
    assert.equal(
      (await inject('/r', cookieFor({ ip: IP }), { ip: '203.0.113.10' })).statusCode,
      307,
    );
    assert.equal(
      (await inject('/r', cookieFor({ ip: IP }), { ip: '2001:db8::9' })).statusCode,
      307,
    );
  });

  test('a refreshed cookie is sent when due', async () => {
    const res = await inject('/r', cookieFor({ ip: IP, age: 4000 }));
    assert.equal(res.statusCode, 200);
    const setCookie = String(res.headers['set-cookie']);
    assert.equal(tsOf(ticketOf(setCookie)), NOW_S);
  });

  test('onUnauthorized answers refusals; if it sends nothing, the default answer follows', async () => {
    const res = await inject('/fn?x=1');
    assert.equal(res.statusCode, 418);
    assert.deepEqual(res.json(), { url: '/fn?x=1', code: 'no-ticket' });
    assert.equal((await inject('/fn-silent')).statusCode, 401);
  });

  test('logout revokes: the same ticket is refused afterwards', async () => {
    const value = cookieFor({ ip: IP, uid: 'erin' });
    assert.equal((await inject('/r', value)).statusCode, 200);
    const out = await inject('/logout', value, { method: 'POST' });
    assert.equal(out.statusCode, 303);
    assert.equal(out.headers['set-cookie'], CLEAR);
    assert.deepEqual(out.json(), { revoked: true });
    const again = await inject('/r', value);
    assert.equal(again.statusCode, 307);
    assert.equal(again.headers['set-cookie'], CLEAR);
  });
});
