/**
 * ska's signature (ska.md §2, §4): the base text, its HMAC, and the expiry rule.
 *
 * Wire layout of the signed text (the base) and of the signature:
 * `base = valid_until "_" auth_user ["_" quoter("k1=v1&k2=v2" sorted by key)]`,
 * `signature = base64(HMAC-<digest>(utf8(secret_key), utf8(base)))`, standard alphabet, padded.
 */
import { Buffer } from 'node:buffer';
import { createHmac, type KeyObject } from 'node:crypto';
import { type Clock, clockOption } from '../core/clock.ts';
import { type Secret, secretBytes } from '../core/keys.ts';
import { assertDigest, type Digest, equalBytes, importHmacKey } from '../core/mac.ts';
import {
  type ErrorCode,
  INVALID_SIGNATURE,
  SIGNATURE_LIFETIME,
  SIGNATURE_TIMESTAMP_EXPIRED,
} from './constants.ts';
import {
  codePointCompare,
  isPlainObject,
  jsDump,
  pyFloat,
  pyFloatStr,
  pyStr,
} from './python-text.ts';
import { isWellFormed, jsQuote, NotUtf8, pyQuote } from './quote.ts';

/** How extra values become text in the base: Python `str()` (`'default'`) or ska's JSON dumper. */
export type ValueDumper = 'default' | 'javascript';

/** How the extra part of the base is percent-encoded: Python `quote()` or `encodeURIComponent`. */
export type Quoter = 'default' | 'javascript';

/**
 * A `valid_until`: text is used verbatim (it is what gets signed); a number is written the way
 * Python's `str(float)` writes it (`1378045287` → `"1378045287.0"`).
 */
export type ValidUntil = string | number;

/** Extra key/value data to sign: a plain object of strings, numbers, booleans, null, bytes, lists, dicts. */
export type Extra = Readonly<Record<string, unknown>>;

/** A generated signature, as ska's `Signature` object holds it. */
export interface Signature {
  /** Standard base64 with padding. */
  readonly signature: string;
  readonly authUser: string;
  /** The exact `valid_until` text that was signed. */
  readonly validUntil: string;
  /** The extra data that was signed (without `undefined` values). */
  readonly extra: Extra;
}

/** The outcome of a validation, shaped as ska's `SignatureValidationResult`. */
export interface SignatureValidationResult {
  /** True only when the signature matches and `valid_until` is after now. */
  readonly result: boolean;
  /** ska's messages, in fixed order: `"Invalid signature!"`, then `"Signature timestamp expired!"`. */
  readonly reason: string[];
  /** The same as codes: 1 = invalid signature, 2 = expired. */
  readonly errors: ErrorCode[];
  /** The reasons joined by a space (`""` when valid). */
  readonly message: string;
  /**
   * Only when `result` is true: the data the signature covers. Parameters not listed in the
   * extra parameter are not signed and are never here.
   */
  readonly signed?: SignedData | undefined;
}

/** What a valid signature vouches for. */
export interface SignedData {
  readonly authUser: string;
  readonly validUntil: string;
  readonly extra: Record<string, unknown>;
}

/** Options shared by everything that builds a base. */
export interface EncodingOptions {
  /** How extra values are written into the base (default `'default'`: Python `str()`). */
  valueDumper?: ValueDumper | undefined;
  /** How the extra part of the base is quoted (default `'default'`: Python `quote()`). */
  quoter?: Quoter | undefined;
}

/** Options of {@link getBase}. */
export interface GetBaseOptions extends EncodingOptions {
  authUser: string;
  validUntil: ValidUntil;
  extra?: Extra | null | undefined;
}

/** Options of {@link generateSignature}. */
export interface GenerateSignatureOptions extends EncodingOptions {
  authUser: string;
  /** The shared secret (text is used as UTF-8, as ska does). */
  secretKey: Secret;
  /** Given → signed verbatim; `0`, `''`, `null` or absent → `floor(now) + lifetime`, as `"N.0"`. */
  validUntil?: ValidUntil | null | undefined;
  /** Seconds, an integer (default 600). */
  lifetime?: number | null | undefined;
  extra?: Extra | null | undefined;
  /** HMAC digest (default `'sha1'`, ska's `Signature`). */
  digest?: Digest | undefined;
  /** Clock in milliseconds (default `Date.now`). */
  now?: Clock | undefined;
}

