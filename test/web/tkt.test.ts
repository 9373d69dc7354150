/** tessera/web auth_tkt: TktGuard, authTkt on Web Request/Response, tktMac/tktTokenId. */
import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { describe, test } from 'node:test';
import { StoreUnavailable, TicketParseError } from '../../src/core/errors.ts';
import { MemoryStore, type ReplayStore, tokenId } from '../../src/stores/index.ts';
import { AuthTicket } from '../../src/tkt/index.ts';
import {
  authTkt,
  TktGuard,
  type TktGuardOptions,
  type TktRequest,
  type TktResult,
  tktMac,
  tktRequest,
  tktTokenId,
} from '../../src/web/tkt.ts';
import {
  cookieFor,
  issuer,
  LOGIN,
  NOW_S,
  now,
  OLD_SECRET,
  TKT_SECRET,
  tampered,
  ticketOf,
  tsOf,
} from './tkt-fixtures.ts';

const URL_ = 'https://app.test/report?id=7';
const CLEAR = 'auth_tkt=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; HttpOnly';

function guard(options: Partial<TktGuardOptions> = {}): TktGuard {
  return new TktGuard({ secret: TKT_SECRET, now, loginUrl: LOGIN, ...options });
}

function withCookie(value: string, extra: Partial<TktRequest> = {}): TktRequest {
  return { url: URL_, cookie: `theme=dark; auth_tkt=${value}`, ...extra };
}

function refused(result: TktResult): Extract<TktResult, { ok: false }> {
  assert.equal(result.ok, false, 'refused');
  return result as Extract<TktResult, { ok: false }>;
}

function accepted(result: TktResult): Extract<TktResult, { ok: true }> {
  assert.equal(result.ok, true, `accepted (${result.ok ? '' : result.code})`);
  return result as Extract<TktResult, { ok: true }>;
}

const BACK = `${LOGIN}?back=${encodeURIComponent(URL_)}`;

