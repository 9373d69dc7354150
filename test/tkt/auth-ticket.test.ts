import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import { TesseraError } from '../../src/core/errors.ts';
import {
  AuthTicket,
  type AuthTicketOptions,
  TicketDigestError,
  TicketError,
  TicketExpired,
  TicketParseError,
  TicketTokenMismatch,
} from '../../src/tkt/index.ts';

const T0 = 1700000000;
const at = (seconds: number) => () => seconds * 1000;
const make = (options: Partial<AuthTicketOptions> = {}) =>
  new AuthTicket({ secret: 'docs-secret', timeout: 0, now: at(T0), ...options });

describe('AuthTicket: worked examples', () => {
  test('spec mod_auth_tkt.md §3 (MD5 and SHA256)', () => {
    const fields = {
      uid: 'alice',
      ip: '127.0.0.1',
      ts: T0,
      tokens: ['admin', 'staff'],
      userData: 'hello',
    };
    const md5 = make();
    const ticket = md5.create(fields);
    assert.equal(ticket, '427a70e70101f4cca37ef7e8b505b31d6553f100alice!admin,staff!hello');
    assert.equal(
      md5.cookieValue(ticket),
      'NDI3YTcwZTcwMTAxZjRjY2EzN2VmN2U4YjUwNWIzMWQ2NTUzZjEwMGFsaWNlIWFkbWluLHN0YWZmIWhlbGxv',
    );
    const sha256 = make({ digest: 'sha256' }).create(fields);
    assert.ok(
      sha256.startsWith('7fcbc786a5a4427e7c195c1ae2301604f7aff7c4c7d594dbc39d9ce9266f5447'),
    );
  });

  test('apache-interop.md §5: tickets and a refreshed cookie Apache wrote', () => {
    const secret = 'recipe-secret-123';
    const fields = {
      uid: 'alice',
      ip: '127.0.0.1',
      tokens: ['admin', 'staff'],
      userData: 'hello world',
    };
    assert.equal(
      new AuthTicket({ secret }).create({ ...fields, ts: 0x6b040573 }),
      '04be782ee83b60162ee4e8c975b583516b040573alice!admin,staff!hello world',
    );
    assert.equal(
      new AuthTicket({ secret, digest: 'SHA256' }).create({ ...fields, ts: 0x6b040287 }),
      '16e0199b6a21100bd035253c5e064af0c15c5c930e308207bb780c6475382c0f6b040287alice!admin,staff!hello world',
    );
    // Apache's refresh_cookie for dave (no tokens, no data) at ts 0x6b040574, client 127.0.0.1.
    const tkt = new AuthTicket({ secret, timeout: 60, now: at(0x6b040574) });
    const info = {
      uid: 'dave',
      tokens: [],
      userData: '',
      ts: 0x6b040574 - 45,
      refresh: true,
      oldSecret: false,
    };
    assert.equal(
      tkt.cookieValue(tkt.refresh(info, { clientIp: '127.0.0.1' })),
      'MTJmOGUyNDVkZmQ0ODllZTU0N2U4ODQ5MGZmYzc3NmU2YjA0MDU3NGRhdmUhIQ==',
    );
  });
});

