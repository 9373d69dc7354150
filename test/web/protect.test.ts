/** tessera/web protect(), SkaGuard and the 401 helpers, on Web Request/Response. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  DEFAULT_UNAUTHORIZED_MESSAGE,
  protect,
  readSignedParams,
  SkaGuard,
  unauthorizedMessage,
  unauthorizedResponse,
} from '../../src/web/index.ts';
import { formOf, later, link, now, SECRET, withParam } from './fixtures.ts';

const BASE = 'http://app.test';
const req = (path: string, init?: RequestInit) => new Request(`${BASE}${path}`, init);

describe('protect (Web Request)', () => {
  const guard = protect({ secretKey: SECRET, now });

  test('a valid link gives the signed data only', async () => {
    const path = link('/report', { extra: { id: '7', email: 'a b@x.org' } });
    const first = await guard(req(`${path}&unsigned=evil`));
    assert.ok(first.ok);
    assert.deepEqual(first.ska, { authUser: 'jane', extra: { id: '7', email: 'a b@x.org' } });
    assert.equal(Object.hasOwn(first.ska.extra, 'unsigned'), false);
    assert.ok(Object.isFrozen(first.ska) && Object.isFrozen(first.ska.extra));
  });

  test('a repeated signed parameter: the last value is the one checked', async () => {
    const path = link('/report', { extra: { id: '7' } });
    const outcome = await guard(req(`${path}&id=8`));
    assert.equal(outcome.ok, false);
  });

  test('tampered → 401 with ska text', async () => {
    const outcome = await guard(req(withParam(link('/r'), 'auth_user', 'admin')));
    assert.equal(outcome.ok, false);
    if (outcome.ok) return;
    assert.equal(outcome.response.status, 401);
    assert.equal(outcome.response.headers.get('content-type'), 'text/plain; charset=utf-8');
    assert.equal(await outcome.response.text(), 'Unauthorised request. Invalid signature!');
  });

  test('expired → 401 Signature timestamp expired!', async () => {
    const expired = protect({ secretKey: SECRET, now: later });
    const outcome = await expired(req(link('/r')));
    assert.equal(outcome.ok, false);
    if (!outcome.ok) {
      assert.equal(
        await outcome.response.text(),
        'Unauthorised request. Signature timestamp expired!',
      );
    }
  });

  test('no parameters at all: both reasons, joined by "; " as ska does', async () => {
    const outcome = await guard(req('/r'));
    assert.equal(outcome.ok, false);
    if (!outcome.ok) {
      // A missing valid_until is "Invalid signature!" only in ska (it substitutes now+600).
      assert.equal(await outcome.response.text(), 'Unauthorised request. Invalid signature!');
    }
    const bad = await guard(req(withParam(withParam(link('/r'), 'valid_until', 'abc'), 'x', '1')));
    assert.equal(bad.ok, false);
    if (!bad.ok) {
      assert.equal(
        await bad.response.text(),
        'Unauthorised request. Invalid signature!; Signature timestamp expired!',
      );
    }
  });

  test('a wrong key, a wrong digest → 401', async () => {
    assert.equal((await protect({ secretKey: 'other', now })(req(link('/r')))).ok, false);
    assert.equal(
      (await protect({ secretKey: SECRET, digest: 'sha256', now })(req(link('/r')))).ok,
      false,
    );
  });

  test('custom message: {0}, {} and {reasons}', async () => {
    for (const message of ['Nope: {0}', 'Nope: {}', 'Nope: {reasons}']) {
      const outcome = await protect({ secretKey: SECRET, now, message })(req('/r?signature=x'));
      assert.equal(outcome.ok, false);
      if (!outcome.ok) assert.equal(await outcome.response.text(), 'Nope: Invalid signature!');
    }
    const plain = await protect({ secretKey: SECRET, now, message: 'Go away $&' })(req('/r'));
    if (!plain.ok) assert.equal(await plain.response.text(), 'Go away $&');
  });

  test('custom response function', async () => {
    const seen: string[][] = [];
    const custom = protect({
      secretKey: SECRET,
      now: later,
      onUnauthorized: (result, request) => {
        seen.push(result.reason);
        return Response.json(
          { error: result.errors.map((e) => e.code), url: request.url },
          { status: 403 },
        );
      },
    });
    const outcome = await custom(req(link('/r')));
    assert.equal(outcome.ok, false);
    if (outcome.ok) return;
    assert.equal(outcome.response.status, 403);
    assert.deepEqual(((await outcome.response.json()) as { error: number[] }).error, [2]);
    assert.deepEqual(seen, [['Signature timestamp expired!']]);
  });

  test('form body: used when it carries the signature, never merged with the query', async () => {
    const path = link('/r', { extra: { id: '7' } });
    const form = new URLSearchParams(formOf(path));
    const post = await guard(req('/r', { method: 'POST' }), form);
    assert.ok(post.ok);
    assert.deepEqual(post.ska.extra, { id: '7' });
    // A body without the signature: the query is the source.
    const viaQuery = await guard(req(path, { method: 'POST' }), { note: 'hello' });
    assert.ok(viaQuery.ok);
    // A signed body with an unsigned extra in the query: the extra stays out.
    const mixed = await guard(req('/r?admin=1', { method: 'POST' }), formOf(path));
    assert.ok(mixed.ok);
    assert.equal(Object.hasOwn(mixed.ska.extra, 'admin'), false);
    // A body with a bad signature does not fall back to a valid query.
    const tampered = new URLSearchParams(formOf(path));
    tampered.set('auth_user', 'admin');
    assert.equal((await guard(req(path, { method: 'POST' }), tampered)).ok, false);
  });

  test('misuse throws at construction', () => {
    assert.throws(() => protect({} as never), TypeError);
    assert.throws(() => protect({ secretKey: '' }), RangeError);
    assert.throws(() => protect({ secretKey: SECRET, valueDumper: 'json' as never }), RangeError);
    assert.throws(() => protect({ secretKey: SECRET, quoter: 'x' as never }), RangeError);
    assert.throws(() => protect({ secretKey: SECRET, digest: 'md4' as never }), Error);
    assert.throws(() => protect({ secretKey: SECRET, now: 5 as never }), TypeError);
    assert.throws(() => protect({ secretKey: SECRET, message: 5 as never }), TypeError);
    assert.throws(() => protect({ secretKey: SECRET, onUnauthorized: 'x' as never }), TypeError);
    assert.throws(() => new SkaGuard(null as never), TypeError);
  });
});

describe('SkaGuard', () => {
  test('custom parameter names, digest and encoders', () => {
    const guard = new SkaGuard({
      secretKey: SECRET,
      signatureParam: 's',
      authUserParam: 'u',
      validUntilParam: 'v',
      extraParam: 'x',
      digest: 'sha256',
      now,
    });
    assert.equal(guard.signatureParam, 's');
    const url = new URL('http://x/?s=a&u=b&v=1600000600.0&x=');
    assert.equal(guard.check(readSignedParams(url)).ok, false);
  });

  test('check() takes the params, or a URL or path with its query', () => {
    const guard = new SkaGuard({ secretKey: SECRET, now });
    const path = link('/r', { extra: { id: '7' } });
    for (const input of [path, `http://h${path}#frag`, readSignedParams(path)]) {
      const outcome = guard.check(input);
      assert.ok(outcome.ok);
      assert.deepEqual(outcome.ska, { authUser: 'jane', extra: { id: '7' } });
    }
    // A string without `?` has no parameters (it is not read as a bare query).
    assert.equal(guard.check(path.slice(path.indexOf('?') + 1)).ok, false);
    assert.equal(guard.check('').ok, false);
  });
});

describe('unauthorizedMessage / unauthorizedResponse', () => {
  const result = { reason: ['Invalid signature!', 'Signature timestamp expired!'] };
  test("ska's default text", async () => {
    assert.equal(DEFAULT_UNAUTHORIZED_MESSAGE, 'Unauthorised request. {0}');
    assert.equal(
      unauthorizedMessage(result),
      'Unauthorised request. Invalid signature!; Signature timestamp expired!',
    );
    const res = unauthorizedResponse(result, '{0}');
    assert.equal(res.status, 401);
    assert.equal(await res.text(), 'Invalid signature!; Signature timestamp expired!');
  });
});
