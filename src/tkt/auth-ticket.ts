/**
 * Apache mod_auth_tkt tickets (gavincarr/mod_auth_tkt 2.3.99b1), spec mod_auth_tkt.md. Creates
 * tickets Apache accepts and validates cookies exactly where Apache does: the same decoding,
 * digest, IP binding, timeout, refresh and token rules, in Apache's order.
 */
import { Buffer } from 'node:buffer';
import { clockOption, unixSeconds } from '../core/clock.ts';
import {
  TicketDigestError,
  TicketExpired,
  TicketParseError,
  TicketTokenMismatch,
} from '../core/errors.ts';
import { type Secret, secretBytes } from '../core/keys.ts';
import { equalBytes } from '../core/mac.ts';
import { apacheSeconds, parseApacheTicket, type RawTicket } from './apache.ts';
import { setCookieHeader, type TicketCookieOptions } from './cookie.ts';
import { hashHex } from './hash.ts';
import { apacheClientIp } from './ip.ts';
import { wellFormed } from './text.ts';

/** `TKTAuthDigestType`, in Node's spelling or Apache's. */
export type AuthTicketDigest = 'md5' | 'sha256' | 'sha512' | 'MD5' | 'SHA256' | 'SHA512';

/** Options of {@link AuthTicket}; each mirrors an Apache directive. */
export interface AuthTicketOptions {
  /** `TKTAuthSecret`: text (UTF-8) or bytes; not empty, no NUL byte. */
  secret: Secret;
  /** `TKTAuthDigestType`. Default `md5`, as Apache's. */
  digest?: AuthTicketDigest;
  /** `TKTAuthSecretOld`: still accepted, and a ticket it signed is due for refresh. */
  oldSecret?: Secret;
  /** `TKTAuthTimeout`: seconds, or `"2h"`, `"30m"`, `"1d 12h"` (units `s m h d w M y`); 0 = never. Default 7200. */
  timeout?: number | string;
  /** `TKTAuthTimeoutRefresh`: refresh when less than this share of the timeout is left (0 = never, 1 = always). Default 0.5. */
  timeoutRefresh?: number;
  /** `TKTAuthIgnoreIP`: validate as if every client were `0.0.0.0` (unbound tickets). Default false. */
  ignoreIp?: boolean;
  /** `TKTAuthToken`: the ticket must carry at least one of these. Default none. */
  requiredTokens?: readonly string[];
  /** Clock in milliseconds. Default `Date.now`. */
  now?: () => number;
}

/** What goes into a ticket. Times are Unix seconds, as on the wire. */
export interface AuthTicketFields {
  /** `REMOTE_USER`. Any text without `!`; may be empty. */
  uid: string;
  /** IPv4 address the ticket is bound to. Default `0.0.0.0` = unbound (for `ignoreIp` validators). */
  ip?: string;
  /** Issue time in Unix seconds (uint32). Default now. */
  ts?: number;
  /** Tokens (roles): non-empty, without `!`, `,` or whitespace. Default none. */
  tokens?: readonly string[];
  /** `REMOTE_USER_DATA`: any text. Default empty. */
  userData?: string;
}

/** Per-request inputs of {@link AuthTicket.validate}. */
export interface AuthTicketValidateOptions {
  /** The client's IP address as Apache's `useragent_ip` (IPv4). Default `0.0.0.0`; ignored with `ignoreIp`. */
  clientIp?: string | undefined;
  /** Overrides the instance's `requiredTokens` for this request (Apache sets them per directory). */
  requiredTokens?: readonly string[] | undefined;
}

/** A valid ticket, as Apache exports it (`REMOTE_USER`, `REMOTE_USER_TOKENS`, `REMOTE_USER_DATA`). */
export interface AuthTicketInfo {
  uid: string;
  tokens: string[];
  userData: string;
  /** Issue time, Unix seconds. */
  ts: number;
  /** A fresh cookie is due: the timeout is nearly used up, or the old secret signed the ticket. */
  refresh: boolean;
  /** The ticket was signed with `oldSecret`. */
  oldSecret: boolean;
}

/** Options of {@link AuthTicket.refreshCookie}. */
export interface RefreshCookieOptions extends TicketCookieOptions {
  /** The client IP the ticket was validated for. */
  clientIp?: string | undefined;
}