describe('AuthTicket: options', () => {
  test('misuse throws TypeError/RangeError at construction', () => {
    const bad: [unknown, ErrorConstructor][] = [
      [undefined, TypeError],
      [{}, TypeError],
      [{ secret: '' }, RangeError],
      [{ secret: new Uint8Array(0) }, RangeError],
      [{ secret: 'a\0b' }, RangeError],
      [{ secret: 's', oldSecret: 42 }, TypeError],
      [{ secret: 's', digest: 'sha1' }, RangeError],
      [{ secret: 's', timeout: -1 }, RangeError],
      [{ secret: 's', timeout: 1.5 }, RangeError],
      [{ secret: 's', timeout: '2 hours' }, RangeError],
      [{ secret: 's', timeout: 2 ** 31 }, RangeError],
      [{ secret: 's', timeout: true }, TypeError],
      [{ secret: 's', timeoutRefresh: 1.5 }, RangeError],
      [{ secret: 's', timeoutRefresh: Number.NaN }, RangeError],
      [{ secret: 's', ignoreIp: 'yes' }, TypeError],
      [{ secret: 's', requiredTokens: 'admin' }, TypeError],
      [{ secret: 's', requiredTokens: [''] }, TypeError],
      [{ secret: 's', now: 5 }, TypeError],
    ];
    for (const [options, Err] of bad) {
      assert.throws(
        () => new AuthTicket(options as AuthTicketOptions),
        Err,
        JSON.stringify(options),
      );
    }
  });

  test('digest names in Node and Apache spelling; byte secrets', () => {
    const text = make({ digest: 'SHA512' }).create({ uid: 'u', ts: T0 });
    const bytes = make({ digest: 'sha512', secret: Buffer.from('docs-secret') }).create({
      uid: 'u',
      ts: T0,
    });
    assert.equal(text, bytes);
    assert.equal(text.length, 128 + 8 + 2);
  });

  test('timeouts with Apache units', () => {
    const expiresAfter = (timeout: number | string, age: number) =>
      make({ timeout, now: at(T0 + age) }).validate(
        make().cookieValue(make().create({ uid: 'u', ts: T0 })),
      );
    const cases: [number | string, number][] = [
      ['2h', 7200],
      ['90', 90],
      ['30m', 1800],
      ['1d 12h', 129600],
      ['1w', 604800],
      ['1M', 2592000],
      ['1y', 31536000],
      ['45s', 45],
    ];
    for (const [timeout, seconds] of cases) {
      assert.doesNotThrow(() => expiresAfter(timeout, seconds), String(timeout));
      assert.throws(() => expiresAfter(timeout, seconds + 1), TicketExpired, String(timeout));
    }
    // Default 7200 s, as Apache's.
    const dflt = new AuthTicket({ secret: 'docs-secret', now: at(T0 + 7201) });
    assert.throws(() => dflt.validate(dflt.create({ uid: 'u', ts: T0 })), TicketExpired);
  });
});

describe('AuthTicket: create', () => {
  const tkt = make();
  test('separators: uid!data, uid!tokens!data, and uid!!data when data holds "!"', () => {
    const body = (t: string) => t.slice(40);
    assert.equal(body(tkt.create({ uid: 'u', ts: T0, userData: 'd' })), 'u!d');
    assert.equal(body(tkt.create({ uid: 'u', ts: T0 })), 'u!');
    assert.equal(body(tkt.create({ uid: 'u', ts: T0, tokens: ['a', 'b'] })), 'u!a,b!');
    assert.equal(body(tkt.create({ uid: 'u', ts: T0, tokens: ['a'], userData: 'x!y' })), 'u!a!x!y');
    assert.equal(body(tkt.create({ uid: 'u', ts: T0, userData: 'x!y' })), 'u!!x!y');
    const info = tkt.validate(tkt.create({ uid: 'u', ts: T0, userData: 'x!y' }));
    assert.deepEqual([info.tokens, info.userData], [[], 'x!y']);
  });

  test('ts defaults to now; ip to 0.0.0.0', () => {
    const ticket = tkt.create({ uid: 'u' });
    assert.equal(ticket.slice(32, 40), T0.toString(16));
    assert.equal(ticket, tkt.create({ uid: 'u', ip: '0.0.0.0', ts: T0 }));
  });

  test('refuses what the format cannot carry', () => {
    const bad: [Record<string, unknown>, ErrorConstructor][] = [
      [{ uid: 'a!b' }, TypeError],
      [{ uid: 'a\0b' }, TypeError],
      [{ uid: 'a\uD800' }, TypeError],
      [{ uid: 42 }, TypeError],
      [{ uid: 'u', tokens: ['a b'] }, TypeError],
      [{ uid: 'u', tokens: ['a!'] }, TypeError],
      [{ uid: 'u', tokens: ['a,b'] }, TypeError],
      [{ uid: 'u', tokens: [''] }, TypeError],
      [{ uid: 'u', tokens: ['a\tb'] }, TypeError],
      [{ uid: 'u', tokens: 'admin' }, TypeError],
      [{ uid: 'u', userData: 'a\0' }, TypeError],
      [{ uid: 'u', ip: '2001:db8::1' }, RangeError],
      [{ uid: 'u', ip: 'localhost' }, RangeError],
      [{ uid: 'u', ip: '010.0.0.1' }, RangeError],
      [{ uid: 'u', ts: -1 }, RangeError],
      [{ uid: 'u', ts: 2 ** 32 }, RangeError],
      [{ uid: 'u', ts: 1.5 }, RangeError],
    ];
    for (const [fields, Err] of bad) {
      assert.throws(() => tkt.create(fields as never), Err, JSON.stringify(fields));
    }
  });

  test('unicode uid and data pass through as UTF-8', () => {
    const ticket = tkt.create({ uid: '用户 jörg', ts: T0, userData: 'naïve; 😀' });
    const info = tkt.validate(tkt.cookieValue(ticket));
    assert.deepEqual([info.uid, info.userData], ['用户 jörg', 'naïve; 😀']);
  });
});