describe('TktGuard.check', () => {
  test('a valid cookie exposes uid, tokens and user data; no cookie is sent while fresh', async () => {
    const res = accepted(await guard().check(withCookie(cookieFor())));
    assert.deepEqual(res.tkt, { uid: 'alice', tokens: ['admin'], userData: 'Alice', ts: NOW_S });
    assert.equal(res.setCookie, undefined);
    assert.ok(Object.isFrozen(res.tkt) && Object.isFrozen(res.tkt.tokens));
  });

  test('every cookie spelling Apache accepts', async () => {
    const ticket = issuer.create({ uid: 'alice', tokens: ['admin'], ts: NOW_S });
    const b64 = issuer.cookieValue(ticket);
    for (const value of [
      b64,
      b64.replace(/=+$/, ''),
      `"${b64}"`,
      ticket,
      ticket.replaceAll('!', '%21'),
    ]) {
      assert.equal(accepted(await guard().check(withCookie(value))).tkt.uid, 'alice', value);
    }
  });

  test('the first non-empty auth_tkt cookie is read, at a name boundary only', async () => {
    const g = guard();
    const value = cookieFor();
    const ok = await g.check({ url: URL_, cookie: `auth_tkt=; auth_tkt=${value}; x=1` });
    assert.equal(accepted(ok).tkt.uid, 'alice');
    const other = await g.check({ url: URL_, cookie: `my_auth_tkt=${value}` });
    assert.equal(refused(other).code, 'no-ticket');
  });

  test('no ticket, a tampered ticket → 307 to the login URL with back = the original URL', async () => {
    for (const request of [{ url: URL_ }, withCookie(tampered()), withCookie('garbage')]) {
      const res = refused(await guard().check(request));
      assert.equal(res.status, 307);
      assert.equal(res.location, BACK);
      assert.equal(res.setCookie, undefined);
    }
    assert.equal(refused(await guard().check({ url: URL_ })).code, 'no-ticket');
    assert.equal(refused(await guard().check(withCookie(tampered()))).code, 'invalid');
  });

  test('without a login URL the refusal is a 401 with the message', async () => {
    const res = refused(await guard({ loginUrl: undefined }).check(withCookie(tampered())));
    assert.equal(res.status, 401);
    assert.equal(res.location, undefined);
    assert.equal(res.message, 'Unauthorized');
    const own = refused(
      await guard({ loginUrl: undefined, message: 'Log in' }).check({ url: URL_ }),
    );
    assert.equal(own.message, 'Log in');
  });

  test('expired → the timeout URL (else the login URL) and the deleting cookie', async () => {
    const old = withCookie(cookieFor({ age: 7201 }));
    const res = refused(await guard().check(old));
    assert.equal(res.code, 'expired');
    assert.equal(res.location, BACK);
    assert.equal(res.setCookie, CLEAR);
    const t = refused(await guard({ timeoutUrl: 'https://sso.test/timeout' }).check(old));
    assert.equal(t.location, `https://sso.test/timeout?back=${encodeURIComponent(URL_)}`);
    // The boundary: ts + timeout >= now is still valid (check_timeout).
    assert.equal(
      accepted(await guard().check(withCookie(cookieFor({ age: 7200 })))).tkt.uid,
      'alice',
    );
  });

  test('a ticket bound to an IP validates only for that client; IPv6 never (Apache parity)', async () => {
    const bound = cookieFor({ ip: '203.0.113.9' });
    const g = guard();
    assert.equal(
      accepted(await g.check(withCookie(bound, { remoteAddress: '203.0.113.9' }))).tkt.uid,
      'alice',
    );
    assert.equal(
      accepted(await g.check(withCookie(bound, { remoteAddress: '::ffff:203.0.113.9' }))).ok,
      true,
    );
    for (const remoteAddress of ['203.0.113.10', undefined, '2001:db8::1']) {
      assert.equal(refused(await g.check(withCookie(bound, { remoteAddress }))).code, 'invalid');
    }
    // An unbound ticket: any IPv4 client with ignoreIp; 0.0.0.0 only without.
    const unbound = cookieFor();
    assert.equal(accepted(await g.check(withCookie(unbound))).ok, true);
    assert.equal(
      refused(await g.check(withCookie(unbound, { remoteAddress: '10.0.0.1' }))).code,
      'invalid',
    );
    const ignore = guard({ ignoreIp: true });
    assert.equal(
      accepted(await ignore.check(withCookie(unbound, { remoteAddress: '2001:db8::1' }))).ok,
      true,
    );
  });

  test('X-Forwarded-For is read (first entry) only with trustProxy', async () => {
    const bound = cookieFor({ ip: '203.0.113.9' });
    const request = withCookie(bound, {
      remoteAddress: '10.0.0.2',
      forwardedFor: '203.0.113.9, 10.0.0.1',
    });
    assert.equal(refused(await guard().check(request)).code, 'invalid');
    assert.equal(accepted(await guard({ trustProxy: true }).check(request)).tkt.uid, 'alice');
    assert.equal(
      guard({ trustProxy: true }).clientIp({ url: URL_, remoteAddress: '10.0.0.2' }),
      '10.0.0.2',
    );
    assert.equal(
      guard({ trustProxy: true }).clientIp({ url: URL_, remoteAddress: 'x', forwardedFor: ' ' }),
      'x',
    );
  });

  test('a refreshed cookie is sent when due, bound as the validated one was', async () => {
    const g = guard({ cookie: { domain: 'app.test', secure: true } });
    const res = accepted(
      await g.check(
        withCookie(cookieFor({ age: 4000, ip: '203.0.113.9' }), { remoteAddress: '203.0.113.9' }),
      ),
    );
    const setCookie = res.setCookie ?? '';
    assert.ok(setCookie.startsWith('auth_tkt='));
    assert.match(setCookie, /; Path=\/; Domain=app\.test; Secure; HttpOnly$/);
    const fresh = ticketOf(setCookie);
    assert.equal(tsOf(fresh), NOW_S);
    const again = new AuthTicket({ secret: TKT_SECRET, now });
    assert.equal(again.validate(fresh, { clientIp: '203.0.113.9' }).uid, 'alice');
    // Not yet due at 3000 s of 7200 (remaining 4200 ≥ 3600).
    assert.equal(
      accepted(await g.check(withCookie(cookieFor({ age: 3000 })))).setCookie,
      undefined,
    );
  });

  test('a ticket signed with the old secret is accepted and re-issued with the new one', async () => {
    const oldIssuer = new AuthTicket({ secret: OLD_SECRET, now });
    const value = oldIssuer.cookieValue(oldIssuer.create({ uid: 'bob', ts: NOW_S }));
    const res = accepted(await guard({ oldSecret: OLD_SECRET }).check(withCookie(value)));
    assert.equal(res.tkt.uid, 'bob');
    assert.equal(issuer.validate(ticketOf(res.setCookie ?? '')).uid, 'bob');
    assert.equal(refused(await guard().check(withCookie(value))).code, 'invalid');
  });

  test('required tokens: none matching → the unauth URL', async () => {
    const g = guard({ requiredTokens: ['finance'], unauthUrl: 'https://sso.test/unauth' });
    const res = refused(await g.check(withCookie(cookieFor())));
    assert.equal(res.code, 'token-mismatch');
    assert.ok(res.location?.startsWith('https://sso.test/unauth?back='));
    assert.equal(
      accepted(await g.check(withCookie(cookieFor({ tokens: ['staff', 'finance'] })))).ok,
      true,
    );
  });

  test('back: ticket arguments stripped, & after a login URL with a query, or no back at all', async () => {
    const url = 'https://app.test/a/b?x=1&auth_tkt=zzz&y=%20#frag';
    const res = refused(await guard({ loginUrl: '/login?app=7' }).check({ url }));
    assert.equal(
      res.location,
      `/login?app=7&back=${encodeURIComponent('https://app.test/a/b?x=1&y=%20')}`,
    );
    const bare = refused(
      await guard({ backArgName: 'came_from' }).check({ url: 'https://app.test/?auth_tkt=z' }),
    );
    assert.equal(bare.location, `${LOGIN}?came_from=${encodeURIComponent('https://app.test/')}`);
    assert.equal(refused(await guard({ backArgName: false }).check({ url })).location, LOGIN);
  });

  test('a query ticket is accepted (raw, as Apache reads it) and becomes the cookie', async () => {
    const value = cookieFor();
    const res = accepted(await guard().check({ url: `https://app.test/?auth_tkt=${value}&x=1` }));
    assert.equal(res.tkt.uid, 'alice');
    assert.equal(res.setCookie, `auth_tkt=${value}; Path=/; HttpOnly`);
    const raw = issuer.create({ uid: 'alice', ts: NOW_S }).replaceAll('!', '%21');
    assert.equal(
      accepted(await guard().check({ url: `https://app.test/?auth_tkt=${raw}` })).ok,
      true,
    );
    assert.equal(
      refused(
        await guard({ queryTicket: false }).check({ url: `https://app.test/?auth_tkt=${value}` }),
      ).code,
      'no-ticket',
    );
  });

  test('a forged query ticket falls back to the cookie; an expired one does not', async () => {
    const cookie = `auth_tkt=${cookieFor({ uid: 'carol' })}`;
    const forged = await guard().check({ url: `https://app.test/?auth_tkt=${tampered()}`, cookie });
    assert.equal(accepted(forged).tkt.uid, 'carol');
    assert.equal(accepted(forged).setCookie, undefined);
    const expired = await guard().check({
      url: `https://app.test/?auth_tkt=${cookieFor({ age: 9000 })}`,
      cookie,
    });
    assert.equal(refused(expired).code, 'expired');
  });

  test('never throws for hostile requests', async () => {
    const g = guard();
    for (const cookie of [
      'auth_tkt=%',
      'auth_tkt="',
      `auth_tkt=${'!'.repeat(5000)}`,
      'auth_tkt=\u0000\uFFFF',
    ]) {
      assert.equal(refused(await g.check({ url: URL_, cookie })).status, 307);
    }
    assert.equal(refused(await g.check({ url: 'not a url?auth_tkt=%zz' })).status, 307);
  });

  test('options are checked at construction', () => {
    assert.throws(() => new TktGuard(undefined as unknown as TktGuardOptions), TypeError);
    assert.throws(() => guard({ secret: '' }), RangeError);
    assert.throws(() => guard({ loginUrl: '' }), TypeError);
    assert.throws(() => guard({ loginUrl: '/x\r\nSet-Cookie: a=b' }), TypeError);
    assert.throws(() => guard({ cookieName: 'a b' }), TypeError);
    assert.throws(() => guard({ backArgName: 'a&b' }), TypeError);
    assert.throws(() => guard({ cookie: { domain: 'a;b' } }), TypeError);
    assert.throws(() => guard({ store: {} as ReplayStore }), TypeError);
    assert.throws(() => guard({ trustProxy: 'yes' as unknown as boolean }), TypeError);
    assert.throws(() => guard({ timeout: '2 fortnights' }), RangeError);
    assert.throws(() => guard({ digest: 'sha1' as 'md5' }), RangeError);
  });
});

