/**
 * Authenticating requests with mod_auth_tkt tickets (mod_auth_tkt.md §4–§5, `auth_tkt_check`):
 * the Node side of a mixed Apache/Node single-sign-on domain. The ticket comes from the
 * `auth_tkt` query argument or cookie, exactly where Apache finds it; a valid one exposes its
 * uid, tokens and user data and gets a refreshed cookie when due; anything else is a 307 to the
 * login URL with a `back` argument (Apache's `TKTAuthLoginURL`/`TKTAuthBackArgName`), or a 401.
 * With a {@link ReplayStore}, logout revokes the ticket and a revoked ticket is refused.
 */
import { Buffer } from 'node:buffer';
import { type Clock, clockOption } from '../core/clock.ts';
import {
  TicketDigestError,
  TicketError,
  TicketExpired,
  TicketParseError,
  TicketTokenMismatch,
  TokenRevoked,
} from '../core/errors.ts';
import { type ReplayStore, tokenId } from '../stores/index.ts';
import { apacheSeconds, parseApacheTicket } from '../tkt/apache.ts';
import {
  AuthTicket,
  type AuthTicketDigest,
  type AuthTicketInfo,
  type AuthTicketOptions,
  clearCookieHeader,
  setCookieHeader,
  type TicketCookieOptions,
} from '../tkt/index.ts';

/** What a valid ticket vouches for, as Apache exports it (`REMOTE_USER`, `…_TOKENS`, `…_DATA`). */
export interface TktAuth {
  readonly uid: string;
  readonly tokens: readonly string[];
  readonly userData: string;
  /** Issue time, Unix seconds. */
  readonly ts: number;
}

/**
 * The parts of a request the ticket check reads. The adapters fill it in; on a Web `Request`
 * use {@link tktRequest}.
 */
export interface TktRequest {
  /** The full URL (`https://host/path?query`): the `auth_tkt` query argument and the `back` URL. */
  url: string;
  /** The `Cookie` header. */
  cookie?: string | null | undefined;
  /** The client's address as the server sees it (the socket peer, or the framework's client IP). */
  remoteAddress?: string | null | undefined;
  /** The `X-Forwarded-For` header, read only with `trustProxy`. */
  forwardedFor?: string | null | undefined;
}

/** Options of {@link TktGuard}: those of {@link AuthTicket} (one per Apache directive) and these. */
export interface TktGuardOptions extends AuthTicketOptions {
  /** `TKTAuthCookieName`: the cookie, and the query argument, holding the ticket. Default `auth_tkt`. */
  cookieName?: string | undefined;
  /** Accept a ticket in the query (`?auth_tkt=…`) as Apache does, and set it as the cookie. Default true. */
  queryTicket?: boolean | undefined;
  /** `TKTAuthLoginURL`: refused requests are redirected (307) here. Without it they get a 401. */
  loginUrl?: string | undefined;
  /** `TKTAuthTimeoutURL`: where an expired ticket goes instead of `loginUrl`. */
  timeoutUrl?: string | undefined;
  /** `TKTAuthUnauthURL`: where a ticket without a required token goes instead of `loginUrl`. */
  unauthUrl?: string | undefined;
  /** `TKTAuthBackArgName`: the login URL's argument carrying the original URL; `false` for none. Default `back`. */
  backArgName?: string | false | undefined;
  /** Attributes of the cookies sent (refreshed, set from the query, cleared): `TKTAuthDomain`, `TKTAuthCookieSecure`, … */
  cookie?: Omit<TicketCookieOptions, 'name'> | undefined;
  /** Revocation: a revoked ticket is refused, and {@link TktGuard.logout} revokes. */
  store?: ReplayStore | undefined;
  /**
   * Take the client IP from the first entry of `X-Forwarded-For` (Apache's `RemoteIPHeader`).
   * Only behind a proxy that sets that header itself: a client can write anything in it.
   * Default false: the connection's address.
   */
  trustProxy?: boolean | undefined;
  /** The 401 text when there is no `loginUrl`. Default `Unauthorized`. */
  message?: string | undefined;
}

