/**
 * Properties of tessera/itsdangerous against hostile input:
 * - random strings and bytes are never accepted, and only Tessera errors are thrown;
 * - a one-character change, truncation or extension of a valid token is rejected, unless it is
 *   one of the forms itsdangerous' lenient base64 also accepts (spec §2): then the signed part is
 *   untouched, the signature segment decodes to the same bytes, and the value is the same;
 * - a genuine URL-safe payload that inflates past the cap is a `PayloadTooLarge`, in bounded memory;
 * - dumps/loads and sign/unsign round-trip any JSON value, string and byte string.
 */

import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { describe, test } from 'node:test';
import { deflateSync } from 'node:zlib';
import fc from 'fast-check';
import { TesseraError } from '../../src/core/errors.ts';
import { base64Decode, base64Encode } from '../../src/itsdangerous/encoding.ts';
import {
  BadPayload,
  BadSignature,
  PayloadTooLarge,
  Serializer,
  Signer,
  type SignerOptions,
  TimedSerializer,
  TimestampSigner,
  URLSafeSerializer,
  URLSafeTimedSerializer,
} from '../../src/itsdangerous/index.ts';

const RUNS = 200;

/** The injected clock (seconds) every timed subject reads. */
let clock = 1_700_000_000;
const now = (): number => clock * 1000;

/** What verification returned: the value (and time) or the Tessera error it threw. */
type Outcome<T> = { ok: true; value: T; timestamp?: number } | { ok: false; error: TesseraError };

/** Run `fn`; a Tessera error is an outcome, anything else fails the property. */
function attempt<T>(fn: () => { value: T; timestamp?: number }): Outcome<T> {
  try {
    return { ok: true, ...fn() };
  } catch (err) {
    if (err instanceof TesseraError) return { ok: false, error: err };
    throw new assert.AssertionError({
      message: `non-Tessera error thrown: ${(err as Error)?.stack ?? err}`,
    });
  }
}

/** A class under test, with one configuration. */
interface Subject<T> {
  name: string;
  sep: string;
  /** Values it signs. */
  input: fc.Arbitrary<T>;
  sign(value: T): string;
  verify(token: string): { value: T; timestamp?: number };
  /** Every non-throwing entry point must not throw on this token either. */
  probe(token: string): void;
  same(a: T, b: T): boolean;
}

/** Text values; U+FFFD and separators are common, so mutations can aim at them. */
const text = fc.string({
  unit: fc.oneof(
    fc.constantFrom('\ufffd', '.', ':'),
    fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
  ),
  maxLength: 60,
});
const json = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.jsonValue({ maxDepth: 3, stringUnit: 'binary' }),
);
/** What loads must return for `v`: JSON's view of it (`-0` is `0`), without `__proto__` keys. */
const normalJson = (v: unknown): unknown =>
  JSON.parse(JSON.stringify(v), (k, x) => (k === '__proto__' ? undefined : x));

function signerSubject(
  name: string,
  options: SignerOptions & { sep?: string } = {},
  key: string | string[] = 'k',
): Subject<string> {
  const s = new Signer(key, options);
  return {
    name,
    sep: options.sep ?? '.',
    input: text,
    sign: (v) => s.sign(v),
    verify: (t) => ({ value: s.unsign(t) }),
    probe: (t) => {
      s.validate(t);
      s.safeUnsign(t);
      s.validate(Buffer.from(t));
    },
    same: (a, b) => a === b,
  };
}

function timestampSignerSubject(
  name: string,
  options: SignerOptions & { sep?: string } = {},
): Subject<string> {
  const s = new TimestampSigner('k', { ...options, now });
  return {
    name,
    sep: options.sep ?? '.',
    input: text,
    sign: (v) => s.sign(v),
    verify: (t) => {
      const r = s.unsign(t, { maxAge: 3600, returnTimestamp: true });
      return { value: r.value, timestamp: r.timestamp.getTime() };
    },
    probe: (t) => {
      s.validate(t);
      s.validate(t, { maxAge: 10 });
      s.safeUnsign(t, { maxAge: 10 });
    },
    same: (a, b) => a === b,
  };
}

