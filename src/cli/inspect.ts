/**
 * `tessera inspect`: what is this token? Recognises the six wire formats by their shape, shows
 * their parts decoded — UNVERIFIED, since anyone can write a token that reads like this — and,
 * given the secret, verifies them and names the check that failed.
 *
 * Shapes (the specs' layouts):
 * - handoff: `XH` variant(1) mac(27) body `HX` (ax_handoff.md §2)
 * - pytickets: standard base64 of `37 1c c7 5e` hash(20) salt(16) ticket_len(4) … (pytickets.md §2)
 * - ska: a URL or query with `signature`, `auth_user` and `valid_until` (ska.md §3)
 * - mod_auth_tkt: digest hex(32|64|128) ts hex(8) uid `!` [tokens `!`] data, raw, `%21`-escaped,
 *   quoted or base64 (mod_auth_tkt.md §2, §4)
 * - ticket_auth: digest hex(32…128) valid_until hex(8) uid `!` tokens `!` data, raw only
 *   (ticket_auth.md §3) — a raw ticket of either kind reads as both
 * - itsdangerous: value [`.` timestamp] `.` base64url signature (itsdangerous.md §3–§5)
 */
import { Buffer } from 'node:buffer';
import { type Clock, clockOption, type Duration, durationSeconds } from '../core/clock.ts';
import { inflateBounded } from '../core/compress.ts';
import {
  BadData,
  BadPayload,
  BadSignature,
  BadTimeSignature,
  SignatureExpired,
  TesseraError,
  TicketDigestError,
  TicketExpired,
  TicketParseError,
  TicketTokenMismatch,
  UnsupportedPayload,
} from '../core/errors.ts';
import { parseJson } from '../core/json.ts';
import type { Digest } from '../core/mac.ts';
import { Handoff } from '../handoff/index.ts';
import {
  Serializer,
  Signer,
  TimedSerializer,
  TimestampSigner,
  URLSafeSerializer,
  URLSafeTimedSerializer,
} from '../itsdangerous/index.ts';
import { SecureTicketService } from '../secure-ticket/index.ts';
import { INVALID_SIGNATURE, validateSignedRequestData } from '../ska/index.ts';
import { AuthTicket, TicketFactory } from '../tkt/index.ts';
import { readOptionalSecret, readToken } from './io.ts';
import { type Command, type CommandContext, EXIT, UsageError } from './table.ts';

/** The six formats, by module name. */
export type FormatName =
  | 'itsdangerous'
  | 'ska'
  | 'mod_auth_tkt'
  | 'ticket_auth'
  | 'handoff'
  | 'pytickets';

/** The check a token failed. */
export type FailedCheck = 'shape' | 'signature' | 'timestamp' | 'expiry' | 'payload';

/** Options of {@link inspectToken}. Only `secret` turns inspection into verification. */
export interface InspectOptions {
  /** The shared secret (text, as UTF-8). Without it nothing is verified. */
  secret?: string | undefined;
  /** Clock in milliseconds (default `Date.now`). */
  now?: Clock | undefined;
  /** itsdangerous: the salt (default: try `itsdangerous` and `itsdangerous.Signer`). */
  salt?: string | undefined;
  /** itsdangerous: the maximum age of a timed token (default: not checked, as itsdangerous). */
  maxAge?: Duration | undefined;
  /** mod_auth_tkt and ticket_auth: the client IP the ticket is bound to (default: unbound). */
  clientIp?: string | undefined;
  /** mod_auth_tkt: `TKTAuthTimeout` (default 7200 s, Apache's; 0 = never). */
  timeout?: Duration | undefined;
  /** pytickets: the service's session (default empty). */
  session?: string | undefined;
  /** pytickets: the ticket's entropy (default empty). */
  entropy?: string | undefined;
}

/** The outcome of verifying one reading. */
export interface Verification {
  valid: boolean;
  /** The check that failed (absent when valid). */
  failed?: FailedCheck | undefined;
  message: string;
  /** What the secret revealed or confirmed: the key parameters that matched, a decrypted payload. */
  details?: Record<string, unknown> | undefined;
}

/** One way to read the token. */
export interface Reading {
  format: FormatName;
  /** Which class or encoding of the format, e.g. `URLSafeTimedSerializer`, `base64 cookie`. */
  kind: string;
  /** The parts, decoded without any check: UNVERIFIED. Times are ISO 8601. */
  unverified: Record<string, unknown>;
  notes: string[];
  /** Only when a secret was given. */
  verification?: Verification | undefined;
}

/** What {@link inspectToken} found. */
export interface InspectReport {
  recognised: boolean;
  /** Module names of every format the token reads as, most likely first. */
  formats: FormatName[];
  readings: Reading[];
  /** With a secret: some reading verified. Without one: `undefined`. */
  verified?: boolean | undefined;
  /** For an unrecognised token: what it is not, and what to check. */
  hint?: string | undefined;
}

const MAX_INFLATE = 256 * 1024;

// ---------------------------------------------------------------------------------------------
// Small helpers

/** ISO 8601 of Unix seconds, or `undefined` where a Date cannot hold it. */
function isoTime(seconds: number): string | undefined {
  const ms = seconds * 1000;
  return Number.isFinite(ms) && Math.abs(ms) <= 8.64e15 ? new Date(ms).toISOString() : undefined;
}