const ALGORITHMS: Record<string, { algorithm: string; hexLength: number }> = {
  md5: { algorithm: 'md5', hexLength: 32 },
  sha256: { algorithm: 'sha256', hexLength: 64 },
  sha512: { algorithm: 'sha512', hexLength: 128 },
};
/** `0.0.0.0`: what Apache hashes with TKTAuthIgnoreIP, and what an unbound ticket carries. */
const UNBOUND = 0;
const TOKEN_FORBIDDEN = /[!,\s\0]/;
const UINT32_MAX = 0xffffffff;

/** A secret, prepared for the second hash `H(digest0 hex || secret)`. */
interface Key {
  bytes: Buffer;
  /** The secret as text, when it is UTF-8: then `digest0 + text` is hashed as a string. */
  text: string | undefined;
  /** Otherwise `digest0 hex || secret` in a buffer, the secret pre-filled. */
  second: Buffer;
}

/**
 * mod_auth_tkt tickets: create them for Apache, validate Apache's (and your own) cookies.
 *
 * @example
 * ```ts
 * import { AuthTicket } from 'tessera/tkt';
 * const tkt = new AuthTicket({ secret: 'shared with TKTAuthSecret', timeout: '2h' });
 * const cookie = tkt.cookieValue(tkt.create({ uid: 'alice', tokens: ['admin'], userData: 'Alice' }));
 * const { uid, tokens, refresh } = tkt.validate(cookie); // { uid: 'alice', tokens: ['admin'], … }
 * ```
 */
export class AuthTicket {
  readonly #algorithm: string;
  readonly #hexLength: number;
  readonly #key: Key;
  readonly #oldKey: Key | undefined;
  readonly #timeout: number;
  readonly #timeoutRefresh: number;
  readonly #ignoreIp: boolean;
  readonly #requiredTokens: readonly string[];
  readonly #now: () => number;
  /** Reused for the expected digest; every use is synchronous. */
  readonly #expected: Buffer;

  constructor(options: AuthTicketOptions) {
    if (typeof options !== 'object' || options === null) {
      throw new TypeError('AuthTicket needs an options object with a secret');
    }
    const digest = options.digest ?? 'md5';
    const spec = typeof digest === 'string' ? ALGORITHMS[digest.toLowerCase()] : undefined;
    if (spec === undefined) {
      throw new RangeError(`digest must be md5, sha256 or sha512; got ${JSON.stringify(digest)}`);
    }
    this.#algorithm = spec.algorithm;
    this.#hexLength = spec.hexLength;
    this.#key = makeKey(options.secret, 'secret', spec.hexLength);
    this.#oldKey =
      options.oldSecret === undefined
        ? undefined
        : makeKey(options.oldSecret, 'oldSecret', spec.hexLength);
    this.#timeout = apacheSeconds(options.timeout ?? 7200, 'timeout');
    const refresh = options.timeoutRefresh ?? 0.5;
    if (typeof refresh !== 'number' || !(refresh >= 0 && refresh <= 1)) {
      throw new RangeError('timeoutRefresh must be a number from 0 to 1');
    }
    this.#timeoutRefresh = refresh;
    if (options.ignoreIp !== undefined && typeof options.ignoreIp !== 'boolean') {
      throw new TypeError('ignoreIp must be a boolean');
    }
    this.#ignoreIp = options.ignoreIp ?? false;
    this.#requiredTokens = checkRequiredTokens(options.requiredTokens);
    this.#now = clockOption(options.now);
    this.#expected = Buffer.alloc(spec.hexLength);
  }