function serializerSubject(name: string, s: Serializer, sep = '.'): Subject<unknown> {
  return {
    name,
    sep,
    input: json,
    sign: (v) => s.dumps(v),
    verify: (t) => {
      if (s instanceof TimedSerializer) {
        const r = s.loads(t, { maxAge: 3600, returnTimestamp: true });
        return { value: r.value, timestamp: r.timestamp.getTime() };
      }
      return { value: s.loads(t) };
    },
    probe: (t) => {
      s.safeLoads(t);
      s.loadsUnsafe(t);
      if (s instanceof TimedSerializer) s.loadsUnsafe(t, { maxAge: 10 });
    },
    same: (a, b) => {
      try {
        assert.deepStrictEqual(a, b);
        return true;
      } catch {
        return false;
      }
    },
  };
}

const SUBJECTS: Subject<unknown>[] = [
  signerSubject('Signer'),
  signerSubject('Signer sha256 hmac', { digestMethod: 'sha256', keyDerivation: 'hmac' }),
  signerSubject('Signer md5 concat sep ":"', {
    digestMethod: 'md5',
    keyDerivation: 'concat',
    sep: ':',
  }),
  signerSubject(
    'Signer sha512 none-derivation, key ring',
    { digestMethod: 'sha512', keyDerivation: 'none' },
    ['old', 'new'],
  ),
  timestampSignerSubject('TimestampSigner'),
  timestampSignerSubject('TimestampSigner sha384 sep "::"', { digestMethod: 'sha384', sep: '::' }),
  serializerSubject('Serializer', new Serializer('k')),
  serializerSubject(
    'Serializer sha224',
    new Serializer('k', { signer: { digestMethod: 'sha224' } }),
  ),
  serializerSubject('TimedSerializer', new TimedSerializer('k', { now })),
  serializerSubject('URLSafeSerializer', new URLSafeSerializer('k')),
  serializerSubject(
    'URLSafeSerializer hmac sep "~"',
    new URLSafeSerializer('k', { signer: { keyDerivation: 'hmac', sep: '~' } }),
    '~',
  ),
  serializerSubject('URLSafeTimedSerializer', new URLSafeTimedSerializer('k', { now })),
  serializerSubject(
    'URLSafeTimedSerializer sha512 fallback',
    new URLSafeTimedSerializer(['a', 'b'], {
      now,
      salt: 'x',
      fallbackSigners: [{ digestMethod: 'sha512' }],
    }),
  ),
] as Subject<unknown>[];

// ---- mutations ----

/** Characters a mutation writes: alphabet, other alphabet, pad, separators, junk, non-ASCII. */
const CHAR = fc.oneof(
  fc.constantFrom(
    ...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_+/=.:~!* \u0000é\ufffd',
  ),
  fc.constantFrom('\ud800', '\udfff'),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
);

type Mutation =
  | { kind: 'replace' | 'insert'; at: number; tail: boolean; ch: string }
  | { kind: 'delete' | 'truncate'; at: number; tail: boolean }
  | { kind: 'append'; s: string };

const MUTATION: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({
    kind: fc.constantFrom('replace' as const, 'insert' as const),
    at: fc.nat(),
    tail: fc.boolean(),
    ch: CHAR,
  }),
  fc.record({
    kind: fc.constantFrom('delete' as const, 'truncate' as const),
    at: fc.nat(),
    tail: fc.boolean(),
  }),
  fc.record({
    kind: fc.constant('append' as const),
    s: fc.string({ unit: CHAR, minLength: 1, maxLength: 4 }),
  }),
);

