import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { clearCookieHeader, setCookieHeader } from '../../src/tkt/index.ts';

describe('setCookieHeader', () => {
  test('defaults: auth_tkt, Path=/, HttpOnly, session cookie', () => {
    assert.equal(setCookieHeader('YWJj'), 'auth_tkt=YWJj; Path=/; HttpOnly');
  });

  test('every attribute', () => {
    const header = setCookieHeader('YWJj+/==', {
      name: 'sso',
      path: '/app',
      domain: '.example.org',
      secure: true,
      httpOnly: false,
      sameSite: 'Lax',
      expires: new Date(Date.UTC(2030, 0, 2, 3, 4, 5)),
      maxAge: '2h',
    });
    assert.equal(
      header,
      'sso=YWJj+/==; Path=/app; Domain=.example.org; Expires=Wed, 02 Jan 2030 03:04:05 GMT; Max-Age=7200; Secure; SameSite=Lax',
    );
  });

  test('refuses what a cookie cannot carry', () => {
    assert.throws(() => setCookieHeader('a b'), TypeError);
    assert.throws(() => setCookieHeader('a;b'), TypeError);
    assert.throws(() => setCookieHeader('a,b'), TypeError);
    assert.throws(() => setCookieHeader('"x"'), TypeError);
    assert.throws(() => setCookieHeader(5 as unknown as string), TypeError);
    assert.throws(() => setCookieHeader('x', { name: 'a b' }), TypeError);
    assert.throws(() => setCookieHeader('x', { domain: 'a;b' }), TypeError);
    assert.throws(() => setCookieHeader('x', { path: '/\n' }), TypeError);
    assert.throws(() => setCookieHeader('x', { path: '' }), TypeError);
    assert.throws(() => setCookieHeader('x', { expires: new Date(Number.NaN) }), TypeError);
    assert.throws(() => setCookieHeader('x', { maxAge: -1 }), RangeError);
    assert.throws(() => setCookieHeader('x', { sameSite: 'lax' as 'Lax' }), RangeError);
  });
});

describe('clearCookieHeader', () => {
  test('deletes the cookie with a real 1970 date', () => {
    assert.equal(
      clearCookieHeader({ domain: 'example.org' }),
      'auth_tkt=; Path=/; Domain=example.org; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; HttpOnly',
    );
  });
});