/** Options of {@link validateSignature}. */
export interface ValidateSignatureOptions extends EncodingOptions {
  /** The received signature text (compared exactly, in constant time). */
  signature: string;
  authUser: string;
  secretKey: Secret;
  validUntil: ValidUntil | null | undefined;
  extra?: Extra | null | undefined;
  digest?: Digest | undefined;
  now?: Clock | undefined;
}

// ---------------------------------------------------------------------------------------------
// Internals shared by the request helper and the shortcuts.

/** The two encoding choices, resolved once. */
export interface Codec {
  dump(value: unknown): string;
  quote(text: string): string;
  /** `dump` is the default dumper, Python `str()`. */
  readonly strDump: boolean;
  /** `quote` is the default quoter, Python `quote()`. */
  readonly plainQuote: boolean;
}

// The base sorts every dict (dict_to_ordered_dict), hence `sorted` on at every depth.
const defaultDump = (v: unknown): string => pyStr(v, true, true);
const CODECS: readonly Codec[] = [
  { dump: defaultDump, quote: pyQuote, strDump: true, plainQuote: true },
  { dump: defaultDump, quote: jsQuote, strDump: true, plainQuote: false },
  { dump: jsDump, quote: pyQuote, strDump: false, plainQuote: true },
  { dump: jsDump, quote: jsQuote, strDump: false, plainQuote: false },
];

/** Validate `valueDumper`/`quoter` options. */
export function codecOption(valueDumper: unknown, quoter: unknown): Codec {
  const d = valueDumper ?? 'default';
  const q = quoter ?? 'default';
  if (d !== 'default' && d !== 'javascript') {
    throw new RangeError(`valueDumper must be 'default' or 'javascript'; got ${JSON.stringify(d)}`);
  }
  if (q !== 'default' && q !== 'javascript') {
    throw new RangeError(`quoter must be 'default' or 'javascript'; got ${JSON.stringify(q)}`);
  }
  return CODECS[(d === 'javascript' ? 2 : 0) + (q === 'javascript' ? 1 : 0)] as Codec;
}

// Digests already checked (assertDigest looks the name up in OpenSSL's list).
const checkedDigests = new Set<unknown>();

/** Validate a `digest` option (default sha1, ska's `Signature` = `HMACSHA1Signature`). */
export function digestOption(digest: unknown): Digest {
  const d = digest ?? 'sha1';
  if (checkedDigests.has(d)) return d as Digest;
  assertDigest(d, 'digest');
  checkedDigests.add(d);
  return d as Digest;
}

// Imported keys of text secrets, so that the shortcut functions, which take the secret on
// every call, do not convert and import it again each time. A handful of secrets covers a
// server (one per ska provider); past the cap the oldest is dropped.
const KEY_CACHE_SIZE = 16;
const keyCache = new Map<string, KeyObject>();

/**
 * Validate a `secretKey` option and return the key to HMAC with: text (UTF-8, as ska does) is
 * imported once and kept; bytes are copied on every call, since the caller may change them.
 */
export function keyOption(secret: unknown): KeyObject | Uint8Array {
  if (typeof secret !== 'string') return secretBytes(secret, 'secretKey');
  let key = keyCache.get(secret);
  if (key === undefined) {
    key = importHmacKey(secretBytes(secret, 'secretKey'));
    if (keyCache.size >= KEY_CACHE_SIZE) keyCache.delete(keyCache.keys().next().value as string);
    keyCache.set(secret, key);
  }
  return key;
}

/** Validate a string option with a default. */
export function stringOption(value: unknown, option: string, fallback: string): string {
  if (value === undefined) return fallback;
  if (typeof value !== 'string') throw new TypeError(`${option} must be a string`);
  return value;
}

