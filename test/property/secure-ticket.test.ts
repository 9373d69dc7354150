/**
 * Properties of tessera/secure-ticket: every datum round-trips under every option; no mutation of
 * a valid ticket (bit flips in every field, truncation, extension, byte substitution, insertion,
 * encrypt-flag swap, base64 text edits) ever validates; random input never validates; openTicket
 * only ever throws TesseraErrors. A genuine ticket that inflates past the cap is a BadPayload.
 */
import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  BadPayload,
  PayloadTooLarge,
  SecureTicket,
  SecureTicketService,
  TesseraError,
} from '../../src/secure-ticket/index.ts';

const T0 = 1_700_000_000_000;
const RUNS = 200;

const bytesLike = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.uint8Array({ maxLength: 12 }),
);
const config = fc.record({
  key: fc.oneof(
    fc.string({ unit: 'binary', minLength: 1, maxLength: 48 }),
    fc.uint8Array({ minLength: 1, maxLength: 48 }),
  ),
  session: bytesLike,
  entropy: bytesLike,
  encrypt: fc.boolean(),
  compress: fc.boolean(),
  salt: fc.uint8Array({ minLength: 16, maxLength: 16 }),
});
type Config = typeof config extends fc.Arbitrary<infer T> ? T : never;

function service(
  c: Config,
  extra: { now?: number; maxInflate?: number } = {},
): SecureTicketService {
  return new SecureTicketService(c.key, {
    session: c.session,
    encrypt: c.encrypt,
    compress: c.compress,
    random: () => c.salt,
    now: () => extra.now ?? T0,
    ...(extra.maxInflate === undefined ? {} : { maxInflate: extra.maxInflate }),
  });
}

/** Assert the ticket neither validates nor opens, and that opening throws only a TesseraError. */
function refused(
  s: SecureTicketService,
  ticket: Uint8Array | string,
  entropy: string | Uint8Array,
): void {
  assert.equal(s.validateTicket(ticket, { entropy }), false);
  let error: unknown;
  try {
    s.openTicket(ticket, { entropy });
  } catch (err) {
    error = err;
  }
  assert.ok(error instanceof TesseraError, `expected a TesseraError, got ${String(error)}`);
}

function byteMutations(t: Uint8Array): fc.Arbitrary<Uint8Array> {
  const at = fc.nat({ max: t.length - 1 });
  /** A copy of the ticket with byte `i` XORed with `x`. */
  const xor = (i: number, x: number): Uint8Array => {
    const b = Uint8Array.from(t);
    b[i] = (b[i] ?? 0) ^ x;
    return b;
  };
  return fc
    .oneof(
      fc.tuple(at, fc.nat({ max: 7 })).map(([i, bit]) => xor(i, 1 << bit)),
      fc.tuple(at, fc.integer({ min: 1, max: 255 })).map(([i, x]) => xor(i, x)),
      at.map((n) => t.slice(0, n)),
      fc.uint8Array({ minLength: 1, maxLength: 32 }).map((x) => Buffer.concat([t, x])),
      fc
        .tuple(at, fc.uint8Array({ minLength: 1, maxLength: 8 }))
        .map(([i, x]) => Buffer.concat([t.subarray(0, i), x, t.subarray(i)])),
      fc
        .tuple(at, fc.integer({ min: 1, max: 16 }))
        .map(([i, n]) => Buffer.concat([t.subarray(0, i), t.subarray(i + n)])),
      // swap the encrypt flag
      fc.constant(xor(44, 1)),
    )
    .filter((m) => !Buffer.from(m).equals(Buffer.from(t)));
}