  /**
   * A new ticket (not yet cookie-encoded). Without tokens, user data holding a `!` is written
   * after an empty tokens field (`uid!!data`), which Apache parses correctly; the original
   * generators write `uid!data`, which Apache then rejects (spec §2, vector
   * `quirk_bang_in_user_data`). Throws `TypeError`/`RangeError` for fields the format cannot carry.
   *
   * @example
   * ```ts
   * const ticket = tkt.create({ uid: 'alice', ip: '127.0.0.1', ts: 1700000000, tokens: ['admin', 'staff'], userData: 'hello' });
   * // '<hex digest>6553f100alice!admin,staff!hello'
   * ```
   */
  create(fields: AuthTicketFields): string {
    if (typeof fields !== 'object' || fields === null) throw new TypeError('create needs fields');
    const { uid, userData = '', tokens = [] } = fields;
    checkText(uid, 'uid');
    if (uid.includes('!')) throw new TypeError('uid must not contain "!"');
    checkText(userData, 'userData');
    if (!Array.isArray(tokens)) throw new TypeError('tokens must be an array of strings');
    for (const token of tokens) {
      checkText(token, 'each token');
      if (token === '' || TOKEN_FORBIDDEN.test(token)) {
        throw new TypeError(
          `token ${JSON.stringify(token)} must be non-empty, without "!", "," or whitespace`,
        );
      }
    }
    const ip = bindIp(fields.ip ?? '0.0.0.0', 'ip');
    const ts = fields.ts ?? unixSeconds(this.#now);
    if (!Number.isInteger(ts) || ts < 0 || ts > UINT32_MAX) {
      throw new RangeError('ts must be whole Unix seconds from 0 to 2^32 - 1');
    }
    const joined = tokens.join(',');
    const separator = joined !== '' ? `${joined}!` : userData.includes('!') ? '!' : '';
    return this.#write(ip, ts, uid, joined, userData, separator);
  }

  /**
   * The cookie value Apache's generators write: standard base64 with padding, no line breaks.
   *
   * @example
   * ```ts
   * res.setHeader('Set-Cookie', setCookieHeader(tkt.cookieValue(ticket)));
   * ```
   */
  cookieValue(ticket: string): string {
    if (typeof ticket !== 'string') throw new TypeError('ticket must be a string');
    return Buffer.from(ticket, 'utf8').toString('base64');
  }

  /**
   * Validate a cookie value or a ticket as Apache does: raw, `%21`-escaped, base64 (padded or
   * not) or quoted; the value ends at the first `;`. Checks, in Apache's order: parse → digest
   * (constant time; current, then old secret; client IP bound as Apache binds it) → timeout →
   * required tokens. Throws {@link TicketParseError}, {@link TicketDigestError},
   * {@link TicketExpired} or {@link TicketTokenMismatch}.
   *
   * @example
   * ```ts
   * try {
   *   const info = tkt.validate(req.cookies.auth_tkt, { clientIp: req.ip });
   *   if (info.refresh) res.setHeader('Set-Cookie', tkt.refreshCookie(info, { clientIp: req.ip })!);
   * } catch (err) {
   *   if (err instanceof TicketError) res.redirect('/login');
   * }
   * ```
   */
  validate(cookieOrTicket: string, options: AuthTicketValidateOptions = {}): AuthTicketInfo {
    if (typeof cookieOrTicket !== 'string') throw new TypeError('cookieOrTicket must be a string');
    const clientIp = options.clientIp;
    if (clientIp !== undefined && typeof clientIp !== 'string') {
      throw new TypeError('clientIp must be a string');
    }
    const required =
      options.requiredTokens === undefined
        ? this.#requiredTokens
        : checkRequiredTokens(options.requiredTokens);

    // 1. shape
    const raw = parseApacheTicket(cookieOrTicket, this.#hexLength);
    const { bytes, ts } = raw;

    // 2. digest. Apache cannot bind an IPv6 client or 255.255.255.255 (spec §5.4): reject as it does.
    const ip = this.#ignoreIp ? UNBOUND : apacheClientIp(clientIp ?? '0.0.0.0');
    if (ip === undefined) {
      throw new TicketDigestError(
        'client IP cannot be bound by mod_auth_tkt (IPv6 or 255.255.255.255)',
        { payload: bytes },
      );
    }
    let usedOld = false;
    if (!this.#matches(this.#key, ip, raw)) {
      if (this.#oldKey === undefined || !this.#matches(this.#oldKey, ip, raw)) {
        throw new TicketDigestError('ticket digest does not match', { payload: bytes });
      }
      usedOld = true;
    }

    // 3. timeout: `ts + timeout >= now` in C unsigned int arithmetic (check_timeout).
    let refresh = usedOld;
    if (this.#timeout > 0) {
      const now = unixSeconds(this.#now) >>> 0;
      const end = (ts + this.#timeout) >>> 0;
      if (end < now) {
        throw new TicketExpired(`ticket expired at ${end} (now ${now})`, { payload: bytes });
      }
      // refresh_cookie: `int remainder = ts + timeout - now; remainder < refresh * timeout`.
      const remainder = (end - now) | 0;
      if (this.#timeoutRefresh > 0 && remainder < this.#timeoutRefresh * this.#timeout) {
        refresh = true;
      }
    }

    // 4. tokens: any ticket token equal to any required token (check_tokens). Empty entries
    // ("a,,b") are kept, so that tokens.join(',') is REMOTE_USER_TOKENS exactly; none can match.
    const { sep1, sep2 } = raw;
    const tokenText = sep2 === -1 ? '' : utf8(bytes, sep1 + 1, sep2);
    const tokens = tokenText === '' ? [] : tokenText.split(',');
    if (required.length > 0 && !tokens.some((t) => required.includes(t))) {
      throw new TicketTokenMismatch('ticket carries none of the required tokens', {
        payload: bytes,
      });
    }

    return {
      uid: utf8(bytes, this.#hexLength + 8, sep1),
      tokens,
      userData: utf8(bytes, (sep2 === -1 ? sep1 : sep2) + 1, bytes.length),
      ts,
      refresh,
      oldSecret: usedOld,
    };
  }

  /**
   * A fresh ticket for a validated one, issued now with the current secret and bound as the
   * validated one was — what Apache's `refresh_cookie` writes, byte for byte
   * (`uid!tokens!data`, both separators always).
   *
   * @example
   * ```ts
   * const info = tkt.validate(cookie, { clientIp });
   * if (info.refresh) cookie = tkt.cookieValue(tkt.refresh(info, { clientIp }));
   * ```
   */
  refresh(info: AuthTicketInfo, options: { clientIp?: string | undefined } = {}): string {
    if (typeof info !== 'object' || info === null) {
      throw new TypeError('refresh needs the info validate() returned');
    }
    const { uid, tokens, userData } = info;
    checkText(uid, 'uid');
    checkText(userData, 'userData');
    if (uid.includes('!')) throw new TypeError('uid must not contain "!"');
    if (!Array.isArray(tokens)) throw new TypeError('tokens must be an array of strings');
    for (const token of tokens) {
      checkText(token, 'each token');
      if (/[!,]/.test(token)) throw new TypeError('a token must not contain "!" or ","');
    }
    const ip = this.#ignoreIp ? UNBOUND : bindIp(options.clientIp ?? '0.0.0.0', 'clientIp');
    const joined = tokens.join(',');
    return this.#write(ip, unixSeconds(this.#now) >>> 0, uid, joined, userData, `${joined}!`);
  }

  /**
   * The `Set-Cookie` header value of a refreshed ticket when one is due (`info.refresh`), else
   * `undefined` — what Apache sends on a valid request past the refresh point.
   *
   * @example
   * ```ts
   * const setCookie = tkt.refreshCookie(info, { clientIp: req.ip, domain: 'example.org' });
   * if (setCookie) res.setHeader('Set-Cookie', setCookie);
   * ```
   */
  refreshCookie(info: AuthTicketInfo, options: RefreshCookieOptions = {}): string | undefined {
    if (!info.refresh) return undefined;
    const { clientIp, ...cookie } = options;
    return setCookieHeader(this.cookieValue(this.refresh(info, { clientIp })), cookie);
  }

  // ticket = DIGEST_HEX TS_HEX8 UID '!' [ TOKENS '!' ] USER_DATA
  #write(
    ip: number,
    ts: number,
    uid: string,
    tokens: string,
    userData: string,
    tokensField: string,
  ): string {
    const key = this.#key;
    const body = `${uid}\0${tokens}\0${userData}`;
    const first = this.#first(key, ip, ts, Buffer.byteLength(body, 'utf8'));
    first.write(body, 8 + key.bytes.length, 'utf8');
    const digest = this.#digestHex(key, first);
    return `${digest}${ts.toString(16).padStart(8, '0')}${uid}!${tokensField}${userData}`;
  }

  /** `ip || ts || secret`, with room for exactly `bodyLength` more bytes. */
  #first(key: Key, ip: number, ts: number, bodyLength: number): Buffer {
    const first = Buffer.allocUnsafe(8 + key.bytes.length + bodyLength);
    first.writeUInt32BE(ip, 0);
    first.writeUInt32BE(ts, 4);
    key.bytes.copy(first, 8);
    return first;
  }

  /**
   * digest0 = H(ip || ts || secret || uid \0 tokens \0 data) as hex; digest = H(digest0 || secret)
   * as hex (spec §3). `first` is digest0's input.
   */
  #digestHex(key: Key, first: Buffer): string {
    const digest0 = hashHex(this.#algorithm, first);
    if (key.text !== undefined) return hashHex(this.#algorithm, digest0 + key.text);
    key.second.write(digest0, 0, 'latin1');
    return hashHex(this.#algorithm, key.second);
  }

  /**
   * Recompute a parsed ticket's digest and compare as Apache's memcmp does: the lowercase hex
   * text, here in constant time.
   */
  #matches(key: Key, ip: number, raw: RawTicket): boolean {
    const { bytes, sep1, sep2, ts } = raw;
    const start = this.#hexLength + 8;
    // digest0's input ends in uid \0 tokens \0 data: the ticket's tail with NULs for the '!'s,
    // and an empty tokens field added when the ticket has none.
    const tail = bytes.length - start + (sep2 === -1 ? 1 : 0);
    const first = this.#first(key, ip, ts, tail);
    const at = 8 + key.bytes.length - start;
    if (sep2 === -1) {
      bytes.copy(first, at + start, start, sep1);
      first[at + sep1] = 0;
      first[at + sep1 + 1] = 0;
      bytes.copy(first, at + sep1 + 2, sep1 + 1);
    } else {
      bytes.copy(first, at + start, start);
      first[at + sep1] = 0;
      first[at + sep2] = 0;
    }
    this.#expected.write(this.#digestHex(key, first), 0, 'latin1');
    return equalBytes(this.#expected, bytes.subarray(0, this.#hexLength));
  }
}

/** Strict UTF-8 text of a validated field; Apache passes bytes through, Tessera needs text. */
function utf8(bytes: Buffer, start: number, end: number): string {
  const text = bytes.toString('utf8', start, end);
  // U+FFFD appears only if the bytes were not UTF-8 (or it was really there): check then.
  if (text.includes('\uFFFD') && !Buffer.from(text, 'utf8').equals(bytes.subarray(start, end))) {
    throw new TicketParseError('ticket field is not UTF-8', { payload: bytes });
  }
  return text;
}

function makeKey(secret: unknown, option: string, hexLength: number): Key {
  const bytes = secretBytes(secret, option);
  // Apache keeps the secret in a C string; a NUL would cut it short.
  if (bytes.includes(0)) throw new RangeError(`${option} must not contain a NUL byte`);
  const second = Buffer.alloc(hexLength + bytes.length);
  bytes.copy(second, hexLength);
  const text = bytes.toString('utf8');
  return { bytes, text: Buffer.from(text, 'utf8').equals(bytes) ? text : undefined, second };
}

function checkText(value: unknown, option: string): asserts value is string {
  if (typeof value !== 'string') throw new TypeError(`${option} must be a string`);
  // Apache hashes C strings (a NUL would cut them); a lone surrogate has no UTF-8 form.
  if (value.includes('\0') || !wellFormed(value)) {
    throw new TypeError(`${option} must not contain NUL or a lone surrogate`);
  }
}

function checkRequiredTokens(tokens: unknown): readonly string[] {
  if (tokens === undefined) return [];
  if (!Array.isArray(tokens) || !tokens.every((t) => typeof t === 'string' && t !== '')) {
    throw new TypeError('requiredTokens must be an array of non-empty strings');
  }
  return [...tokens];
}

function bindIp(text: unknown, option: string): number {
  if (typeof text !== 'string') throw new TypeError(`${option} must be a string`);
  // Apache never accepts a ticket for 255.255.255.255, but the vectors' generators make one.
  if (text === '255.255.255.255') return 0xffffffff;
  const ip = apacheClientIp(text);
  if (ip === undefined) {
    throw new RangeError(
      `${option} must be an IPv4 address (mod_auth_tkt binds IPv4 only; "0.0.0.0" = unbound); got ${JSON.stringify(text)}`,
    );
  }
  return ip;
}