/** Validate `lifetime`: ska 1.11 raises TypeError for a non-int and treats None as 600. */
export function lifetimeOption(value: unknown): number {
  if (value === undefined || value === null) return SIGNATURE_LIFETIME;
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new TypeError("The 'lifetime' argument must be an integer");
  }
  return value;
}

/** Validate `authUser` for signing. */
export function authUserOption(value: unknown): string {
  if (typeof value !== 'string') throw new TypeError('authUser must be a string');
  return value;
}

/** The entries of an `extra` option, insertion order, `undefined` values left out. */
export function extraOption(extra: unknown): [string, unknown][] {
  if (extra === undefined || extra === null) return [];
  if (!isPlainObject(extra)) throw new TypeError('extra must be a plain object');
  const out: [string, unknown][] = [];
  for (const k of Object.keys(extra)) {
    const v = extra[k];
    if (v !== undefined) out.push([k, v]);
  }
  return out;
}

/**
 * The `valid_until` text of an option, or `undefined` when ska would generate one: ska tests
 * `if not valid_until`, so `None`, `''`, `0` and `0.0` mean "not given" (`'0'` does not).
 */
export function validUntilOption(value: unknown): string | undefined {
  if (value === undefined || value === null || value === '' || value === 0) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return pyFloatStr(value);
  throw new TypeError('validUntil must be a string or a number');
}

// Python's datetime covers 0001-01-01T00:00:00 to 9999-12-31T23:59:59.999999 (UTC, as the
// vectors ran).
/** First second of year 1. */
export const MIN_DATETIME = -62135596800;
/** Last second of year 9999. */
export const MAX_DATETIME = 253402300799;

/**
 * ska's generated `valid_until`: `mktime((now + lifetime).timetuple())` drops the microseconds,
 * i.e. `floor(now) + lifetime`, printed as a float (`"N.0"`). Out of Python's date range → the
 * OverflowError Python raises becomes a RangeError.
 */
export function generatedValidUntil(nowMs: number, lifetime: number): string {
  const t = Math.floor(nowMs / 1000) + lifetime;
  if (!(t >= MIN_DATETIME && t <= MAX_DATETIME)) {
    throw new RangeError('lifetime puts valid_until outside the dates Python can represent');
  }
  return pyFloatStr(t);
}

/** Indices of `keys` in Python's sorted order (code points), as `dict_to_ordered_dict` sorts. */
export function sortedOrder(keys: readonly string[]): number[] {
  const order: number[] = [];
  // Insertion sort: there are a handful of keys, and they are distinct.
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i] as string;
    let j = i;
    while (j > 0 && codePointCompare(keys[order[j - 1] as number] as string, k) > 0) {
      order[j] = order[j - 1] as number;
      j--;
    }
    order[j] = i;
  }
  return order;
}

/**
 * The extra part of the base from quoted pieces: `quote(k) + "%3D" + quote(v)` for each key,
 * joined by `%26` in sorted key order. This is `quoter("&".join(f"{k}={v}" …))`, since both
 * quoters encode `=` and `&` and work character by character.
 */
export function joinExtra(order: readonly number[], pieces: readonly string[]): string {
  let out = pieces[order[0] as number] as string;
  for (let i = 1; i < order.length; i++) out += `%26${pieces[order[i] as number] as string}`;
  return out;
}

/** The extra entries of a base, dumped and quoted (for sharing with the URL). */
export interface QuotedExtra {
  /** Keys in insertion order. */
  readonly keys: string[];
  /** Sorted order of {@link keys}. */
  readonly order: number[];
  /** `value_dumper(v)` of each value. */
  readonly dumped: string[];
  /** `quoter(k)` of each key. */
  readonly quotedKeys: string[];
  /** `quoter(value_dumper(v))` of each value. */
  readonly quotedValues: string[];
}

const NO_EXTRA: QuotedExtra = Object.freeze({
  keys: [],
  order: [],
  dumped: [],
  quotedKeys: [],
  quotedValues: [],
});

