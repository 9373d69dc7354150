/** Handoff API: options, round trips, JSON decisions, schemas, and the hostile-body paths. */
import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { describe, test } from 'node:test';
import { deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import {
  BadData,
  BadPayload,
  BadSignature,
  decode,
  encode,
  getVariant,
  Handoff,
  PayloadTooLarge,
  type StandardSchemaV1,
  TesseraError,
} from '../../src/handoff/index.ts';
import { bodyA, bodyAUnpadded, bodyB, signBody, tokenOf } from './craft.ts';

const SECRET = 'handoff test secret';
const IV = Buffer.from('000102030405060708090a0b0c0d0e0f', 'hex');

function numberSchema(): StandardSchemaV1<unknown, { n: number }> {
  return {
    '~standard': {
      version: 1,
      vendor: 'test',
      validate: (v) =>
        typeof v === 'object' && v !== null && typeof (v as { n?: unknown }).n === 'number'
          ? { value: v as { n: number } }
          : { issues: [{ message: 'n must be a number' }] },
    },
  };
}

describe('Handoff: spec examples', () => {
  test('B and fixed-IV A for {"a": 1} with secret "docs" (spec §2)', () => {
    assert.equal(
      new Handoff('docs', { variant: 'B' }).encode({ a: 1 }),
      'XHBC6h_bA2JyvRfjp6O6SChkEQ6CrAeNqrVkpUslIwrAUACeUCKQHX',
    );
    assert.equal(
      new Handoff('docs', { random: () => IV }).encode({ a: 1 }),
      'XHAAAEyhCOmNxPNGamSBIPW3LYJ86AAAECAwQFBgcICQoLDA0OD5eLRdkfPzKvKW5521fpYLmsfPxyKydZu2Gf6YNfDydOHX',
    );
  });

  test('a secret as string or as its UTF-8 bytes gives the same token', () => {
    const s = 'dév-sécrèt';
    assert.equal(
      new Handoff(s, { variant: 'B' }).encode([1]),
      new Handoff(Buffer.from(s, 'utf8'), { variant: 'B' }).encode([1]),
    );
  });
});

describe('Handoff: round trips', () => {
  const values: unknown[] = [
    null,
    true,
    0,
    -340042,
    730.2022,
    'dév 😀 \u2028 "q" \\',
    [],
    {},
    { nested: { list: [1, [2, [3]]], s: 'x' } },
    { big: 'x'.repeat(50_000) },
  ];
  for (const variant of ['A', 'B'] as const) {
    test(`variant ${variant}`, () => {
      const h = new Handoff(SECRET, { variant });
      for (const v of values) {
        const token = h.encode(v);
        assert.match(token, /^XH[AB][A-Za-z0-9_-]+HX$/);
        assert.equal(getVariant(token), variant);
        assert.deepEqual(h.decode(token), v);
        assert.deepEqual(decode(token, SECRET), v);
      }
    });
  }

  test('one-call encode uses variant A by default and random IVs', () => {
    const a = encode({ x: 1 }, SECRET);
    const b = encode({ x: 1 }, SECRET);
    assert.equal(getVariant(a), 'A');
    assert.notEqual(a, b);
    assert.deepEqual(decode(a, SECRET), { x: 1 });
  });

  test('many IVs from the pool are all different', () => {
    const h = new Handoff(SECRET);
    const seen = new Set<string>();
    for (let i = 0; i < 600; i++) seen.add(h.encode(1).slice(30, 52));
    assert.equal(seen.size, 600);
  });
});

describe('Handoff: JSON decisions', () => {
  test('NaN and ±Infinity are written as Python writes them and read back', () => {
    const h = new Handoff(SECRET, { variant: 'B' });
    const token = h.encode({
      nan: Number.NaN,
      inf: Number.POSITIVE_INFINITY,
      ninf: Number.NEGATIVE_INFINITY,
    });
    const out = h.decode(token) as Record<string, number>;
    assert.ok(Number.isNaN(out.nan));
    assert.equal(out.inf, Number.POSITIVE_INFINITY);
    assert.equal(out.ninf, Number.NEGATIVE_INFINITY);
  });

  test('integers beyond 2^53 are read as bigint; other numbers stay numbers', () => {
    const token = tokenOf(
      SECRET,
      'B',
      '{"id": 12345678901234567891, "p": 1152921504606846976, "f": 1.5e300, "s": "12345678901234567891"}',
    );
    const out = decode(token, SECRET) as Record<string, unknown>;
    assert.equal(out.id, 12345678901234567891n);
    assert.equal(out.p, 2n ** 60n);
    assert.equal(out.f, 1.5e300);
    assert.equal(out.s, '12345678901234567891');
    // and they go back out as the same digits
    const again = new Handoff(SECRET, { variant: 'B' }).encode(out);
    assert.deepEqual(decode(again, SECRET), out);
  });

  test('a huge integer literal is kept exact too', () => {
    const digits = '9'.repeat(400);
    assert.equal(decode(tokenOf(SECRET, 'B', digits), SECRET), BigInt(digits));
  });

  test('__proto__ keys are dropped, on both parser paths', () => {
    for (const text of [
      '{"__proto__": {"x": 1}, "a": 1}',
      '{"__proto__": {"x": 1}, "a": 12345678901234567891}',
    ]) {
      const out = decode(tokenOf(SECRET, 'A', text), SECRET) as Record<string, unknown>;
      assert.equal(Object.getPrototypeOf(out), Object.prototype);
      assert.equal(Object.hasOwn(out, '__proto__'), false);
      assert.equal(({} as Record<string, unknown>).x, undefined);
    }
  });

  test('JSON in UTF-8 with BOM, UTF-16 and UTF-32 (json.detect_encoding) decodes', () => {
    const text = '{"k": "é😀"}';
    const le16 = Buffer.from(text, 'utf16le');
    const be16 = Buffer.from(le16).swap16();
    const le32 = Buffer.alloc(text.length * 4);
    let n = 0;
    for (const ch of text) le32.writeUInt32LE(ch.codePointAt(0) ?? 0, 4 * n++);
    const u32le = le32.subarray(0, 4 * n);
    const u32be = Buffer.from(u32le).swap32();
    const forms = [
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]),
      le16,
      be16,
      Buffer.concat([Buffer.from([0xff, 0xfe]), le16]),
      Buffer.concat([Buffer.from([0xfe, 0xff]), be16]),
      u32le,
      u32be,
      Buffer.concat([Buffer.from([0xff, 0xfe, 0, 0]), u32le]),
      Buffer.concat([Buffer.from([0, 0, 0xfe, 0xff]), u32be]),
    ];
    for (const bytes of forms)
      assert.deepEqual(decode(tokenOf(SECRET, 'B', bytes), SECRET), { k: 'é😀' });
    // two-byte documents
    assert.equal(decode(tokenOf(SECRET, 'B', Buffer.from('7', 'utf16le')), SECRET), 7);
    assert.equal(decode(tokenOf(SECRET, 'B', Buffer.from('7', 'utf16le').swap16()), SECRET), 7);
  });

  test('undecodable text is a BadPayload', () => {
    const bad = [
      Buffer.from([0x22, 0xff, 0x22]), // invalid UTF-8
      Buffer.from([0x37, 0x00, 0x37]), // odd-length UTF-16
      Buffer.from([0x37, 0, 0, 0, 0x37, 0]), // ragged UTF-32
      Buffer.from([0, 0, 0x11, 0]), // UTF-32 BE beyond U+10FFFF
    ];
    for (const bytes of bad)
      assert.throws(() => decode(tokenOf(SECRET, 'B', bytes), SECRET), BadPayload);
  });

  test('invalid JSON is a BadPayload carrying the payload', () => {
    for (const text of [
      '',
      '{',
      'nope',
      '[1,]',
      '{"a": 1} x',
      '"\u0001"',
      'NaNa',
      '[12345678901234567890',
      '[12345678901234567890,}',
    ]) {
      assert.throws(
        () => decode(tokenOf(SECRET, 'A', text), SECRET),
        (err: unknown) => err instanceof BadPayload && err.payload !== undefined,
      );
    }
  });

  test('deep nesting is refused on the exact path, not a stack overflow', () => {
    const deep = `${'['.repeat(5000)}12345678901234567891${']'.repeat(5000)}`;
    assert.throws(() => decode(tokenOf(SECRET, 'B', deep), SECRET), BadPayload);
  });

  test('a value JSON cannot hold is a TypeError at encode (programmer error)', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    assert.throws(() => new Handoff(SECRET).encode(cyclic), TypeError);
    assert.throws(() => new Handoff(SECRET).encode(undefined), TypeError);
  });
});