/** Why a request was refused. */
export type TktFailureCode =
  /** No ticket in the query or the cookie. */
  | 'no-ticket'
  /** Unparsable, forged, for another client IP, or signed with an unknown secret. */
  | 'invalid'
  /** Past `TKTAuthTimeout` (the cookie is cleared, as Apache does). */
  | 'expired'
  /** None of the required tokens. */
  | 'token-mismatch'
  /** Revoked (logged out); the cookie is cleared. */
  | 'revoked'
  /** The store could not answer: refused, never accepted on doubt (503). */
  | 'store-unavailable';

/** The outcome of {@link TktGuard.check}. */
export type TktResult =
  | {
      readonly ok: true;
      readonly tkt: TktAuth;
      /** A `Set-Cookie` value to send: a refreshed ticket, or a query ticket made the cookie. */
      readonly setCookie: string | undefined;
    }
  | {
      readonly ok: false;
      readonly code: TktFailureCode;
      /** 307 to `location`, 401 without a login URL, 503 when the store failed. */
      readonly status: 307 | 401 | 503;
      readonly location: string | undefined;
      /** A `Set-Cookie` value to send (the deleting cookie of an expired or revoked ticket). */
      readonly setCookie: string | undefined;
      /** The response text of a 401 or 503. */
      readonly message: string;
      /** The Tessera error behind the refusal, if any (for logs; never shown to the client). */
      readonly error: Error | undefined;
    };

/** The outcome of {@link TktGuard.logout}. */
export interface TktLogoutResult {
  /** The `Set-Cookie` value deleting the ticket cookie: always send it. */
  readonly setCookie: string;
  /** Whether a valid ticket was revoked in the store (false without a store or a valid ticket). */
  readonly revoked: boolean;
  /** The uid of the revoked ticket. */
  readonly uid: string | undefined;
}

const DIGEST_HEX_LENGTH: Record<string, number> = { md5: 32, sha256: 64, sha512: 128 };
/** The revocation of a ticket that never expires (`TKTAuthTimeout 0`): 9999-12-31T23:59:59Z. */
const FOREVER_MS = 253_402_300_799_000;
const LOWER_HEX = /^[0-9a-f]+$/;
const NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** A query parameter name that needs no escaping. */
const PARAM = /^[A-Za-z0-9_.~-]+$/;

function hexLengthOf(digest: unknown): number {
  const n = typeof digest === 'string' ? DIGEST_HEX_LENGTH[digest.toLowerCase()] : undefined;
  if (n === undefined) throw new RangeError('digest must be md5, sha256 or sha512');
  return n;
}

/**
 * The digest bytes and issue time of a cookie or ticket, decoded exactly as Apache decodes it
 * (any of its spellings gives the same bytes). The digest is compared by Apache as lowercase hex
 * text, so that text, hex-decoded, is the ticket's MAC. Throws {@link TicketParseError}.
 */
export function readTicketDigest(
  cookieOrTicket: string,
  hexLength: number,
): { mac: Buffer; ts: number; ticket: Buffer } {
  const raw = parseApacheTicket(cookieOrTicket, hexLength);
  const hex = raw.bytes.toString('latin1', 0, hexLength).toLowerCase();
  if (!LOWER_HEX.test(hex)) {
    throw new TicketParseError('ticket digest is not hex', { payload: raw.bytes });
  }
  return { mac: Buffer.from(hex, 'hex'), ts: raw.ts, ticket: raw.bytes };
}

/**
 * The MAC bytes of a mod_auth_tkt ticket: its digest, hex-decoded. Every spelling Apache accepts
 * (raw, `%21`-escaped, base64 with or without padding, quoted) gives the same bytes, so
 * `tokenId(tktMac(…))` is one id per ticket. Reads, does not verify: call it on a ticket that
 * validated (or to revoke one). Throws {@link TicketParseError}.
 *
 * @example
 * ```ts
 * import { tktMac } from 'tessera/web';
 * import { tokenId } from 'tessera/stores';
 * const id = tokenId(tktMac(cookies.auth_tkt, 'sha256'));
 * ```
 */
export function tktMac(cookieOrTicket: string, digest: AuthTicketDigest = 'md5'): Uint8Array {
  if (typeof cookieOrTicket !== 'string') throw new TypeError('cookieOrTicket must be a string');
  return readTicketDigest(cookieOrTicket, hexLengthOf(digest)).mac;
}