describe('AuthTicket: the cookie forms Apache accepts', () => {
  const tkt = make();
  const ticket = tkt.create({ uid: 'alice', ts: T0, tokens: ['admin'], userData: 'hello world' });
  const b64 = tkt.cookieValue(ticket);
  const accepted: [string, string][] = [
    ['padded base64', b64],
    ['unpadded base64', b64.replace(/=+$/, '')],
    ['quoted base64', `"${b64}"`],
    ['raw ticket', ticket],
    ['quoted raw ticket', `"${ticket}"`],
    ['%21-escaped ticket', ticket.replaceAll('!', '%21').replace(' ', '%20')],
    ['with the rest of a Cookie header', `${b64}; other=1`],
    ['junk after the base64 padding', `${b64}***`],
    [
      'base64 of the ticket, a NUL and junk (C strlen)',
      Buffer.from(`${ticket}\0junk`).toString('base64'),
    ],
  ];
  for (const [name, value] of accepted) {
    test(`accepts ${name}`, () => {
      const info = tkt.validate(value);
      assert.deepEqual(
        [info.uid, info.tokens, info.userData, info.ts],
        ['alice', ['admin'], 'hello world', T0],
      );
    });
  }

  test('uppercase timestamp hex is accepted (sscanf %8x), uppercase digest is not', () => {
    const upperTs = ticket.slice(0, 32) + ticket.slice(32, 40).toUpperCase() + ticket.slice(40);
    assert.equal(tkt.validate(upperTs).ts, T0);
    const upperDigest = ticket.slice(0, 32).toUpperCase() + ticket.slice(32);
    assert.throws(() => tkt.validate(upperDigest), TicketDigestError);
  });

  const refused: [string, string, typeof TicketError][] = [
    ['base64url', Buffer.from(`${ticket}??>`).toString('base64url'), TicketDigestError],
    ['empty', '', TicketParseError],
    ['short', 'abc', TicketParseError],
    ['no separator', 'a'.repeat(80), TicketParseError],
    ['a "!" inside the digest', `${ticket.slice(0, 10)}!${ticket.slice(11)}`, TicketParseError],
    ['a non-hex timestamp', `${ticket.slice(0, 32)}zzzzzzzz${ticket.slice(40)}`, TicketParseError],
    ['a raw ticket cut by ";"', ticket.replace('hello', 'he;llo'), TicketDigestError],
    [
      'a NUL-cut base64 ticket',
      Buffer.from(`${ticket.slice(0, 47)}\0${ticket.slice(47)}`).toString('base64'),
      TicketDigestError,
    ],
  ];
  for (const [name, value, Err] of refused) {
    test(`refuses ${name}`, () => assert.throws(() => tkt.validate(value), Err));
  }

  test('a non-string is misuse', () => {
    assert.throws(() => tkt.validate(undefined as unknown as string), TypeError);
    assert.throws(() => tkt.validate(b64, { clientIp: 7 as unknown as string }), TypeError);
  });
});

