/**
 * ticket_auth 0.1.4 tickets (gnarlychicken/ticket_auth), spec ticket_auth.md: "like"
 * mod_auth_tkt, with IPv6, any hashlib algorithm, quoted fields and an expiry time, but not
 * interchangeable with it — hence its own class.
 */
import { Buffer } from 'node:buffer';
import { clockOption, unixSeconds } from '../core/clock.ts';
import {
  TicketDigestError,
  type TicketError,
  TicketExpired,
  TicketParseError,
} from '../core/errors.ts';
import { type Secret, secretBytes } from '../core/keys.ts';
import { equalBytes, isHashAvailable } from '../core/mac.ts';
import { hashHex, hashRaw } from './hash.ts';
import { versionedIp } from './ip.ts';
import { pyQuote, pyUnquote } from './quote.ts';
import { wellFormed } from './text.ts';

/** Options of {@link TicketFactory}. */
export interface TicketFactoryOptions {
  /** A Python `hashlib` name (`sha512`, `sha3_256`, `blake2b`, …) or a node:crypto one. Default `sha512`. */
  hashalg?: string;
  /** Clock in milliseconds. Default `Date.now`. */
  now?: () => number;
}

/** Inputs of {@link TicketFactory.new}, as Python's keyword arguments. */
export interface TicketNewOptions {
  tokens?: readonly string[] | null | undefined;
  userData?: string | null | undefined;
  /** Expiry in Unix seconds (uint32). Default now + 120 s, as ticket_auth's `_DEFAULT_TIMEOUT`. */
  validUntil?: number | undefined;
  /** IPv4 or IPv6 address to bind. Default none (= `0.0.0.0`; `::` is a different binding). */
  clientIp?: string | null | undefined;
}

/** Per-request inputs of {@link TicketFactory.validate}. */
export interface TicketValidateOptions {
  /** The client's IPv4 or IPv6 address; none = `0.0.0.0`, as in ticket_auth. */
  clientIp?: string | null | undefined;
}

/** ticket_auth's `TicketInfo` namedtuple. */
export interface TicketInfo {
  /** The digest text as it appears in the ticket. */
  digest: string;
  userId: string;
  tokens: string[];
  userData: string;
  /** Expiry, Unix seconds. */
  validUntil: number;
}

/** Python `hashlib` names that node:crypto spells differently (spec ticket_auth.md §5). */
const PYTHON_NAMES: Record<string, string> = {
  sha3_224: 'sha3-224',
  sha3_256: 'sha3-256',
  sha3_384: 'sha3-384',
  sha3_512: 'sha3-512',
  blake2b: 'blake2b512',
  blake2s: 'blake2s256',
  sha512_224: 'sha512-224',
  sha512_256: 'sha512-256',
};
const UNBOUND: Uint8Array = Uint8Array.of(4, 0, 0, 0, 0);
const SURROGATE = /[\uD800-\uDFFF]/;
const TIME_FIELD = /^[0-9A-Fa-f]{8}$/;
const UINT32_MAX = 0xffffffff;

/**
 * ticket_auth's `TicketFactory`: `new` makes a ticket, `validate` checks one, `parse` reads one
 * without checking.
 *
 * @example
 * ```ts
 * import { TicketFactory } from 'tessera/tkt';
 * const factory = new TicketFactory('shared secret', { hashalg: 'sha256' });
 * const ticket = factory.new('alice', { tokens: ['admin'], clientIp: '2001:db8::1' });
 * const info = factory.validate(ticket, { clientIp: '2001:db8::1' }); // { userId: 'alice', … }
 * ```
 */
export class TicketFactory {
  readonly #algorithm: string;
  readonly #hexLength: number;
  readonly #secret: Buffer;
  /** `h0 || secret` with the secret pre-filled; every use is synchronous. */
  readonly #second: Buffer;
  readonly #expected: Buffer;
  readonly #given: Buffer;
  readonly #now: () => number;