/** A position, biased half the time to the last 40 code units (where the signature is). */
function position(len: number, at: number, tail: boolean): number {
  if (len === 0) return 0;
  return tail ? len - 1 - (at % Math.min(len, 40)) : at % len;
}

function mutate(token: string, m: Mutation): string {
  if (m.kind === 'append') return token + m.s;
  const i = position(token.length, m.at, m.tail);
  switch (m.kind) {
    case 'replace':
      return token.slice(0, i) + m.ch + token.slice(i + 1);
    case 'insert':
      return token.slice(0, i) + m.ch + token.slice(i);
    case 'delete':
      return token.slice(0, i) + token.slice(i + 1);
    default:
      return token.slice(0, i);
  }
}

/** The signed part (before the last separator) and the signature segment, as bytes. */
function split(token: string, sep: string): [Buffer, Buffer] {
  const bytes = Buffer.from(token);
  const at = bytes.lastIndexOf(Buffer.from(sep));
  return [bytes.subarray(0, at), bytes.subarray(at + Buffer.byteLength(sep))];
}

describe('itsdangerous: hostile tokens', () => {
  for (const subject of SUBJECTS) {
    test(`${subject.name}: random strings and bytes are never accepted`, () => {
      const tokenish = fc.string({
        unit: fc.constantFrom(...'AZaz09-_+/=.:~!é'.split(''), subject.sep),
        maxLength: 80,
      });
      fc.assert(
        fc.property(
          fc.oneof(fc.string({ unit: 'binary' }), fc.string(), tokenish),
          fc.uint8Array(),
          (s, bytes) => {
            for (const token of [s, bytes.toString(), Buffer.from(bytes).toString('latin1')]) {
              const r = attempt(() => subject.verify(token));
              assert.equal(r.ok, false, `accepted ${JSON.stringify(token)}`);
              subject.probe(token);
            }
          },
        ),
        { numRuns: RUNS },
      );
    });

    test(`${subject.name}: mutated tokens are rejected or mean exactly the same`, () => {
      fc.assert(
        fc.property(
          subject.input,
          fc.integer({ min: 0, max: 2 ** 33 }),
          MUTATION,
          (value, ts, m) => {
            clock = ts;
            const token = subject.sign(value);
            const original = attempt(() => subject.verify(token));
            assert.ok(original.ok, 'the unmutated token verifies');
            const mutated = mutate(token, m);
            fc.pre(mutated !== token);
            const r = attempt(() => subject.verify(mutated));
            subject.probe(mutated);
            if (!r.ok) return;
            // Accepted: only the signature's encoding may differ (spec §2), never what it signs.
            assert.ok(
              subject.same(r.value, original.value),
              `different value from ${JSON.stringify(mutated)}`,
            );
            assert.equal(r.timestamp, original.timestamp);
            const [signed, sig] = split(token, subject.sep);
            const [mSigned, mSig] = split(mutated, subject.sep);
            assert.ok(mSigned.equals(signed), `signed part changed: ${JSON.stringify(mutated)}`);
            assert.deepEqual(
              base64Decode(mSig),
              base64Decode(sig),
              `signature bytes differ: ${JSON.stringify(mutated)}`,
            );
          },
        ),
        { numRuns: RUNS * 2 },
      );
    });
  }

  test('Signer: mutated byte tokens are rejected or mean exactly the same', () => {
    const signers = [
      new Signer('k'),
      new TimestampSigner('k', { sep: Buffer.from([0xff]), now }),
      new Signer('k', { sep: 'é' }),
    ];
    fc.assert(
      fc.property(
        fc.constantFrom(...signers),
        fc.uint8Array({ maxLength: 60 }),
        fc.nat(),
        fc.nat(),
        fc.uint8Array({ minLength: 1, maxLength: 3 }),
        fc.constantFrom('replace', 'insert', 'delete', 'truncate', 'append'),
        (signer, value, at, tsSeed, bytes, kind) => {
          clock = tsSeed;
          const token = Buffer.from(signer.sign(value));
          const i = at % token.length;
          const mutated =
            kind === 'replace'
              ? Buffer.concat([token.subarray(0, i), bytes.subarray(0, 1), token.subarray(i + 1)])
              : kind === 'insert'
                ? Buffer.concat([token.subarray(0, i), bytes, token.subarray(i)])
                : kind === 'delete'
                  ? Buffer.concat([token.subarray(0, i), token.subarray(i + 1)])
                  : kind === 'truncate'
                    ? token.subarray(0, i)
                    : Buffer.concat([token, bytes]);
          fc.pre(!mutated.equals(token));
          const r = attempt(() => ({ value: signer.unsign(mutated) }));
          signer.validate(mutated);
          signer.safeUnsign(mutated);
          if (!r.ok) return;
          assert.ok(Buffer.from(r.value).equals(Buffer.from(value)), 'different value');
          const at2 = mutated.lastIndexOf(Buffer.from(signer.sep));
          const sepAt = token.lastIndexOf(Buffer.from(signer.sep));
          assert.ok(
            mutated.subarray(0, at2).equals(token.subarray(0, sepAt)),
            'signed part changed',
          );
          assert.deepEqual(
            base64Decode(mutated.subarray(at2 + signer.sep.length)),
            base64Decode(token.subarray(sepAt + signer.sep.length)),
          );
        },
      ),
      { numRuns: RUNS * 2 },
    );
  });

  test('a lone surrogate where U+FFFD was signed is rejected (same UTF-8 bytes, different text)', () => {
    const subjects = [
      new Signer('k'),
      new TimestampSigner('k', { now }),
      new Signer('k', { sep: 'é' }),
    ];
    fc.assert(
      fc.property(
        fc.constantFrom(...subjects),
        text,
        fc.constantFrom('\ud800', '\udbff', '\udc00', '\udfff'),
        (s, v, lone) => {
          const token = s.sign(`${v}\ufffd`);
          assert.equal(s.unsign(token), `${v}\ufffd`);
          const forged = token.replace('\ufffd', lone);
          const r = attempt(() => ({ value: s.unsign(forged) }));
          assert.ok(!r.ok && r.error instanceof BadSignature, `accepted ${JSON.stringify(forged)}`);
        },
      ),
      { numRuns: 100 },
    );
  });

  test('the lenient forms Python accepts are accepted, with the same value (spec §2)', () => {
    const s = new Signer('secret-key');
    const token = s.sign('my string'); // 'my string.wh6tMHxLgJqB6oY1uT73iMlyrOA'
    const sig = token.slice(token.lastIndexOf('.') + 1);
    const std = sig.replaceAll('-', '+').replaceAll('_', '/');
    for (const form of [
      `${sig}=`,
      `${sig}==`,
      `${std}`,
      `!*${sig}`,
      `${sig.slice(0, 10)}!*${sig.slice(10)}`,
    ]) {
      assert.equal(s.unsign(`my string.${form}`), 'my string', form);
    }
    assert.throws(() => s.unsign(`my string.${sig.slice(0, -1)}`), BadSignature);
  });
});

