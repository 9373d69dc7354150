/**
 * The demo's two apps at the HTTP boundary, without a browser: support through Hono's
 * `app.request()`, portal (Express) on a loopback port. Covers what the browser test does not
 * reach: refused sign-ins, malformed and foreign hand-offs, an unavailable store, cookie refresh,
 * and the demo's settings (ports, secrets, the store fallback).
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { openStore, readPort, readSecrets } from '../../demo/config.ts';
import { readCookie } from '../../demo/cookies.ts';
import { escapeHtml, html, raw } from '../../demo/html.ts';
import { checkName, createPortal, type HandoffProfile } from '../../demo/portal.ts';
import { createSupport } from '../../demo/support.ts';
import { StoreUnavailable } from '../../src/errors.ts';
import { Handoff } from '../../src/handoff/index.ts';
import { signUrl, validateSignedRequestData } from '../../src/ska/index.ts';
import { MemoryStore, type ReplayStore } from '../../src/stores/index.ts';
import { AuthTicket } from '../../src/tkt/index.ts';

const SECRETS = {
  tkt: 'tkt-test-secret',
  handoff: 'handoff-test-secret',
  ska: 'ska-test-secret',
  session: 'session-test',
};
const T = 1_700_000_000;
const SUPPORT = 'http://127.0.0.1:9/';
const PORTAL = 'http://127.0.0.1:8/';

function support(options: { store?: ReplayStore; now?: () => number } = {}) {
  const now = options.now ?? (() => T * 1000);
  return createSupport({
    handoffSecret: SECRETS.handoff,
    skaSecret: SECRETS.ska,
    sessionSecret: SECRETS.session,
    // The store's clock is the app's: a link's entry lives until the link expires.
    store: options.store ?? new MemoryStore({ now }),
    origin: () => SUPPORT,
    portalOrigin: () => PORTAL,
    now,
  });
}

function profile(overrides: Partial<HandoffProfile> = {}): HandoffProfile {
  return {
    v: 1,
    iss: 'portal',
    aud: 'support',
    name: 'Ann <b>',
    email: 'ann@example.com',
    roles: ['customer'],
    signedInAt: '2023-11-14T22:13:20.000Z',
    iat: T,
    exp: T + 300,
    ...overrides,
  };
}

function loginLink(authUser: string, validUntil = `${T + 300}.0`): string {
  return signUrl({ authUser, secretKey: SECRETS.ska, validUntil, url: `${SUPPORT}login/` });
}

/** The `#outcome` line of a page. */
async function outcome(res: Response): Promise<string> {
  const text = await res.text();
  return (
    /id="outcome">([^<]*(?:<span[^>]*>[^<]*<\/span>)?)/.exec(text)?.[1]?.replace(/<[^>]+>/g, '') ??
    text
  );
}

