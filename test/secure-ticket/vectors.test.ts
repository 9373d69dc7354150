/**
 * Every case of ../shared/vectors/pytickets.json (copied to test/vectors): each token validated
 * with the clock, key, session and entropy the case names, with the outcome the original gave
 * mapped to Tessera's error tree; every `valid` ticket re-created byte for byte from its params.
 * Driven by `expect`/`reason`/`kind` only, so held-back files of the same schema run unchanged.
 */
import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import {
  SecureTicket,
  SecureTicketService,
  TesseraError,
  TicketDigestError,
  TicketExpired,
  TicketParseError,
  UnsupportedPayload,
} from '../../src/secure-ticket/index.ts';

interface Case {
  id: string;
  kind: string;
  params: {
    key_hex: string;
    session_hex: string;
    entropy_hex: string;
    options: { encrypt: number; serialize: number; compress: number };
    lifespan: number;
    created_at: number;
    valid_until: number;
    salt_hex: string;
    data_utf8?: string;
    data_hex?: string;
    pickled?: boolean;
  };
  token: string;
  input: { key_hex: string; session_hex: string; entropy_hex: string };
  now: number;
  expect: string;
  reason?: string;
  value?: {
    data_utf8?: string;
    data_hex?: string;
    data?: unknown;
    valid_until: number;
    flags: { serialize: boolean; compress: boolean };
    encrypted: boolean;
    data_len: number;
  };
}

const file = process.env.PYTICKETS_VECTORS ?? new URL('../vectors/pytickets.json', import.meta.url);
const vectors = JSON.parse(readFileSync(file, 'utf8')) as { cases: Case[] };
const hex = (h: string): Buffer => Buffer.from(h, 'hex');

function validator(c: Case): SecureTicketService {
  return new SecureTicketService(hex(c.input.key_hex), {
    session: hex(c.input.session_hex),
    now: () => c.now * 1000,
  });
}

function expectedData(v: NonNullable<Case['value']>): Buffer {
  return v.data_hex !== undefined ? hex(v.data_hex) : Buffer.from(v.data_utf8 ?? '', 'utf8');
}

describe('pytickets vectors', () => {
  for (const c of vectors.cases) {
    test(`${c.id} ${c.kind} → ${c.expect}${c.reason ? ` (${c.reason})` : ''}`, () => {
      if (c.input.key_hex === '') {
        // The original accepts an empty key (an HMAC anyone can compute); Tessera refuses it as misuse.
        assert.throws(() => validator(c), RangeError);
        return;
      }
      const service = validator(c);
      const entropy = hex(c.input.entropy_hex);
      const valid = service.validateTicket(c.token, { entropy });
      // the same answer for every way of handing the ticket over
      let bytes: Buffer | undefined;
      try {
        bytes = Buffer.from(SecureTicket.fromBase64(c.token).toBytes());
      } catch (err) {
        assert.ok(err instanceof TicketParseError);
      }
      if (bytes !== undefined) {
        assert.equal(service.validateTicket(bytes, { entropy }), valid);
        assert.equal(service.validateTicket(SecureTicket.fromBytes(bytes), { entropy }), valid);
      }
      const open = () => service.openTicket(c.token, { entropy });

      if (c.expect === 'ok') {
        assert.equal(valid, true);
        const v = c.value;
        assert.ok(v !== undefined);
        if (v.flags.serialize) {
          // A Python pickle: genuine and unexpired, but never unpickled.
          assert.throws(
            open,
            (e: unknown) => e instanceof UnsupportedPayload && /pickle/.test(e.message),
          );
          return;
        }
        const opened = open();
        assert.deepEqual(Buffer.from(opened.data), expectedData(v));
        assert.equal(opened.validUntil, v.valid_until);
        assert.deepEqual(opened.flags, {
          encrypt: v.encrypted,
          compress: v.flags.compress,
          serialize: false,
        });
        assert.deepEqual(Buffer.from(service.getData(c.token, { entropy })), expectedData(v));
        return;
      }
      assert.equal(valid, false);
      let error: unknown;
      try {
        open();
      } catch (err) {
        error = err;
      }
      assert.ok(error instanceof TesseraError, `${c.id}: ${String(error)}`);
      if (c.expect === 'invalid' && c.reason === 'expired')
        assert.ok(error instanceof TicketExpired, String(error));
      else if (c.expect === 'invalid') assert.ok(error instanceof TicketDigestError, String(error));
      // InvalidTicketException (prefix, ticket_len), struct.error (too short), TypeError (base64)
      else assert.ok(error instanceof TicketParseError, `${c.id} ${c.expect}: ${String(error)}`);
    });

    if (c.kind === 'valid' && !c.params.pickled && c.expect === 'ok' && c.params.key_hex !== '') {
      test(`${c.id} re-create byte for byte`, () => {
        const p = c.params;
        const salt = hex(p.salt_hex);
        const service = new SecureTicketService(hex(p.key_hex), {
          session: hex(p.session_hex),
          encrypt: p.options.encrypt === 1,
          compress: p.options.compress === 1,
          lifespan: p.lifespan,
          now: () => p.created_at * 1000,
          random: () => salt,
        });
        const data = p.data_hex !== undefined ? hex(p.data_hex) : (p.data_utf8 ?? '');
        const ticket = service.createTicket(data, { entropy: hex(p.entropy_hex) });
        assert.equal(ticket.toBase64(), c.token);
        assert.equal(ticket.byteLength, Buffer.from(c.token, 'base64').length);
      });
    }
  }
});
