/**
 * Every case of test/vectors/ticket_auth.json (copied from ../shared/vectors): `new(params)`
 * reproduces `token` where the vectors say it must, and `validate` gives `expect`.
 */
import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import {
  TicketDigestError,
  TicketExpired,
  TicketFactory,
  TicketParseError,
} from '../../src/tkt/index.ts';

interface Case {
  id: string;
  kind: string;
  params: {
    hashalg: string;
    secret_hex: string;
    user_id: string;
    tokens: string[] | null;
    user_data: string | null;
    valid_until: number;
    client_ip: string | null;
  };
  token: string;
  input: { hashalg: string; secret_hex: string; client_ip: string | null };
  now: number;
  expect: 'ok' | 'TicketParseError' | 'TicketDigestError' | 'TicketExpired';
  value?: {
    digest: string;
    user_id: string;
    tokens: string[];
    user_data: string;
    valid_until: number;
  };
  error_msg?: string;
}

const file = JSON.parse(
  readFileSync(new URL('../vectors/ticket_auth.json', import.meta.url), 'utf8'),
) as { count: number; cases: Case[] };

const GENERATE = new Set([
  'valid',
  'expired_boundary',
  'wrong_secret',
  'wrong_ip',
  'wrong_hashalg',
  'explicit_0000_equals_none',
  'ipv6_unspecified_differs',
]);
const ERRORS = { TicketParseError, TicketDigestError, TicketExpired } as const;

describe('ticket_auth vectors', () => {
  test('the file holds every case', () => {
    assert.equal(file.cases.length, file.count);
    assert.equal(file.count, 46);
  });

  for (const c of file.cases) {
    if (GENERATE.has(c.kind)) {
      test(`${c.id} ${c.kind}: new() reproduces the token`, () => {
        const p = c.params;
        const factory = new TicketFactory(Buffer.from(p.secret_hex, 'hex'), {
          hashalg: p.hashalg,
        });
        const ticket = factory.new(p.user_id, {
          tokens: p.tokens,
          userData: p.user_data,
          validUntil: p.valid_until,
          clientIp: p.client_ip,
        });
        assert.equal(ticket, c.token);
      });
    }

    test(`${c.id} ${c.kind}: validate gives ${c.expect}`, () => {
      const factory = new TicketFactory(Buffer.from(c.input.secret_hex, 'hex'), {
        hashalg: c.input.hashalg,
        now: () => c.now * 1000,
      });
      if (c.expect === 'ok') {
        const info = factory.validate(c.token, { clientIp: c.input.client_ip });
        const v = c.value!;
        assert.deepEqual(info, {
          digest: v.digest,
          userId: v.user_id,
          tokens: v.tokens,
          userData: v.user_data,
          validUntil: v.valid_until,
        });
      } else {
        assert.throws(
          () => factory.validate(c.token, { clientIp: c.input.client_ip }),
          (err: unknown) => {
            assert.ok(
              err instanceof ERRORS[c.expect as keyof typeof ERRORS],
              `${String(err)} is a ${c.expect}`,
            );
            assert.equal((err as Error).message, c.error_msg);
            return true;
          },
        );
      }
    });
  }
});
