/**
 * Ax_Handoff 3.1.0 envelopes (spec ../shared/specs/ax_handoff.md): a JSON value in one URL-safe
 * string, zlib-compressed and AES-128-CBC-encrypted (variant A) or only compressed (variant B),
 * authenticated with HMAC-SHA1 over the body text.
 */
import { Buffer } from 'node:buffer';
import { createCipheriv, createDecipheriv, createHmac, type KeyObject } from 'node:crypto';
import { decodeBase64UrlStrict } from '../core/base64.ts';
import { asBuffer } from '../core/bytes.ts';
import {
  DEFAULT_MAX_INFLATE,
  deflate,
  inflateBounded,
  maxInflateOption,
} from '../core/compress.ts';
import { BadData, BadPayload, BadSignature } from '../core/errors.ts';
import { equalBytes, hash, importHmacKey } from '../core/mac.ts';
import { fillRandom } from '../core/random.ts';
import { applySchema, type Decoded, type StandardSchemaV1 } from '../core/standard-schema.ts';
import { pythonJsonDumps, pythonJsonLoads, pythonJsonText } from './json.ts';
import { ub64decode, ub64encode } from './ub64.ts';

/**
 * `A`: zlib + AES-128-CBC + HMAC-SHA1. `B`: zlib + HMAC-SHA1, readable by anyone.
 *
 * @example
 * ```ts
 * const variant: Variant = 'B';
 * new Handoff(secret, { variant }).encode({ public: true });
 * ```
 */
export type Variant = 'A' | 'B';

/**
 * A handoff secret: a non-empty string (hashed as UTF-8, as Python's `secret.encode('utf-8')`) or
 * its bytes.
 *
 * @example
 * ```ts
 * const secret: HandoffSecret = process.env.HANDOFF_SECRET!;
 * ```
 */
export type HandoffSecret = string | Uint8Array;

/**
 * Options of {@link Handoff} and of the one-call {@link encode} / {@link decode}.
 *
 * @example
 * ```ts
 * const options: HandoffOptions = { variant: 'A', variants: ['A'], maxInflate: 64 * 1024 };
 * ```
 */
export interface HandoffOptions {
  /** Variant that `encode` writes. Default `'A'`. */
  variant?: Variant;
  /** Variants that `decode` accepts. Default `['A', 'B']`, as the original. */
  variants?: readonly Variant[];
  /** Largest inflated payload `decode` accepts, in bytes. Default 256 KiB. */
  maxInflate?: number;
  /**
   * Source of the 16-byte IV of variant A, for tests: `random(16)`'s bytes are the IV as-is (the
   * original hashes `os.urandom` output; a CSPRNG's output needs no hashing). Default: node:crypto.
   */
  random?: (n: number) => Uint8Array;
}

/**
 * Options of {@link Handoff.decode}.
 *
 * @example
 * ```ts
 * import { z } from 'zod';
 * handoff.decode(token, { schema: z.object({ uid: z.number() }) }); // typed { uid: number }
 * ```
 */
export interface HandoffDecodeOptions<S extends StandardSchemaV1 | undefined = undefined> {
  /** A Standard Schema (zod, valibot, arktype…): its output is returned; a failure is a `BadPayload`. */
  schema?: S;
}

// token = "XH" variant(1) UB64(HMAC-SHA1(SHA512(secret), body))(27) body "HX"   (spec §2)
const HEADER_LENGTH = 30;
const MAC_CHARS = 27;
const FOOTER = 'HX';
const IV_LENGTH = 16;
const BLOCK = 16;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function secretOption(secret: unknown): Buffer {
  if (typeof secret === 'string') {
    if (secret.length === 0) throw new RangeError('secret must not be empty');
    // Python's secret.encode('utf-8') raises for lone surrogates; Buffer.from would silently
    // turn them into U+FFFD and derive a key no Python peer can.
    if (LONE_SURROGATE.test(secret)) {
      throw new RangeError('secret must be well-formed UTF-16 (no lone surrogates)');
    }
    return Buffer.from(secret, 'utf8');
  }
  if (secret instanceof Uint8Array) {
    if (secret.length === 0) throw new RangeError('secret must not be empty');
    return Buffer.from(secret);
  }
  throw new TypeError('secret must be a non-empty string or Uint8Array');
}

function variantOption(value: unknown, option: string): Variant {
  if (value !== 'A' && value !== 'B') {
    throw new RangeError(`${option} must be 'A' or 'B'; got ${String(value)}`);
  }
  return value;
}