describe('Handoff: schema', () => {
  test('output of a passing schema is returned', () => {
    const h = new Handoff(SECRET);
    const out: { n: number } = h.decode(h.encode({ n: 3 }), { schema: numberSchema() });
    assert.deepEqual(out, { n: 3 });
    assert.deepEqual(decode(h.encode({ n: 4 }), SECRET, { schema: numberSchema() }), { n: 4 });
  });

  test('a failing schema is a BadPayload with the issues as cause', () => {
    const h = new Handoff(SECRET);
    assert.throws(
      () => h.decode(h.encode({ n: 'x' }), { schema: numberSchema() }),
      (err: unknown) =>
        err instanceof BadPayload &&
        /n must be a number/.test(err.message) &&
        Array.isArray(err.cause),
    );
  });

  test('an async or malformed schema is a TypeError', () => {
    const h = new Handoff(SECRET);
    const token = h.encode({ n: 1 });
    const asyncSchema = {
      '~standard': { version: 1, vendor: 'x', validate: async (v: unknown) => ({ value: v }) },
    } as StandardSchemaV1;
    assert.throws(() => h.decode(token, { schema: asyncSchema }), TypeError);
    assert.throws(() => h.decode(token, { schema: {} as StandardSchemaV1 }), TypeError);
  });
});

