/** SecureTicketService API: options, serialize modes, binding, expiry, and hostile tickets. */
import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { createHmac } from 'node:crypto';
import { describe, test } from 'node:test';
import {
  BadPayload,
  PayloadTooLarge,
  SecureTicket,
  SecureTicketService,
  TesseraError,
  TicketDigestError,
  TicketExpired,
  TicketParseError,
  UnsupportedPayload,
} from '../../src/secure-ticket/index.ts';

const KEY = 'secure ticket test key';
const T0 = 1_700_000_000_000;
const SALT = Buffer.from('000102030405060708090a0b0c0d0e0f', 'hex');

/** Re-sign raw ticket bytes (no session, no entropy) after a test has edited them. */
function resign(key: string, bytes: Buffer): Buffer {
  const out = Buffer.from(bytes);
  out.writeUInt32LE(out.length, 40);
  const salt = out.subarray(24, 40);
  const mac = createHmac('sha256', key).update(out.subarray(24)).update(salt).digest();
  mac.copy(out, 4, 0, 20);
  return out;
}

describe('SecureTicketService: spec worked example (§2)', () => {
  const service = new SecureTicketService('docs-key', {
    session: 'sess',
    now: () => T0,
    random: () => SALT,
  });
  test('plain', () => {
    const t = service.createTicket('hello', { entropy: 'ent' });
    assert.equal(
      t.toBase64(),
      'NxzHXt6I32UBwCsDnwkq9vdrPhFqKPEvAAECAwQFBgcICQoLDA0ODzsAAAAAALD1U2UFAAAAaGVsbG8=',
    );
    assert.equal(t.byteLength, 59);
  });
  test('encrypted', () => {
    const t = service.createTicket('hello', { entropy: 'ent', encrypt: true });
    assert.equal(
      t.toBase64(),
      'NxzHXhq/3GEtPrpbD+dn2DbD0aIlEJw6AAECAwQFBgcICQoLDA0ODz0AAAABFjxhqXYUj7V/bX7zB0nPrA==',
    );
    assert.equal(t.byteLength, 61);
    const opened = service.openTicket(t, { entropy: 'ent' });
    assert.equal(Buffer.from(opened.data).toString(), 'hello');
    assert.equal(opened.validUntil, 1_700_001_200);
    assert.deepEqual(opened.flags, { encrypt: true, compress: false, serialize: false });
  });
});

