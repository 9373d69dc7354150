/** Shared fixtures of the auth_tkt web and adapter tests: a secret, a clock, and tickets. */
import { Buffer } from 'node:buffer';
import { AuthTicket, type AuthTicketFields } from '../../src/tkt/index.ts';
import { NOW_S, now } from './fixtures.ts';

export { NOW_S, now };
export const TKT_SECRET = 'tkt-web-test-secret';
export const OLD_SECRET = 'tkt-web-old-secret';
export const LOGIN = 'https://sso.test/login';

/** The issuer: Apache's defaults (md5, 7200 s, refresh at 0.5) on the fixed clock. */
export const issuer = new AuthTicket({ secret: TKT_SECRET, now });

/** A base64 cookie value, issued `age` seconds before {@link NOW_S}. */
export function cookieFor(fields: Partial<AuthTicketFields> & { age?: number } = {}): string {
  const { age = 0, ...rest } = fields;
  return issuer.cookieValue(
    issuer.create({ uid: 'alice', tokens: ['admin'], userData: 'Alice', ts: NOW_S - age, ...rest }),
  );
}

/** A cookie value with one character of the ticket's uid changed (digest no longer matches). */
export function tampered(): string {
  const ticket = Buffer.from(cookieFor(), 'base64').toString('utf8').replace('alice', 'alicf');
  return Buffer.from(ticket, 'utf8').toString('base64');
}

/** The ticket inside a `Set-Cookie: auth_tkt=<base64>; …` value. */
export function ticketOf(setCookie: string): string {
  const value = /^auth_tkt=([^;]*)/.exec(setCookie)?.[1] ?? '';
  return Buffer.from(value, 'base64').toString('utf8');
}

/** The issue time (8 hex digits after a 32-character md5 digest) of a ticket. */
export function tsOf(ticket: string): number {
  return Number.parseInt(ticket.slice(32, 40), 16);
}