describe('AuthTicket: client IP binding (spec §5.4)', () => {
  const tkt = make();
  const bound = tkt.cookieValue(tkt.create({ uid: 'u', ip: '203.0.113.9', ts: T0 }));
  const unbound = tkt.cookieValue(tkt.create({ uid: 'u', ts: T0 }));

  test('a bound ticket validates for its IP only (also as IPv4-mapped IPv6)', () => {
    assert.equal(tkt.validate(bound, { clientIp: '203.0.113.9' }).uid, 'u');
    assert.equal(tkt.validate(bound, { clientIp: '::ffff:203.0.113.9' }).uid, 'u');
    assert.throws(() => tkt.validate(bound, { clientIp: '203.0.113.10' }), TicketDigestError);
    assert.throws(() => tkt.validate(bound), TicketDigestError);
  });

  test('an unbound ticket validates without a client IP, or with ignoreIp', () => {
    assert.equal(tkt.validate(unbound).uid, 'u');
    assert.equal(make({ ignoreIp: true }).validate(unbound, { clientIp: '198.51.100.1' }).uid, 'u');
    assert.throws(
      () => make({ ignoreIp: true }).validate(bound, { clientIp: '203.0.113.9' }),
      TicketDigestError,
    );
  });

  test('IPv6 clients and 255.255.255.255 are refused, as Apache refuses them', () => {
    for (const clientIp of ['2001:db8::1', '::1', '255.255.255.255', 'garbage', '']) {
      assert.throws(() => tkt.validate(unbound, { clientIp }), TicketDigestError, clientIp);
    }
    const bcast = tkt.cookieValue(tkt.create({ uid: 'u', ip: '255.255.255.255', ts: T0 }));
    assert.throws(() => tkt.validate(bcast, { clientIp: '255.255.255.255' }), TicketDigestError);
    // With ignoreIp the client IP does not matter at all.
    assert.equal(make({ ignoreIp: true }).validate(unbound, { clientIp: '2001:db8::1' }).uid, 'u');
  });
});

describe('AuthTicket: timeout and refresh (spec §5.5)', () => {
  const cookieAt = (ts: number) => make().cookieValue(make().create({ uid: 'u', ts }));

  test('valid while ts + timeout >= now', () => {
    const tkt = make({ timeout: 60, now: at(T0 + 60) });
    assert.equal(tkt.validate(cookieAt(T0)).ts, T0);
    assert.throws(
      () => tkt.validate(cookieAt(T0 - 1)),
      (err: unknown) => {
        assert.ok(err instanceof TicketExpired);
        assert.equal(err.code, 'ERR_TICKET_EXPIRED');
        return true;
      },
    );
    // A ticket from the future is valid, as in Apache.
    assert.equal(tkt.validate(cookieAt(T0 + 3600)).refresh, false);
  });

  test('timeout 0 never expires', () => {
    assert.equal(make({ timeout: 0, now: at(T0 + 1e9) }).validate(cookieAt(0)).ts, 0);
  });

  test('uint32 arithmetic: ts + timeout wraps past 2^32 and expires, as in C', () => {
    const tkt = make({ timeout: 7200, now: at(T0) });
    assert.throws(() => tkt.validate(cookieAt(0xffffff00)), TicketExpired);
  });

  test('refresh when less than timeoutRefresh × timeout is left', () => {
    const check = (timeoutRefresh: number, age: number) =>
      make({ timeout: 60, timeoutRefresh, now: at(T0 + age) }).validate(cookieAt(T0)).refresh;
    assert.equal(check(0.5, 30), false); // 30 s left, not < 30
    assert.equal(check(0.5, 31), true);
    assert.equal(check(0.5, 60), true);
    assert.equal(check(0, 59), false); // 0 = never
    assert.equal(check(1, 0), false); // 60 left, not < 60
    assert.equal(check(1, 1), true);
    assert.equal(make({ timeout: 0, now: at(T0 + 999) }).validate(cookieAt(T0)).refresh, false);
  });

  test('refresh() and refreshCookie() issue a fresh ticket bound as the old one', () => {
    const bound = make().cookieValue(
      make().create({ uid: 'u', ip: '192.0.2.1', ts: T0, tokens: ['a'], userData: 'd' }),
    );
    const tkt = make({ timeout: 60, now: at(T0 + 50) });
    const info = tkt.validate(bound, { clientIp: '192.0.2.1' });
    assert.equal(info.refresh, true);
    const fresh = tkt.refresh(info, { clientIp: '192.0.2.1' });
    assert.ok(fresh.endsWith(`${(T0 + 50).toString(16)}u!a!d`));
    const again = tkt.validate(fresh, { clientIp: '192.0.2.1' });
    assert.deepEqual(
      [again.ts, again.refresh, again.tokens, again.userData],
      [T0 + 50, false, ['a'], 'd'],
    );
    const header = tkt.refreshCookie(info, {
      clientIp: '192.0.2.1',
      domain: 'example.org',
      secure: true,
    });
    assert.equal(
      header,
      `auth_tkt=${tkt.cookieValue(fresh)}; Path=/; Domain=example.org; Secure; HttpOnly`,
    );
    assert.equal(tkt.refreshCookie(again, { clientIp: '192.0.2.1' }), undefined);
    assert.throws(() => tkt.refresh({ ...info, uid: 'a!b' }), TypeError);
    assert.throws(() => tkt.refresh(info, { clientIp: '::1' }), RangeError);
  });
});