describe('SecureTicketService: round trips', () => {
  const combos = [
    { encrypt: false, compress: false },
    { encrypt: true, compress: false },
    { encrypt: false, compress: true },
    { encrypt: true, compress: true },
  ];
  for (const options of combos) {
    test(`bytes, text and json with ${JSON.stringify(options)}`, () => {
      const bytes = new SecureTicketService(KEY, { ...options, session: 'web-1' });
      const data = new Uint8Array([0, 1, 2, 255, 0]);
      const t = bytes.createTicket(data, { entropy: 'e' });
      assert.ok(bytes.validateTicket(t, { entropy: 'e' }));
      assert.deepEqual(bytes.getData(t, { entropy: 'e' }), data);
      assert.deepEqual(bytes.getData(t.toBase64(), { entropy: 'e' }), data);
      assert.deepEqual(bytes.getData(t.toBytes(), { entropy: 'e' }), data);
      assert.deepEqual(
        bytes.getData(bytes.createTicket('é', { entropy: 'e' }), { entropy: 'e' }),
        new Uint8Array([0xc3, 0xa9]),
      );

      const text = new SecureTicketService(KEY, { ...options, serialize: 'text' });
      assert.equal(text.getData(text.createTicket('héllo 😀')), 'héllo 😀');
      assert.equal(text.getData(text.createTicket('')), '');

      const json = new SecureTicketService(KEY, { ...options, serialize: 'json' });
      const value = { uid: 42, scopes: ['a', 'b'], name: 'é' };
      const jt = json.createTicket(value);
      assert.deepEqual(json.getData(jt), value);
      // the JSON is stored as compact UTF-8 text, readable as plain bytes by a peer
      assert.equal(
        Buffer.from(new SecureTicketService(KEY).getData(jt)).toString(),
        '{"uid":42,"scopes":["a","b"],"name":"é"}',
      );
    });
  }

  test('serialize: false is bytes; true (pickle) is refused', () => {
    const s = new SecureTicketService(KEY, { serialize: false });
    assert.equal(s.serialize, 'bytes');
    assert.throws(
      () => new SecureTicketService(KEY, { serialize: true as unknown as 'json' }),
      /pickle/,
    );
    assert.throws(
      () => new SecureTicketService(KEY, { serialize: 'pickle' as 'json' }),
      RangeError,
    );
  });

  test('the returned bytes are a copy, not a view of the caller ticket', () => {
    const s = new SecureTicketService(KEY);
    const raw = Buffer.from(s.createTicket('abc').toBytes());
    const data = s.getData(raw);
    data[0] = 0x7a;
    assert.equal(raw.toString('latin1').endsWith('abc'), true);
    assert.equal(Object.getPrototypeOf(data), Uint8Array.prototype);
  });

  test('toBytes gives a copy', () => {
    const t = new SecureTicketService(KEY).createTicket('abc');
    const b = t.toBytes();
    b[0] = 0;
    assert.notEqual(t.toBytes()[0], 0);
  });

  test('salts differ between tickets', () => {
    const s = new SecureTicketService(KEY);
    const seen = new Set<string>();
    for (let i = 0; i < 600; i++)
      seen.add(Buffer.from(s.createTicket('x').toBytes().subarray(24, 40)).toString('hex'));
    assert.equal(seen.size, 600);
  });

  test('createRandomKey / createRandomSession: 32 random bytes', () => {
    const a = SecureTicketService.createRandomKey();
    assert.equal(a.length, 32);
    assert.notDeepEqual(a, SecureTicketService.createRandomKey());
    assert.equal(SecureTicketService.createRandomSession().length, 32);
  });
});

describe('SecureTicketService: binding and expiry', () => {
  let now = T0;
  const service = new SecureTicketService(KEY, { session: 's1', lifespan: '10m', now: () => now });
  const ticket = service.createTicket('data', { entropy: 'e1' });

  test('key, session and entropy all bind the ticket', () => {
    now = T0;
    assert.ok(service.validateTicket(ticket, { entropy: 'e1' }));
    assert.equal(service.validateTicket(ticket, { entropy: 'e2' }), false);
    assert.equal(service.validateTicket(ticket), false);
    assert.throws(() => service.openTicket(ticket), TicketDigestError);
    const otherSession = new SecureTicketService(KEY, { session: 's2', now: () => now });
    assert.equal(otherSession.validateTicket(ticket, { entropy: 'e1' }), false);
    const noSession = new SecureTicketService(KEY, { now: () => now });
    assert.equal(noSession.validateTicket(ticket, { entropy: 'e1' }), false);
    const otherKey = new SecureTicketService(`${KEY}x`, { session: 's1', now: () => now });
    assert.equal(otherKey.validateTicket(ticket, { entropy: 'e1' }), false);
    // string and bytes forms of session and entropy are the same thing
    const bytesSession = new SecureTicketService(Buffer.from(KEY), {
      session: Buffer.from('s1'),
      now: () => now,
    });
    assert.ok(bytesSession.validateTicket(ticket, { entropy: Buffer.from('e1') }));
  });

  test('valid while now <= validUntil (lifespan as a duration string)', () => {
    const validUntil = Math.trunc(T0 / 1000) + 600;
    now = validUntil * 1000;
    assert.equal(service.openTicket(ticket, { entropy: 'e1' }).validUntil, validUntil);
    now = validUntil * 1000 + 1;
    assert.equal(service.validateTicket(ticket, { entropy: 'e1' }), false);
    assert.throws(() => service.openTicket(ticket, { entropy: 'e1' }), TicketExpired);
  });

  test('a clock that returns NaN fails closed', () => {
    const broken = new SecureTicketService(KEY, { session: 's1', now: () => Number.NaN });
    assert.equal(broken.validateTicket(ticket, { entropy: 'e1' }), false);
    assert.throws(() => broken.openTicket(ticket, { entropy: 'e1' }), TicketExpired);
    assert.throws(() => broken.createTicket('x'), RangeError);
  });

  test('per-call lifespan, encrypt and compress', () => {
    now = T0;
    const t = service.createTicket('x'.repeat(100), {
      entropy: 'e',
      lifespan: 5,
      encrypt: true,
      compress: true,
    });
    const opened = service.openTicket(t, { entropy: 'e' });
    assert.equal(opened.validUntil, T0 / 1000 + 5);
    assert.deepEqual(opened.flags, { encrypt: true, compress: true, serialize: false });
    assert.ok(t.byteLength < 100);
  });

  test('a valid_until that does not fit a uint32 is a RangeError', () => {
    assert.throws(() => service.createTicket('x', { lifespan: 2 ** 33 }), RangeError);
    const past = new SecureTicketService(KEY, { now: () => -1e13 });
    assert.throws(() => past.createTicket('x'), RangeError);
  });
});