/**
 * Reads and writes Ax_Handoff 3.1.0 tokens, byte-compatible with the Python original. Keys are
 * derived once, here: HMAC key = SHA-512(secret), AES key = SHA-256(secret)[:16] (spec §2 "Keys").
 *
 * JSON is written as Python's `json.dumps` writes it (`", "`/`": "` separators, `\uXXXX`
 * escapes), so variant B tokens and fixed-IV variant A tokens are byte-identical to the
 * original's. As in Python, `NaN` and `±Infinity` are written as the literals `NaN`/`Infinity`
 * (which Python reads back) and read back as the JS numbers. Safe integers are written as Python
 * ints, other numbers as Python floats, a `bigint` as its exact digits; an integer beyond
 * ±(2^53 − 1) (e.g. a Python 64-bit id) is read back as a `bigint`, never silently rounded.
 * A JS object lists integer-like keys (`"2"`, `"10"`) first, so a decoded object may not keep
 * Python's key order for those; encode a `Map` to choose the order written.
 * Reading accepts what the original reads: any zlib level, `+`/`/` in the body, UTF-16/32 JSON.
 * One deliberate exception: the 27-character header MAC must be canonical base64url.
 *
 * Decoding checks, in order: shape (length, `XH`, variant, MAC encoding) → HMAC in constant time →
 * footer → decrypt (A) → bounded inflate → JSON → schema. A bad shape is a `BadData`; a wrong
 * secret or any change to the body or MAC is a `BadSignature` (the original's
 * `DataTamperedError`); a well-signed body that does not decode is a `BadPayload` (or
 * `PayloadTooLarge` past `maxInflate`). Nothing else escapes for any input string.
 *
 * @example
 * ```ts
 * import { Handoff } from 'tessera/handoff';
 * const handoff = new Handoff(process.env.HANDOFF_SECRET!);
 * const token = handoff.encode({ uid: 42, next: '/dashboard' }); // 'XHA…HX'
 * handoff.decode(token); // { uid: 42, next: '/dashboard' }
 * ```
 */
export class Handoff {
  /** The variant `encode` writes. */
  readonly variant: Variant;
  /** The variants `decode` accepts. */
  readonly variants: readonly Variant[];
  /** Largest inflated payload `decode` accepts, in bytes. */
  readonly maxInflate: number;
  readonly #hmacKey: KeyObject;
  readonly #aesKey: Buffer;
  readonly #acceptA: boolean;
  readonly #acceptB: boolean;
  readonly #random: ((n: number) => Uint8Array) | undefined;

  constructor(secret: HandoffSecret, options: HandoffOptions = {}) {
    const key = secretOption(secret);
    if (options === null || typeof options !== 'object') {
      throw new TypeError('options must be an object');
    }
    this.variant = options.variant === undefined ? 'A' : variantOption(options.variant, 'variant');
    const variants = options.variants ?? ['A', 'B'];
    if (!Array.isArray(variants) || variants.length === 0) {
      throw new RangeError("variants must be a non-empty array of 'A' and/or 'B'");
    }
    this.variants = Object.freeze(variants.map((v, i) => variantOption(v, `variants[${i}]`)));
    this.#acceptA = this.variants.includes('A');
    this.#acceptB = this.variants.includes('B');
    this.maxInflate =
      options.maxInflate === undefined ? DEFAULT_MAX_INFLATE : maxInflateOption(options.maxInflate);
    if (options.random !== undefined && typeof options.random !== 'function') {
      throw new TypeError('random must be a function (n: number) => Uint8Array');
    }
    this.#random = options.random;
    // spec §2 "Keys": no salt, no KDF; the same secret always gives the same keys.
    this.#hmacKey = importHmacKey(hash('sha512', key));
    this.#aesKey = hash('sha256', key).subarray(0, 16);
  }