describe('Handoff: misuse throws at construction', () => {
  test('secrets', () => {
    assert.throws(() => new Handoff(''), RangeError);
    assert.throws(() => new Handoff(new Uint8Array(0)), RangeError);
    assert.throws(() => new Handoff('\ud800x'), RangeError);
    assert.throws(() => new Handoff('x\udc00'), RangeError);
    assert.throws(() => new Handoff(42 as unknown as string), TypeError);
    assert.throws(() => new Handoff(undefined as unknown as string), TypeError);
    new Handoff('\ud83d\ude00'); // a well-formed pair is fine
  });

  test('options', () => {
    assert.throws(() => new Handoff(SECRET, { variant: 'C' as 'A' }), RangeError);
    assert.throws(() => new Handoff(SECRET, { variants: [] }), RangeError);
    assert.throws(() => new Handoff(SECRET, { variants: ['A', 'X' as 'A'] }), RangeError);
    assert.throws(() => new Handoff(SECRET, { variants: 'A' as unknown as ['A'] }), RangeError);
    assert.throws(() => new Handoff(SECRET, { maxInflate: 0 }), RangeError);
    assert.throws(() => new Handoff(SECRET, { maxInflate: 1.5 }), RangeError);
    assert.throws(
      () => new Handoff(SECRET, { random: 1 as unknown as () => Uint8Array }),
      TypeError,
    );
    assert.throws(() => new Handoff(SECRET, null as unknown as object), TypeError);
  });

  test('a random() that returns the wrong thing is a TypeError at encode', () => {
    assert.throws(
      () => new Handoff(SECRET, { random: () => new Uint8Array(8) }).encode(1),
      TypeError,
    );
    assert.throws(
      () => new Handoff(SECRET, { random: () => 'x' as unknown as Uint8Array }).encode(1),
      TypeError,
    );
  });
});