describe('demo support (Hono)', () => {
  test('home: not signed in, then signed in from a one-time link, then refused on reuse', async () => {
    const app = support();
    assert.equal(await outcome(await app.request('/')), 'Not signed in');
    const link = loginLink('Ann <b>');
    const res = await app.request(link);
    assert.equal(res.status, 302);
    assert.equal(res.headers.get('location'), '/');
    const cookie = res.headers.get('set-cookie') ?? '';
    assert.match(
      cookie,
      /^support_session=[\w.-]+; Max-Age=28800; Path=\/; HttpOnly; SameSite=Lax$/,
    );
    const session = cookie.split(';')[0] as string;
    const home = await app.request('/', { headers: { cookie: session } });
    const body = await home.text();
    assert.match(body, /Signed in as <span id="user-name">Ann &lt;b&gt;<\/span>/);
    assert.equal(home.headers.get('referrer-policy'), 'no-referrer');
    assert.equal(home.headers.get('cache-control'), 'no-store');

    const again = await app.request(link);
    assert.equal(again.status, 410);
    assert.equal(await outcome(again), '410 · Link already used');
  });

  test('a forged or foreign session cookie is ignored', async () => {
    const app = support();
    for (const cookie of [
      'support_session=junk',
      'support_session=eyJ1c2VyIjoiZXZlIn0.ZVPxAA.AAAAAAAAAAAAAAAAAAAAAAAAAAA',
    ]) {
      assert.equal(await outcome(await app.request('/', { headers: { cookie } })), 'Not signed in');
    }
  });

  test('login links: tampered, expired, unknown provider, store down', async () => {
    const app = support();
    const forged = new URL(loginLink('ann'));
    forged.searchParams.set('auth_user', 'mallory');
    const r1 = await app.request(forged.href);
    assert.equal(r1.status, 401);
    assert.equal(await outcome(r1), '401 · Invalid link');

    const r2 = await app.request(loginLink('ann', `${T - 1}.0`));
    assert.equal(r2.status, 401);
    assert.equal(await outcome(r2), '401 · Link expired');

    const r3 = await app.request(
      `${SUPPORT}login/?signature=x&auth_user=ann&valid_until=${T + 60}.0&extra=`,
    );
    assert.equal(r3.status, 401);

    const provider = signUrl({
      authUser: 'ann',
      secretKey: SECRETS.ska,
      validUntil: `${T + 300}.0`,
      url: `${SUPPORT}login/`,
      extra: { provider: 'elsewhere' },
    });
    const r4 = await app.request(provider);
    assert.equal(r4.status, 403);
    assert.equal(await outcome(r4), '403 · Sign-in refused');

    const down: ReplayStore = {
      consume: async () => {
        throw new StoreUnavailable('store is down');
      },
      revoke: async () => {},
      isRevoked: async () => false,
      purgeExpired: async () => 0,
      close: async () => {},
    };
    const r5 = await support({ store: down }).request(loginLink('ann'));
    assert.equal(r5.status, 503);
    assert.equal(await outcome(r5), '503 · Try again later');
  });

  test('hand-off: the profile, escaped', async () => {
    const token = new Handoff(SECRETS.handoff).encode(profile());
    const res = await support().request(`/handoff?token=${token}`);
    assert.equal(res.status, 200);
    const body = await res.text();
    assert.match(body, /<dd id="profile-name">Ann &lt;b&gt;<\/dd>/);
    assert.match(body, /ann@example\.com/);
    assert.match(body, /2023-11-14T22:18:20\.000Z/); // expires
  });

  test('hand-off: refused when tampered, foreign, expired, not a hand-off, or variant B', async () => {
    const app = support();
    const cases: [string, string][] = [
      ['', 'not a hand-off token'],
      [new Handoff('another secret').encode(profile()), 'signature does not match'],
      [
        new Handoff(SECRETS.handoff).encode(profile({ aud: 'other' as 'support' })),
        'not meant for support',
      ],
      [
        new Handoff(SECRETS.handoff).encode(profile({ exp: T })),
        'It expired at 2023-11-14T22:13:20.000Z',
      ],
      [new Handoff(SECRETS.handoff).encode(['not', 'a', 'profile']), 'not meant for support'],
      [new Handoff(SECRETS.handoff, { variant: 'B' }).encode(profile()), 'Hand-off refused'],
    ];
    for (const [token, why] of cases) {
      const res = await app.request(`/handoff?token=${encodeURIComponent(token)}`);
      assert.equal(res.status, 401, why);
      assert.ok((await res.text()).includes(why), why);
    }
  });

  test('sign out, 404', async () => {
    const app = support();
    const out = await app.request('/logout', { method: 'POST' });
    assert.equal(out.status, 303);
    assert.match(out.headers.get('set-cookie') ?? '', /^support_session=; Max-Age=0; Path=\//);
    assert.equal((await app.request('/nope')).status, 404);
  });
});

describe('demo portal (Express)', () => {
  let server: Server;
  let base: string;
  let clock = T * 1000;

  before(async () => {
    const app = createPortal({
      tktSecret: SECRETS.tkt,
      handoffSecret: SECRETS.handoff,
      skaSecret: SECRETS.ska,
      origin: () => base,
      supportOrigin: () => SUPPORT,
      now: () => clock,
    });
    server = createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  function post(path: string, form: Record<string, string>, cookie?: string): Promise<Response> {
    return fetch(new URL(path, base), {
      method: 'POST',
      redirect: 'manual',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        ...(cookie ? { cookie } : {}),
      },
      body: new URLSearchParams(form).toString(),
    });
  }

  test('the sign-in form, and names a ticket cannot carry', async () => {
    const form = await fetch(base);
    assert.equal(form.status, 200);
    assert.match(await form.text(), /<form method="post" action="\/login"/);
    for (const [name, email, why] of [
      ['', '', 'Please type a name.'],
      ['a!b', '', 'cannot contain one'],
      ['x'.repeat(65), '', 'under 64 characters'],
      ['tab\there', '', 'cannot be shown'],
      ['ann', 'not-an-address', 'does not look like an e-mail'],
    ]) {
      const res = await post('/login', { name: name as string, email: email as string });
      assert.equal(res.status, 400, why);
      const body = await res.text();
      assert.ok(body.includes(escapeHtml(why as string)), why);
    }
  });

  test('sign in: an auth_tkt cookie, a hand-off and a login link for support', async () => {
    clock = T * 1000;
    const res = await post('/login', { name: 'Zoë "<i>"', email: 'zoe@example.com' });
    assert.equal(res.status, 303);
    const setCookie = res.headers.get('set-cookie') ?? '';
    assert.match(setCookie, /^auth_tkt=[A-Za-z0-9+/=]+; Path=\/; HttpOnly; SameSite=Lax$/);
    const cookie = setCookie.split(';')[0] as string;
    const info = new AuthTicket({
      secret: SECRETS.tkt,
      digest: 'sha256',
      ignoreIp: true,
      now: () => clock,
    }).validate(cookie.slice('auth_tkt='.length));
    assert.equal(info.uid, 'Zoë "<i>"');

    const home = await (await fetch(base, { headers: { cookie } })).text();
    assert.match(home, /Hello, <span id="user-name">Zoë &quot;&lt;i&gt;&quot;<\/span>/);
    const handoffHref = /id="handoff-link" href="([^"]+)"/.exec(home)?.[1] ?? '';
    const token = new URL(handoffHref).searchParams.get('token') ?? '';
    const value = new Handoff(SECRETS.handoff).decode(token) as HandoffProfile;
    assert.equal(value.name, 'Zoë "<i>"');
    assert.equal(value.aud, 'support');
    assert.equal(value.exp, T + 300);
    const loginHref = (/id="login-link" href="([^"]+)"/.exec(home)?.[1] ?? '').replaceAll(
      '&amp;',
      '&',
    );
    const checked = validateSignedRequestData({
      data: loginHref,
      secretKey: SECRETS.ska,
      now: () => clock,
    });
    assert.equal(checked.result, true);
    assert.equal(checked.signed?.authUser, 'Zoë "<i>"');
  });

  test('an old cookie is refreshed; a forged one is ignored; sign out clears it', async () => {
    clock = T * 1000;
    const res = await post('/login', { name: 'ann' });
    const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] as string;
    clock = (T + 3700) * 1000; // past half of the 2 h timeout
    const later = await fetch(base, { headers: { cookie } });
    assert.match(later.headers.get('set-cookie') ?? '', /^auth_tkt=/);
    clock = (T + 7201) * 1000;
    assert.match(await (await fetch(base, { headers: { cookie } })).text(), /Sign in to portal/);
    clock = T * 1000;
    assert.match(
      await (await fetch(base, { headers: { cookie: 'auth_tkt=Zm9v' } })).text(),
      /Sign in to portal/,
    );
    const out = await post('/logout', {}, cookie);
    assert.equal(out.status, 303);
    assert.match(
      out.headers.get('set-cookie') ?? '',
      /^auth_tkt=; Path=\/; Expires=Thu, 01 Jan 1970/,
    );
  });

  test('404, and a body too large is a 413 page', async () => {
    assert.equal((await fetch(new URL('/nope', base))).status, 404);
    const big = await post('/login', { name: 'x'.repeat(10_000) });
    assert.equal(big.status, 413);
  });
});