describe('itsdangerous: decompression bomb', () => {
  /** `.` + base64url(zlib(50 MB of zeros)), signed with the right key and the serializers' salt. */
  function bomb(signer: Signer): { token: string; zeros: Buffer } {
    const zeros = Buffer.alloc(50 * 1024 * 1024);
    const payload = `.${base64Encode(deflateSync(zeros, { level: 9 }))}`;
    return { token: signer.sign(payload), zeros };
  }

  const cases: [string, () => { token: string; zeros: Buffer }, () => Serializer][] = [
    [
      'URLSafeSerializer',
      () => bomb(new Signer('k', { salt: 'itsdangerous' })),
      () => new URLSafeSerializer('k'),
    ],
    [
      'URLSafeTimedSerializer',
      () => bomb(new TimestampSigner('k', { salt: 'itsdangerous', now })),
      () => new URLSafeTimedSerializer('k', { now }),
    ],
  ];
  for (const [name, build, serializer] of cases) {
    test(`${name}: a genuine payload inflating past the cap is PayloadTooLarge, in bounded memory`, () => {
      const { token, zeros } = build();
      const s = serializer();
      const before = process.memoryUsage();
      let error: unknown;
      try {
        s.loads(token);
      } catch (err) {
        error = err;
      }
      const after = process.memoryUsage();
      assert.ok(error instanceof PayloadTooLarge, `got ${error}`);
      assert.ok(error instanceof BadPayload);
      assert.equal((error as PayloadTooLarge).code, 'ERR_PAYLOAD_TOO_LARGE');
      const grown = after.arrayBuffers + after.external - (before.arrayBuffers + before.external);
      assert.ok(grown < 4 * 1024 * 1024, `memory grew by ${grown} bytes`);
      // The same through the non-throwing entry points.
      const safe = s.safeLoads(token);
      assert.ok(!safe.valid && safe.error instanceof PayloadTooLarge);
      assert.deepEqual(s.loadsUnsafe(token), [false, undefined]);
      assert.equal(zeros.length, 50 * 1024 * 1024); // keeps the input alive across the measurement
    });
  }
});