describe('revocation (store)', () => {
  test('logout revokes the ticket: every spelling of it is refused, the cookie cleared', async () => {
    const store = new MemoryStore({ now });
    const g = guard({ store });
    const ticket = issuer.create({ uid: 'alice', tokens: ['admin'], ts: NOW_S });
    const value = issuer.cookieValue(ticket);
    assert.equal(accepted(await g.check(withCookie(value))).tkt.uid, 'alice');
    const out = await g.logout(withCookie(value));
    assert.deepEqual(out, { setCookie: CLEAR, revoked: true, uid: 'alice' });
    for (const spelling of [value, ticket, `"${value}"`, value.replace(/=+$/, '')]) {
      const res = refused(await g.check(withCookie(spelling)));
      assert.equal(res.code, 'revoked');
      assert.equal(res.setCookie, CLEAR);
      assert.equal(res.location, BACK);
    }
    // Another ticket of the same user is not affected.
    assert.equal(accepted(await g.check(withCookie(cookieFor({ ts: NOW_S - 1 })))).ok, true);
    assert.equal(await store.isRevoked(tktTokenId(value)), true);
  });

  test('the revocation lasts until the ticket would expire, and no longer', async () => {
    let clock = NOW_S * 1000;
    const store = new MemoryStore({ now: () => clock });
    const g = guard({ store, now: () => clock });
    const value = cookieFor({ age: 100 });
    await g.logout(withCookie(value));
    clock = (NOW_S - 100 + 7200) * 1000 + 999;
    assert.equal(refused(await g.check(withCookie(value))).code, 'revoked');
    clock += 1;
    assert.equal(refused(await g.check(withCookie(value))).code, 'expired');
    assert.equal(await store.purgeExpired(), 1);
  });

  test('logout of an invalid or missing ticket, or without a store, only clears the cookie', async () => {
    const store = new MemoryStore({ now });
    assert.deepEqual(await guard({ store }).logout(withCookie(tampered())), {
      setCookie: CLEAR,
      revoked: false,
      uid: undefined,
    });
    assert.deepEqual(await guard({ store }).logout({ url: URL_ }), {
      setCookie: CLEAR,
      revoked: false,
      uid: undefined,
    });
    assert.deepEqual(await guard().logout(withCookie(cookieFor())), {
      setCookie: CLEAR,
      revoked: false,
      uid: 'alice',
    });
  });

  test('a store that cannot answer: 503, never accepted; logout rejects', async () => {
    const down: ReplayStore = {
      consume: () => Promise.reject(new StoreUnavailable('down')),
      revoke: () => Promise.reject(new StoreUnavailable('down')),
      isRevoked: () => Promise.reject(new StoreUnavailable('down')),
      purgeExpired: () => Promise.resolve(0),
      close: () => Promise.resolve(),
    };
    const res = refused(await guard({ store: down }).check(withCookie(cookieFor())));
    assert.equal(res.code, 'store-unavailable');
    assert.equal(res.status, 503);
    assert.ok(res.error instanceof StoreUnavailable);
    await assert.rejects(guard({ store: down }).logout(withCookie(cookieFor())), StoreUnavailable);
  });

  test('a never-expiring ticket (timeout 0) is revoked until 9999', async () => {
    const store = new MemoryStore({ now });
    const g = guard({ store, timeout: 0 });
    const value = cookieFor({ age: 10 ** 8 });
    await g.logout(withCookie(value));
    assert.equal(refused(await g.check(withCookie(value))).code, 'revoked');
  });
});