describe('SecureTicketService: misuse throws', () => {
  test('keys and options', () => {
    assert.throws(() => new SecureTicketService(''), RangeError);
    assert.throws(() => new SecureTicketService(new Uint8Array(0)), RangeError);
    assert.throws(() => new SecureTicketService(1 as unknown as string), TypeError);
    assert.throws(
      () => new SecureTicketService(KEY, { session: 1 as unknown as string }),
      TypeError,
    );
    assert.throws(
      () => new SecureTicketService(KEY, { encrypt: 'yes' as unknown as boolean }),
      TypeError,
    );
    assert.throws(() => new SecureTicketService(KEY, { lifespan: -1 }), RangeError);
    assert.throws(() => new SecureTicketService(KEY, { maxInflate: 0 }), RangeError);
    assert.throws(
      () => new SecureTicketService(KEY, { now: 5 as unknown as () => number }),
      TypeError,
    );
    assert.throws(
      () => new SecureTicketService(KEY, { random: 5 as unknown as () => Uint8Array }),
      TypeError,
    );
    assert.throws(() => new SecureTicketService(KEY, null as unknown as object), TypeError);
    new SecureTicketService('k'); // a one-byte key is the original's business
  });

  test('per-call arguments', () => {
    const s = new SecureTicketService(KEY);
    assert.throws(() => s.createTicket(5 as unknown as string), TypeError);
    assert.throws(() => s.createTicket('x', { entropy: 5 as unknown as string }), TypeError);
    assert.throws(() => s.validateTicket('x', { entropy: 5 as unknown as string }), TypeError);
    assert.throws(
      () => new SecureTicketService(KEY, { random: () => new Uint8Array(3) }).createTicket('x'),
      TypeError,
    );
    assert.throws(() => SecureTicket.fromBytes('x' as unknown as Uint8Array), TypeError);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    assert.throws(
      () => new SecureTicketService(KEY, { serialize: 'json' }).createTicket(cyclic),
      TypeError,
    );
  });
});

