/** tessera/web password-less login: createLoginHandler on Web Request/Response, createLoginFlow. */
import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { describe, test } from 'node:test';
import { StoreUnavailable } from '../../src/core/errors.ts';
import { MemoryStore, type ReplayStore, tokenId } from '../../src/stores/index.ts';
import {
  createLoginFlow,
  createLoginHandler,
  LOGIN_FAILED_MESSAGE,
  type LoginHandlerOptions,
  readSignedParams,
} from '../../src/web/index.ts';
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
} from './fixtures.ts';

const BASE = 'http://app.test';
const req = (path: string, init?: RequestInit) => new Request(`${BASE}${path}`, init);
const USERS = new Map<string, User>([['jane', { name: 'jane' }]]);

function handler(overrides: Partial<LoginHandlerOptions<User>> = {}) {
  const logins: { user: User; extra: Record<string, string> }[] = [];
  const login = createLoginHandler<User>({
    secretKey: SECRET,
    now,
    getUser: (authUser) => USERS.get(authUser),
    onLogin: (_request, response, user, ska) => {
      logins.push({ user, extra: { ...ska.extra } });
      response.headers.append('set-cookie', `sid=${user.name}; HttpOnly`);
    },
    ...overrides,
  });
  return { login, logins };
}

async function expectRefused(response: Response, status = 403): Promise<void> {
  assert.equal(response.status, status);
  assert.equal(response.headers.get('location'), null);
  if (status === 403) assert.equal(await response.text(), LOGIN_FAILED_MESSAGE);
}

