/**
 * Properties of tessera/ska: genuine URLs validate; mutated signatures, parameters and
 * valid_until texts never validate; hostile request data never throws (and extraction only
 * throws Tessera errors).
 */
import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { TesseraError } from '../../src/core/errors.ts';
import {
  DEFAULT_RESERVED_PARAMS,
  type Digest,
  extractSignedRequestData,
  signatureToDict,
  signUrl,
  validateSignedRequestData,
} from '../../src/ska/index.ts';
import { jsQuote, parseQuery, pyQuote, quotePlus, quotePlusBytes } from '../../src/ska/quote.ts';

const KEY = 'property-secret';
const NOW_S = 1600000000;
const now = () => NOW_S * 1000;
const VU = String(NOW_S + 600);
const RUNS = { numRuns: 300 };

const text = fc.string({ unit: 'grapheme', maxLength: 12 });
const key = text.filter(
  (k) => k !== '' && !k.includes(',') && !DEFAULT_RESERVED_PARAMS.includes(k),
);
const scalar = fc.oneof(
  text,
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.constant(null),
);
const extraArb = fc.dictionary(key, scalar, { maxKeys: 4 });
const digest = fc.constantFrom<Digest>('md5', 'sha1', 'sha224', 'sha256', 'sha384', 'sha512');

/** A genuine signed URL and its inputs. */
const signed = fc.record({ authUser: text, extra: extraArb, digest }).map((s) => ({
  ...s,
  url: signUrl({ ...s, secretKey: KEY, validUntil: VU, url: 'https://e.com/login/', now }),
}));

function validate(
  data: Parameters<typeof validateSignedRequestData>[0]['data'],
  d: Digest = 'sha1',
) {
  return validateSignedRequestData({ data, secretKey: KEY, digest: d, now });
}

/** A different text: replace, insert or delete one character, or change case. */
const mutate = (s: string) =>
  fc
    .oneof(
      fc
        .tuple(fc.nat(), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }))
        .map(([i, c]) => {
          const at = s.length === 0 ? 0 : i % s.length;
          return s.slice(0, at) + c + s.slice(at + 1);
        }),
      fc
        .tuple(fc.nat(), fc.string({ unit: 'binary', minLength: 1, maxLength: 3 }))
        .map(([i, c]) => {
          const at = i % (s.length + 1);
          return s.slice(0, at) + c + s.slice(at);
        }),
      fc
        .nat()
        .map((i) =>
          s.length === 0 ? 'x' : s.slice(0, i % s.length) + s.slice((i % s.length) + 1),
        ),
      fc.constant(s.toLowerCase()),
      fc.constant(s.replaceAll('+', ' ')),
      fc.constant(s.replaceAll('+', '-').replaceAll('/', '_')),
    )
    .filter((m) => m !== s);

