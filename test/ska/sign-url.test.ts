/**
 * Building signed URLs and dicts. Expected texts marked "Python" were produced by CPython 3.11
 * running ska's algorithm (urllib.parse.quote/urlencode, hmac, base64) on the same input.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  generateSignature,
  getBase,
  RequestHelper,
  signatureToDict,
  signUrl,
  validateSignedRequestData,
} from '../../src/ska/index.ts';

const VU = '1600000900.0';
const at = (seconds: number) => () => seconds * 1000;
const sign = (extra: Record<string, unknown>, more: Record<string, unknown> = {}) =>
  signUrl({ authUser: 'u', secretKey: 'k', validUntil: VU, extra, url: '', suffix: '', ...more });

describe('signUrl', () => {
  test("ska's README example", () => {
    assert.equal(
      signUrl({
        authUser: 'user',
        secretKey: 'secret',
        validUntil: 1378045287,
        url: 'http://e.com/api/',
      }),
      'http://e.com/api/?signature=YlZpLFsjUKBalL4x5trhkeEgqE8%3D&auth_user=user&valid_until=1378045287.0&extra=',
    );
  });

  test('scalar extras: str() in the URL, sorted list, insertion order (Python)', () => {
    const extra = { t: true, n: null, f: 0.5, i: -3, s: "~*!'() /" };
    assert.equal(
      getBase({ authUser: 'u', validUntil: VU, extra }),
      '1600000900.0_u_f%3D0.5%26i%3D-3%26n%3DNone%26s%3D~%2A%21%27%28%29%20/%26t%3DTrue',
    );
    assert.equal(
      sign(extra),
      'signature=Q1XIr1a0H1D4BNUBdjjtYD5WUFs%3D&auth_user=u&valid_until=1600000900.0&extra=f%2Ci%2Cn%2Cs%2Ct&t=True&n=None&f=0.5&i=-3&s=~%2A%21%27%28%29+%2F',
    );
  });

  test('bytes extras: repr in the base, raw bytes in the URL (Python)', () => {
    const extra = { b: new TextEncoder().encode('x y') };
    assert.equal(
      getBase({ authUser: 'u', validUntil: VU, extra }),
      '1600000900.0_u_b%3Db%27x%20y%27',
    );
    assert.equal(
      sign(extra),
      'signature=XIKeTMhILuY4CSuIE6%2FafHb98sY%3D&auth_user=u&valid_until=1600000900.0&extra=b&b=x+y',
    );
  });

  test('nested extras: the base sorts every dict, the URL only dicts inside lists (Python)', () => {
    const extra = { d: { y: 1, x: 2 }, l: [{ y: 1, x: 2 }] };
    assert.equal(
      sign(extra),
      'signature=%2FiV2bp92lfQwfdd750K8Q4AFUkI%3D&auth_user=u&valid_until=1600000900.0&extra=d%2Cl&d=%7B%27y%27%3A+1%2C+%27x%27%3A+2%7D&l=%5B%7B%27x%27%3A+2%2C+%27y%27%3A+1%7D%5D',
    );
    // Unlike ska, the caller's list is not rewritten.
    assert.deepEqual(Object.keys(extra.l[0] as object), ['y', 'x']);
  });

  test('javascript value dumper (Python)', () => {
    assert.equal(
      sign({ obj: { y: 2, x: 'é' } }, { valueDumper: 'javascript' }),
      'signature=qid3ORlVs0I5Nnn4Ha32%2BxS2TEA%3D&auth_user=u&valid_until=1600000900.0&extra=obj&obj=%7B%27y%27%3A+2%2C+%27x%27%3A+%27%C3%A9%27%7D',
    );
  });

  test('extra keys are sorted by code point (Python)', () => {
    assert.equal(
      sign({ '😀': 'a', '\uffff': 'b' }),
      'signature=%2BsyVOt%2B8DOkI36R4qlUhfEv7rmY%3D&auth_user=u&valid_until=1600000900.0&extra=%EF%BF%BF%2C%F0%9F%98%80&%F0%9F%98%80=a&%EF%BF%BF=b',
    );
  });

  test('an extra named like a parameter overwrites it in place, as ska does (Python)', () => {
    const url = sign({ auth_user: 'evil', z: '1' });
    assert.equal(
      url,
      'signature=%2B6S19y66xYXAfSclonuBKrtvmKE%3D&auth_user=evil&valid_until=1600000900.0&extra=auth_user%2Cz&z=1',
    );
    const res = validateSignedRequestData({ data: url, secretKey: 'k', now: at(1600000000) });
    assert.deepEqual(res.reason, ['Invalid signature!']);
  });

  test('undefined extras are left out everywhere', () => {
    assert.equal(sign({ a: '1', b: undefined }), sign({ a: '1' }));
  });

  test('generated valid_until: floor(now) + lifetime, written N.0', () => {
    const now = at(1600000000.75);
    for (const validUntil of [undefined, null, 0, -0, '']) {
      const url = signUrl({ authUser: 'u', secretKey: 'k', validUntil, lifetime: 60, now });
      assert.match(url, /&valid_until=1600000060\.0&/);
    }
    assert.match(signUrl({ authUser: 'u', secretKey: 'k', now }), /&valid_until=1600000600\.0&/);
    assert.match(
      signUrl({ authUser: 'u', secretKey: 'k', lifetime: null, now }),
      /&valid_until=1600000600\.0&/,
    );
    // '0' is truthy in Python: signed verbatim.
    assert.match(
      signUrl({ authUser: 'u', secretKey: 'k', validUntil: '0', now }),
      /&valid_until=0&/,
    );
    assert.match(
      signUrl({ authUser: 'u', secretKey: 'k', validUntil: 1e16, now }),
      /&valid_until=1e%2B16&/,
    );
  });

  test('suffix and url are used as given', () => {
    const url = signUrl({
      authUser: 'u',
      secretKey: 'k',
      validUntil: VU,
      url: 'https://e.com/?a=1',
      suffix: '&',
    });
    assert.ok(url.startsWith('https://e.com/?a=1&signature='));
  });

  test('misuse throws TypeError/RangeError', () => {
    const base = { authUser: 'u', secretKey: 'k' };
    assert.throws(
      () => signUrl({ ...base, lifetime: 1.5 }),
      /The 'lifetime' argument must be an integer/,
    );
    assert.throws(() => signUrl({ ...base, lifetime: '60' as never }), TypeError);
    assert.throws(() => signUrl({ ...base, lifetime: 1e15 }), RangeError);
    assert.throws(() => signUrl({ ...base, secretKey: '' }), RangeError);
    assert.throws(() => signUrl({ ...base, secretKey: undefined as never }), TypeError);
    assert.throws(() => signUrl({ ...base, authUser: 7 as never }), TypeError);
    assert.throws(() => signUrl({ ...base, digest: 'sha3-256' as never }), RangeError);
    assert.throws(() => signUrl({ ...base, valueDumper: 'json' as never }), RangeError);
    assert.throws(() => signUrl({ ...base, validUntil: true as never }), TypeError);
    assert.throws(() => signUrl({ ...base, extra: new Map() as never }), TypeError);
    assert.throws(() => signUrl({ ...base, extra: { d: new Date() } }), TypeError);
    assert.throws(() => signUrl({ ...base, url: 5 as never }), TypeError);
    assert.throws(() => getBase({ authUser: 'u', validUntil: null as never }), TypeError);
    assert.throws(() => signUrl({ ...base, now: 5 as never }), TypeError);
    // Python's .encode() raises on a lone surrogate; so does Tessera.
    assert.throws(() => signUrl({ ...base, authUser: 'a\ud800' }), TypeError);
    assert.throws(() => signUrl({ ...base, extra: { x: 'a\udc00' } }), TypeError);
    // json.dumps cannot write bytes.
    assert.throws(
      () => signUrl({ ...base, extra: { b: new Uint8Array(1) }, valueDumper: 'javascript' }),
      TypeError,
    );
  });

  test('Uint8Array secrets are used as bytes', () => {
    const a = signUrl({ authUser: 'u', secretKey: 'secret', validUntil: VU });
    const b = signUrl({
      authUser: 'u',
      secretKey: new TextEncoder().encode('secret'),
      validUntil: VU,
    });
    assert.equal(a, b);
  });

  test('every digest signs and validates; lengths as ska', () => {
    const lengths = { md5: 24, sha1: 28, sha224: 40, sha256: 44, sha384: 64, sha512: 88 } as const;
    for (const [digest, length] of Object.entries(lengths) as [keyof typeof lengths, number][]) {
      const sig = generateSignature({ authUser: 'u', secretKey: 'k', validUntil: VU, digest });
      assert.equal(sig.signature.length, length, digest);
      const url = signUrl({
        authUser: 'u',
        secretKey: 'k',
        validUntil: VU,
        digest,
        extra: { a: 'b' },
      });
      assert.equal(
        validateSignedRequestData({ data: url, secretKey: 'k', digest, now: at(1600000000) })
          .result,
        true,
      );
      const other = digest === 'sha1' ? 'md5' : 'sha1';
      assert.equal(
        validateSignedRequestData({ data: url, secretKey: 'k', digest: other, now: at(1600000000) })
          .result,
        false,
      );
    }
  });
});

describe('signatureToDict', () => {
  test('signature and valid_until as text, extras with their values, update order', () => {
    const obj = { y: 2, x: 'é' };
    const dict = signatureToDict({
      authUser: 'u',
      secretKey: 'k',
      validUntil: 1600000900,
      extra: { z: obj, a: 1, extra: 'collides' },
      extraParam: 'signed',
    });
    assert.deepEqual(Object.keys(dict), [
      'signature',
      'auth_user',
      'valid_until',
      'signed',
      'z',
      'a',
      'extra',
    ]);
    assert.equal(dict.valid_until, '1600000900.0');
    assert.equal(dict.signed, 'a,extra,z');
    assert.equal(dict.z, obj);
    const res = validateSignedRequestData({
      data: dict,
      secretKey: 'k',
      extraParam: 'signed',
      now: at(1600000000),
    });
    assert.equal(res.result, true);
  });

  test('a __proto__ extra is an own key, not a prototype', () => {
    const extra = JSON.parse('{"__proto__": "p"}') as Record<string, unknown>;
    const dict = signatureToDict({ authUser: 'u', secretKey: 'k', validUntil: VU, extra });
    assert.equal(Object.getPrototypeOf(dict), Object.prototype);
    assert.ok(Object.hasOwn(dict, '__proto__'));
    assert.equal(
      validateSignedRequestData({ data: dict, secretKey: 'k', now: at(1600000000) }).result,
      true,
    );
  });
});

describe('RequestHelper', () => {
  test('holds names and digest; round trip through URL and dict', () => {
    const helper = new RequestHelper({
      signatureParam: 's',
      authUserParam: 'u',
      validUntilParam: 'v',
      extraParam: 'e',
      digest: 'sha256',
    });
    assert.equal(helper.digest, 'sha256');
    const signature = generateSignature({
      authUser: 'jane',
      secretKey: 'k',
      validUntil: VU,
      digest: 'sha256',
      extra: { provider: 'p1' },
    });
    const url = helper.signatureToUrl({ signature, endpointUrl: 'https://e.com/x' });
    assert.ok(url.startsWith('https://e.com/x?s='));
    assert.match(url, /&u=jane&v=1600000900\.0&e=provider&provider=p1$/);
    for (const data of [url, helper.signatureToDict({ signature })]) {
      const res = helper.validateRequestData({ data, secretKey: 'k', now: at(1600000000) });
      assert.equal(res.result, true);
      assert.deepEqual(res.signed, { authUser: 'jane', validUntil: VU, extra: { provider: 'p1' } });
    }
    assert.deepEqual(
      helper.extractSignedData({ data: url, secretKey: 'k', validate: true, now: at(1600000000) }),
      {
        provider: 'p1',
      },
    );
  });

  test('options are checked at construction', () => {
    assert.throws(() => new RequestHelper({ signatureParam: 1 as never }), TypeError);
    assert.throws(() => new RequestHelper({ digest: 'sha3' as never }), RangeError);
    const helper = new RequestHelper();
    assert.throws(() => helper.signatureToUrl({ signature: {} as never }), TypeError);
    assert.throws(() => helper.signatureToDict({ signature: null as never }), TypeError);
  });
});