/** Dump and quote the extras: all dumps first, in sorted order, as ska's f-string runs. */
export function quoteExtra(extra: readonly [string, unknown][], codec: Codec): QuotedExtra {
  const n = extra.length;
  if (n === 0) return NO_EXTRA;
  const keys: string[] = new Array(n);
  for (let i = 0; i < n; i++) keys[i] = (extra[i] as [string, unknown])[0];
  const order = sortedOrder(keys);
  const dumped: string[] = new Array(n);
  for (const i of order) dumped[i] = codec.dump((extra[i] as [string, unknown])[1]);
  const quotedKeys: string[] = new Array(n);
  const quotedValues: string[] = new Array(n);
  for (const i of order) {
    quotedKeys[i] = codec.quote(keys[i] as string);
    quotedValues[i] = codec.quote(dumped[i] as string);
  }
  return { keys, order, dumped, quotedKeys, quotedValues };
}

/** The base from quoted extras. */
export function baseOf(authUser: string, validUntil: string, q: QuotedExtra): string {
  const n = q.keys.length;
  if (n === 0) return `${validUntil}_${authUser}`;
  const pieces: string[] = new Array(n);
  for (let i = 0; i < n; i++)
    pieces[i] = `${q.quotedKeys[i] as string}%3D${q.quotedValues[i] as string}`;
  return `${validUntil}_${authUser}_${joinExtra(q.order, pieces)}`;
}

/** The extra part and the whole base (ska `get_base`). Throws TypeError for unsignable values. */
export function baseText(
  authUser: string,
  validUntil: string,
  extra: readonly [string, unknown][],
  codec: Codec,
): string {
  if (extra.length === 0) return `${validUntil}_${authUser}`;
  // sorted_urlencode: f"{k}={value_dumper(v)}" over dict_to_ordered_dict(extra), joined by "&".
  return baseOf(authUser, validUntil, quoteExtra(extra, codec));
}

/** base64(HMAC(key, utf8(base))); text without a UTF-8 form is refused, as Python's `.encode()` does. */
export function macText(digest: Digest, key: KeyObject | Uint8Array, base: string): string {
  if (!isWellFormed(base)) throw new NotUtf8('the signed text contains a lone surrogate');
  // Straight to base64 in C++; core's hmac() returns bytes, and their toString costs a copy.
  return createHmac(digest, key).update(base).digest('base64');
}

// One pair of buffers per signature length (at most six: one per digest), to compare texts.
const compareBuffers = new Map<number, [Buffer, Buffer]>();

/**
 * Whether the received signature text is the expected one (base64, ASCII), compared in
 * constant time as bytes with core's equalBytes. The received text is written as UTF-8: if it
 * does not fill the buffer exactly it is not ASCII, hence not equal, and a non-ASCII character
 * that fits leaves a byte above 0x7F that cannot match. Neither test depends on the expected text.
 */
export function equalSignature(expected: string, received: string): boolean {
  const n = expected.length;
  if (received.length !== n) return false;
  let pair = compareBuffers.get(n);
  if (pair === undefined) {
    pair = [Buffer.allocUnsafeSlow(n), Buffer.allocUnsafeSlow(n)];
    compareBuffers.set(n, pair);
  }
  if (pair[1].write(received, 0, 'utf8') !== n) return false;
  pair[0].write(expected, 0, 'latin1');
  return equalBytes(pair[0], pair[1]);
}

function roundHalfEven(x: number): number {
  const r = Math.sign(x) * Math.round(Math.abs(x));
  return Math.abs(x - r) === 0.5 ? 2 * Math.round(x / 2) : r;
}

/**
 * ska's expiry rule (§4 step 6): `datetime.fromtimestamp(float(valid_until)) > datetime.now()`.
 * `fromtimestamp` rounds to microseconds, half to even, so this compares whole seconds and
 * microseconds exactly. NaN, infinities and years past 9999 make Python raise; they are expired here.
 */
export function isLive(seconds: number, nowMs: number): boolean {
  if (!Number.isFinite(seconds)) return false;
  let whole = Math.trunc(seconds);
  let us = roundHalfEven((seconds - whole) * 1e6);
  if (us >= 1e6) {
    us -= 1e6;
    whole += 1;
  } else if (us < 0) {
    us += 1e6;
    whole -= 1;
  }
  // Before year 1 Python raises too; such a time is long past, so "expired" is the same answer.
  if (whole > MAX_DATETIME) return false;
  // datetime.now() floors to the microsecond.
  const nowUs = Math.floor(nowMs * 1000);
  const nowWhole = Math.floor(nowUs / 1e6);
  const nowFrac = nowUs - nowWhole * 1e6;
  return whole > nowWhole || (whole === nowWhole && us > nowFrac);
}