  constructor(secret: Secret, options: TicketFactoryOptions = {}) {
    this.#secret = secretBytes(secret, 'secret');
    this.#algorithm = nodeHashName(options.hashalg ?? 'sha512');
    const size = hashRaw(this.#algorithm, new Uint8Array(0)).length;
    this.#hexLength = 2 * size;
    this.#second = Buffer.alloc(size + this.#secret.length);
    this.#secret.copy(this.#second, size);
    this.#expected = Buffer.alloc(this.#hexLength);
    this.#given = Buffer.alloc(this.#hexLength);
    this.#now = clockOption(options.now);
  }

  /**
   * A new ticket, as ticket_auth's `TicketFactory.new`. Throws `TypeError`/`RangeError` for
   * inputs Python would refuse (a time outside uint32, an invalid IP address).
   *
   * @example
   * ```ts
   * factory.new('alice', { tokens: ['a', 'b c'], userData: 'x!y', validUntil: 1700000000, clientIp: '::1' });
   * // '<hex digest>6553f100alice!a,b%20c!x%21y'
   * ```
   */
  new(userId: string, options: TicketNewOptions = {}): string {
    checkText(userId, 'userId');
    const { tokens, userData, clientIp } = options;
    if (tokens !== undefined && tokens !== null && !Array.isArray(tokens)) {
      throw new TypeError('tokens must be an array of strings');
    }
    for (const token of tokens ?? []) checkText(token, 'each token');
    if (userData !== undefined && userData !== null) checkText(userData, 'userData');
    const validUntil = options.validUntil ?? unixSeconds(this.#now) + 120;
    if (!Number.isInteger(validUntil) || validUntil < 0 || validUntil > UINT32_MAX) {
      throw new RangeError('validUntil must be whole Unix seconds from 0 to 2^32 - 1');
    }
    let ip = UNBOUND;
    if (clientIp !== undefined && clientIp !== null) {
      if (typeof clientIp !== 'string') throw new TypeError('clientIp must be a string');
      const parsed = versionedIp(clientIp);
      if (parsed === undefined) {
        throw new RangeError(
          `clientIp must be an IPv4 or IPv6 address; got ${JSON.stringify(clientIp)}`,
        );
      }
      ip = parsed;
    }
    const uid = pyQuote(userId);
    const tokenText = tokens ? tokens.map(pyQuote).join(',') : '';
    const data = userData ? pyQuote(userData) : '';
    // ticket = DIGEST_HEX VALID_UNTIL_HEX8 quote(uid) '!' quote(tokens),… '!' quote(data)
    const digest = this.#hexdigest(ip, validUntil, uid, tokenText, data);
    return `${digest}${validUntil.toString(16).padStart(8, '0')}${uid}!${tokenText}!${data}`;
  }

  /**
   * Validate a ticket, as ticket_auth does: parse → digest (constant time; Python compares
   * with `==`) → expiry (`validUntil <= now` is expired). Throws {@link TicketParseError},
   * {@link TicketDigestError} or {@link TicketExpired} with ticket_auth's messages.
   *
   * @example
   * ```ts
   * try {
   *   const { userId, tokens } = factory.validate(ticket, { clientIp: req.socket.remoteAddress });
   * } catch (err) {
   *   if (err instanceof TicketError) res.statusCode = 401;
   * }
   * ```
   */
  validate(ticket: string, options: TicketValidateOptions = {}): TicketInfo {
    const clientIp = options.clientIp;
    if (clientIp !== undefined && clientIp !== null && typeof clientIp !== 'string') {
      throw new TypeError('clientIp must be a string');
    }
    // 1. shape
    const info = this.parse(ticket);
    let ip = UNBOUND;
    if (clientIp !== undefined && clientIp !== null) {
      // Python raises ValueError from ip_address() here; an unusable client IP cannot match.
      const parsed = versionedIp(clientIp);
      if (parsed === undefined) {
        throw fail(TicketDigestError, 'Invalid digest (client IP is not an IP address)', ticket);
      }
      ip = parsed;
    }

    // 2. digest: re-create the ticket from the unquoted fields and compare the digest text.
    // A digest of another length, or with non-ASCII text, cannot match (and ASCII makes the
    // latin1 copy below exact); this test depends only on the ticket.
    const digest = info.digest;
    if (digest.length !== this.#hexLength || Buffer.byteLength(digest, 'utf8') !== digest.length) {
      throw fail(TicketDigestError, 'Invalid digest', ticket);
    }
    const uid = requote(info.userId, ticket);
    const tokens = info.tokens.map((t) => requote(t, ticket)).join(',');
    const data = info.userData ? requote(info.userData, ticket) : '';
    this.#expected.write(this.#hexdigest(ip, info.validUntil, uid, tokens, data), 0, 'latin1');
    this.#given.write(info.digest, 0, 'latin1');
    if (!equalBytes(this.#expected, this.#given)) {
      throw fail(TicketDigestError, 'Invalid digest', ticket);
    }

    // 3. expiry, against fractional seconds as Python's time.time().
    if (info.validUntil <= this.#now() / 1000) throw fail(TicketExpired, 'Ticket expired', ticket);
    return info;
  }

  /**
   * Read a ticket's fields without checking its digest or expiry (`TicketFactory.parse`).
   *
   * @example
   * ```ts
   * const { userId, validUntil } = factory.parse(ticket); // UNTRUSTED until validate()
   * ```
   */
  parse(ticket: string): TicketInfo {
    if (typeof ticket !== 'string') throw new TypeError('ticket must be a string');
    const d = this.#hexLength;
    // Python slices code points; only astral characters make that differ from UTF-16 units.
    let digest: string;
    let time: string;
    let rest: string;
    if (SURROGATE.test(ticket.slice(0, d + 8))) {
      const points = Array.from(ticket);
      if (points.length < d + 8) throw fail(TicketParseError, 'Invalid ticket length', ticket);
      digest = points.slice(0, d).join('');
      time = points.slice(d, d + 8).join('');
      rest = points.slice(d + 8).join('');
    } else {
      if (ticket.length < d + 8) throw fail(TicketParseError, 'Invalid ticket length', ticket);
      digest = ticket.slice(0, d);
      time = ticket.slice(d, d + 8);
      rest = ticket.slice(d + 8);
    }
    // Python's int(x, 16) also takes whitespace, "_", "0x" and a sign; no generator writes
    // those (spec §5), so exactly 8 hex digits in either case.
    if (!TIME_FIELD.test(time)) throw fail(TicketParseError, 'Invalid time field', ticket);
    // quote(uid) '!' tokens '!' quote(data)
    const parts = rest.split('!');
    if (parts.length !== 3) throw fail(TicketParseError, 'Missing parts', ticket);
    const [uid, tokens, data] = parts as [string, string, string];
    return {
      digest,
      userId: pyUnquote(uid),
      tokens: tokens ? tokens.split(',').map(pyUnquote) : [],
      userData: pyUnquote(data),
      validUntil: Number.parseInt(time, 16),
    };
  }

  /** h0 = H(version || packed ip || valid_until || secret || uid \0 tokens \0 data); hex(H(h0 || secret)). */
  #hexdigest(
    ip: Uint8Array,
    validUntil: number,
    uid: string,
    tokens: string,
    data: string,
  ): string {
    const secret = this.#secret;
    const head = ip.length + 4;
    // The quoted fields are ASCII: one byte per character.
    const first = Buffer.allocUnsafe(
      head + secret.length + uid.length + tokens.length + data.length + 2,
    );
    first.set(ip, 0);
    first.writeUInt32BE(validUntil, ip.length);
    secret.copy(first, head);
    first.write(`${uid}\0${tokens}\0${data}`, head + secret.length, 'latin1');
    hashRaw(this.#algorithm, first).copy(this.#second, 0);
    return hashHex(this.#algorithm, this.#second);
  }
}

/** quote(unquote(field)): a lone surrogate has no UTF-8 form (Python would raise), so refuse it. */
function requote(text: string, ticket: string): string {
  const quoted = pyQuote(text);
  if (quoted !== text && !wellFormed(text)) {
    throw fail(TicketParseError, 'ticket field is not well-formed text', ticket);
  }
  return quoted;
}

/** The error, with the ticket as its (untrusted) payload. */
function fail(
  Class: typeof TicketParseError | typeof TicketDigestError | typeof TicketExpired,
  message: string,
  ticket: string,
): TicketError {
  return new Class(message, { payload: Buffer.from(ticket, 'utf8') });
}

function nodeHashName(name: unknown): string {
  if (typeof name !== 'string') throw new TypeError('hashalg must be a string');
  const lower = name.toLowerCase();
  const mapped = PYTHON_NAMES[lower] ?? lower;
  // hexdigest() of a SHAKE needs a length: ticket_auth cannot use them.
  if (mapped.startsWith('shake') || !isHashAvailable(mapped)) {
    throw new RangeError(
      `hashalg ${JSON.stringify(name)} is not a fixed-length hash node:crypto offers`,
    );
  }
  return mapped;
}

function checkText(value: unknown, option: string): asserts value is string {
  if (typeof value !== 'string') throw new TypeError(`${option} must be a string`);
  if (!wellFormed(value)) throw new TypeError(`${option} must not contain a lone surrogate`);
}