describe('demo settings and helpers', () => {
  test('ports: default, explicit, refused', () => {
    assert.deepEqual(readPort({}, 'P', 3000), { port: 3000, explicit: false });
    assert.deepEqual(readPort({ P: '0' }, 'P', 3000), { port: 0, explicit: true });
    assert.throws(() => readPort({ P: 'http' }, 'P', 3000), RangeError);
    assert.throws(() => readPort({ P: '70000' }, 'P', 3000), RangeError);
  });

  test('secrets: taken from the environment, else generated (32 random bytes each)', () => {
    const given = readSecrets({
      TKT_SECRET: 'a',
      HANDOFF_SECRET: 'b',
      SKA_SECRET_KEY: 'c',
      SESSION_SECRET: 'd',
    });
    assert.deepEqual(given.values, { tkt: 'a', handoff: 'b', ska: 'c', session: 'd' });
    assert.deepEqual(given.generated, []);
    const made = readSecrets({ SKA_SECRET_KEY: 'c' });
    assert.deepEqual(made.generated, ['TKT_SECRET', 'HANDOFF_SECRET', 'SESSION_SECRET']);
    assert.match(made.values.tkt, /^[\w-]{43}$/);
    assert.notEqual(made.values.tkt, made.values.handoff);
  });

  test('store: a SQLite file, or memory when no driver can open it', async () => {
    const sqlite = openStore({});
    assert.match(sqlite.description, /^SQLite file .*one-time-links\.db$/);
    assert.equal(await sqlite.store.consume('a'.repeat(43), Date.now() + 60_000), true);
    await sqlite.close();
    const memory = openStore({ DEMO_DB: '/nonexistent-dir/x/links.db' });
    assert.match(memory.description, /^memory \(no SQLite driver loaded: /);
    assert.equal(memory.store.constructor.name, 'MemoryStore');
    await memory.close();
  });

  test('html escapes every hole; raw and nested templates pass through', () => {
    assert.equal(
      escapeHtml(`<a href="x">'&'</a>`),
      '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;',
    );
    const inner = html`<b>${'<i>'}</b>`;
    assert.equal(
      html`<p>${inner}${[html`<br>`, '<x>']}${raw('<hr>')}${null}${false}${0}</p>`.text,
      '<p><b>&lt;i&gt;</b><br>&lt;x&gt;<hr>0</p>',
    );
  });

  test('cookies and names', () => {
    assert.equal(readCookie('a=1; auth_tkt="abc="; b=2', 'auth_tkt'), 'abc=');
    assert.equal(readCookie('a=1', 'auth_tkt'), undefined);
    assert.equal(readCookie(undefined, 'auth_tkt'), undefined);
    assert.deepEqual(checkName('  Zoë  '), { name: 'Zoë' });
    assert.ok('error' in checkName(42));
    assert.ok('error' in checkName('\ud800'));
  });
});