/** What a request claims, before it is checked. */
export interface Claim {
  signature: unknown;
  authUser: unknown;
  validUntil: unknown;
  /** `undefined` when the extra list is unreadable (ska crashes on it). */
  extra: readonly [string, unknown][] | undefined;
}

/** The `valid_until` of a claim: its signed text and its time, or `undefined` when it is missing. */
function claimedValidUntil(
  value: unknown,
): { text: string; seconds: number | undefined } | undefined {
  // ska substitutes a fresh now+600 for a missing or falsy valid_until, so a token signed with
  // exactly that value validates by coincidence (ska.md §4 step 3). Tessera never accepts a
  // missing valid_until; the reasons stay ska's ("Invalid signature!" only).
  if (value === undefined || value === null || value === '' || value === 0 || value === false) {
    return undefined;
  }
  if (typeof value === 'string') return { text: value, seconds: pyFloat(value) };
  if (typeof value === 'number') return { text: pyFloatStr(value), seconds: value };
  return { text: '', seconds: undefined };
}

/**
 * Check a claim: shape → MAC (constant time, on the exact base64 text ska compares) → expiry.
 * Never throws for anything in the claim: where ska crashes (unparsable or out-of-range
 * `valid_until`, non-text fields, unencodable text) the answer is invalid or expired.
 */
export function checkClaim(
  claim: Claim,
  key: KeyObject | Uint8Array,
  digest: Digest,
  codec: Codec,
  nowMs: number,
): { signatureOk: boolean; expired: boolean; validUntil: string } {
  const vu = claimedValidUntil(claim.validUntil);
  if (vu === undefined) return { signatureOk: false, expired: false, validUntil: '' };
  let signatureOk = false;
  if (
    typeof claim.signature === 'string' &&
    typeof claim.authUser === 'string' &&
    claim.extra !== undefined &&
    vu.text !== ''
  ) {
    try {
      const expected = macText(digest, key, baseText(claim.authUser, vu.text, claim.extra, codec));
      signatureOk = equalSignature(expected, claim.signature);
    } catch {
      // An extra value Python could not have sent, text without UTF-8, or nesting too deep.
      signatureOk = false;
    }
  }
  const expired = vu.seconds === undefined || !isLive(vu.seconds, nowMs);
  return { signatureOk, expired, validUntil: vu.text };
}

/** Build ska's result object from the two checks (`signed` is the caller's to fill in). */
export function validationResult(
  signatureOk: boolean,
  expired: boolean,
): { -readonly [K in keyof SignatureValidationResult]: SignatureValidationResult[K] } {
  if (signatureOk && !expired) {
    return { result: true, reason: [], errors: [], message: '', signed: undefined };
  }
  const errors: ErrorCode[] = [];
  const reason: string[] = [];
  if (!signatureOk) {
    errors.push(INVALID_SIGNATURE);
    reason.push(INVALID_SIGNATURE.message);
  }
  if (expired) {
    errors.push(SIGNATURE_TIMESTAMP_EXPIRED);
    reason.push(SIGNATURE_TIMESTAMP_EXPIRED.message);
  }
  return {
    result: errors.length === 0,
    reason,
    errors,
    message: reason.join(' '),
    signed: undefined,
  };
}

// ---------------------------------------------------------------------------------------------
// Public functions.

/**
 * The exact text ska signs (`get_base`): `valid_until_auth_user[_EXTRA]`, where EXTRA is the
 * extra data sorted by key, written by `valueDumper` and percent-encoded by `quoter`.
 *
 * @example
 * ```ts
 * import { getBase } from 'tessera/ska';
 * getBase({ authUser: 'user', validUntil: 1378045287 }); // '1378045287.0_user'
 * getBase({ authUser: 'user', validUntil: '1378045287.0', extra: { provider: 'p1', email: 'a b@x.org' } });
 * // '1378045287.0_user_email%3Da%20b%40x.org%26provider%3Dp1'
 * ```
 */