/** `in 5 minutes` / `3 hours ago`, for the notes. */
function relative(seconds: number, nowSeconds: number): string {
  const d = seconds - nowSeconds;
  const a = Math.abs(d);
  if (a < 1) return 'now';
  const [n, unit] =
    a < 90
      ? [Math.round(a), 'second']
      : a < 5400
        ? [Math.round(a / 60), 'minute']
        : a < 129600
          ? [Math.round(a / 3600), 'hour']
          : [Math.round(a / 86400), 'day'];
  const text = `${n} ${unit}${n === 1 ? '' : 's'}`;
  return d >= 0 ? `in ${text}` : `${text} ago`;
}

function timeField(seconds: number, nowSeconds: number): string {
  const iso = isoTime(seconds);
  return iso === undefined
    ? `${seconds} (not a representable date)`
    : `${iso} (${relative(seconds, nowSeconds)})`;
}

/** UTF-8 text when the bytes are valid UTF-8, else `undefined`. */
function utf8(bytes: Uint8Array): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

/** Bytes shown as JSON when they parse, else text, else hex. */
function readable(bytes: Uint8Array): unknown {
  const text = utf8(bytes);
  if (text === undefined) return { hex: Buffer.from(bytes).toString('hex') };
  try {
    return parseJson(text);
  } catch {
    return text;
  }
}

// ---------------------------------------------------------------------------------------------
// handoff: "XH" variant(1) UB64(HMAC-SHA1)(27) body "HX"

const HANDOFF = /^XH([AB])([A-Za-z0-9_+/-]{27})([A-Za-z0-9_+/-]*)HX$/;

/** UB64 decode as the original (ax_handoff.md §2): both alphabets, padding added. */
function ub64(text: string): Buffer | undefined {
  if (text.length % 4 === 1) return undefined;
  return Buffer.from(text.replaceAll('-', '+').replaceAll('_', '/'), 'base64');
}

function readHandoff(token: string): Reading[] {
  const m = HANDOFF.exec(token);
  if (m === null) return [];
  const [, variant, mac, body] = m as unknown as [string, 'A' | 'B', string, string];
  const unverified: Record<string, unknown> = { variant, mac };
  const notes: string[] = [];
  const raw = ub64(body);
  if (variant === 'A') {
    unverified.encryption = 'AES-128-CBC (readable only with the secret)';
    if (raw !== undefined && raw.length >= 32) {
      unverified.iv = raw.subarray(0, 16).toString('hex');
      unverified.ciphertextBytes = raw.length - 16;
    } else notes.push('the body is too short to hold an IV and a ciphertext block');
  } else if (raw !== undefined) {
    try {
      unverified.payload = readable(inflateBounded(raw, MAX_INFLATE, 'not zlib'));
    } catch {
      notes.push('the body is not a zlib stream');
    }
  } else notes.push('the body is not base64');
  notes.push('the variant letter and the footer are outside the MAC (ax_handoff.md §2)');
  return [{ format: 'handoff', kind: `variant ${variant}`, unverified, notes }];
}

function verifyHandoff(token: string, secret: string): Verification {
  try {
    const value = new Handoff(secret).decode(token);
    return {
      valid: true,
      message: 'HMAC-SHA1 matches; the body decodes',
      details: { payload: value },
    };
  } catch (err) {
    if (err instanceof BadSignature)
      return { valid: false, failed: 'signature', message: `HMAC does not match: ${err.message}` };
    if (err instanceof BadPayload)
      return {
        valid: false,
        failed: 'payload',
        message: `genuine, but the body does not decode: ${err.message}`,
      };
    if (err instanceof BadData) return { valid: false, failed: 'shape', message: err.message };
    throw err;
  }
}

// ---------------------------------------------------------------------------------------------
// pytickets: base64( prefix(4) hash(20) salt(16) ticket_len(4) public_flags(1) body )

const PYTICKETS_PREFIX = 0x5ec71c37;
const STD_BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

function readPytickets(token: string, nowSeconds: number): Reading[] {
  if (!STD_BASE64.test(token)) return [];
  const bytes = Buffer.from(token, 'base64');
  if (bytes.length < 45 || bytes.readUInt32LE(0) !== PYTICKETS_PREFIX) return [];
  const ticketLen = bytes.readUInt32LE(40);
  const encrypted = (bytes[44]! & 1) !== 0;
  const unverified: Record<string, unknown> = {
    hash: bytes.subarray(4, 24).toString('hex'),
    salt: bytes.subarray(24, 40).toString('hex'),
    ticketLen,
    encrypted,
  };
  const notes: string[] = [];
  if (ticketLen !== bytes.length)
    notes.push(`ticket_len says ${ticketLen} bytes, the ticket has ${bytes.length}`);
  if (encrypted) {
    unverified.encryption = 'AES-256-CBC: flags, expiry and data readable only with the key';
  } else if (bytes.length >= 54) {
    const flags = bytes[45]!;
    const validUntil = bytes.readUInt32LE(46);
    const dataLen = bytes.readUInt32LE(50);
    unverified.flags = { serialize: (flags & 1) !== 0, compress: (flags & 2) !== 0 };
    unverified.validUntil = timeField(validUntil, nowSeconds);
    unverified.dataLen = dataLen;
    let data: Uint8Array = bytes.subarray(54, 54 + dataLen);
    if ((flags & 2) !== 0) {
      try {
        data = inflateBounded(data, MAX_INFLATE, 'not zlib');
      } catch {
        notes.push('the data does not inflate');
      }
    }
    unverified.data =
      (flags & 1) !== 0
        ? 'a Python pickle (never unpickled: that is code execution)'
        : readable(data);
  }
  notes.push('the session and the entropy are part of the MAC but not of the ticket');
  return [
    {
      format: 'pytickets',
      kind: encrypted ? 'encrypted ticket' : 'plain ticket',
      unverified,
      notes,
    },
  ];
}

