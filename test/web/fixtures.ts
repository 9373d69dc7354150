/** Shared fixtures of the web and adapter tests: keys, a fixed clock, and signed links. */
import { type Extra, signUrl } from '../../src/ska/index.ts';

export const SECRET = 'web-test-secret';
export const PARTNER_SECRET = 'partner-test-secret';
/** The clock every test injects (ska validity is `valid_until > now`). */
export const NOW_S = 1_600_000_000;
export const now = (): number => NOW_S * 1000;
/** A clock past every link's lifetime. */
export const later = (): number => (NOW_S + 601) * 1000;

/** A signed path (`/path?signature=…`), valid for 600 s at {@link NOW_S}. */
export function link(
  path: string,
  options: { authUser?: string; extra?: Extra; secretKey?: string; validUntil?: string } = {},
): string {
  return signUrl({
    authUser: options.authUser ?? 'jane',
    secretKey: options.secretKey ?? SECRET,
    validUntil: options.validUntil,
    extra: options.extra,
    url: path,
    now,
  });
}

/** Replace one query parameter of a signed path (a tampered link). */
export function withParam(path: string, name: string, value: string): string {
  const url = new URL(path, 'http://x');
  url.searchParams.set(name, value);
  return `${url.pathname}${url.search}`;
}

/** The query of a signed path as a form body. */
export function formOf(path: string): string {
  return path.slice(path.indexOf('?') + 1);
}

/** Open-redirect attempts that must never become the Location. */
export const OPEN_REDIRECTS = [
  'https://evil.com/',
  '//evil.com',
  '/\\evil.com',
  '\\\\evil.com',
  'javascript:alert(1)',
  '/\t/evil.com',
  '/a/..//evil.com',
  'http:evil.com',
  'evil.com',
];

/** A user table for the login tests. */
export interface User {
  name: string;
  email?: string | undefined;
}