  /**
   * Encode a JSON-able value into a token of this instance's variant.
   * Throws `TypeError` for a value JSON cannot hold (a cycle, a function at top level).
   *
   * @example
   * ```ts
   * new Handoff('docs', { variant: 'B' }).encode({ a: 1 });
   * // 'XHBC6h_bA2JyvRfjp6O6SChkEQ6CrAeNqrVkpUslIwrAUACeUCKQHX'
   * ```
   */
  encode(value: unknown): string {
    const json = Buffer.from(pythonJsonDumps(value), 'utf8');
    const z = deflate(json, 9);
    const body = this.variant === 'A' ? this.#seal(z) : ub64encode(z);
    const mac = createHmac('sha1', this.#hmacKey).update(body, 'latin1').digest();
    return `XH${this.variant}${ub64encode(mac)}${body}${FOOTER}`;
  }

  /**
   * Decode and verify a token (variant read from the token; it must be one of `variants`).
   *
   * @example
   * ```ts
   * import { BadSignature } from 'tessera/errors';
   * const handoff = new Handoff('docs');
   * handoff.decode('XHBC6h_bA2JyvRfjp6O6SChkEQ6CrAeNqrVkpUslIwrAUACeUCKQHX'); // { a: 1 }
   * try { handoff.decode(tamperedToken); } catch (err) { err instanceof BadSignature; } // true
   * ```
   */
  decode<S extends StandardSchemaV1 | undefined = undefined>(
    token: string,
    options: HandoffDecodeOptions<S> = {},
  ): Decoded<S> {
    // token = "XH" variant(1) UB64(HMAC)(27) body "HX"
    // 1. shape
    if (typeof token !== 'string') throw new BadData('Handoff token must be a string');
    if (token.length < 3) throw new BadData(`Not enough data (length ${token.length})`);
    if (token.charCodeAt(0) !== 0x58 || token.charCodeAt(1) !== 0x48) {
      throw new BadData("Header magic is not 'XH'");
    }
    const variant = token[2];
    if (variant !== 'A' && variant !== 'B') throw new BadData('Unknown handoff variant');
    if (!(variant === 'A' ? this.#acceptA : this.#acceptB)) {
      throw new BadData(`Handoff variant ${variant} is not accepted here`);
    }
    if (token.length < HEADER_LENGTH) {
      throw new BadData(`Header too short (length ${token.length})`);
    }
    // The header MAC must be spelled as Ax_Handoff writes it (canonical base64url). The original
    // would also take `+`, `/` and stray low bits there, giving one token several spellings that
    // all verify; refusing them keeps every change to a token fatal.
    const headerMac = decodeBase64UrlStrict(token.slice(3, 3 + MAC_CHARS));
    if (headerMac === undefined) throw new BadSignature('Header HMAC is not canonical UB64');
    // Python's encstr[30:-2]: empty when the token has no room for a body.
    const body = token.slice(HEADER_LENGTH, Math.max(HEADER_LENGTH, token.length - 2));

    // 2. MAC, in constant time, over the body text as UTF-8 (the original's body.encode('utf-8')).
    const mac = createHmac('sha1', this.#hmacKey).update(body, 'utf8').digest();
    if (!equalBytes(mac, headerMac)) {
      throw new BadSignature("Body HMAC does not match the header's");
    }

    // 3. footer: not covered by the MAC, so checked for form only (spec §2 step 8).
    if (token.length < HEADER_LENGTH + 2 || !token.endsWith(FOOTER)) {
      throw new BadData("Footer magic is not 'HX'");
    }

    // 4. decrypt (A) → 5. bounded inflate → 6. JSON → schema
    const raw = ub64decode(body);
    if (raw === undefined) throw new BadPayload('Body is not valid UB64');
    const z = variant === 'A' ? this.#open(raw) : raw;
    const json = asBuffer(inflateBounded(z, this.maxInflate, 'Decrypted compressed data invalid'));
    const text = pythonJsonText(json);
    if (text === undefined) {
      throw new BadPayload('Payload is not valid UTF-8/16/32 text', { payload: json });
    }
    let value: unknown;
    try {
      value = pythonJsonLoads(text);
    } catch (err) {
      throw new BadPayload('Invalid JSON detected', { cause: err, payload: json });
    }
    return applySchema(options.schema, value) as Decoded<S>;
  }

  /**
   * {@link decode}, also giving the verified HMAC-SHA1 bytes: the id of the token for one-time
   * use and revocation (`tokenId(mac)` in `tessera/stores`). The header MAC must be canonical
   * base64url, so every token that decodes with these bytes carries the same signed body.
   *
   * @example
   * ```ts
   * import { once } from 'tessera/stores';
   * const { value, mac } = handoff.decodeWithMac(token);
   * await once(store, mac, value.exp * 1000); // TokenReplayed on the second use
   * ```
   */
  decodeWithMac<S extends StandardSchemaV1 | undefined = undefined>(
    token: string,
    options: HandoffDecodeOptions<S> = {},
  ): { value: Decoded<S>; mac: Uint8Array } {
    const value = this.decode(token, options);
    // decode() verified this exact text against the body: strict base64url of the 20 MAC bytes.
    const mac = decodeBase64UrlStrict(token.slice(3, 3 + MAC_CHARS)) as Buffer;
    return { value, mac };
  }

  // body(A) = UB64(iv || AES-128-CBC(key, iv, z || PKCS#7))
  #seal(z: Uint8Array): string {
    const pad = BLOCK - (z.length % BLOCK);
    const out = Buffer.allocUnsafe(IV_LENGTH + z.length + pad);
    if (this.#random === undefined) fillRandom(out, 0, IV_LENGTH);
    else {
      const iv = this.#random(IV_LENGTH);
      if (!(iv instanceof Uint8Array) || iv.length !== IV_LENGTH) {
        throw new TypeError(`random(${IV_LENGTH}) must return a Uint8Array of ${IV_LENGTH} bytes`);
      }
      out.set(iv, 0);
    }
    out.set(z, IV_LENGTH);
    out.fill(pad, IV_LENGTH + z.length);
    const cipher = createCipheriv(
      'aes-128-cbc',
      this.#aesKey,
      out.subarray(0, IV_LENGTH),
    ).setAutoPadding(false);
    // update() returns every block at once with padding off; copying it back in place keeps one buffer.
    out.set(cipher.update(out.subarray(IV_LENGTH)), IV_LENGTH);
    return ub64encode(out);
  }

  #open(raw: Buffer): Buffer {
    if (raw.length < IV_LENGTH) {
      throw new BadPayload(`Decoded body too short for iv (${raw.length})`);
    }
    const ct = raw.subarray(IV_LENGTH);
    if (ct.length % BLOCK !== 0) {
      throw new BadPayload('Body decryption error: ciphertext is not a whole number of blocks');
    }
    if (ct.length === 0) throw new BadPayload('Padded compressed body too short (0)');
    const decipher = createDecipheriv(
      'aes-128-cbc',
      this.#aesKey,
      raw.subarray(0, IV_LENGTH),
    ).setAutoPadding(false);
    const padded = decipher.update(ct);
    // PKCS#7, checked here to report the original's error class (the MAC already passed, so
    // this is no padding oracle).
    const n = padded[padded.length - 1] ?? 0;
    let ok = n >= 1 && n <= BLOCK;
    for (let i = 1; ok && i <= n; i++) ok = padded[padded.length - i] === n;
    if (!ok) throw new BadPayload('Decryption failed (body data padding invalid)');
    return padded.subarray(0, padded.length - n);
  }
}

/**
 * The variant letter of a token, or `undefined` if it does not start like one. UNTRUSTED: the
 * letter is outside the MAC; use it for routing, never for trust.
 *
 * @example
 * ```ts
 * getVariant('XHBC6h_bA2JyvRfjp6O6SChkEQ6CrAeNqrVkpUslIwrAUACeUCKQHX'); // 'B'
 * ```
 */
export function getVariant(token: string): Variant | undefined {
  if (typeof token !== 'string' || !token.startsWith('XH')) return undefined;
  const v = token[2];
  return v === 'A' || v === 'B' ? v : undefined;
}

/**
 * One call: `Ax_Handoff.encode(obj, secret, variant)`. Derives the keys on every call; keep a
 * {@link Handoff} for repeated use.
 *
 * @example
 * ```ts
 * import { encode } from 'tessera/handoff';
 * const token = encode({ uid: 42 }, 'shared secret', { variant: 'A' });
 * ```
 */
export function encode(value: unknown, secret: HandoffSecret, options?: HandoffOptions): string {
  return new Handoff(secret, options).encode(value);
}

/**
 * One call: `Ax_Handoff.decode(encstr, secret)`, plus the options of {@link Handoff}.
 *
 * @example
 * ```ts
 * import { decode } from 'tessera/handoff';
 * decode('XHBC6h_bA2JyvRfjp6O6SChkEQ6CrAeNqrVkpUslIwrAUACeUCKQHX', 'docs'); // { a: 1 }
 * ```
 */
export function decode<S extends StandardSchemaV1 | undefined = undefined>(
  token: string,
  secret: HandoffSecret,
  options: HandoffOptions & HandoffDecodeOptions<S> = {},
): Decoded<S> {
  return new Handoff(secret, options).decode(token, options);
}