function verifyPytickets(
  token: string,
  secret: string,
  options: InspectOptions,
  now: Clock,
): Verification {
  const service = new SecureTicketService(Buffer.from(secret, 'utf8'), {
    session: options.session ?? '',
    now,
  });
  try {
    const opened = service.openTicket(token, { entropy: options.entropy ?? '' });
    return {
      valid: true,
      message: 'HMAC-SHA256 matches and the ticket has not expired',
      details: {
        data: readable(opened.data),
        validUntil: isoTime(opened.validUntil),
        flags: opened.flags,
      },
    };
  } catch (err) {
    if (err instanceof TicketParseError)
      return { valid: false, failed: 'shape', message: err.message };
    if (err instanceof TicketDigestError) {
      return {
        valid: false,
        failed: 'signature',
        message: `${err.message} (wrong key, or wrong --session/--entropy: both are part of the MAC)`,
      };
    }
    if (err instanceof TicketExpired)
      return { valid: false, failed: 'expiry', message: err.message };
    if (err instanceof UnsupportedPayload || err instanceof BadPayload) {
      return {
        valid: false,
        failed: 'payload',
        message: `genuine and unexpired, but: ${err.message}`,
      };
    }
    throw err;
  }
}

// ---------------------------------------------------------------------------------------------
// ska: URL?signature=…&auth_user=…&valid_until=…&extra=k1,k2&k1=…

/** Signature length (padded standard base64) → digest (ska.md §2). */
const SKA_DIGESTS: Record<number, Digest> = {
  24: 'md5',
  28: 'sha1',
  40: 'sha224',
  44: 'sha256',
  64: 'sha384',
  88: 'sha512',
};

function skaParams(token: string): { base: string; params: URLSearchParams } | undefined {
  const q = token.indexOf('?');
  const base = q === -1 ? '' : token.slice(0, q);
  let query = q === -1 ? token : token.slice(q + 1);
  const hash = query.indexOf('#');
  if (hash !== -1) query = query.slice(0, hash);
  if (!/(^|&)signature=/.test(query)) return undefined;
  const params = new URLSearchParams(query);
  if (!params.has('auth_user') || !params.has('valid_until')) return undefined;
  return { base, params };
}