/**
 * The store id of a mod_auth_tkt ticket, `tokenId(tktMac(cookieOrTicket, digest))`: what
 * {@link TktGuard} checks and what `tessera revoke --format tkt` writes. A Python service
 * computes the same id as `urlsafe_b64encode(sha256(bytes.fromhex(digest.lower())).digest())`
 * without padding.
 *
 * @example
 * ```ts
 * import { tktTokenId } from 'tessera/web';
 * await store.revoke(tktTokenId(cookie, 'sha256'), (ts + 7200 + 1) * 1000);
 * ```
 */
export function tktTokenId(cookieOrTicket: string, digest: AuthTicketDigest = 'md5'): string {
  return tokenId(tktMac(cookieOrTicket, digest));
}

/** The raw value of the first `name=` argument of a URL's query, split on `&` as Apache does. */
function queryTicketOf(url: string, name: string): string | undefined {
  const q = url.indexOf('?');
  if (q === -1) return undefined;
  const hash = url.indexOf('#', q);
  const query = hash === -1 ? url.slice(q + 1) : url.slice(q + 1, hash);
  for (const arg of query.split('&')) {
    const eq = arg.indexOf('=');
    // get_url_ticket: the value is taken as it is, not URL-decoded (parse_ticket decodes it).
    if ((eq === -1 ? arg : arg.slice(0, eq)) === name) return eq === -1 ? '' : arg.slice(eq + 1);
  }
  return undefined;
}

/**
 * cookie_match: the first non-empty `name=` value that starts the header or follows a space or
 * a `;`, up to the next `;`.
 */
function cookieTicketOf(header: string | null | undefined, name: string): string | undefined {
  if (typeof header !== 'string') return undefined;
  const needle = `${name}=`;
  let at = header.indexOf(needle);
  while (at !== -1) {
    const before = at === 0 ? ' ' : header[at - 1];
    if (before === ' ' || before === ';') {
      const start = at + needle.length;
      const end = header.indexOf(';', start);
      const value = end === -1 ? header.slice(start) : header.slice(start, end);
      if (value !== '') return value;
    }
    at = header.indexOf(needle, at + 1);
  }
  return undefined;
}

/** The original URL without the ticket arguments (Apache's `query_strip`), for `back`. */
function backUrlOf(url: string, name: string): string {
  const hash = url.indexOf('#');
  const noHash = hash === -1 ? url : url.slice(0, hash);
  const q = noHash.indexOf('?');
  if (q === -1) return noHash;
  // A ticket left in `back` would come back after the login and win over the new cookie.
  const kept = noHash
    .slice(q + 1)
    .split('&')
    .filter((arg) => {
      const eq = arg.indexOf('=');
      return arg !== '' && (eq === -1 ? arg : arg.slice(0, eq)) !== name;
    });
  return kept.length === 0 ? noHash.slice(0, q) : `${noHash.slice(0, q)}?${kept.join('&')}`;
}

function urlOption(value: unknown, option: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '' || /[\r\n]/.test(value)) {
    throw new TypeError(`${option} must be a non-empty URL without line breaks`);
  }
  return value;
}

function booleanOption(value: unknown, fallback: boolean, option: string): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new TypeError(`${option} must be a boolean`);
  return value;
}

/**
 * Checks mod_auth_tkt tickets on requests, as Apache's `auth_tkt_check` does: the query ticket
 * first, then the cookie (a forged or unparsable query ticket falls back to the cookie; an
 * expired one does not) → digest with the client IP → timeout → required tokens → revocation.
 * Options are checked at construction; keys are prepared once. Never throws for anything a
 * client sent.
 *
 * @example
 * ```ts
 * import { TktGuard, tktRequest } from 'tessera/web';
 * const guard = new TktGuard({ secret: process.env.TKT_SECRET!, digest: 'sha256', loginUrl: 'https://sso.example.org/login' });
 * const result = await guard.check(tktRequest(request, clientIp));
 * if (result.ok) console.log(result.tkt.uid, result.tkt.tokens);
 * else console.log(result.status, result.location); // 307 'https://sso.example.org/login?back=https%3A%2F%2F…'
 * ```
 */
