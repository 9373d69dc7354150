/**
 * Properties of tessera/handoff: every JSON value round-trips in both variants; no mutation of a
 * valid token (substitution, bit flip, truncation, extension, insertion, deletion, variant swap,
 * footer change) ever decodes; random input never decodes; and whatever is thrown is a
 * TesseraError. A validly signed body that inflates past the cap is a BadPayload.
 */
import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { pyDumps } from '../../src/core/json.ts';
import {
  BadPayload,
  BadSignature,
  Handoff,
  PayloadTooLarge,
  TesseraError,
} from '../../src/handoff/index.ts';
import { pythonJsonDumps } from '../../src/handoff/json.ts';
import { tokenOf } from '../handoff/craft.ts';

const SECRET = 'property secret';
const RUNS = 300;

/** Assert `run` throws, and throws only a TesseraError. */
function rejects(run: () => unknown): void {
  let error: unknown;
  let returned: unknown;
  try {
    returned = run();
  } catch (err) {
    error = err;
  }
  assert.ok(error !== undefined, `decoded to ${JSON.stringify(returned)}`);
  assert.ok(error instanceof TesseraError, `threw a non-Tessera error: ${String(error)}`);
}

// JSON values as Ax_Handoff carries them, including Python's NaN/Infinity and exact big integers.
const unsafeInt = fc
  .tuple(fc.boolean(), fc.bigInt({ min: 2n ** 53n, max: 2n ** 80n }))
  .map(([negative, b]) => (negative ? -b : b))
  .filter((b) => BigInt(Number(b)) !== b);
const { json } = fc.letrec((tie) => ({
  json: fc.oneof(
    { depthSize: 'small' },
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.double(),
    unsafeInt,
    fc.string({ unit: 'binary' }),
    fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)) }),
    fc.array(tie('json'), { maxLength: 5 }),
    fc.dictionary(
      fc.string({ unit: 'binary' }).filter((k) => k !== '__proto__'),
      tie('json'),
      { maxKeys: 5 },
    ),
  ),
}));

/** What a value reads back as: -0 is written as the Python int 0. */
function normalise(v: unknown): unknown {
  if (Object.is(v, -0)) return 0;
  if (Array.isArray(v)) return v.map(normalise);
  if (v !== null && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, normalise(x)]));
  }
  return v;
}

function mutations(token: string): fc.Arbitrary<string> {
  const anyChar = fc.oneof(
    fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_+/=HX'),
    fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
  );
  const at = fc.nat({ max: token.length - 1 });
  return fc
    .oneof(
      // substitute one character
      fc.tuple(at, anyChar).map(([i, c]) => token.slice(0, i) + c + token.slice(i + 1)),
      // flip one bit of one character code (ASCII range)
      fc
        .tuple(at, fc.nat({ max: 6 }))
        .map(
          ([i, bit]) =>
            token.slice(0, i) +
            String.fromCharCode(token.charCodeAt(i) ^ (1 << bit)) +
            token.slice(i + 1),
        ),
      // truncate
      at.map((n) => token.slice(0, n)),
      // cut from the front
      fc.integer({ min: 1, max: token.length }).map((n) => token.slice(n)),
      // extend
      fc.string({ minLength: 1, maxLength: 8 }).map((s) => token + s),
      // insert
      fc
        .tuple(at, fc.string({ minLength: 1, maxLength: 4 }))
        .map(([i, s]) => token.slice(0, i) + s + token.slice(i)),
      // delete a range
      fc
        .tuple(at, fc.integer({ min: 1, max: 8 }))
        .map(([i, n]) => token.slice(0, i) + token.slice(i + n)),
      // swap the variant letter
      fc.constant(token.slice(0, 2) + (token[2] === 'A' ? 'B' : 'A') + token.slice(3)),
    )
    .filter((m) => m !== token);
}