export function getBase(options: GetBaseOptions): string {
  const authUser = authUserOption(options.authUser);
  const validUntil = options.validUntil;
  if (typeof validUntil !== 'string' && typeof validUntil !== 'number') {
    throw new TypeError('validUntil must be a string or a number');
  }
  const text = typeof validUntil === 'string' ? validUntil : pyFloatStr(validUntil);
  const codec = codecOption(options.valueDumper, options.quoter);
  return baseText(authUser, text, extraOption(options.extra), codec);
}

/** A signature with its extras as entries (what the URL and dict writers take). */
export interface SignedFields {
  signature: string;
  authUser: string;
  validUntil: string;
  extra: [string, unknown][];
  /** The extras as the base quoted them, when just signed here (the URL writer reuses them). */
  quoted?: QuotedExtra | undefined;
  /** The encoding the base used, with {@link quoted}. */
  codec?: Codec | undefined;
}

/** Resolve the signing options shared by {@link generateSignature} and the shortcuts, and sign. */
export function signFromOptions(options: GenerateSignatureOptions): SignedFields {
  const authUser = authUserOption(options.authUser);
  const key = keyOption(options.secretKey);
  const lifetime = lifetimeOption(options.lifetime);
  const extra = extraOption(options.extra);
  const digest = digestOption(options.digest);
  const codec = codecOption(options.valueDumper, options.quoter);
  const clock = clockOption(options.now);
  const validUntil = validUntilOption(options.validUntil) ?? generatedValidUntil(clock(), lifetime);
  const quoted = quoteExtra(extra, codec);
  const signature = macText(digest, key, baseOf(authUser, validUntil, quoted));
  return { signature, authUser, validUntil, extra, quoted, codec };
}

/**
 * Sign `authUser`, `validUntil` and the extra data (ska's `Signature.generate_signature`).
 * Throws TypeError/RangeError for bad options, and TypeError for values ska could not sign
 * either (a lone surrogate, bytes with the javascript dumper, a class instance).
 *
 * @example
 * ```ts
 * import { generateSignature } from 'tessera/ska';
 * const sig = generateSignature({ authUser: 'user', secretKey: 'secret', validUntil: 1378045287 });
 * sig.signature; // 'YlZpLFsjUKBalL4x5trhkeEgqE8='
 * sig.validUntil; // '1378045287.0'
 * ```
 */
export function generateSignature(options: GenerateSignatureOptions): Signature {
  const f = signFromOptions(options);
  return {
    signature: f.signature,
    authUser: f.authUser,
    validUntil: f.validUntil,
    extra: Object.fromEntries(f.extra),
  };
}

/**
 * Whether `signature` is valid for the other fields and `validUntil` is after now (ska's
 * `validate_signature`). The comparison is constant time on the exact base64 text. Unlike ska,
 * a missing `validUntil` is never valid, and an unreadable one is expired instead of a crash.
 *
 * @example
 * ```ts
 * import { validateSignature } from 'tessera/ska';
 * validateSignature({
 *   signature: 'YlZpLFsjUKBalL4x5trhkeEgqE8=', authUser: 'user', secretKey: 'secret',
 *   validUntil: '1378045287.0', now: () => 1378045000_000,
 * }); // true
 * ```
 */
export function validateSignature(options: ValidateSignatureOptions): boolean {
  const key = keyOption(options.secretKey);
  const digest = digestOption(options.digest);
  const codec = codecOption(options.valueDumper, options.quoter);
  const clock = clockOption(options.now);
  let extra: [string, unknown][];
  try {
    extra = extraOption(options.extra);
  } catch {
    return false;
  }
  const claim: Claim = {
    signature: options.signature,
    authUser: options.authUser,
    validUntil: options.validUntil,
    extra,
  };
  const { signatureOk, expired } = checkClaim(claim, key, digest, codec, clock());
  return signatureOk && !expired;
}