export class TktGuard {
  /** The cookie (and query argument) name. */
  readonly cookieName: string;
  readonly #tkt: AuthTicket;
  readonly #hexLength: number;
  readonly #timeout: number;
  readonly #queryTicket: boolean;
  readonly #loginUrl: string | undefined;
  readonly #timeoutUrl: string | undefined;
  readonly #unauthUrl: string | undefined;
  readonly #backArgName: string | false;
  readonly #cookie: TicketCookieOptions;
  readonly #clear: string;
  readonly #store: ReplayStore | undefined;
  readonly #trustProxy: boolean;
  readonly #message: string;
  readonly #now: Clock;

  constructor(options: TktGuardOptions) {
    if (options === null || typeof options !== 'object') {
      throw new TypeError('options must be an object with a secret');
    }
    this.#tkt = new AuthTicket(options);
    this.#hexLength = hexLengthOf(options.digest ?? 'md5');
    this.#timeout = apacheSeconds(options.timeout ?? 7200, 'timeout');
    this.#now = clockOption(options.now);
    const name = options.cookieName ?? 'auth_tkt';
    if (typeof name !== 'string' || !NAME.test(name)) {
      throw new TypeError('cookieName must be a cookie name (an RFC 7230 token)');
    }
    this.cookieName = name;
    this.#queryTicket = booleanOption(options.queryTicket, true, 'queryTicket');
    this.#loginUrl = urlOption(options.loginUrl, 'loginUrl');
    this.#timeoutUrl = urlOption(options.timeoutUrl, 'timeoutUrl');
    this.#unauthUrl = urlOption(options.unauthUrl, 'unauthUrl');
    const back = options.backArgName ?? 'back';
    if (back !== false && (typeof back !== 'string' || !PARAM.test(back))) {
      throw new TypeError('backArgName must be a parameter name or false');
    }
    this.#backArgName = back;
    if (
      options.cookie !== undefined &&
      (options.cookie === null || typeof options.cookie !== 'object')
    ) {
      throw new TypeError('cookie must be an object of cookie attributes');
    }
    this.#cookie = { ...options.cookie, name };
    // Both cookies are built once now, so bad attributes fail here, not on a request.
    setCookieHeader('x', this.#cookie);
    this.#clear = clearCookieHeader(this.#cookie);
    const store = options.store;
    if (
      store !== undefined &&
      (store === null ||
        typeof store.isRevoked !== 'function' ||
        typeof store.revoke !== 'function')
    ) {
      throw new TypeError('store must be a ReplayStore');
    }
    this.#store = store;
    this.#trustProxy = booleanOption(options.trustProxy, false, 'trustProxy');
    const message = options.message ?? 'Unauthorized';
    if (typeof message !== 'string') throw new TypeError('message must be a string');
    this.#message = message;
  }

  /**
   * The client IP the ticket is checked against: the first `X-Forwarded-For` entry with
   * `trustProxy`, else the connection's address.
   *
   * @example
   * ```ts
   * guard.clientIp({ url, remoteAddress: '10.0.0.2', forwardedFor: '203.0.113.9, 10.0.0.1' });
   * // '203.0.113.9' with trustProxy, else '10.0.0.2'
   * ```
   */
  clientIp(request: TktRequest): string | undefined {
    if (this.#trustProxy && typeof request.forwardedFor === 'string') {
      const first = request.forwardedFor.split(',')[0]?.trim();
      if (first) return first;
    }
    return typeof request.remoteAddress === 'string' ? request.remoteAddress : undefined;
  }

  /**
   * The `Set-Cookie` value deleting the ticket cookie (with the configured path and domain).
   *
   * @example
   * ```ts
   * response.headers.append('set-cookie', guard.clearCookie());
   * ```
   */
  clearCookie(): string {
    return this.#clear;
  }

  /**
   * Check a request's ticket. Resolves a result; never rejects for anything in the request
   * (a failing store is a 503 result, not an exception).
   *
   * @example
   * ```ts
   * const result = await guard.check({ url: 'https://app.example.org/report', cookie: 'auth_tkt=…', remoteAddress: '203.0.113.9' });
   * if (!result.ok && result.code === 'expired') console.log(result.location, result.setCookie);
   * ```
   */
  async check(request: TktRequest): Promise<TktResult> {
    const found = this.#validate(request);
    if (!found.ok) return this.#fail(request, found.code, found.error);
    const { info, value, fromQuery, clientIp } = found;
    if (this.#store !== undefined) {
      // The id is the digest the validation just checked, however the ticket was spelled.
      const id = tokenId(readTicketDigest(value, this.#hexLength).mac);
      let revoked: boolean;
      try {
        revoked = await this.#store.isRevoked(id);
      } catch (err) {
        return this.#fail(request, 'store-unavailable', err instanceof Error ? err : undefined);
      }
      if (revoked) return this.#fail(request, 'revoked', new TokenRevoked('ticket was revoked'));
    }
    let setCookie: string | undefined;
    if (info.refresh) {
      setCookie = this.#tkt.refreshCookie(info, { ...this.#cookie, clientIp });
    } else if (fromQuery) {
      // get_url_ticket: a query ticket becomes the cookie (written as the generators write it).
      const ticket = parseApacheTicket(value, this.#hexLength).bytes;
      setCookie = setCookieHeader(ticket.toString('base64'), this.#cookie);
    }
    const tkt: TktAuth = Object.freeze({
      uid: info.uid,
      tokens: Object.freeze(info.tokens),
      userData: info.userData,
      ts: info.ts,
    });
    return { ok: true, tkt, setCookie };
  }

  /**
   * Log out: revoke the request's ticket in the store until it would expire (when it is valid
   * and there is a store) and give the cookie-deleting `Set-Cookie`. Without a store, logout
   * only deletes the cookie and a copied ticket stays valid until its timeout. A ticket issued
   * before a refresh is a different ticket: it stays valid until its own timeout. Rejects with
   * `StoreUnavailable` when the store cannot record the revocation.
   *
   * @example
   * ```ts
   * const { setCookie, revoked } = await guard.logout(tktRequest(request, clientIp));
   * return new Response(null, { status: 303, headers: { location: '/', 'set-cookie': setCookie } });
   * ```
   */
  async logout(request: TktRequest): Promise<TktLogoutResult> {
    const found = this.#validate(request);
    if (!found.ok || this.#store === undefined) {
      return { setCookie: this.#clear, revoked: false, uid: found.ok ? found.info.uid : undefined };
    }
    const { mac, ts } = readTicketDigest(found.value, this.#hexLength);
    await this.#store.revoke(tokenId(mac), this.#expiresAt(ts));
    return { setCookie: this.#clear, revoked: true, uid: found.info.uid };
  }

  /** When a ticket issued at `ts` stops validating, in ms (the revocation must outlive it). */
  #expiresAt(ts: number): number {
    if (this.#timeout === 0) return FOREVER_MS;
    const end = ts + this.#timeout;
    // Apache adds in uint32 arithmetic: an end past 2^32 wraps, and the ticket may never expire.
    if (end > 0xffffffff) return FOREVER_MS;
    // Valid through the whole second `end` (check_timeout: ts + timeout >= now, in seconds).
    return Math.max((end + 1) * 1000, this.#now() + 1000);
  }

  #validate(request: TktRequest):
    | {
        ok: true;
        info: AuthTicketInfo;
        value: string;
        fromQuery: boolean;
        clientIp: string | undefined;
      }
    | { ok: false; code: TktFailureCode; error: Error | undefined } {
    if (request === null || typeof request !== 'object' || typeof request.url !== 'string') {
      throw new TypeError('request must be { url, cookie?, remoteAddress?, forwardedFor? }');
    }
    const clientIp = this.clientIp(request);
    const candidates: [string, boolean][] = [];
    if (this.#queryTicket) {
      const fromQuery = queryTicketOf(request.url, this.cookieName);
      if (fromQuery) candidates.push([fromQuery, true]);
    }
    const fromCookie = cookieTicketOf(request.cookie, this.cookieName);
    if (fromCookie !== undefined) candidates.push([fromCookie, false]);
    if (candidates.length === 0) return { ok: false, code: 'no-ticket', error: undefined };
    let error: TicketError | undefined;
    for (const [value, fromQuery] of candidates) {
      try {
        const info = this.#tkt.validate(value, { clientIp });
        return { ok: true, info, value, fromQuery, clientIp };
      } catch (err) {
        if (!(err instanceof TicketError)) throw err;
        error = err;
        // Apache falls back to the cookie only when the query ticket is not valid_ticket().
        if (!(err instanceof TicketParseError || err instanceof TicketDigestError)) break;
      }
    }
    const code =
      error instanceof TicketExpired
        ? 'expired'
        : error instanceof TicketTokenMismatch
          ? 'token-mismatch'
          : 'invalid';
    return { ok: false, code, error };
  }

  #fail(request: TktRequest, code: TktFailureCode, error: Error | undefined): TktResult {
    const clear = code === 'expired' || code === 'revoked' ? this.#clear : undefined;
    if (code === 'store-unavailable') {
      return {
        ok: false,
        code,
        status: 503,
        location: undefined,
        setCookie: undefined,
        message: 'Service unavailable, try again later.',
        error,
      };
    }
    const target =
      (code === 'expired'
        ? this.#timeoutUrl
        : code === 'token-mismatch'
          ? this.#unauthUrl
          : undefined) ?? this.#loginUrl;
    if (target === undefined) {
      return {
        ok: false,
        code,
        status: 401,
        location: undefined,
        setCookie: clear,
        message: this.#message,
        error,
      };
    }
    let location = target;
    if (this.#backArgName !== false) {
      const back = encodeURIComponent(backUrlOf(request.url, this.cookieName));
      location = `${target}${target.includes('?') ? '&' : '?'}${this.#backArgName}=${back}`;
    }
    return { ok: false, code, status: 307, location, setCookie: clear, message: '', error };
  }
}

/**
 * The {@link TktRequest} of a Web `Request`. Web `Request`s carry no client address: pass the
 * one your server gives (`server.requestIP(request)` in Bun, `info.remoteAddr` in Deno,
 * `getConnInfo(c)` in Hono).
 *
 * @example
 * ```ts
 * import { tktRequest } from 'tessera/web';
 * const req = tktRequest(request, '203.0.113.9');
 * ```
 */
export function tktRequest(request: Request, clientIp?: string): TktRequest {
  return {
    url: request.url,
    cookie: request.headers.get('cookie'),
    remoteAddress: clientIp,
    forwardedFor: request.headers.get('x-forwarded-for'),
  };
}

/**
 * The response of a refused request: a 307 to the login URL (with the deleting cookie when the
 * ticket expired or was revoked), or the 401/503 text.
 *
 * @example
 * ```ts
 * import { tktFailureResponse } from 'tessera/web';
 * const result = await guard.check(tktRequest(request, ip));
 * if (!result.ok) return tktFailureResponse(result);
 * ```
 */
export function tktFailureResponse(result: Extract<TktResult, { ok: false }>): Response {
  const headers = new Headers();
  if (result.setCookie !== undefined) headers.append('set-cookie', result.setCookie);
  if (result.location !== undefined) {
    headers.set('location', result.location);
    return new Response(null, { status: result.status, headers });
  }
  headers.set('content-type', 'text/plain; charset=utf-8');
  return new Response(result.message, { status: result.status, headers });
}

/** The outcome of an {@link authTkt}-checked Web request. */
export type AuthTktOutcome =
  | { readonly ok: true; readonly tkt: TktAuth; readonly setCookie: string | undefined }
  | {
      readonly ok: false;
      readonly response: Response;
      readonly result: Extract<TktResult, { ok: false }>;
    };

/**
 * mod_auth_tkt authentication for a Web-standard server (Deno, Bun, workers): the ticket's
 * `{ uid, tokens, userData }`, plus a `Set-Cookie` to append when a refreshed cookie is due; or
 * the `Response` to send (307 to the login URL, or 401).
 *
 * @example
 * ```ts
 * import { authTkt } from 'tessera/web';
 * const auth = authTkt({ secret: process.env.TKT_SECRET!, loginUrl: '/login' });
 * export default {
 *   async fetch(request: Request, info: { remoteAddr: { hostname: string } }) {
 *     const outcome = await auth(request, info.remoteAddr.hostname);
 *     if (!outcome.ok) return outcome.response;
 *     const response = new Response(`Hello ${outcome.tkt.uid}`);
 *     if (outcome.setCookie) response.headers.append('set-cookie', outcome.setCookie);
 *     return response;
 *   },
 * };
 * ```
 */
export function authTkt(
  options: TktGuardOptions | TktGuard,
): (request: Request, clientIp?: string) => Promise<AuthTktOutcome> {
  const guard = options instanceof TktGuard ? options : new TktGuard(options);
  return async (request, clientIp) => {
    const result = await guard.check(tktRequest(request, clientIp));
    if (result.ok) return result;
    return { ok: false, response: tktFailureResponse(result), result };
  };
}