describe('Handoff: hostile tokens', () => {
  const h = new Handoff(SECRET);
  const good = h.encode({ a: 1 });

  test('non-string tokens are BadData', () => {
    for (const t of [undefined, null, 42, ['XHA'], { token: good }, Buffer.from(good)]) {
      assert.throws(() => h.decode(t as unknown as string), BadData);
    }
  });

  test('variants not accepted are BadData', () => {
    const onlyA = new Handoff(SECRET, { variants: ['A'] });
    const b = new Handoff(SECRET, { variant: 'B' }).encode(1);
    assert.throws(
      () => onlyA.decode(b),
      (e: unknown) => e instanceof BadData && !(e instanceof BadSignature),
    );
    assert.equal(onlyA.decode(good) !== undefined, true);
  });

  test('a header MAC spelled non-canonically is refused (one token, one spelling)', () => {
    // 27 chars carry 162 bits for a 160-bit MAC: the last char has 2 spare bits.
    const last = good[29] as string;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const idx = alphabet.indexOf(last);
    const sibling = alphabet[idx ^ 1] as string;
    const respelled = `${good.slice(0, 29)}${sibling}${good.slice(30)}`;
    assert.throws(() => h.decode(respelled), BadSignature);
    const plus = good.slice(3, 30).includes('-') ? good.replace(/^(XHA[^-]*)-/, '$1+') : undefined;
    if (plus !== undefined) assert.throws(() => h.decode(plus), BadSignature);
  });

  test('the footer must be exactly HX, even with a good MAC', () => {
    const body = bodyB(deflateSync('1'));
    const token = signBody(SECRET, 'B', body);
    assert.equal(decode(token, SECRET), 1);
    for (const footer of ['XH', 'hx', 'H', '']) {
      assert.throws(
        () => decode(`${token.slice(0, -2)}${footer}`, SECRET),
        (e: unknown) => e instanceof BadData && (footer.length < 2 || !(e instanceof BadPayload)),
      );
    }
  });

  test('an empty or short body behind a good MAC', () => {
    assert.throws(() => decode(signBody(SECRET, 'A', ''), SECRET), BadPayload);
    assert.throws(() => decode(signBody(SECRET, 'B', ''), SECRET), BadPayload);
    // IV only, no ciphertext
    assert.throws(
      () => decode(signBody(SECRET, 'A', Buffer.alloc(16).toString('base64url')), SECRET),
      BadPayload,
    );
    // 30 and 31 characters: no room for a body; the MAC of '' cannot match a random header
    assert.throws(() => decode(good.slice(0, 30), SECRET), BadSignature);
    assert.throws(() => decode(good.slice(0, 31), SECRET), BadSignature);
    assert.throws(
      () => decode(good.slice(0, 29), SECRET),
      (e: unknown) => e instanceof BadData && !(e instanceof BadSignature),
    );
  });

  test('a body that is not a zlib stream, or padding that is wrong, is a BadPayload', () => {
    const z = deflateSync('{"a": 1}');
    assert.throws(
      () => decode(signBody(SECRET, 'B', bodyB(deflateRawSync('{"a": 1}'))), SECRET),
      BadPayload,
    );
    assert.throws(
      () => decode(signBody(SECRET, 'B', bodyB(gzipSync('{"a": 1}'))), SECRET),
      BadPayload,
    );
    assert.throws(
      () => decode(signBody(SECRET, 'A', bodyA(SECRET, Buffer.from('not zlib'))), SECRET),
      BadPayload,
    );
    // pad byte 0, pad byte 17, and a pad run that disagrees with its count
    for (const [pad, other] of [
      [0, 0],
      [17, 17],
      [3, 4],
    ] as const) {
      const padded = Buffer.concat([z, Buffer.alloc(16 - (z.length % 16), pad)]);
      padded[padded.length - 2] = other;
      assert.throws(
        () => decode(signBody(SECRET, 'A', bodyAUnpadded(SECRET, padded)), SECRET),
        BadPayload,
      );
    }
    // a ragged ciphertext
    const ragged = Buffer.concat([Buffer.alloc(16), Buffer.alloc(20)]).toString('base64url');
    assert.throws(() => decode(signBody(SECRET, 'A', ragged), SECRET), BadPayload);
  });

  test('a body in the standard alphabet verifies when it was signed that way', () => {
    const std = Buffer.from(deflateSync('"+/?"')).toString('base64').replace(/=+$/, '');
    assert.equal(decode(signBody(SECRET, 'B', std), SECRET), '+/?');
    // ...and a body of the wrong length behind a good MAC is a BadPayload (the original's ValueError)
    assert.throws(() => decode(signBody(SECRET, 'B', 'AAAAA'), SECRET), BadPayload);
    assert.throws(() => decode(signBody(SECRET, 'B', 'AA!A'), SECRET), BadPayload);
    assert.throws(() => decode(signBody(SECRET, 'B', 'é'), SECRET), BadPayload);
  });

  test('a validly signed bomb is a PayloadTooLarge (a BadPayload), for both variants', () => {
    const bomb = Buffer.alloc(10 * 1024 * 1024, 0x20);
    for (const variant of ['A', 'B'] as const) {
      const token = tokenOf(SECRET, variant, bomb);
      assert.ok(token.length < 40_000);
      assert.throws(
        () => decode(token, SECRET),
        (e: unknown) => e instanceof PayloadTooLarge && e instanceof BadPayload,
      );
    }
    const small = new Handoff(SECRET, { maxInflate: 64 });
    assert.throws(() => small.decode(small.encode('x'.repeat(65))), PayloadTooLarge);
    assert.equal(small.decode(small.encode('x'.repeat(60))), 'x'.repeat(60));
  });

  test('any error thrown is a TesseraError', () => {
    for (const t of [
      '',
      'X',
      'XH',
      'XHA',
      'XHC',
      'XHA'.padEnd(40, '='),
      `${good}HX`,
      good.toLowerCase(),
    ]) {
      assert.throws(() => h.decode(t), TesseraError);
    }
  });
});
