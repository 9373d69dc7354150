import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { describe, test } from 'node:test';
import {
  TicketDigestError,
  TicketExpired,
  TicketFactory,
  TicketParseError,
} from '../../src/tkt/index.ts';

const T0 = 1700000000;
const at = (seconds: number) => () => seconds * 1000;
const docs = (hashalg = 'sha256', now = at(T0 - 1)) =>
  new TicketFactory(Buffer.from('docs'), { hashalg, now });

// Expected tickets below were computed with ticket_auth's formula on CPython 3.11.
describe('TicketFactory: new', () => {
  test('spec ticket_auth.md §3 examples', () => {
    assert.equal(
      docs().new('alice', {
        tokens: ['a', 'b c'],
        userData: 'x!y',
        validUntil: T0,
        clientIp: '::1',
      }),
      'dc4849aac6b6d4f2304133ddc51a5f3172ca60747cf97bc9fa44ce8e0f8cebb66553f100alice!a,b%20c!x%21y',
    );
    assert.equal(
      docs().new('alice', { validUntil: T0 }),
      'e941ef81d8ada67bd8974601b3ccc84ab42c0dce5ad3dd1cddd5c73b7e08f1ef6553f100alice!!',
    );
  });

  test('IPv4, IPv4-mapped IPv6 and none are three different bindings', () => {
    const digest = (clientIp?: string) =>
      docs().new('alice', { validUntil: T0, clientIp }).slice(0, 64);
    assert.equal(
      digest('127.0.0.1'),
      'af5d3415acd6d1a0208db68db9a9247e6f28f00e83ce472cfae93c01070ff9b6',
    );
    assert.equal(
      digest('::ffff:127.0.0.1'),
      'b4411f710efcce4d747636117473035be04f18288239d3c2b47c3cd42045ac53',
    );
    assert.equal(digest(undefined), digest('0.0.0.0'));
    assert.notEqual(digest('::'), digest('0.0.0.0'));
  });

  test('quoting: unicode, astral characters, "/" and "~" kept, tokens with ","', () => {
    assert.equal(
      docs().new('😀 ü/~', {
        tokens: ['x,y', ''],
        userData: '😀',
        validUntil: T0,
        clientIp: 'fe80::1%eth0',
      }),
      '05fb24cebd6779df4569a990c6cf0f6de728655e4e7a76f4470b173b5ad89abb6553f100%F0%9F%98%80%20%C3%BC/~!x%2Cy,!%F0%9F%98%80',
    );
  });

  test('Python hashlib names map to node:crypto', () => {
    assert.equal(
      docs('sha512_256').new('u', { validUntil: T0 }),
      'b34e4fa02a1713ac96d0e80cf4ddb49f25f19065a54f11ec3ff20892036e59d56553f100u!!',
    );
    assert.equal(docs('blake2b').new('u', { validUntil: T0 }).slice(0, 16), 'a0c2ae4e4776fa04');
    for (const name of [
      'md5',
      'sha1',
      'sha224',
      'sha384',
      'sha512',
      'sha3_224',
      'sha3_256',
      'sha3_384',
      'sha3_512',
      'blake2s',
      'SHA256',
      'sha3-256',
    ]) {
      const f = docs(name);
      assert.equal(f.validate(f.new('u')).userId, 'u', name);
    }
  });

  test('defaults: validUntil = now + 120 s, sha512', () => {
    const f = new TicketFactory('docs', { now: at(T0) });
    const ticket = f.new('u');
    assert.equal(ticket.slice(128, 136), (T0 + 120).toString(16));
    assert.equal(f.parse(ticket).validUntil, T0 + 120);
  });

  test('misuse throws TypeError/RangeError', () => {
    assert.throws(() => new TicketFactory('', {}), RangeError);
    assert.throws(() => new TicketFactory(42 as unknown as string), TypeError);
    assert.throws(() => docs('shake_128'), RangeError);
    assert.throws(() => docs('nope'), RangeError);
    assert.throws(() => new TicketFactory('s', { hashalg: 5 as unknown as string }), TypeError);
    const f = docs();
    assert.throws(() => f.new(5 as unknown as string), TypeError);
    assert.throws(() => f.new('a\uDC00'), TypeError);
    assert.throws(() => f.new('u', { tokens: 'a' as unknown as string[] }), TypeError);
    assert.throws(() => f.new('u', { validUntil: -1 }), RangeError);
    assert.throws(() => f.new('u', { validUntil: 2 ** 32 }), RangeError);
    assert.throws(() => f.new('u', { validUntil: 1.5 }), RangeError);
    assert.throws(() => f.new('u', { clientIp: '1.2.3.256' }), RangeError);
    assert.throws(() => f.new('u', { clientIp: 7 as unknown as string }), TypeError);
  });
});