describe('tktMac / tktTokenId', () => {
  test('one id per ticket, whatever the spelling: the hex digest, decoded', () => {
    const ticket = issuer.create({ uid: 'alice', ts: NOW_S });
    const digest = Buffer.from(ticket.slice(0, 32), 'hex');
    const value = issuer.cookieValue(ticket);
    for (const spelling of [
      ticket,
      value,
      `"${value}"`,
      value.replace(/=+$/, ''),
      ticket.replaceAll('!', '%21'),
    ]) {
      assert.deepEqual(Buffer.from(tktMac(spelling)), digest);
      assert.equal(tktTokenId(spelling), tokenId(digest));
    }
    const sha = new AuthTicket({ secret: TKT_SECRET, digest: 'sha256', now }).create({ uid: 'a' });
    assert.equal(tktMac(sha, 'sha256').length, 32);
    assert.throws(() => tktMac('nope'), TicketParseError);
    assert.throws(() => tktMac(`${'z'.repeat(32)}${'0'.repeat(8)}u!`), TicketParseError);
    assert.throws(() => tktMac(ticket, 'sha1' as 'md5'), RangeError);
  });
});

describe('authTkt (Web Request)', () => {
  const auth = authTkt({ secret: TKT_SECRET, now, loginUrl: LOGIN });
  const request = (cookie?: string) =>
    new Request(URL_, cookie === undefined ? {} : { headers: { cookie: `auth_tkt=${cookie}` } });

  test('valid: the ticket; refused: the 307 Response', async () => {
    const ok = await auth(request(cookieFor()));
    assert.ok(ok.ok);
    assert.equal(ok.tkt.uid, 'alice');
    const no = await auth(request(tampered()));
    assert.ok(!no.ok);
    assert.equal(no.response.status, 307);
    assert.equal(no.response.headers.get('location'), BACK);
  });

  test('expired: the deleting cookie on the redirect; no login URL: 401 text', async () => {
    const no = await auth(request(cookieFor({ age: 9000 })));
    assert.ok(!no.ok);
    assert.equal(no.response.headers.get('set-cookie'), CLEAR);
    const plain = await authTkt({ secret: TKT_SECRET, now })(request());
    assert.ok(!plain.ok);
    assert.equal(plain.response.status, 401);
    assert.equal(await plain.response.text(), 'Unauthorized');
  });

  test('the client IP is passed by the server; X-Forwarded-For only with trustProxy', async () => {
    const bound = cookieFor({ ip: '198.51.100.4' });
    assert.ok((await auth(request(bound), '198.51.100.4')).ok);
    assert.ok(!(await auth(request(bound), '198.51.100.5')).ok);
    const r = new Request(URL_, {
      headers: { cookie: `auth_tkt=${bound}`, 'x-forwarded-for': '198.51.100.4' },
    });
    assert.equal(tktRequest(r, '10.0.0.1').forwardedFor, '198.51.100.4');
    assert.ok(!(await auth(r, '10.0.0.1')).ok);
    assert.ok((await authTkt({ secret: TKT_SECRET, now, trustProxy: true })(r, '10.0.0.1')).ok);
  });
});