describe('AuthTicket: secret rotation (TKTAuthSecretOld)', () => {
  test('a ticket signed with the old secret validates, flagged for refresh', () => {
    const old = make({ secret: 'old-secret' });
    const cookie = old.cookieValue(old.create({ uid: 'u', ts: T0 }));
    const rotated = make({ secret: 'new-secret', oldSecret: 'old-secret' });
    const info = rotated.validate(cookie);
    assert.deepEqual([info.oldSecret, info.refresh], [true, true]);
    const fresh = rotated.validate(rotated.refresh(info));
    assert.deepEqual([fresh.oldSecret, fresh.refresh], [false, false]);
    assert.throws(() => make({ secret: 'new-secret' }).validate(cookie), TicketDigestError);
  });
});

describe('AuthTicket: required tokens (any match)', () => {
  const cookie = make().create({ uid: 'u', ts: T0, tokens: ['staff', 'ops'] });
  test('instance and per-request lists', () => {
    assert.doesNotThrow(() => make({ requiredTokens: ['admin', 'ops'] }).validate(cookie));
    assert.throws(() => make({ requiredTokens: ['admin'] }).validate(cookie), TicketTokenMismatch);
    assert.doesNotThrow(() =>
      make({ requiredTokens: ['admin'] }).validate(cookie, { requiredTokens: [] }),
    );
    assert.throws(() => make().validate(cookie, { requiredTokens: ['root'] }), TicketTokenMismatch);
    const none = make().create({ uid: 'u', ts: T0 });
    assert.throws(() => make({ requiredTokens: ['staff'] }).validate(none), TicketTokenMismatch);
  });
});

describe('AuthTicket: tokens as Apache exports them', () => {
  test('empty entries are kept, so that refresh writes the same tokens field', () => {
    // A legacy generator's "a,,b": sign it by hand through refresh(), which writes any tokens.
    const tkt = make({ timeout: 60, now: at(T0) });
    const info = {
      uid: 'u',
      tokens: ['a', '', 'b'],
      userData: '',
      ts: T0,
      refresh: true,
      oldSecret: false,
    };
    const ticket = tkt.refresh(info);
    assert.ok(ticket.endsWith('u!a,,b!'));
    const back = tkt.validate(ticket);
    assert.deepEqual(back.tokens, ['a', '', 'b']);
    assert.equal(tkt.refresh(back), ticket);
    assert.throws(() => make({ requiredTokens: ['c'] }).validate(ticket), TicketTokenMismatch);
    assert.doesNotThrow(() => make({ requiredTokens: ['b'] }).validate(ticket));
  });
});

describe('AuthTicket: errors', () => {
  test('a genuine ticket whose fields are not UTF-8 is a parse error', () => {
    // Sign latin-1 bytes the way a legacy generator would, then validate.
    const secret = Buffer.from('docs-secret');
    const ts = Buffer.alloc(4);
    ts.writeUInt32BE(T0);
    const uid = Buffer.from([0x6a, 0xf6, 0x72, 0x67]); // "jörg" in latin-1
    const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');
    const d0 = md5(Buffer.concat([Buffer.alloc(4), ts, secret, uid, Buffer.from([0, 0])]));
    const digest = md5(Buffer.concat([Buffer.from(d0), secret]));
    const ticket = Buffer.concat([Buffer.from(digest + T0.toString(16)), uid, Buffer.from('!')]);
    assert.throws(() => make().validate(ticket.toString('base64')), TicketParseError);
  });

  test('every failure is a TicketError with a stable code and the ticket as payload', () => {
    const tkt = make();
    try {
      tkt.validate(tkt.cookieValue(make({ secret: 'other' }).create({ uid: 'u', ts: T0 })));
      assert.fail('validated');
    } catch (err) {
      assert.ok(
        err instanceof TicketDigestError &&
          err instanceof TicketError &&
          err instanceof TesseraError,
      );
      assert.equal(err.code, 'ERR_TICKET_DIGEST');
      assert.ok(err.payload && Buffer.from(err.payload).toString().endsWith('u!'));
    }
  });
});
