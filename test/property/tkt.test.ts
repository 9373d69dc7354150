/**
 * Properties of tessera/tkt against hostile input:
 * - random strings (any UTF-16, base64, ticket-shaped) never validate, and only Tessera
 *   (ticket) errors are thrown;
 * - a one-character change, deletion, insertion or truncation of a valid ticket or cookie is
 *   refused — unless it is one of the forms Apache (or ticket_auth) also accepts, and then it
 *   validates to exactly the original identity (never to another user, tokens, data or time);
 * - a ticket signed with another secret, or for another client IP, never validates;
 * - create/validate and new/validate round-trip any field the formats can carry.
 */
import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import type { TesseraError } from '../../src/core/errors.ts';
import {
  AuthTicket,
  type AuthTicketDigest,
  type AuthTicketInfo,
  TicketError,
  TicketFactory,
  type TicketInfo,
} from '../../src/tkt/index.ts';

const RUNS = 300;
const NOW = 1_700_000_000;
const now = () => NOW * 1000;

/** What validation returned, or the Tessera error it threw; anything else fails the property. */
function attempt<T>(fn: () => T): { ok: true; value: T } | { ok: false; error: TesseraError } {
  try {
    return { ok: true, value: fn() };
  } catch (err) {
    if (err instanceof TicketError) return { ok: false, error: err };
    throw new assert.AssertionError({
      message: `not a TicketError: ${(err as Error)?.stack ?? String(err)}`,
    });
  }
}

const anyText = fc.oneof(
  fc.string({ maxLength: 300 }),
  fc.string({ unit: 'binary', maxLength: 200 }),
  // Lone surrogates and every other UTF-16 unit.
  fc.string({
    unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)),
    maxLength: 200,
  }),
  fc.base64String({ maxLength: 400 }),
);

/** A one-character edit of `text`: replace, delete, insert, or truncate. */
const edit = (text: string) =>
  fc.oneof(
    fc
      .tuple(fc.nat(text.length - 1), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }))
      .map(([i, c]) => text.slice(0, i) + c + text.slice(i + 1)),
    fc.nat(text.length - 1).map((i) => text.slice(0, i) + text.slice(i + 1)),
    fc
      .tuple(fc.nat(text.length), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }))
      .map(([i, c]) => text.slice(0, i) + c + text.slice(i)),
    fc.nat(text.length - 1).map((i) => text.slice(0, i)),
  );

// Fields the mod_auth_tkt format carries.
const uid = fc.string({ unit: 'binary', maxLength: 20 }).filter((s) => !/[!\0]/.test(s));
const token = fc.stringMatching(/^[A-Za-z0-9_.:+-]{1,10}$/);
const userData = fc.string({ unit: 'binary', maxLength: 40 }).filter((s) => !s.includes('\0'));
const ipv4 = fc.ipV4().filter((ip) => ip !== '255.255.255.255');
const ticketFields = fc.record({
  uid,
  ip: fc.oneof(fc.constant('0.0.0.0'), ipv4),
  ts: fc.integer({ min: NOW - 3600, max: NOW }),
  tokens: fc.array(token, { maxLength: 4 }),
  userData,
});

const identity = (i: AuthTicketInfo) => [i.uid, i.tokens, i.userData, i.ts];

