/**
 * `Set-Cookie` header values for ticket cookies. Apache's own cookie (`send_auth_cookie`) is
 * `auth_tkt=<base64>; path=/[; domain=…][; expires=…][; secure]`; these builders write the same
 * name and attributes with RFC 6265 syntax (an IMF-fixdate `Expires`, not Apache's two-digit
 * year), plus `HttpOnly` by default.
 */
import { durationSeconds } from '../core/clock.ts';

/** Attributes of a ticket cookie. */
export interface TicketCookieOptions {
  /** Cookie name (`TKTAuthCookieName`). Default `auth_tkt`. */
  name?: string;
  /** Default `/`, as Apache writes it. */
  path?: string;
  /** `TKTAuthDomain`: share the ticket across hosts of a single-sign-on domain. */
  domain?: string;
  /** `TKTAuthCookieSecure`: send over HTTPS only. Default `false`. */
  secure?: boolean;
  /** Hide the cookie from page scripts. Default `true` (Apache sets no such flag). */
  httpOnly?: boolean;
  /** `SameSite` attribute; omitted unless given. */
  sameSite?: 'Strict' | 'Lax' | 'None';
  /** Absolute expiry. Omit both `expires` and `maxAge` for a session cookie, as Apache's default. */
  expires?: Date;
  /** Lifetime in seconds or a duration string (`TKTAuthCookieExpires`). */
  maxAge?: number | string;
}

// RFC 6265 §4.1.1: cookie-name is a token, cookie-value is cookie-octets.
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const COOKIE_VALUE = /^[\x21\x23-\x2B\x2D-\x3A\x3C-\x5B\x5D-\x7E]*$/;
const ATTRIBUTE_VALUE = /^[\x20-\x3A\x3C-\x7E]+$/;

/**
 * A `Set-Cookie` header value carrying a ticket cookie value (use `AuthTicket#cookieValue`: a
 * raw ticket may hold characters a cookie cannot carry, which throw a `TypeError`).
 *
 * @example
 * ```ts
 * import { AuthTicket, setCookieHeader } from 'tessera/tkt';
 * const tkt = new AuthTicket({ secret: process.env.TKT_SECRET! });
 * const value = tkt.cookieValue(tkt.create({ uid: 'alice' }));
 * res.setHeader('Set-Cookie', setCookieHeader(value, { domain: 'example.org', secure: true }));
 * // 'auth_tkt=…; Path=/; Domain=example.org; Secure; HttpOnly'
 * ```
 */
export function setCookieHeader(value: string, options: TicketCookieOptions = {}): string {
  if (typeof value !== 'string' || !COOKIE_VALUE.test(value)) {
    throw new TypeError('cookie value holds characters a cookie cannot carry; use cookieValue()');
  }
  const name = options.name ?? 'auth_tkt';
  if (!TOKEN.test(name)) throw new TypeError(`cookie name ${JSON.stringify(name)} is not a token`);
  let header = `${name}=${value}; Path=${attribute(options.path ?? '/', 'path')}`;
  if (options.domain !== undefined) header += `; Domain=${attribute(options.domain, 'domain')}`;
  if (options.expires !== undefined) {
    if (!(options.expires instanceof Date) || Number.isNaN(options.expires.getTime())) {
      throw new TypeError('expires must be a valid Date');
    }
    header += `; Expires=${options.expires.toUTCString()}`;
  }
  if (options.maxAge !== undefined) {
    header += `; Max-Age=${Math.floor(durationSeconds(options.maxAge, 'maxAge'))}`;
  }
  if (options.secure === true) header += '; Secure';
  if (options.httpOnly !== false) header += '; HttpOnly';
  if (options.sameSite !== undefined) {
    if (!['Strict', 'Lax', 'None'].includes(options.sameSite)) {
      throw new RangeError('sameSite must be Strict, Lax or None');
    }
    header += `; SameSite=${options.sameSite}`;
  }
  return header;
}

/**
 * A `Set-Cookie` header value that deletes the ticket cookie (logout, or an expired ticket, as
 * Apache sends on timeout — with a real 1970 date rather than Apache's malformed one). Pass the
 * same `name`, `path` and `domain` the cookie was set with.
 *
 * @example
 * ```ts
 * import { clearCookieHeader } from 'tessera/tkt';
 * res.setHeader('Set-Cookie', clearCookieHeader({ domain: 'example.org' }));
 * // 'auth_tkt=; Path=/; Domain=example.org; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; HttpOnly'
 * ```
 */
export function clearCookieHeader(
  options: Omit<TicketCookieOptions, 'expires' | 'maxAge'> = {},
): string {
  return setCookieHeader('', { ...options, expires: new Date(0), maxAge: 0 });
}

function attribute(value: unknown, option: string): string {
  if (typeof value !== 'string' || !ATTRIBUTE_VALUE.test(value)) {
    throw new TypeError(`${option} must be non-empty printable ASCII without ";"`);
  }
  return value;
}