describe('createLoginHandler', () => {
  test('a valid link logs in once and redirects to /', async () => {
    const { login, logins } = handler();
    const path = link('/login/');
    const res = await login(req(path));
    assert.equal(res.status, 302);
    assert.equal(res.headers.get('location'), '/');
    assert.equal(res.headers.get('set-cookie'), 'sid=jane; HttpOnly');
    assert.deepEqual(logins, [{ user: { name: 'jane' }, extra: {} }]);
    // Second use of the same link: refused.
    await expectRefused(await login(req(path)));
    // The same signature with the parameters in another order is the same link.
    const reordered = `/login/?${formOf(path).split('&').reverse().join('&')}`;
    await expectRefused(await login(req(reordered)));
    assert.equal(logins.length, 1);
  });

  test('two concurrent uses of one link: exactly one logs in', async () => {
    const { login, logins } = handler();
    const path = link('/login/', { validUntil: String(NOW_S + 77) });
    const statuses = (await Promise.all([1, 2, 3, 4].map(() => login(req(path))))).map(
      (r) => r.status,
    );
    assert.deepEqual(statuses.sort(), [302, 403, 403, 403]);
    assert.equal(logins.length, 1);
  });

  test('tampered, expired and unsigned links are refused', async () => {
    const { login } = handler();
    await expectRefused(await login(req(withParam(link('/login/'), 'auth_user', 'admin'))));
    await expectRefused(await login(req('/login/?auth_user=jane')));
    const { login: late } = handler({ now: later });
    await expectRefused(await late(req(link('/login/'))));
  });

  test('only signed extras reach getUser and onLogin', async () => {
    const seen: Record<string, string>[] = [];
    const { login, logins } = handler({
      getUser: (authUser, ska) => {
        seen.push({ ...ska.extra });
        return USERS.get(authUser);
      },
    });
    const path = `${link('/login/', { extra: { email: 'j@x.org' } })}&role=admin`;
    assert.equal((await login(req(path))).status, 302);
    assert.deepEqual(seen, [{ email: 'j@x.org' }]);
    assert.deepEqual(logins[0]?.extra, { email: 'j@x.org' });
  });

  test('next: a same-origin path is followed', async () => {
    const { login } = handler({ redirectAfterLogin: '/home' });
    const res = await login(req(`${link('/login/')}&next=${encodeURIComponent('/inbox?tab=2')}`));
    assert.equal(res.headers.get('location'), '/inbox?tab=2');
    const plain = await login(
      req(link('/login/', { authUser: 'jane', validUntil: String(NOW_S + 30) })),
    );
    assert.equal(plain.headers.get('location'), '/home');
  });

  test('next: open redirects are refused (fall back to redirectAfterLogin)', async () => {
    const { login } = handler({ redirectAfterLogin: '/home' });
    let i = 0;
    for (const next of OPEN_REDIRECTS) {
      // A fresh link each time (links are single-use).
      const path = link('/login/', { validUntil: String(NOW_S + 100 + i++) });
      const res = await login(req(`${path}&next=${encodeURIComponent(next)}`));
      assert.equal(res.status, 302, next);
      assert.equal(res.headers.get('location'), '/home', next);
    }
  });

  test('providers: the signed provider picks the key, callbacks and redirect', async () => {
    const partnerUsers: string[] = [];
    const { login } = handler({
      redirectAfterLogin: '/home',
      providers: {
        partner: {
          secretKey: PARTNER_SECRET,
          getUser: (authUser) => {
            partnerUsers.push(authUser);
            return { name: `partner:${authUser}` };
          },
          redirectAfterLogin: '/partner/',
        },
      },
    });
    const path = link('/login/', { secretKey: PARTNER_SECRET, extra: { provider: 'partner' } });
    const res = await login(req(path));
    assert.equal(res.status, 302);
    assert.equal(res.headers.get('location'), '/partner/');
    assert.equal(res.headers.get('set-cookie'), 'sid=partner:jane; HttpOnly');
    assert.deepEqual(partnerUsers, ['jane']);
    // The global key still works for links without a provider.
    assert.equal((await login(req(link('/login/')))).headers.get('location'), '/home');
  });

  test('unknown provider → 403, never a crash (also prototype names)', async () => {
    const { login } = handler({ providers: { partner: { secretKey: PARTNER_SECRET } } });
    for (const provider of ['nobody', '__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
      // Signed with the global key, as ska's quirk needs to crash.
      const path = link('/login/', { extra: { provider } });
      await expectRefused(await login(req(path)));
    }
  });

  test('a provider in the query but not among the signed extras → 403', async () => {
    const { login } = handler({ providers: { partner: { secretKey: PARTNER_SECRET } } });
    const path = link('/login/', { secretKey: PARTNER_SECRET });
    await expectRefused(await login(req(`${path}&provider=partner`)));
    // A provider's link with the global key, or the reverse, is invalid.
    const wrongKey = link('/login/', { extra: { provider: 'partner' } });
    await expectRefused(await login(req(wrongKey)));
  });

  test('validateUser false → 403; createUser when getUser finds nobody; no user → 403', async () => {
    const { login: vetoed } = handler({ validateUser: (ska) => ska.authUser !== 'jane' });
    await expectRefused(await vetoed(req(link('/login/'))));
    const created: User[] = [];
    const { login, logins } = handler({
      createUser: (authUser, ska) => {
        const user = { name: authUser, email: ska.extra.email };
        created.push(user);
        return user;
      },
    });
    assert.equal(
      (await login(req(link('/login/', { authUser: 'new', extra: { email: 'n@x' } })))).status,
      302,
    );
    assert.deepEqual(created, [{ name: 'new', email: 'n@x' }]);
    assert.deepEqual(logins[0]?.user, { name: 'new', email: 'n@x' });
    const { login: noCreate } = handler();
    await expectRefused(await noCreate(req(link('/login/', { authUser: 'ghost' }))));
  });

  test('onLogin may return its own Response', async () => {
    const { login } = handler({ onLogin: () => new Response('welcome', { status: 200 }) });
    const res = await login(req(link('/login/')));
    assert.equal(res.status, 200);
    assert.equal(await res.text(), 'welcome');
  });

  test('POST: the form body the caller parsed', async () => {
    const { login } = handler();
    const path = link('/login/');
    const form = new URLSearchParams(formOf(path));
    form.set('next', '/after');
    const res = await login(req('/login/', { method: 'POST', body: form }), form);
    assert.equal(res.status, 302);
    assert.equal(res.headers.get('location'), '/after');
  });

  test('the store: id = tokenId(MAC), expiresAt = valid_until in ms; store: false reuses', async () => {
    const calls: [string, number][] = [];
    const store: ReplayStore = Object.assign(new MemoryStore({ now }), {
      consume(id: string, expiresAt: number) {
        calls.push([id, expiresAt]);
        return Promise.resolve(true);
      },
    });
    const { login } = handler({ store });
    const path = link('/login/', { validUntil: `${NOW_S + 90}.5` });
    assert.equal((await login(req(path))).status, 302);
    const sig = new URL(path, BASE).searchParams.get('signature') as string;
    assert.deepEqual(calls, [[tokenId(Buffer.from(sig, 'base64')), (NOW_S + 90.5) * 1000]]);
    const { login: reusable } = handler({ store: false });
    assert.equal((await reusable(req(path))).status, 302);
    assert.equal((await reusable(req(path))).status, 302);
  });

  test('an unavailable store fails closed with 503', async () => {
    const store = {
      consume: () => Promise.reject(new StoreUnavailable('down')),
    } as unknown as ReplayStore;
    const { login, logins } = handler({ store });
    const res = await login(req(link('/login/')));
    await expectRefused(res, 503);
    assert.equal(logins.length, 0);
  });

  test('errors thrown by callbacks propagate', async () => {
    const { login } = handler({
      getUser: () => {
        throw new Error('db down');
      },
    });
    await assert.rejects(login(req(link('/login/'))), /db down/);
  });
});

describe('createLoginFlow', () => {
  test('failure codes', async () => {
    const flow = createLoginFlow<User, null>({
      providers: { p: { secretKey: PARTNER_SECRET, getUser: () => ({ name: 'x' }) } },
      now,
    });
    const authenticate = (path: string) => flow.authenticate(readSignedParams(path), null);
    const noSecret = await authenticate(link('/l'));
    assert.equal(noSecret.ok, false);
    if (!noSecret.ok) assert.equal(noSecret.code, 'no-secret');
    const ok = await authenticate(
      link('/l', { secretKey: PARTNER_SECRET, extra: { provider: 'p' } }),
    );
    assert.ok(ok.ok);
    assert.equal(ok.provider, 'p');
    const invalid = await authenticate(link('/l', { secretKey: SECRET, extra: { provider: 'p' } }));
    assert.deepEqual(invalid.ok ? undefined : [invalid.code, invalid.reasons], [
      'invalid-link',
      ['Invalid signature!'],
    ]);
  });

  test('misuse throws at construction', () => {
    const getUser = () => null;
    assert.throws(() => createLoginFlow(null as never), TypeError);
    assert.throws(() => createLoginFlow({ secretKey: SECRET } as never), TypeError);
    assert.throws(() => createLoginFlow({ getUser }), TypeError);
    assert.throws(
      () => createLoginFlow({ secretKey: SECRET, getUser, createUser: 1 as never }),
      TypeError,
    );
    assert.throws(
      () => createLoginFlow({ secretKey: SECRET, getUser, redirectAfterLogin: 1 as never }),
      TypeError,
    );
    assert.throws(
      () => createLoginFlow({ secretKey: SECRET, getUser, store: {} as never }),
      TypeError,
    );
    assert.throws(
      () => createLoginFlow({ secretKey: SECRET, getUser, nextParam: 1 as never }),
      TypeError,
    );
    assert.throws(() => createLoginFlow({ providers: { p: { secretKey: SECRET } } }), TypeError);
    assert.throws(() => createLoginFlow({ getUser, providers: { p: null as never } }), TypeError);
    assert.throws(() => createLoginFlow({ getUser, providers: 'p' as never }), TypeError);
    assert.throws(
      () => createLoginFlow({ getUser, providers: { p: { secretKey: '' } } }),
      RangeError,
    );
    assert.throws(() => createLoginHandler({ secretKey: SECRET, getUser } as never), TypeError);
  });
});