for (const digest of ['md5', 'sha256', 'sha512'] as AuthTicketDigest[]) {
  describe(`AuthTicket ${digest}`, () => {
    const tkt = new AuthTicket({ secret: 'property secret', digest, timeout: 7200, now });
    const other = new AuthTicket({ secret: 'property secret!', digest, timeout: 7200, now });
    const hexLength = { md5: 32, sha256: 64, sha512: 128 }[digest as string] as number;

    test('random strings never validate and throw only ticket errors', () => {
      fc.assert(
        fc.property(anyText, ipv4, (text, clientIp) => {
          assert.equal(attempt(() => tkt.validate(text, { clientIp })).ok, false);
        }),
        { numRuns: RUNS },
      );
    });

    test('ticket-shaped strings with a random digest never validate', () => {
      const hex = fc.stringMatching(new RegExp(`^[0-9a-f]{${hexLength}}$`));
      fc.assert(
        fc.property(hex, ticketFields, (digestHex, fields) => {
          const real = tkt.create(fields);
          const forged = digestHex + real.slice(hexLength);
          fc.pre(forged !== real);
          assert.equal(
            attempt(() => tkt.validate(tkt.cookieValue(forged), { clientIp: fields.ip })).ok,
            false,
          );
        }),
        { numRuns: RUNS },
      );
    });

    test('create/validate round-trips every carriable field, raw and base64', () => {
      fc.assert(
        fc.property(ticketFields, (fields) => {
          const ticket = tkt.create(fields);
          const info = tkt.validate(tkt.cookieValue(ticket), { clientIp: fields.ip });
          assert.deepEqual(identity(info), [fields.uid, fields.tokens, fields.userData, fields.ts]);
          // A raw ticket is cut at ';' (cookie syntax) and at a leading/trailing '"' (quotes).
          if (!/[;"]/.test(ticket))
            assert.deepEqual(
              identity(tkt.validate(ticket, { clientIp: fields.ip })),
              identity(info),
            );
        }),
        { numRuns: RUNS },
      );
    });

    test('edited tickets and cookies are refused, or validate to the same identity', () => {
      const subject = ticketFields.chain((fields) => {
        const ticket = tkt.create(fields);
        const cookie = tkt.cookieValue(ticket);
        return fc.tuple(
          fc.constant(fields),
          fc.constant(ticket),
          fc.oneof(edit(ticket), edit(cookie)),
        );
      });
      fc.assert(
        fc.property(subject, ([fields, ticket, edited]) => {
          const original = identity(tkt.validate(tkt.cookieValue(ticket), { clientIp: fields.ip }));
          const got = attempt(() => tkt.validate(edited, { clientIp: fields.ip }));
          if (got.ok)
            assert.deepEqual(identity(got.value), original, `accepted ${JSON.stringify(edited)}`);
        }),
        { numRuns: RUNS },
      );
    });

    test('an edit of the signed bytes (not the timestamp case) never validates', () => {
      const subject = ticketFields.chain((fields) => {
        const ticket = Buffer.from(tkt.create(fields));
        return fc.tuple(
          fc.constant(fields),
          fc.constant(ticket),
          fc.nat(ticket.length - 1),
          fc.integer({ min: 1, max: 255 }),
        );
      });
      fc.assert(
        fc.property(subject, ([fields, ticket, i, x]) => {
          const edited = Buffer.from(ticket);
          edited[i] = (edited[i] as number) ^ x;
          const inTs = i >= hexLength && i < hexLength + 8;
          fc.pre(!(inTs && (edited[i] as number) === ((ticket[i] as number) ^ 0x20)));
          // A NUL cuts the C string: that is a truncation, covered above.
          fc.pre(edited[i] !== 0);
          assert.equal(
            attempt(() => tkt.validate(edited.toString('base64'), { clientIp: fields.ip })).ok,
            false,
          );
        }),
        { numRuns: RUNS },
      );
    });

    test('another secret or another client IP never validates', () => {
      fc.assert(
        fc.property(ticketFields, ipv4, (fields, clientIp) => {
          const bound = fields.ip === '0.0.0.0' ? '10.0.0.1' : fields.ip;
          const cookie = tkt.cookieValue(tkt.create({ ...fields, ip: bound }));
          assert.equal(attempt(() => other.validate(cookie, { clientIp: bound })).ok, false);
          fc.pre(clientIp !== bound);
          assert.equal(attempt(() => tkt.validate(cookie, { clientIp })).ok, false);
        }),
        { numRuns: RUNS },
      );
    });
  });
}

// Fields ticket_auth carries: any text without lone surrogates (quoting makes the rest safe).
const text = fc.string({ unit: 'binary', maxLength: 20 });
const ip = fc.oneof(fc.constant(undefined), fc.ipV4(), fc.ipV6());
const factoryFields = fc.record({
  userId: text,
  tokens: fc.array(text, { maxLength: 3 }),
  userData: text,
  validUntil: fc.integer({ min: NOW + 1, max: 0xffffffff }),
  clientIp: ip,
});
const info = (i: TicketInfo) => [i.userId, i.tokens, i.userData, i.validUntil];

for (const hashalg of ['sha512', 'sha256', 'md5', 'sha3_256', 'blake2s']) {
  describe(`TicketFactory ${hashalg}`, () => {
    const factory = new TicketFactory('property secret', { hashalg, now });
    const other = new TicketFactory('property secret!', { hashalg, now });

    test('random strings never validate and throw only ticket errors', () => {
      fc.assert(
        fc.property(anyText, ip, (t, clientIp) => {
          assert.equal(attempt(() => factory.validate(t, { clientIp })).ok, false);
          // parse may succeed on anything shaped like a ticket, but throws nothing else.
          attempt(() => factory.parse(t));
        }),
        { numRuns: RUNS },
      );
    });

    test('new/validate round-trips any text and address', () => {
      fc.assert(
        fc.property(factoryFields, (f) => {
          const ticket = factory.new(f.userId, f);
          // An empty-string-only token list is written as "" and reads back as [].
          const tokens = f.tokens.length === 1 && f.tokens[0] === '' ? [] : f.tokens;
          assert.deepEqual(info(factory.validate(ticket, { clientIp: f.clientIp })), [
            f.userId,
            tokens,
            f.userData,
            f.validUntil,
          ]);
          assert.equal(attempt(() => other.validate(ticket, { clientIp: f.clientIp })).ok, false);
        }),
        { numRuns: RUNS },
      );
    });

    test('edited tickets are refused, or validate to the same fields', () => {
      const subject = factoryFields.chain((f) => {
        const ticket = factory.new(f.userId, f);
        return fc.tuple(fc.constant(f), fc.constant(ticket), edit(ticket));
      });
      fc.assert(
        fc.property(subject, ([f, ticket, edited]) => {
          const original = info(factory.validate(ticket, { clientIp: f.clientIp }));
          const got = attempt(() => factory.validate(edited, { clientIp: f.clientIp }));
          if (got.ok)
            assert.deepEqual(info(got.value), original, `accepted ${JSON.stringify(edited)}`);
        }),
        { numRuns: RUNS },
      );
    });
  });
}