describe('secure-ticket properties', () => {
  test('bytes round-trip under every option', () => {
    fc.assert(
      fc.property(config, fc.uint8Array({ maxLength: 300 }), (c, data) => {
        const s = service(c);
        const t = s.createTicket(data, { entropy: c.entropy });
        assert.ok(s.validateTicket(t, { entropy: c.entropy }));
        assert.deepEqual(s.getData(t.toBase64(), { entropy: c.entropy }), data);
        assert.deepEqual(SecureTicket.fromBase64(t.toBase64()).toBytes(), t.toBytes());
      }),
      { numRuns: RUNS },
    );
  });

  test('text and JSON round-trip', () => {
    fc.assert(
      fc.property(config, fc.string({ unit: 'binary' }), fc.jsonValue(), (c, text, value) => {
        const base = {
          session: c.session,
          encrypt: c.encrypt,
          compress: c.compress,
          now: () => T0,
        };
        const ts = new SecureTicketService(c.key, { ...base, serialize: 'text' });
        assert.equal(
          ts.getData(ts.createTicket(text, { entropy: c.entropy }), { entropy: c.entropy }),
          text,
        );
        const js = new SecureTicketService(c.key, { ...base, serialize: 'json' });
        const back = js.getData(js.createTicket(value, { entropy: c.entropy }), {
          entropy: c.entropy,
        });
        assert.deepEqual(
          back,
          JSON.parse(JSON.stringify(value), (k, v) => (k === '__proto__' ? undefined : v)),
        );
      }),
      { numRuns: RUNS },
    );
  });

  test('no mutation of a valid ticket validates or opens', () => {
    fc.assert(
      fc.property(config, fc.uint8Array({ maxLength: 64 }), fc.nat(), (c, data, seed) => {
        const s = service(c);
        const t = s.createTicket(data, { entropy: c.entropy }).toBytes();
        fc.assert(
          fc.property(byteMutations(t), (m) => refused(s, m, c.entropy)),
          { numRuns: 25, seed },
        );
      }),
      { numRuns: 80 },
    );
  });

  test('every single-bit flip in every field is refused', () => {
    for (const encrypt of [false, true]) {
      for (const compress of [false, true]) {
        const s = new SecureTicketService('k', { session: 's', encrypt, compress, now: () => T0 });
        const t = s.createTicket('some data', { entropy: 'e' }).toBytes();
        for (let i = 0; i < t.length; i++) {
          for (let bit = 0; bit < 8; bit++) {
            const m = Uint8Array.from(t);
            m[i] = (m[i] ?? 0) ^ (1 << bit);
            refused(s, m, 'e');
          }
        }
      }
    }
  });

  test('edits of the base64 text are refused', () => {
    fc.assert(
      fc.property(
        config,
        fc.uint8Array({ maxLength: 40 }),
        fc.nat(),
        fc.string({ minLength: 1, maxLength: 2 }),
        (c, data, i, ins) => {
          const s = service(c);
          const text = s.createTicket(data, { entropy: c.entropy }).toBase64();
          const at = i % text.length;
          const edited = [
            text.slice(0, at) + ins + text.slice(at + 1),
            text.slice(0, at) + ins + text.slice(at),
            text.slice(0, at),
          ];
          for (const e of edited) if (e !== text) refused(s, e, c.entropy);
        },
      ),
      { numRuns: RUNS },
    );
  });

  test('wrong key, session or entropy is refused; an expired ticket is refused', () => {
    const bin = (minLength: number) => fc.uint8Array({ minLength, maxLength: 12 });
    // HMAC zero-pads short keys, so 'k' and 'k\0' are one key (in the original too): not "wrong".
    const hmacKey = (k: Uint8Array) =>
      Buffer.from(k)
        .toString('hex')
        .replace(/(00)+$/, '');
    const same = (x: Uint8Array, y: Uint8Array) => Buffer.from(x).equals(Buffer.from(y));
    fc.assert(
      fc.property(
        fc.tuple(bin(1), bin(0), bin(0)),
        fc.tuple(bin(1), bin(0), bin(0)),
        fc.boolean(),
        fc.uint8Array({ maxLength: 32 }),
        ([k1, s1, e1], [k2, s2, e2], encrypt, data) => {
          fc.pre(!(hmacKey(k1) === hmacKey(k2) && same(s1, s2) && same(e1, e2)));
          const writer = new SecureTicketService(k1, { session: s1, encrypt, now: () => T0 });
          const t = writer.createTicket(data, { entropy: e1 }).toBytes();
          refused(new SecureTicketService(k2, { session: s2, now: () => T0 }), t, e2);
          refused(new SecureTicketService(k1, { session: s1, now: () => T0 + 1_201_000 }), t, e1);
          assert.ok(
            new SecureTicketService(k1, { session: s1, now: () => T0 + 1_200_000 }).validateTicket(
              t,
              { entropy: e1 },
            ),
          );
        },
      ),
      { numRuns: RUNS },
    );
  });

  test('random bytes and strings never validate', () => {
    const s = new SecureTicketService('k', { now: () => T0 });
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 120 }), (b) => {
        // even with a correct prefix and length field
        const forged = Buffer.concat([Buffer.from([0x37, 0x1c, 0xc7, 0x5e]), Buffer.from(b)]);
        if (forged.length >= 44) forged.writeUInt32LE(forged.length, 40);
        refused(s, b, '');
        refused(s, forged, '');
      }),
      { numRuns: 1000 },
    );
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (t) => refused(s, t, '')),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(fc.anything(), (v) => {
        fc.pre(typeof v !== 'string' && !(v instanceof Uint8Array));
        refused(s, v as string, '');
      }),
      { numRuns: 200 },
    );
  });

  test('a genuine ticket that inflates past the cap is a BadPayload (PayloadTooLarge)', () => {
    fc.assert(
      fc.property(
        config,
        fc.integer({ min: 16, max: 4096 }),
        fc.integer({ min: 1, max: 5000 }),
        fc.nat({ max: 255 }),
        (c, cap, excess, fill) => {
          const writer = service({ ...c, compress: true });
          const t = writer.createTicket(new Uint8Array(cap + excess).fill(fill), {
            entropy: c.entropy,
          });
          const reader = service(c, { maxInflate: cap });
          assert.ok(reader.validateTicket(t, { entropy: c.entropy }));
          assert.throws(
            () => reader.openTicket(t, { entropy: c.entropy }),
            (e: unknown) => e instanceof PayloadTooLarge && e instanceof BadPayload,
          );
        },
      ),
      { numRuns: 100 },
    );
  });
});
