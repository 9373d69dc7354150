/** Validation of request data: ska's answers, and Tessera's where ska crashes or is lenient. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  INVALID_SIGNATURE,
  RequestHelper,
  SIGNATURE_TIMESTAMP_EXPIRED,
  signatureToDict,
  signUrl,
  validateSignature,
  validateSignedRequestData,
} from '../../src/ska/index.ts';

const KEY = 'shared-ska-secret-Ud4';
const NOW = 1600000000;
const at = (seconds: number) => () => seconds * 1000;
const dictFor = (validUntil: string | number, extra?: Record<string, unknown>) =>
  signatureToDict({ authUser: 'devuser', secretKey: KEY, validUntil, extra }) as Record<
    string,
    unknown
  >;
const check = (data: Parameters<typeof validateSignedRequestData>[0]['data'], now = NOW) =>
  validateSignedRequestData({ data, secretKey: KEY, now: at(now) });

const VALID = { result: true, reason: [], message: '' };
const BAD_SIG = { result: false, reason: ['Invalid signature!'], message: 'Invalid signature!' };
const EXPIRED = {
  result: false,
  reason: ['Signature timestamp expired!'],
  message: 'Signature timestamp expired!',
};
const BOTH = {
  result: false,
  reason: ['Invalid signature!', 'Signature timestamp expired!'],
  message: 'Invalid signature! Signature timestamp expired!',
};
const summary = (r: ReturnType<typeof check>) => ({
  result: r.result,
  reason: r.reason,
  message: r.message,
});

describe('expiry', () => {
  test('valid only while valid_until > now, strictly', () => {
    const data = dictFor('1600000900.0');
    assert.deepEqual(summary(check(data, 1600000899.999999)), VALID);
    assert.deepEqual(summary(check(data, 1600000900)), EXPIRED);
    assert.deepEqual(summary(check(data, 1600000901)), EXPIRED);
  });

  test('fractional valid_until counts, rounded to microseconds as datetime.fromtimestamp does', () => {
    assert.equal(check(dictFor('1600000900.5'), 1600000900.4).result, true);
    // .0000004 rounds to .000000 → not after now; .0000006 rounds to .000001 → after now.
    assert.deepEqual(summary(check(dictFor('1600000900.0000004'), 1600000900)), EXPIRED);
    assert.deepEqual(summary(check(dictFor('1600000900.0000006'), 1600000900)), VALID);
    // .9999996 rounds up into the next second.
    assert.deepEqual(summary(check(dictFor('1600000899.9999996'), 1600000899.999999)), VALID);
    assert.deepEqual(summary(check(dictFor('1600000899.9999996'), 1600000900)), EXPIRED);
    assert.deepEqual(summary(check(dictFor('-1.5'), 0)), EXPIRED);
  });

  test('valid_until texts Python float() reads are accepted as such', () => {
    for (const text of [
      ' 1600000900.0\n',
      '1_600_000_900',
      '1.6000009e9',
      '\u0661\u0666\u0660\u0660\u0660\u0660\u0660\u0669\u0660\u0660',
    ]) {
      assert.deepEqual(summary(check(dictFor(text))), VALID, JSON.stringify(text));
      assert.deepEqual(summary(check(dictFor(text), 1600000900)), EXPIRED, JSON.stringify(text));
    }
  });

  test('where ska crashes (TypeError), the answer is expired, never a throw', () => {
    for (const text of [
      'abc',
      '0x5F5E1104',
      'inf',
      '-inf',
      'nan',
      '1e16',
      '253402300800',
      '1__0',
      ' ',
    ]) {
      const res = check(dictFor(text));
      assert.deepEqual(summary(res), EXPIRED, text); // the signature itself is genuine
      assert.deepEqual(res.errors, [SIGNATURE_TIMESTAMP_EXPIRED]);
    }
    // The last second Python can represent still works.
    assert.deepEqual(summary(check(dictFor('253402300799'))), VALID);
  });

  test('a missing or empty valid_until never validates (ska substitutes now+600)', () => {
    // ska would accept this one: it was signed with exactly floor(now) + 600.
    const coincidence = dictFor(`${NOW + 600}.0`);
    assert.equal(check(coincidence).result, true);
    for (const vu of [undefined, '']) {
      const data = { ...coincidence, valid_until: vu };
      if (vu === undefined) delete data.valid_until;
      const res = check(data);
      assert.deepEqual(summary(res), BAD_SIG); // ska's reasons for the ordinary case
      assert.deepEqual(res.errors, [INVALID_SIGNATURE]);
    }
  });

  test('now may be fractional milliseconds', () => {
    const data = dictFor('1600000900.0');
    const res = validateSignedRequestData({ data, secretKey: KEY, now: () => 1600000899999.9995 });
    assert.equal(res.result, true);
  });
});

describe('signature comparison', () => {
  const good = dictFor('1600000900.0') as Record<string, string>;
  const sig = good.signature as string;
  const variants: [string, string][] = [
    ['URL-safe alphabet', sig.replaceAll('+', '-').replaceAll('/', '_')],
    ['no padding', sig.replace(/=+$/, '')],
    ['extra padding', `${sig}=`],
    ['+ decoded as space', sig.replaceAll('+', ' ')],
    ['lower case', sig.toLowerCase()],
    ['surrounding space', ` ${sig}`],
    ['non-ASCII of the same length', `${sig.slice(0, -1)}é`],
    ['empty', ''],
  ];
  for (const [name, value] of variants) {
    test(`${name} is not the signature`, () => {
      if (value === sig) return; // (e.g. no '+' to replace in this signature)
      assert.deepEqual(summary(check({ ...good, signature: value })), BAD_SIG);
    });
  }
  test('the exact text validates', () => assert.deepEqual(summary(check(good)), VALID));
  test('wrong key, wrong user, both problems', () => {
    assert.deepEqual(
      summary(validateSignedRequestData({ data: good, secretKey: 'other', now: at(NOW) })),
      BAD_SIG,
    );
    assert.deepEqual(summary(check({ ...good, auth_user: 'devuser2' })), BAD_SIG);
    assert.deepEqual(summary(check({ ...good, auth_user: 'devuser2' }, 1600000901)), BOTH);
  });
});

describe('request data forms', () => {
  const url = signUrl({
    authUser: 'dev@example.com',
    secretKey: KEY,
    validUntil: '1600000900.0',
    url: 'https://dev.example.com/login/',
    extra: { provider: 'p1', email: 'a b@x.org' },
  });
  const query = url.slice(url.indexOf('?') + 1);

  test('a URL, a relative URL, a bare query, with a fragment, URLSearchParams, a dict', () => {
    for (const data of [
      url,
      `/login/?${query}`,
      query,
      `?${query}`,
      `${url}#top`,
      new URLSearchParams(query),
      Object.fromEntries(new URLSearchParams(query)),
    ]) {
      assert.deepEqual(summary(check(data)), VALID, String(data));
    }
  });

  test('repeated keys: the last value wins, as in Django', () => {
    assert.deepEqual(summary(check(`${url}&auth_user=evil`)), BAD_SIG);
    assert.deepEqual(summary(check(url.replace('?', '?auth_user=evil&'))), VALID);
  });

  test('only listed extras are signed, and only they are reported', () => {
    const res = check(`${url}&role=admin&next=%2Fadmin`);
    assert.equal(res.result, true);
    assert.deepEqual(res.signed, {
      authUser: 'dev@example.com',
      validUntil: '1600000900.0',
      extra: { provider: 'p1', email: 'a b@x.org' },
    });
    assert.equal(check(`${url}&x=1`, 1600000901).signed, undefined);
  });

  test('the extra list: order and duplicates do not matter; a missing or added key does', () => {
    const u = new URL(url);
    u.searchParams.set('extra', 'provider,email,provider');
    assert.equal(check(u.href).result, true);
    u.searchParams.set('extra', 'provider');
    assert.deepEqual(summary(check(u.href)), BAD_SIG);
    u.searchParams.set('extra', 'email,provider,role');
    assert.deepEqual(summary(check(`${u.href}&role=admin`)), BAD_SIG);
    // A listed key that is absent is simply absent from the base.
    u.searchParams.set('extra', 'email,provider,role');
    assert.deepEqual(summary(check(u.href)), VALID);
  });

  test("an empty key is an extra when the list is empty, as in ska ('' in [''])", () => {
    const signed = signUrl({
      authUser: 'u',
      secretKey: KEY,
      validUntil: '1600000900.0',
      extra: { '': 'x' },
    });
    assert.match(signed, /&extra=&=x$/);
    assert.equal(check(signed).result, true);
    const plain = signUrl({ authUser: 'u', secretKey: KEY, validUntil: '1600000900.0' });
    assert.deepEqual(summary(check(`${plain}&=x`)), BAD_SIG);
  });

  test('dict values that are not text never throw', () => {
    const good = dictFor('1600000900.0');
    const hostile: Record<string, unknown>[] = [
      { ...good, auth_user: 5 },
      { ...good, auth_user: null },
      { ...good, signature: null },
      { ...good, signature: new TextEncoder().encode(String(good.signature)) },
      { ...good, extra: ['x'] },
      { ...good, extra: 'x', x: new Date(0) },
      { ...good, extra: 'x', x: Symbol('s') },
      { ...good, extra: 'x', x: 'a\ud800' },
      { ...good, auth_user: 'a\ud800' },
      { ...good, valid_until: {} },
      { ...good, valid_until: true },
      { ...good, valid_until: Number.NaN },
    ];
    for (const data of hostile) {
      const res = check(data);
      assert.equal(res.result, false);
      assert.ok(res.reason.includes('Invalid signature!'));
    }
    // A float valid_until, as Python's signature_to_dict returns it.
    assert.equal(check({ ...good, valid_until: 1600000900 }).result, true);
    assert.deepEqual(summary(check({ ...good, valid_until: 1600000900 }, 1600000900)), EXPIRED);
  });

  test('misuse of the options throws', () => {
    assert.throws(() => validateSignedRequestData({ data: 5 as never, secretKey: KEY }), TypeError);
    assert.throws(
      () => validateSignedRequestData({ data: null as never, secretKey: KEY }),
      TypeError,
    );
    assert.throws(() => validateSignedRequestData({ data: url, secretKey: '' }), RangeError);
    assert.throws(
      () => validateSignedRequestData({ data: url, secretKey: KEY, quoter: 'x' as never }),
      RangeError,
    );
  });
});

describe('RequestHelper with its own secret', () => {
  test('imported once, used when a call gives none; a call can still give its own', () => {
    const helper = new RequestHelper({ secretKey: KEY });
    const data = dictFor('1600000900.0');
    assert.equal(helper.validateRequestData({ data, now: at(NOW) }).result, true);
    assert.equal(
      helper.validateRequestData({ data, secretKey: 'other', now: at(NOW) }).result,
      false,
    );
    assert.deepEqual(helper.extractSignedData({ data, validate: true, now: at(NOW) }), {});
    assert.throws(() => new RequestHelper().validateRequestData({ data }), TypeError);
    assert.throws(() => new RequestHelper({ secretKey: '' }), RangeError);
  });
});

describe('validateSignature', () => {
  const fields = {
    signature: 'YlZpLFsjUKBalL4x5trhkeEgqE8=',
    authUser: 'user',
    secretKey: 'secret',
  };
  test('true while valid, false after, false when tampered', () => {
    assert.equal(
      validateSignature({ ...fields, validUntil: '1378045287.0', now: at(1378045286) }),
      true,
    );
    assert.equal(
      validateSignature({ ...fields, validUntil: 1378045287, now: at(1378045286) }),
      true,
    );
    assert.equal(
      validateSignature({ ...fields, validUntil: '1378045287.0', now: at(1378045287) }),
      false,
    );
    assert.equal(validateSignature({ ...fields, validUntil: '1378045287', now: at(1) }), false);
    assert.equal(validateSignature({ ...fields, validUntil: undefined, now: at(1) }), false);
    assert.equal(
      validateSignature({ ...fields, authUser: 'x', validUntil: '1378045287.0', now: at(1) }),
      false,
    );
    assert.equal(
      validateSignature({
        ...fields,
        validUntil: '1378045287.0',
        extra: new Map() as never,
        now: at(1),
      }),
      false,
    );
  });
});