describe('ska encoders', () => {
  // Reference definitions (slow, obviously right): Python's safe sets over encodeURIComponent.
  const fix = (s: string, keep: string, plus: boolean) =>
    encodeURIComponent(s)
      .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
      .replace(/%2F/g, keep.includes('/') ? '/' : '%2F')
      .replace(/%20/g, plus ? '+' : '%20');
  const wellFormed = fc.string({ unit: 'grapheme', maxLength: 400 });
  const mixed = fc.oneof(
    wellFormed,
    fc.string({
      unit: fc.constantFrom(...' !"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~aZ09éß日😀\u2028'),
      maxLength: 600,
    }),
  );

  test('quote, quote_plus and the javascript quoter match their definitions, short and long', () => {
    fc.assert(
      fc.property(mixed, (s) => {
        assert.equal(pyQuote(s), fix(s, '/', false));
        assert.equal(quotePlus(s), fix(s, '', true));
        assert.equal(jsQuote(s), encodeURIComponent(s));
        assert.equal(quotePlusBytes(Buffer.from(s)), quotePlus(s));
      }),
      RUNS,
    );
  });

  test("query strings are read exactly as a URL's searchParams reads them", () => {
    const q = fc
      .string({
        unit: fc.oneof(
          fc.constantFrom(
            '&',
            '=',
            '+',
            '%',
            '%2',
            '%20',
            '%2B',
            '%3D',
            '%26',
            '%C3%A9',
            '%C3',
            '%FF',
            '%zz',
            'a',
            'é',
            '\x80',
            '\ud800',
            '😀',
          ),
          fc.string({ unit: 'binary', maxLength: 2 }),
        ),
        maxLength: 40,
      })
      // The URL parser strips controls and cuts at '#' before the query is read.
      .filter((s) => !/[\x00-\x20#]/.test(s));
    fc.assert(
      fc.property(q, (query) => {
        const expected = [...new Map(new URL(`http://h/?${query}`).searchParams)];
        assert.deepEqual([...parseQuery(query)], expected);
        // Percent-encoded text reads the same through Node's URLSearchParams too.
        const clean = new URL(`http://h/?${query}`).search.slice(1);
        assert.deepEqual([...new Map(new URLSearchParams(clean))], expected);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('ska properties', () => {
  test('genuine URLs validate, as URL, URLSearchParams and dict', () => {
    fc.assert(
      fc.property(signed, ({ url, digest: d, authUser }) => {
        for (const data of [
          url,
          new URL(url).searchParams,
          Object.fromEntries(new URL(url).searchParams),
        ]) {
          const res = validate(data, d);
          assert.equal(res.result, true, res.message);
          assert.equal(res.signed?.authUser, authUser);
        }
      }),
      RUNS,
    );
  });

  test('a mutated signature never validates and never throws', () => {
    fc.assert(
      fc.property(
        signed.chain((s) => {
          const sig = new URL(s.url).searchParams.get('signature') as string;
          return mutate(sig).map((m) => ({ ...s, sig: m }));
        }),
        ({ url, sig, digest: d }) => {
          const params = new URL(url).searchParams;
          params.set('signature', sig);
          const res = validate(params, d);
          assert.equal(res.result, false);
          assert.deepEqual(res.reason, ['Invalid signature!']);
        },
      ),
      RUNS,
    );
  });

  test('a mutated auth_user, valid_until, extra value or extra list never validates', () => {
    const mutated = signed.chain((s) => {
      const params = new URL(s.url).searchParams;
      const names = ['auth_user', 'valid_until', 'extra', ...Object.keys(s.extra)];
      return fc
        .constantFrom(...names)
        .chain((name) => mutate(params.get(name) ?? '').map((value) => ({ ...s, name, value })));
    });
    fc.assert(
      fc.property(mutated, ({ url, name, value, digest: d }) => {
        const params = new URL(url).searchParams;
        params.set(name, value);
        // A reordered or duplicated extra list still names the same keys: not a mutation.
        if (name === 'extra') {
          const before = new Set((new URL(url).searchParams.get('extra') ?? '').split(','));
          const after = new Set(value.split(','));
          const keys = [...params.keys()];
          const listed = (s: Set<string>) =>
            keys
              .filter((k) => s.has(k))
              .sort()
              .join('\u0000');
          fc.pre(listed(before) !== listed(after));
        }
        const res = validate(params, d);
        assert.equal(res.result, false);
        assert.ok(res.reason.includes('Invalid signature!'));
      }),
      RUNS,
    );
  });

  test('any valid_until text: never throws; valid only if Python reads a time after now', () => {
    const vuText = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 16 }),
      fc.double().map(String),
      fc.constantFrom(
        'inf',
        'nan',
        '-inf',
        '1e16',
        '0x10',
        ' 1_600_000_900 ',
        '1600000000',
        '1600000000.0000004',
      ),
    );
    fc.assert(
      fc.property(vuText, text, (vu, authUser) => {
        let dict: Record<string, unknown>;
        try {
          dict = signatureToDict({ authUser, secretKey: KEY, validUntil: vu, now });
        } catch (err) {
          // Only text without a UTF-8 form (a lone surrogate) cannot be signed, as in Python.
          assert.ok(err instanceof TypeError);
          return;
        }
        const res = validate(dict);
        if (vu === '') assert.equal(res.result, true); // '' means "generate now + 600"
        // Independent (looser) reading: Python's float() also drops '_' between digits.
        const n = Number(vu.trim().replaceAll('_', ''));
        if (vu !== '' && (!Number.isFinite(n) || n <= NOW_S)) assert.equal(res.result, false, vu);
        if (!res.result && vu !== '')
          assert.deepEqual(res.reason, ['Signature timestamp expired!']);
      }),
      RUNS,
    );
  });

  test('hostile query strings never throw and never validate', () => {
    const part = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 20 }),
      fc.constantFrom(
        'signature=',
        'auth_user=',
        'valid_until=',
        'extra=',
        '%',
        '%ZZ',
        '%C3',
        '&',
        '=',
        '+',
        '#',
        '?',
      ),
    );
    fc.assert(
      fc.property(fc.array(part, { maxLength: 10 }), (parts) => {
        const q = parts.join('');
        const res = validate(q);
        assert.equal(res.result, false);
        assert.throws(
          () => extractSignedRequestData({ data: q, secretKey: KEY, validate: true, now }),
          (err: unknown) => err instanceof TesseraError,
        );
      }),
      RUNS,
    );
  });

  test('hostile dicts (any JSON) never throw and never validate', () => {
    const hostile = fc.dictionary(
      fc.oneof(
        fc.constantFrom('signature', 'auth_user', 'valid_until', 'extra', '__proto__', 'a'),
        fc.string(),
      ),
      fc.jsonValue(),
      { maxKeys: 6 },
    );
    fc.assert(
      fc.property(hostile, (data) => {
        const res = validate(data);
        assert.equal(res.result, false);
        for (const dumper of ['default', 'javascript'] as const) {
          validateSignedRequestData({
            data,
            secretKey: KEY,
            now,
            valueDumper: dumper,
            quoter: dumper,
          });
        }
        assert.throws(
          () => extractSignedRequestData({ data, secretKey: KEY, validate: true, now }),
          (err: unknown) => err instanceof TesseraError,
        );
      }),
      RUNS,
    );
  });
});
