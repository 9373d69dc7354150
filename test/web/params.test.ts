/** readSignedParams, safeRedirectPath and createUrlSigner. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { signUrl, validateSignedRequestData } from '../../src/ska/index.ts';
import { createUrlSigner, readSignedParams, safeRedirectPath } from '../../src/web/index.ts';
import { NOW_S, now, OPEN_REDIRECTS, PARTNER_SECRET, SECRET } from './fixtures.ts';

describe('readSignedParams', () => {
  test('a Request, a URL, a path, a bare path', () => {
    const want = { a: '1', b: 'x y' };
    assert.deepEqual({ ...readSignedParams(new Request('http://h/p?a=1&b=x+y#f')) }, want);
    assert.deepEqual({ ...readSignedParams(new URL('http://h/p?a=1&b=x%20y')) }, want);
    assert.deepEqual({ ...readSignedParams('/p?a=1&b=x%20y#frag?c=3') }, want);
    assert.deepEqual({ ...readSignedParams('/p') }, {});
    assert.deepEqual({ ...readSignedParams('/p?') }, {});
  });

  test('the last value wins, blanks are kept, odd names are plain keys', () => {
    const p = readSignedParams('/p?a=1&a=2&b=&__proto__=x&constructor=y');
    assert.equal(p.a, '2');
    assert.equal(p.b, '');
    assert.equal(Object.getPrototypeOf(p), null);
    assert.ok(Object.hasOwn(p, '__proto__'));
    assert.equal(p.constructor, 'y');
  });

  test('bodies: URLSearchParams, FormData (files skipped), objects (arrays: last), text', () => {
    const sig = { signature: 's' };
    assert.deepEqual(
      { ...readSignedParams('/p?q=1', new URLSearchParams({ ...sig, a: '1' })) },
      { ...sig, a: '1' },
    );
    const fd = new FormData();
    fd.append('signature', 's');
    fd.append('f', new Blob(['x']), 'f.txt');
    fd.append('a', '1');
    fd.append('a', '2');
    assert.deepEqual({ ...readSignedParams('/p', fd) }, { ...sig, a: '2' });
    assert.deepEqual(
      { ...readSignedParams('/p', { ...sig, a: ['1', '2'], n: { x: '1' }, k: 3, e: [] }) },
      { ...sig, a: '2' },
    );
    assert.deepEqual({ ...readSignedParams('/p', 'signature=s&a=%20') }, { ...sig, a: ' ' });
    // Not a form: the query is the source.
    for (const body of [null, undefined, 42, ['signature'], { a: '1' }, 'a=1', true]) {
      assert.deepEqual({ ...readSignedParams('/p?q=1', body) }, { q: '1' });
    }
    assert.deepEqual(
      { ...readSignedParams('/p?q=1', { s: 'x' }, { signatureParam: 's' }) },
      { s: 'x' },
    );
  });

  test('never throws on odd input', () => {
    for (const q of ['%', '%zz', '%E0%A4%A', '&&&', '=', '==&=', 'a=%FF', '\u0000=\uFFFF', '?a']) {
      assert.equal(typeof readSignedParams(`/p?${q}`), 'object');
    }
  });
});

describe('safeRedirectPath (open-redirect guard)', () => {
  test('same-origin paths pass, normalised and encoded', () => {
    assert.equal(safeRedirectPath('/'), '/');
    assert.equal(safeRedirectPath('/inbox?tab=1#top'), '/inbox?tab=1#top');
    assert.equal(safeRedirectPath('/a/../b'), '/b');
    assert.equal(safeRedirectPath('/café'), '/caf%C3%A9');
    assert.equal(safeRedirectPath('/%2F%2Fevil.com'), '/%2F%2Fevil.com');
  });

  test('anything that could leave the site is refused', () => {
    for (const next of [
      ...OPEN_REDIRECTS,
      '',
      '/\nevil',
      '/a\\b',
      '/.//evil.com',
      'HTTPS://evil.com',
      ' /x',
    ]) {
      assert.equal(safeRedirectPath(next), undefined, JSON.stringify(next));
    }
    for (const next of [undefined, null, 5, ['/a'], `/${'a'.repeat(3000)}`]) {
      assert.equal(safeRedirectPath(next), undefined);
    }
  });
});

describe('createUrlSigner', () => {
  const sign = createUrlSigner({ secretKey: SECRET, lifetime: 60, now });

  test("byte for byte ska's sign_url", () => {
    assert.equal(
      sign('https://e.com/r', { authUser: 'jane', extra: { id: '7' } }),
      signUrl({
        authUser: 'jane',
        secretKey: SECRET,
        lifetime: 60,
        url: 'https://e.com/r',
        extra: { id: '7' },
        now,
      }),
    );
    assert.equal(
      sign('/r', { validUntil: 1378045287, suffix: '?' }),
      signUrl({
        authUser: 'ska-auth-user',
        secretKey: SECRET,
        validUntil: 1378045287,
        url: '/r',
        now,
      }),
    );
    const url = sign('/r');
    assert.match(url, new RegExp(`valid_until=${NOW_S + 60}\\.0&`));
    assert.match(url, /auth_user=ska-auth-user/);
  });

  test('suffix: ? or & (before a #fragment), or verbatim', () => {
    assert.match(sign('/r?page=2'), /^\/r\?page=2&signature=/);
    assert.match(sign('/r?'), /^\/r\?signature=/);
    assert.match(sign('/r#top'), /^\/r\?signature=.*&extra=#top$/);
    assert.match(sign('/r?x=1#top'), /^\/r\?x=1&signature=.*#top$/);
    assert.match(sign('/r', { suffix: '&' }), /^\/r&signature=/);
    const url = sign('https://e.com/r?x=1#top', { authUser: 'jane' });
    assert.ok(validateSignedRequestData({ data: url, secretKey: SECRET, now }).result);
  });

  test('providers: their key, and provider in the signed extras', () => {
    const withProviders = createUrlSigner({
      providers: { partner: { secretKey: PARTNER_SECRET } },
      now,
    });
    const url = withProviders('/login/', {
      authUser: 'jane',
      provider: 'partner',
      extra: { email: 'j@x' },
    });
    const res = validateSignedRequestData({ data: url, secretKey: PARTNER_SECRET, now });
    assert.ok(res.result);
    assert.deepEqual(res.signed?.extra, { email: 'j@x', provider: 'partner' });
    assert.throws(() => withProviders('/login/', { provider: 'other' }), TypeError);
    assert.throws(() => withProviders('/login/', { provider: '__proto__' }), TypeError);
    assert.throws(() => withProviders('/login/'), TypeError);
  });

  test('misuse throws at construction', () => {
    assert.throws(() => createUrlSigner({}), TypeError);
    assert.throws(() => createUrlSigner(null as never), TypeError);
    assert.throws(() => createUrlSigner({ secretKey: SECRET, lifetime: 1.5 }), TypeError);
    assert.throws(() => createUrlSigner({ secretKey: SECRET, authUser: 5 as never }), TypeError);
    assert.throws(
      () => createUrlSigner({ secretKey: SECRET, valueDumper: 'x' as never }),
      RangeError,
    );
    assert.throws(() => createUrlSigner({ providers: { p: {} as never } }), TypeError);
    assert.throws(() => createUrlSigner({ providers: 'p' as never }), TypeError);
    assert.throws(() => sign(5 as never), TypeError);
    assert.throws(() => sign('/r', { lifetime: 0.5 }), TypeError);
  });
});