describe('SecureTicketService: hostile tickets', () => {
  const s = new SecureTicketService(KEY, { now: () => T0 });
  const plain = Buffer.from(s.createTicket('hello').toBytes());

  test('anything that is not a ticket is false / a TicketParseError', () => {
    for (const t of [
      '',
      '!!!!',
      'NxzH',
      'NxzHXg==',
      42,
      null,
      {},
      [plain],
      new Uint8Array(0),
      new Uint8Array(44),
    ]) {
      assert.equal(s.validateTicket(t as unknown as string), false);
      assert.throws(() => s.openTicket(t as unknown as string), TicketParseError);
    }
    assert.throws(() => SecureTicket.fromBase64('not base64!'), TicketParseError);
    assert.throws(
      () => SecureTicket.fromBase64(`${plain.toString('base64').replace(/=+$/, '')}`),
      TicketParseError,
    );
    assert.throws(() => SecureTicket.fromBase64(plain.toString('base64url')), TicketParseError);
    // whitespace, extra padding, and a last character with stray low bits are not canonical
    const text = plain.toString('base64');
    assert.ok(text.endsWith('='));
    for (const bad of [
      ` ${text}`,
      `${text}\n`,
      `${text.slice(0, 20)}\n${text.slice(20)}`,
      `${text}=`,
      `${text}====`,
    ]) {
      assert.throws(() => SecureTicket.fromBase64(bad), TicketParseError);
    }
    const body = text.replace(/=+$/, '');
    const last = body.at(-1) as string;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
    const stray = `${body.slice(0, -1)}${alphabet[alphabet.indexOf(last) ^ 1]}${text.slice(body.length)}`;
    assert.deepEqual(Buffer.from(stray, 'base64'), plain); // Node would take it...
    assert.throws(() => SecureTicket.fromBase64(stray), TicketParseError); // ...Tessera does not
    assert.deepEqual(Buffer.from(SecureTicket.fromBase64(text).toBytes()), plain);
  });

  test('a 44-byte ticket whose ticket_len says 44 is refused before the MAC', () => {
    const t = Buffer.from(plain.subarray(0, 44));
    t.writeUInt32LE(44, 40);
    assert.throws(() => s.openTicket(t), TicketParseError);
  });

  test('a genuine ticket whose fields do not fit is a BadPayload', () => {
    // plain body shorter than the 9 field bytes
    assert.throws(() => s.openTicket(resign(KEY, plain.subarray(0, 50))), BadPayload);
    // data_len past the end
    const long = Buffer.from(plain);
    long.writeUInt32LE(999, 50);
    assert.throws(() => s.openTicket(resign(KEY, long)), BadPayload);
    // encrypted flag set on a body that is not whole AES blocks
    const ragged = Buffer.from(plain);
    ragged[44] = 1;
    assert.throws(() => s.openTicket(resign(KEY, ragged)), BadPayload);
    // a data_len shorter than the data reads only data_len bytes, as the original
    const short = Buffer.from(plain);
    short.writeUInt32LE(2, 50);
    assert.equal(Buffer.from(s.getData(resign(KEY, short))).toString(), 'he');
  });

  test('a genuine pickled ticket validates but is never unpickled', () => {
    const pickled = Buffer.from(plain);
    pickled[45] = 1;
    const t = resign(KEY, pickled);
    assert.equal(s.validateTicket(t), true);
    assert.throws(
      () => s.getData(t),
      (e: unknown) => e instanceof UnsupportedPayload && e instanceof BadPayload,
    );
  });

  test('a genuine ticket with corrupt zlib or text data is a BadPayload', () => {
    const z = Buffer.from(plain);
    z[45] = 2; // compress flag on data that is not zlib
    assert.throws(() => s.getData(resign(KEY, z)), BadPayload);
    const text = new SecureTicketService(KEY, { serialize: 'text', now: () => T0 });
    const json = new SecureTicketService(KEY, { serialize: 'json', now: () => T0 });
    const bad = new SecureTicketService(KEY, { now: () => T0 }).createTicket(
      new Uint8Array([0xff, 0xfe]),
    );
    assert.throws(() => text.getData(bad), BadPayload);
    assert.throws(() => json.getData(bad), BadPayload);
    assert.throws(
      () => json.getData(new SecureTicketService(KEY, { now: () => T0 }).createTicket('{nope')),
      BadPayload,
    );
  });

  test('a genuine ticket that inflates past the cap is a PayloadTooLarge; validate still says genuine', () => {
    const big = new SecureTicketService(KEY, { compress: true, now: () => T0 });
    const t = big.createTicket(new Uint8Array(2 * 1024 * 1024));
    assert.ok(t.byteLength < 4096);
    assert.equal(big.validateTicket(t), true);
    assert.throws(
      () => big.getData(t),
      (e: unknown) => e instanceof PayloadTooLarge && e instanceof BadPayload,
    );
    const small = new SecureTicketService(KEY, { compress: true, maxInflate: 10, now: () => T0 });
    assert.throws(() => small.getData(small.createTicket('x'.repeat(11))), PayloadTooLarge);
    assert.equal(small.getData(small.createTicket('x'.repeat(10))).length, 10);
  });

  test('every error from openTicket is a TesseraError', () => {
    for (let i = 0; i < plain.length; i++) {
      const t = Buffer.from(plain);
      t[i] = (t[i] ?? 0) ^ 0x40;
      assert.equal(s.validateTicket(t), false);
      assert.throws(() => s.openTicket(t), TesseraError);
    }
  });
});