describe('itsdangerous: round trips', () => {
  const serializers: [string, Serializer][] = [
    ['Serializer', new Serializer('k')],
    ['TimedSerializer', new TimedSerializer('k', { now })],
    ['URLSafeSerializer', new URLSafeSerializer('k')],
    ['URLSafeTimedSerializer', new URLSafeTimedSerializer('k', { now })],
  ];
  for (const [name, s] of serializers) {
    test(`${name}: loads(dumps(v)) is v for any JSON value`, () => {
      fc.assert(
        fc.property(fc.oneof(json, fc.jsonValue({ stringUnit: 'binary' })), (v) => {
          assert.deepStrictEqual(s.loads(s.dumps(v)), normalJson(v));
        }),
        { numRuns: RUNS },
      );
    });
  }

  test('Serializer: strings with lone surrogates survive (ensure_ascii escapes them)', () => {
    const lone = fc.string({
      unit: fc.oneof(
        fc.constantFrom('\ud800', '\udbff', '\udc00', '\udfff'),
        fc.string({ maxLength: 1 }),
      ),
    });
    for (const [, s] of serializers) {
      fc.assert(
        fc.property(lone, (v) => assert.equal(s.loads(s.dumps(v)), v)),
        { numRuns: 50 },
      );
    }
  });

  const signers: [string, Signer][] = [
    ['Signer', new Signer('k')],
    ['Signer sha256 sep ":"', new Signer(['a', 'b'], { digestMethod: 'sha256', sep: ':' })],
    ['TimestampSigner', new TimestampSigner('k', { now })],
    [
      'TimestampSigner md5 hmac sep "é"',
      new TimestampSigner('k', { now, digestMethod: 'md5', keyDerivation: 'hmac', sep: 'é' }),
    ],
  ];
  for (const [name, s] of signers) {
    test(`${name}: unsign(sign(x)) is x for any string and any Uint8Array`, () => {
      fc.assert(
        fc.property(
          fc.oneof(fc.string(), fc.string({ unit: 'binary' })),
          fc.uint8Array(),
          fc.nat(),
          (str, bytes, ts) => {
            clock = ts;
            assert.equal(s.unsign(s.sign(str)), str);
            assert.ok(Buffer.from(s.unsign(s.sign(bytes))).equals(Buffer.from(bytes)));
            // Text and byte forms of one value are the same token.
            assert.ok(Buffer.from(s.sign(str)).equals(Buffer.from(s.sign(Buffer.from(str)))));
          },
        ),
        { numRuns: RUNS },
      );
    });
  }
});