function readSka(token: string, nowSeconds: number): Reading[] {
  const found = skaParams(token);
  if (found === undefined) return [];
  const { base, params } = found;
  const signature = params.get('signature') ?? '';
  const validUntil = params.get('valid_until') ?? '';
  const until = Number(validUntil.replaceAll('_', ''));
  const listed = (params.get('extra') ?? '').split(',').filter((k) => k !== '');
  const signedExtra: Record<string, string> = {};
  const unsigned: Record<string, string> = {};
  for (const [k, v] of params) {
    if (['signature', 'auth_user', 'valid_until', 'extra'].includes(k)) continue;
    Object.defineProperty(listed.includes(k) ? signedExtra : unsigned, k, {
      value: v,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  const digest = SKA_DIGESTS[signature.length];
  const unverified: Record<string, unknown> = {
    ...(base ? { url: base } : {}),
    authUser: params.get('auth_user'),
    validUntil: Number.isFinite(until)
      ? `${validUntil} = ${timeField(until, nowSeconds)}`
      : validUntil,
    signedExtra,
    signature,
    digest: digest ?? `unknown (signature of ${signature.length} characters)`,
  };
  const notes: string[] = [];
  if (Object.keys(unsigned).length > 0) {
    unverified.unsignedParams = unsigned;
    notes.push('parameters not listed in "extra" are not covered by the signature');
  }
  return [{ format: 'ska', kind: base ? 'signed URL' : 'signed query', unverified, notes }];
}

function verifySka(token: string, secret: string, now: Clock): Verification {
  const found = skaParams(token) as { params: URLSearchParams };
  const digest = SKA_DIGESTS[(found.params.get('signature') ?? '').length] ?? 'sha1';
  const res = validateSignedRequestData({ data: found.params, secretKey: secret, digest, now });
  if (res.result) {
    return {
      valid: true,
      message: `HMAC-${digest.toUpperCase()} matches and valid_until is in the future`,
      details: { ...res.signed },
    };
  }
  const forged = res.errors.some((e) => e.code === INVALID_SIGNATURE.code);
  return {
    valid: false,
    failed: forged ? 'signature' : 'expiry',
    message: res.reason.join(' ') || 'invalid',
  };
}

// ---------------------------------------------------------------------------------------------
// mod_auth_tkt and ticket_auth: digest hex, time hex(8), uid '!' [tokens '!'] data

const TKT_DIGESTS: Record<number, 'md5' | 'sha256' | 'sha512'> = {
  32: 'md5',
  64: 'sha256',
  128: 'sha512',
};
/** ticket_auth: any hashlib name; those of each hex length (ticket_auth.md §3, §5). */
const TICKET_AUTH_HASHES: Record<number, string[]> = {
  32: ['md5'],
  40: ['sha1'],
  56: ['sha224', 'sha3_224'],
  64: ['sha256', 'sha3_256', 'blake2s'],
  96: ['sha384', 'sha3_384'],
  128: ['sha512', 'sha3_512', 'blake2b'],
};
const HEX = /^[0-9a-fA-F]*$/;

/** The longest digest length of `lengths` for which digest + time are all hex before a `!`. */
function digestLength(ticket: string, lengths: readonly number[]): number | undefined {
  const bang = ticket.indexOf('!');
  if (bang === -1) return undefined;
  const candidates = lengths.filter((d) => d + 8 <= bang && HEX.test(ticket.slice(0, d + 8)));
  return candidates.length === 0 ? undefined : Math.max(...candidates);
}

/** The ticket inside a cookie value, decoded as Apache does (mod_auth_tkt.md §4). */
function apacheTicket(cookie: string): { ticket: string; encoding: string } | undefined {
  let value = cookie.split(';')[0] ?? '';
  const quoted = value.startsWith('"') || value.endsWith('"');
  value = value.replace(/^"/, '').replace(/"$/, '');
  const q = quoted ? 'quoted ' : '';
  if (value.includes('!')) return { ticket: value, encoding: `${q}raw ticket` };
  if (value.includes('%21')) {
    try {
      return { ticket: decodeURIComponent(value), encoding: `${q}%21-escaped ticket` };
    } catch {
      return undefined;
    }
  }
  // apr_base64_decode: the standard alphabet, up to the first other character.
  const b64 = /^[A-Za-z0-9+/]*/.exec(value)?.[0] ?? '';
  if (b64.length < 4 * 10) return undefined;
  const bytes = Buffer.from(b64, 'base64');
  return { ticket: bytes.toString('utf8'), encoding: `${q}base64 cookie` };
}

function readModAuthTkt(token: string, nowSeconds: number, timeout: number): Reading[] {
  const found = apacheTicket(token);
  if (found === undefined) return [];
  const { ticket, encoding } = found;
  const d = digestLength(ticket, [32, 64, 128]);
  if (d === undefined) return [];
  const ts = Number.parseInt(ticket.slice(d, d + 8), 16);
  // uid up to the 1st '!'; tokens up to a 2nd '!' if there is one; data the rest (spec §2).
  const rest = ticket.slice(d + 8);
  const first = rest.indexOf('!');
  const second = rest.indexOf('!', first + 1);
  const uid = rest.slice(0, first);
  const tokens = second === -1 ? '' : rest.slice(first + 1, second);
  const userData = rest.slice((second === -1 ? first : second) + 1);
  const unverified: Record<string, unknown> = {
    user: uid,
    tokens: tokens === '' ? [] : tokens.split(','),
    userData,
    issuedAt: timeField(ts, nowSeconds),
    expiresAt:
      timeout > 0
        ? `${timeField(ts + timeout, nowSeconds)} with TKTAuthTimeout ${timeout} s`
        : 'never (TKTAuthTimeout 0)',
    digest: `${TKT_DIGESTS[d]} ${ticket.slice(0, d)}`,
  };
  const notes: string[] = [];
  if (encoding.includes('raw'))
    notes.push('a raw ticket: Apache also accepts the base64 form generators write');
  return [
    {
      format: 'mod_auth_tkt',
      kind: `${encoding}, ${TKT_DIGESTS[d]?.toUpperCase()} digest`,
      unverified,
      notes,
    },
  ];
}

function tktError(err: unknown): Verification {
  if (err instanceof TicketParseError)
    return { valid: false, failed: 'shape', message: err.message };
  if (err instanceof TicketDigestError) {
    return {
      valid: false,
      failed: 'signature',
      message: `${err.message} (wrong secret, or the ticket is bound to a client IP: give --client-ip)`,
    };
  }
  if (err instanceof TicketExpired) return { valid: false, failed: 'expiry', message: err.message };
  if (err instanceof TicketTokenMismatch)
    return { valid: false, failed: 'payload', message: err.message };
  throw err;
}

function verifyModAuthTkt(
  token: string,
  secret: string,
  options: InspectOptions,
  now: Clock,
): Verification {
  const { ticket } = apacheTicket(token) as { ticket: string };
  const d = digestLength(ticket, [32, 64, 128]) as number;
  const digest = TKT_DIGESTS[d] as 'md5';
  const clientIp = options.clientIp;
  try {
    const tkt = new AuthTicket({
      secret,
      digest,
      timeout: options.timeout ?? 7200,
      ignoreIp: clientIp === undefined,
      now,
    });
    const info = tkt.validate(token, { clientIp });
    return {
      valid: true,
      message: `${digest.toUpperCase()} digest matches${clientIp === undefined ? ' (unbound ticket)' : ` for client ${clientIp}`}; not expired`,
      details: {
        user: info.uid,
        tokens: info.tokens,
        userData: info.userData,
        issuedAt: isoTime(info.ts),
        refreshDue: info.refresh,
      },
    };
  } catch (err) {
    return tktError(err);
  }
}

function pyUnquote(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function readTicketAuth(token: string, nowSeconds: number): Reading[] {
  const d = digestLength(token, Object.keys(TICKET_AUTH_HASHES).map(Number));
  if (d === undefined) return [];
  const parts = token.slice(d + 8).split('!');
  if (parts.length !== 3) return [];
  const [uid, tokens, data] = parts as [string, string, string];
  const validUntil = Number.parseInt(token.slice(d, d + 8), 16);
  const unverified: Record<string, unknown> = {
    user: pyUnquote(uid),
    tokens: tokens === '' ? [] : tokens.split(',').map(pyUnquote),
    userData: pyUnquote(data),
    validUntil: timeField(validUntil, nowSeconds),
    digest: `${(TICKET_AUTH_HASHES[d] ?? []).join(' or ')} ${token.slice(0, d)}`,
  };
  return [{ format: 'ticket_auth', kind: `ticket, ${d}-character digest`, unverified, notes: [] }];
}

/**
 * A raw ticket reads more likely as ticket_auth when its hex prefix is longer than any
 * mod_auth_tkt digest allows (a SHA-1 or SHA-384 digest), or its fields are %-quoted.
 */
function ticketAuthFirst(token: string): boolean {
  const t = digestLength(token, Object.keys(TICKET_AUTH_HASHES).map(Number));
  if (t === undefined) return false;
  const m = digestLength(token, [32, 64, 128]);
  return m === undefined || t > m || /%[0-9A-F]{2}/.test(token.slice(t + 8));
}

function verifyTicketAuth(
  token: string,
  secret: string,
  options: InspectOptions,
  now: Clock,
): Verification {
  const d = digestLength(token, Object.keys(TICKET_AUTH_HASHES).map(Number)) as number;
  let last: unknown;
  for (const hashalg of TICKET_AUTH_HASHES[d] ?? []) {
    try {
      const info = new TicketFactory(secret, { hashalg, now }).validate(token, {
        clientIp: options.clientIp ?? null,
      });
      return {
        valid: true,
        message: `${hashalg} digest matches; valid_until is in the future`,
        details: {
          hashalg,
          user: info.userId,
          tokens: info.tokens,
          userData: info.userData,
          validUntil: isoTime(info.validUntil),
        },
      };
    } catch (err) {
      last = err;
      // A digest mismatch may only mean another hash of the same length: try the next one.
      if (!(err instanceof TicketDigestError)) break;
    }
  }
  return tktError(last);
}

// ---------------------------------------------------------------------------------------------
// itsdangerous: payload [SEP timestamp] SEP base64url(HMAC)

/** Signature length (base64url, unpadded) → digest. */
const ITS_DIGESTS: Record<number, Digest> = {
  22: 'md5',
  27: 'sha1',
  38: 'sha224',
  43: 'sha256',
  64: 'sha384',
  86: 'sha512',
};
const B64URL = /^[A-Za-z0-9_-]*$/;
const KEY_DERIVATIONS = ['django-concat', 'hmac', 'concat', 'none'] as const;
/** Signing times read as a timestamp only between 2000 and 2100: anything else is a value. */
const PLAUSIBLE_TS = [946_684_800, 4_102_444_800];

type ItsKind =
  | 'URLSafeTimedSerializer'
  | 'URLSafeSerializer'
  | 'TimedSerializer'
  | 'Serializer'
  | 'TimestampSigner'
  | 'Signer';

function itsTimestamp(segment: string): number | undefined {
  if (segment.length !== 6 || !B64URL.test(segment)) return undefined;
  const bytes = Buffer.from(segment, 'base64url');
  const ts = bytes.readUInt32BE(0);
  return ts >= PLAUSIBLE_TS[0]! && ts <= PLAUSIBLE_TS[1]! ? ts : undefined;
}

/** The URL-safe payload: base64url JSON, or `.` + base64url zlib JSON (itsdangerous.md §5). */
function urlSafePayload(payload: string): { value: unknown; compressed: boolean } | undefined {
  const compressed = payload.startsWith('.');
  const body = compressed ? payload.slice(1) : payload;
  if (body === '' || !B64URL.test(body) || body.length % 4 === 1) return undefined;
  try {
    let bytes: Uint8Array = Buffer.from(body, 'base64url');
    if (compressed) bytes = inflateBounded(bytes, MAX_INFLATE, 'not zlib');
    const text = utf8(bytes);
    return text === undefined ? undefined : { value: parseJson(text), compressed };
  } catch {
    return undefined;
  }
}

interface ItsShape {
  kind: ItsKind;
  digest: Digest;
  payload: string;
  ts: number | undefined;
}

function itsShape(token: string): ItsShape | undefined {
  const last = token.lastIndexOf('.');
  if (last <= 0) return undefined;
  const sig = token.slice(last + 1);
  const digest = ITS_DIGESTS[sig.length];
  if (digest === undefined || !B64URL.test(sig)) return undefined;
  let payload = token.slice(0, last);
  const prev = payload.lastIndexOf('.');
  const ts = prev === -1 ? undefined : itsTimestamp(payload.slice(prev + 1));
  if (ts !== undefined) payload = payload.slice(0, prev);
  const timed = ts !== undefined;
  let kind: ItsKind;
  if (urlSafePayload(payload) !== undefined)
    kind = timed ? 'URLSafeTimedSerializer' : 'URLSafeSerializer';
  else {
    let json = false;
    try {
      parseJson(payload);
      json = true;
    } catch {
      // not JSON: a plain signed value
    }
    kind = json ? (timed ? 'TimedSerializer' : 'Serializer') : timed ? 'TimestampSigner' : 'Signer';
  }
  return { kind, digest, payload, ts };
}

function readItsdangerous(token: string, nowSeconds: number): Reading[] {
  const shape = itsShape(token);
  if (shape === undefined) return [];
  const { kind, digest, payload, ts } = shape;
  const unverified: Record<string, unknown> = {};
  const notes: string[] = [];
  if (kind.startsWith('URLSafe')) {
    const p = urlSafePayload(payload) as { value: unknown; compressed: boolean };
    unverified.payload = p.value;
    if (p.compressed) notes.push('the payload is zlib-compressed (the leading ".")');
  } else if (kind.endsWith('Serializer')) unverified.payload = parseJson(payload);
  else unverified.value = payload;
  if (ts !== undefined) unverified.signedAt = timeField(ts, nowSeconds);
  unverified.signature = token.slice(token.lastIndexOf('.') + 1);
  unverified.digest = digest;
  if (ts !== undefined && kind.endsWith('Signer')) {
    notes.push(
      `if this is a plain Signer token, the value is ${JSON.stringify(token.slice(0, token.lastIndexOf('.')))}`,
    );
  }
  return [{ format: 'itsdangerous', kind, unverified, notes }];
}

function itsSerializer(
  kind: ItsKind,
  secret: string,
  salt: string,
  keyDerivation: (typeof KEY_DERIVATIONS)[number],
  digest: Digest,
  now: Clock,
) {
  const options = { salt, signer: { keyDerivation, digestMethod: digest }, now };
  switch (kind) {
    case 'URLSafeTimedSerializer':
      return new URLSafeTimedSerializer(secret, options);
    case 'URLSafeSerializer':
      return new URLSafeSerializer(secret, options);
    case 'TimedSerializer':
      return new TimedSerializer(secret, options);
    default:
      return new Serializer(secret, options);
  }
}

function verifyItsdangerous(
  token: string,
  secret: string,
  options: InspectOptions,
  now: Clock,
): Verification {
  const { kind, digest } = itsShape(token) as ItsShape;
  const serializerSalts = ['itsdangerous', 'itsdangerous.Signer'];
  const salts =
    options.salt !== undefined
      ? [options.salt]
      : kind.endsWith('Signer')
        ? serializerSalts.reverse()
        : serializerSalts;
  // 1. The signature covers everything before the last separator, timed or not: a plain Signer
  // with the right salt and key derivation checks it for every class.
  let match: { salt: string; keyDerivation: (typeof KEY_DERIVATIONS)[number] } | undefined;
  for (const salt of salts) {
    for (const keyDerivation of KEY_DERIVATIONS) {
      if (new Signer(secret, { salt, keyDerivation, digestMethod: digest }).validate(token)) {
        match = { salt, keyDerivation };
        break;
      }
    }
    if (match) break;
  }
  if (match === undefined) {
    return {
      valid: false,
      failed: 'signature',
      message: `HMAC-${digest.toUpperCase()} does not match with salt ${salts.map((s) => JSON.stringify(s)).join(' or ')} and any key derivation (wrong secret, or give --salt)`,
    };
  }
  const details: Record<string, unknown> = {
    salt: match.salt,
    keyDerivation: match.keyDerivation,
    digest,
  };
  // 2. Then what the class adds: the timestamp and its age, the payload.
  const maxAge =
    options.maxAge === undefined ? undefined : durationSeconds(options.maxAge, 'maxAge');
  try {
    if (kind === 'Signer') {
      details.value = new Signer(secret, {
        salt: match.salt,
        keyDerivation: match.keyDerivation,
        digestMethod: digest,
      }).unsign(token);
    } else if (kind === 'TimestampSigner') {
      const signer = new TimestampSigner(secret, {
        salt: match.salt,
        keyDerivation: match.keyDerivation,
        digestMethod: digest,
        now,
      });
      details.value = signer.unsign(token, { maxAge });
    } else {
      const s = itsSerializer(kind, secret, match.salt, match.keyDerivation, digest, now);
      details.payload = s instanceof TimedSerializer ? s.loads(token, { maxAge }) : s.loads(token);
    }
  } catch (err) {
    if (err instanceof SignatureExpired)
      return { valid: false, failed: 'expiry', message: err.message, details };
    if (err instanceof BadTimeSignature)
      return { valid: false, failed: 'timestamp', message: err.message, details };
    if (err instanceof BadPayload)
      return { valid: false, failed: 'payload', message: `genuine, but: ${err.message}`, details };
    if (err instanceof BadSignature)
      return { valid: false, failed: 'signature', message: err.message, details };
    throw err;
  }
  const timed = kind.includes('Timed') || kind === 'TimestampSigner';
  const age = timed
    ? maxAge === undefined
      ? '; age not checked (give --max-age)'
      : `; younger than ${maxAge} s`
    : '';
  return { valid: true, message: `HMAC-${digest.toUpperCase()} matches${age}`, details };
}

// ---------------------------------------------------------------------------------------------
// The report

const UNRECOGNISED_HINT = [
  'Tessera reads these shapes:',
  '  itsdangerous   value[.timestamp].signature (base64url; 27 characters for HMAC-SHA1)',
  '  ska            a URL or query with signature=, auth_user= and valid_until=',
  '  mod_auth_tkt   an auth_tkt cookie: base64 of <hex digest><8 hex time>uid!tokens!data, or that raw',
  '  ticket_auth    <hex digest><8 hex valid_until>uid!tokens!data',
  '  handoff        XHA… or XHB… ending in HX',
  '  pytickets      standard base64 starting "Nxz" (the bytes 37 1c c7 5e)',
].join('\n');

function hintFor(token: string): string {
  const hints: string[] = [];
  if (token === '') hints.push('The token is empty.');
  else if (/\s/.test(token))
    hints.push('The token contains whitespace: was it wrapped, or copied with other text?');
  else if (/^eyJ[\w-]*\.eyJ[\w-]*\.[\w-]*$/.test(token))
    hints.push('This looks like a JWT (JOSE), which Tessera does not read.');
  else if (token.startsWith('XH'))
    hints.push(
      'It starts like a hand-off (XH…) but is not one: truncated, or the HX footer is missing?',
    );
  else if (token.includes('signature='))
    hints.push(
      'It has a signature= parameter but no auth_user= or valid_until=: a ska URL needs all three.',
    );
  else if (token.includes('.'))
    hints.push(
      'It has a "." but its last part is not a base64url signature of a known length: truncated?',
    );
  return [...hints, UNRECOGNISED_HINT].join('\n');
}

/**
 * Recognise a token's format by its shape, decode its parts (UNVERIFIED) and, given the secret,
 * verify it. Pure: no I/O. Never throws for any token text (a misused option is a
 * `TypeError`/`RangeError`).
 *
 * @example
 * ```ts
 * import { inspectToken } from './inspect.ts';
 * const report = inspectToken('XHBC6h_bA2JyvRfjp6O6SChkEQ6CrAeNqrVkpUslIwrAUACeUCKQHX', { secret: 'docs' });
 * report.formats; // ['handoff']
 * report.readings[0]?.unverified.payload; // { a: 1 }
 * report.verified; // true
 * ```
 */
export function inspectToken(token: string, options: InspectOptions = {}): InspectReport {
  if (typeof token !== 'string') throw new TypeError('token must be a string');
  const now = clockOption(options.now);
  const nowSeconds = Math.floor(now() / 1000);
  const timeout =
    options.timeout === undefined ? 7200 : durationSeconds(options.timeout, 'timeout');
  if (options.maxAge !== undefined) durationSeconds(options.maxAge, 'maxAge');

  const tkt = readModAuthTkt(token, nowSeconds, timeout);
  const ticketAuth = readTicketAuth(token, nowSeconds);
  if (tkt.length > 0 && ticketAuth.length > 0) {
    for (const r of [...tkt, ...ticketAuth]) {
      r.notes.push(
        'mod_auth_tkt and ticket_auth tickets look alike (the time is an issue time in one, an expiry in the other); only the secret tells them apart',
      );
    }
  }
  const readings = [
    ...readHandoff(token),
    ...readPytickets(token, nowSeconds),
    ...readSka(token, nowSeconds),
    ...(ticketAuthFirst(token) ? [...ticketAuth, ...tkt] : [...tkt, ...ticketAuth]),
    ...readItsdangerous(token, nowSeconds),
  ];
  const formats = [...new Set(readings.map((r) => r.format))];
  const report: InspectReport = { recognised: readings.length > 0, formats, readings };
  if (readings.length === 0) report.hint = hintFor(token);
  const secret = options.secret;
  if (secret !== undefined && secret !== '' && readings.length > 0) {
    for (const r of readings) r.verification = verify(r.format, token, secret, options, now);
    report.verified = readings.some((r) => r.verification?.valid === true);
  }
  return report;
}

function verify(
  format: FormatName,
  token: string,
  secret: string,
  options: InspectOptions,
  now: Clock,
): Verification {
  try {
    switch (format) {
      case 'handoff':
        return verifyHandoff(token, secret);
      case 'pytickets':
        return verifyPytickets(token, secret, options, now);
      case 'ska':
        return verifySka(token, secret, now);
      case 'mod_auth_tkt':
        return verifyModAuthTkt(token, secret, options, now);
      case 'ticket_auth':
        return verifyTicketAuth(token, secret, options, now);
      case 'itsdangerous':
        return verifyItsdangerous(token, secret, options, now);
    }
  } catch (err) {
    // Hostile data only ever throws Tessera errors; report one a reader above did not expect.
    if (err instanceof TesseraError) return { valid: false, failed: 'shape', message: err.message };
    // The formats' constructors refuse some secrets (a NUL byte for mod_auth_tkt, a lone
    // surrogate for Ax_Handoff): no token of that format can verify with it.
    if (err instanceof TypeError || err instanceof RangeError) {
      return {
        valid: false,
        failed: 'signature',
        message: `this secret cannot be a ${format} key: ${err.message}`,
      };
    }
    throw err;
  }
}

// ---------------------------------------------------------------------------------------------
// Output

/**
 * Untrusted text for a terminal: control characters (which could drive the terminal), DEL, C1
 * controls and bidirectional overrides become `\uXXXX`.
 */
function terminalSafe(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) =>
    c === '\n' ? '\\n' : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

function json(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
}

function show(value: unknown): string {
  return terminalSafe(typeof value === 'string' ? value : (json(value) ?? String(value)));
}

function label(key: string): string {
  return key.replace(/[A-Z]/g, (c) => ` ${c.toLowerCase()}`);
}

function fieldLines(fields: Record<string, unknown>, indent: string): string[] {
  const keys = Object.keys(fields);
  const width = Math.max(0, ...keys.map((k) => label(k).length)) + 1;
  return keys.map((k) => `${indent}${`${label(k)}:`.padEnd(width + 1)}${show(fields[k])}`);
}

/** The report as text for people. */
export function formatReport(report: InspectReport): string {
  if (!report.recognised) return `unrecognised token\n${report.hint ?? ''}\n`;
  const lines: string[] = [];
  lines.push(
    report.formats.length > 1
      ? `format: ${report.formats.join(' or ')} (they look alike: each reading follows)`
      : `format: ${report.formats[0]}`,
  );
  report.readings.forEach((r, i) => {
    lines.push('', `${report.readings.length > 1 ? `[${i + 1}] ` : ''}${r.format} — ${r.kind}`);
    lines.push('  UNVERIFIED (decoded without checking the signature: anyone can write these):');
    lines.push(...fieldLines(r.unverified, '    '));
    for (const n of r.notes) lines.push(`  note: ${terminalSafe(n)}`);
    const v = r.verification;
    if (v === undefined) return;
    lines.push(
      v.valid
        ? `  VERIFIED: ${terminalSafe(v.message)}`
        : `  INVALID (${v.failed} check failed): ${terminalSafe(v.message)}`,
    );
    if (v.details) lines.push(...fieldLines(v.details, '    '));
  });
  if (report.verified === undefined)
    lines.push(
      '',
      'Not verified: give the secret (--secret-file FILE or TESSERA_SECRET_KEY) to check it.',
    );
  return `${lines.join('\n')}\n`;
}

/** The report as one line of JSON (bigints as decimal strings, terminal-unsafe characters escaped). */
export function reportJson(report: InspectReport): string {
  return `${json(report).replace(/[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}\n`;
}

function str(ctx: CommandContext, name: string): string | undefined {
  const v = ctx.values[name];
  return typeof v === 'string' ? v : undefined;
}

function durationOf(ctx: CommandContext, name: string): Duration | undefined {
  const v = str(ctx, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  const value = v.trim() !== '' && Number.isFinite(n) ? n : v;
  try {
    durationSeconds(value, name);
  } catch {
    throw new UsageError(`--${name} must be seconds or a duration such as 15m, 2h, 7d`);
  }
  return value;
}

/**
 * `tessera inspect [TOKEN|-]`: which format, its parts (UNVERIFIED), and with a secret whether it
 * verifies. Exit 0 when recognised (and, with a secret, valid), 1 when a secret was given and no
 * reading verifies, 2 when the token is not recognised.
 *
 * @example
 * ```sh
 * tessera inspect 'XHBC6h_bA2JyvRfjp6O6SChkEQ6CrAeNqrVkpUslIwrAUACeUCKQHX'
 * echo "$COOKIE" | TESSERA_SECRET_KEY=… tessera inspect --json
 * ```
 */
export const inspectCommand: Command = {
  path: ['inspect'],
  summary: 'recognise a token of any of the six formats, decode it, and verify it given the secret',
  usage: [
    'tessera inspect [TOKEN|-] [--secret-file FILE] [--json] [--now SECONDS]',
    '       [--salt SALT] [--max-age DURATION] [--client-ip IP] [--timeout DURATION]',
    '       [--session TEXT] [--entropy TEXT]',
    '  The token comes from the argument, or from stdin when it is absent or "-".',
    '  Formats: itsdangerous, ska, mod_auth_tkt, ticket_auth, handoff, pytickets.',
    '  Without a secret the parts are shown UNVERIFIED. The secret comes from --secret-file or',
    '  TESSERA_SECRET_KEY; then each reading is verified and the failed check named.',
    '  --salt, --max-age: itsdangerous. --client-ip: mod_auth_tkt, ticket_auth. --timeout:',
    '  mod_auth_tkt (TKTAuthTimeout, default 7200 s). --session, --entropy: pytickets.',
    '  Exit: 0 recognised (and valid, with a secret), 1 invalid, 2 unrecognised or usage error.',
  ].join('\n'),
  options: {
    'secret-file': { type: 'string' },
    json: { type: 'boolean', default: false },
    now: { type: 'string' },
    salt: { type: 'string' },
    'max-age': { type: 'string' },
    'client-ip': { type: 'string' },
    timeout: { type: 'string' },
    session: { type: 'string' },
    entropy: { type: 'string' },
  },
  allowPositionals: true,
  async run(ctx) {
    if (ctx.positionals.length > 1)
      throw new UsageError('give one token (quote it if it holds spaces or &)');
    let now: Clock | undefined;
    const nowText = str(ctx, 'now');
    if (nowText !== undefined) {
      const seconds = nowText.trim() !== '' ? Number(nowText) : Number.NaN;
      if (!Number.isFinite(seconds)) throw new UsageError('--now must be Unix seconds');
      now = () => seconds * 1000;
    }
    const options: InspectOptions = {
      secret: readOptionalSecret(ctx),
      now,
      salt: str(ctx, 'salt'),
      maxAge: durationOf(ctx, 'max-age'),
      clientIp: str(ctx, 'client-ip'),
      timeout: durationOf(ctx, 'timeout'),
      session: str(ctx, 'session'),
      entropy: str(ctx, 'entropy'),
    };
    const token = await readToken(ctx);
    const report = inspectToken(token, options);
    if (ctx.values.json) ctx.stdout(reportJson(report));
    else if (report.recognised) ctx.stdout(formatReport(report));
    if (!report.recognised) {
      ctx.stderr(`tessera inspect: not a token of a format Tessera knows.\n${report.hint ?? ''}\n`);
      return EXIT.usage;
    }
    return report.verified === false ? EXIT.invalid : EXIT.ok;
  },
};