describe('handoff properties', () => {
  for (const variant of ['A', 'B'] as const) {
    test(`variant ${variant}: every JSON value round-trips`, () => {
      const h = new Handoff(SECRET, { variant });
      fc.assert(
        fc.property(json, (v) => {
          assert.deepEqual(h.decode(h.encode(v)), normalise(v));
        }),
        { numRuns: RUNS },
      );
    });

    test(`variant ${variant}: no mutation of a valid token decodes`, () => {
      fc.assert(
        fc.property(
          json,
          fc.uint8Array({ minLength: 16, maxLength: 16 }),
          fc.nat(),
          (v, iv, seed) => {
            const h = new Handoff(SECRET, { variant, random: () => iv });
            const token = h.encode(v);
            fc.assert(
              fc.property(mutations(token), (m) => rejects(() => h.decode(m))),
              {
                numRuns: 20,
                seed,
              },
            );
          },
        ),
        { numRuns: 60 },
      );
    });
  }

  test('the JSON.stringify fast path writes exactly what pyDumps writes', () => {
    const value = fc.oneof(
      json,
      fc.jsonValue(),
      fc.double(),
      fc.array(
        fc.oneof(
          fc.double(),
          fc.integer(),
          fc.constantFrom(1e-5, 1e16, 2 ** 53, 0.0001, 1e21, -0, 5e-324),
        ),
      ),
      fc.dictionary(
        fc.string(),
        fc.oneof(fc.string(), fc.double(), fc.constant(new Map([['a', 1]]))),
      ),
    );
    fc.assert(
      fc.property(value, (v) => {
        assert.equal(pythonJsonDumps(v), pyDumps(v));
      }),
      { numRuns: 2000 },
    );
  });

  test('every single-bit flip of every character is rejected', () => {
    for (const variant of ['A', 'B'] as const) {
      const h = new Handoff(SECRET, { variant });
      const token = h.encode({ uid: 42, role: 'admin' });
      for (let i = 0; i < token.length; i++) {
        for (let bit = 0; bit < 8; bit++) {
          const m =
            token.slice(0, i) +
            String.fromCharCode(token.charCodeAt(i) ^ (1 << bit)) +
            token.slice(i + 1);
          rejects(() => h.decode(m));
        }
      }
    }
  });

  test('a token signed with another secret never decodes, and says BadSignature', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), json, (other, v) => {
        fc.pre(other !== SECRET);
        const token = new Handoff(other).encode(v);
        assert.throws(() => new Handoff(SECRET).decode(token), BadSignature);
      }),
      { numRuns: 100 },
    );
  });

  test('random strings never decode', () => {
    const h = new Handoff(SECRET);
    const prefixed = fc.tuple(
      fc.constantFrom('XHA', 'XHB', 'XH', ''),
      fc.string({ unit: 'binary', maxLength: 200 }),
    );
    fc.assert(
      fc.property(prefixed, ([p, s]) => rejects(() => h.decode(p + s))),
      { numRuns: 1000 },
    );
    fc.assert(
      fc.property(fc.anything(), (v) => {
        fc.pre(typeof v !== 'string');
        rejects(() => h.decode(v as string));
      }),
      { numRuns: 200 },
    );
  });

  test('a validly signed body that inflates past the cap is a BadPayload (PayloadTooLarge)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('A', 'B') as fc.Arbitrary<'A' | 'B'>,
        fc.integer({ min: 64, max: 4096 }),
        fc.integer({ min: 1, max: 5000 }),
        fc.integer({ min: 0, max: 255 }),
        (variant, cap, excess, fill) => {
          const token = tokenOf(SECRET, variant, Buffer.alloc(cap + excess, fill));
          assert.throws(
            () => new Handoff(SECRET, { maxInflate: cap }).decode(token),
            (e: unknown) => e instanceof PayloadTooLarge && e instanceof BadPayload,
          );
        },
      ),
      { numRuns: 200 },
    );
  });
});