describe('TicketFactory: validate', () => {
  const f = docs();
  const ticket = f.new('alice', {
    tokens: ['admin'],
    userData: 'd',
    validUntil: T0,
    clientIp: '2001:db8::7',
  });

  test('round trip with the bound IP only', () => {
    assert.deepEqual(f.validate(ticket, { clientIp: '2001:db8::7' }), {
      digest: ticket.slice(0, 64),
      userId: 'alice',
      tokens: ['admin'],
      userData: 'd',
      validUntil: T0,
    });
    assert.equal(f.validate(ticket, { clientIp: '2001:DB8:0::7' }).userId, 'alice');
    for (const clientIp of [undefined, '2001:db8::8', '127.0.0.1', 'not an ip']) {
      assert.throws(() => f.validate(ticket, { clientIp }), TicketDigestError, String(clientIp));
    }
  });

  test('expired when validUntil <= now, in fractional seconds', () => {
    const bound = { clientIp: '2001:db8::7' };
    assert.doesNotThrow(() => docs('sha256', () => T0 * 1000 - 1).validate(ticket, bound));
    assert.throws(() => docs('sha256', at(T0)).validate(ticket, bound), TicketExpired);
    // The digest is checked first.
    assert.throws(() => docs('sha256', at(T0 + 10)).validate(ticket), TicketDigestError);
  });

  test('non-canonical quoting still validates: only the digest is compared', () => {
    const t = f.new('a,b', { tokens: ['x,y'], validUntil: T0 });
    assert.ok(t.includes('a%2Cb!x%2Cy!'));
    const info = f.validate(t.replace('a%2Cb', 'a%2cb').replace('x%2Cy', 'x%2cy'));
    assert.deepEqual([info.userId, info.tokens], ['a,b', ['x,y']]);
    // Raw non-ASCII instead of %XX also re-quotes to the same bytes.
    const u = f.new('jörg', { validUntil: T0 });
    assert.equal(f.validate(u.replace('j%C3%B6rg', 'jörg')).userId, 'jörg');
  });

  test('parse errors with ticket_auth messages', () => {
    const cases: [string, string][] = [
      ['', 'Invalid ticket length'],
      [ticket.slice(0, 71), 'Invalid ticket length'],
      [`${ticket.slice(0, 64)}0x6553f1${ticket.slice(72)}`, 'Invalid time field'],
      [`${ticket.slice(0, 64)} 6553f10${ticket.slice(72)}`, 'Invalid time field'],
      [`${ticket.slice(0, 64)}-0000001${ticket.slice(72)}`, 'Invalid time field'],
      [`${ticket}!x`, 'Missing parts'],
      [ticket.replace('!admin!', '!admin'), 'Missing parts'],
    ];
    for (const [t, message] of cases) {
      assert.throws(
        () => f.validate(t),
        (err: unknown) => {
          assert.ok(err instanceof TicketParseError, t);
          assert.equal(err.message, message);
          assert.equal(err.code, 'ERR_TICKET_PARSE');
          return true;
        },
      );
    }
  });

  test('uppercase digest is refused, uppercase time field accepted', () => {
    const bound = { clientIp: '2001:db8::7' };
    assert.throws(
      () => f.validate(ticket.slice(0, 64).toUpperCase() + ticket.slice(64), bound),
      TicketDigestError,
    );
    const upper = ticket.slice(0, 64) + ticket.slice(64, 72).toUpperCase() + ticket.slice(72);
    assert.equal(f.validate(upper, bound).validUntil, T0);
  });

  test('astral characters are sliced by code point, as Python slices', () => {
    const t = `😀${ticket.slice(1)}`;
    assert.throws(() => f.validate(t), TicketDigestError);
    assert.throws(() => f.validate('😀'.repeat(35)), TicketParseError);
  });

  test('a lone surrogate in a field is refused', () => {
    const t = f.new('u', { validUntil: T0 + 10 });
    assert.throws(() => f.validate(t.replace('u!', '\uD800!')), TicketParseError);
  });

  test('parse does not check the digest', () => {
    const info = f.parse(`${'0'.repeat(64)}00000001m%C3%BCller!a,b!%FF`);
    assert.deepEqual(info, {
      digest: '0'.repeat(64),
      userId: 'müller',
      tokens: ['a', 'b'],
      userData: '\uFFFD',
      validUntil: 1,
    });
    assert.throws(() => f.parse(5 as unknown as string), TypeError);
  });
});
