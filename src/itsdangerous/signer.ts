/**
 * `Signer` — itsdangerous' `signer.py` (spec §3).
 *
 * token = value SEP base64url_nopad( HMAC-H( derive_key(newest_key), value ) )
 */
import { Buffer } from 'node:buffer';
import type { KeyObject } from 'node:crypto';
import { type BytesLike, toBytes, utf8DecodeStrict } from '../core/bytes.ts';
import { BadSignature } from '../core/errors.ts';
import { keyRing, type Secret, type SecretOrRing, secretBytes } from '../core/keys.ts';
import {
  assertDigest,
  DIGESTS,
  type Digest,
  equalBytes,
  hash,
  hmac,
  hmacBase64Url,
  importHmacKey,
} from '../core/mac.ts';
import { base64Decode, base64DecodeText, base64Encode } from './encoding.ts';

/** How the HMAC key is derived from a secret (spec §3). */
export type KeyDerivation = 'concat' | 'django-concat' | 'hmac' | 'none';

/** Options of {@link Signer}, named as Python's keyword arguments in camelCase. */
export interface SignerOptions {
  /** Default `"itsdangerous.Signer"`; `null` means the same default, as Python's `None`. */
  salt?: BytesLike | null;
  /** Separator, default `"."`; may not occur in the base64url alphabet (itsdangerous' rule). */
  sep?: BytesLike;
  /** Default `"django-concat"`. */
  keyDerivation?: KeyDerivation;
  /** Default `"sha1"`; used for key derivation and for the HMAC. */
  digestMethod?: Digest;
  /**
   * Default `"hmac"`. `"none"` signs with an empty signature and accepts any `value.` token:
   * never choose it for anything an attacker can send.
   */
  algorithm?: 'hmac' | 'none';
}

/** Result of the non-throwing forms (`safeUnsign`, `safeLoads`). */
export type SafeResult<T> =
  | {
      valid: true;
      value: T /** An older key (or a fallback signer) matched: re-issue the token. */;
      renew: boolean;
    }
  | { valid: false; error: BadSignature | import('../core/errors.ts').BadData };

const KEY_DERIVATIONS: readonly KeyDerivation[] = ['concat', 'django-concat', 'hmac', 'none'];
const SEP_FORBIDDEN = Buffer.from(
  'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_=',
);
const DEFAULT_SALT = 'itsdangerous.Signer';

/** @internal Bytes of a salt/sep option (strings as UTF-8), validated. */
export function bytesOption(value: unknown, option: string): Buffer {
  if (typeof value === 'string' || value instanceof Uint8Array) return Buffer.from(toBytes(value));
  throw new TypeError(`${option} must be a string or a Uint8Array`);
}

/**
 * Signs values and checks signatures, byte-compatible with Python itsdangerous' `Signer`.
 * A string in gives a string out; a Uint8Array in gives a Uint8Array out.
 *
 * @example
 * ```ts
 * import { Signer } from 'tessera/itsdangerous';
 * const signer = new Signer('secret-key');
 * const token = signer.sign('my string'); // 'my string.wh6tMHxLgJqB6oY1uT73iMlyrOA'
 * signer.unsign(token); // 'my string'
 * ```
 */
export class Signer {
  /** The salt, as bytes. */
  readonly salt: Uint8Array;
  /** The separator, as bytes. */
  readonly sep: Uint8Array;
  readonly keyDerivation: KeyDerivation;
  readonly digestMethod: Digest;
  readonly algorithm: 'hmac' | 'none';

  readonly #secrets: Buffer[];
  /** Derived HMAC keys, newest first (the order verification tries them). */
  readonly #keys: KeyObject[];
  /** The separator as text, when it is valid UTF-8 (the fast path for string tokens). */
  readonly #sepText: string | undefined;

  /**
   * @param secretKey one secret, or a list ordered oldest → newest (the newest signs).
   */
  constructor(secretKey: SecretOrRing, options: SignerOptions = {}) {
    if (options === null || typeof options !== 'object')
      throw new TypeError('options must be an object');
    this.#secrets = keyRing(secretKey, 'secretKey');
    this.salt =
      options.salt == null ? Buffer.from(DEFAULT_SALT) : bytesOption(options.salt, 'salt');
    const sep = options.sep === undefined ? Buffer.from('.') : bytesOption(options.sep, 'sep');
    if (SEP_FORBIDDEN.includes(sep)) {
      throw new RangeError(
        "The given separator cannot be used because it may be contained in the signature itself. ASCII letters, digits, and '-_=' must not be used.",
      );
    }
    this.sep = sep;
    this.#sepText = utf8DecodeStrict(sep);
    const kd = options.keyDerivation ?? 'django-concat';
    if (!KEY_DERIVATIONS.includes(kd)) {
      throw new RangeError(`keyDerivation must be one of ${KEY_DERIVATIONS.join(', ')}`);
    }
    this.keyDerivation = kd;
    this.digestMethod = assertDigest(
      options.digestMethod ?? 'sha1',
      'digestMethod',
      DIGESTS,
    ) as Digest;
    const algorithm = options.algorithm ?? 'hmac';
    if (algorithm !== 'hmac' && algorithm !== 'none')
      throw new RangeError('algorithm must be "hmac" or "none"');
    this.algorithm = algorithm;
    this.#keys = this.#secrets.map((s) => importHmacKey(this.#derive(s))).reverse();
  }

  /** @internal The separator as text, when it is valid UTF-8. */
  protected get sepText(): string | undefined {
    return this.#sepText;
  }

  #derive(secret: Buffer): Buffer {
    const h = this.digestMethod;
    switch (this.keyDerivation) {
      case 'concat':
        return hash(h, Buffer.concat([this.salt, secret]));
      case 'django-concat':
        return hash(h, Buffer.concat([this.salt, Buffer.from('signer'), secret]));
      case 'hmac':
        return hmac(h, secret, this.salt);
      default:
        return secret;
    }
  }

  /**
   * `derive_key`: the HMAC key derived from `secretKey` (default: the newest key).
   *
   * @example
   * ```ts
   * Buffer.from(new Signer('secret-key').deriveKey()).toString('hex');
   * // '95c1413ec52400db8a22b50e2f318e9204636448'
   * ```
   */
  deriveKey(secretKey?: Secret): Uint8Array {
    const secret =
      secretKey === undefined ? (this.#secrets.at(-1) as Buffer) : secretBytes(secretKey);
    return this.#derive(secret);
  }

  /** @internal Raw MAC of `value` under the newest key. */
  protected mac(value: BytesLike): Buffer {
    if (this.algorithm === 'none') return Buffer.alloc(0);
    return hmac(this.digestMethod, this.#keys[0] as KeyObject, value);
  }

  /**
   * @internal Index (0 = newest) of the key whose MAC of `value` equals `sig`, or -1.
   * Compared in constant time over the raw bytes, as `hmac.compare_digest` does.
   */
  protected matchKey(value: BytesLike, sig: Uint8Array): number {
    if (this.algorithm === 'none') return sig.length === 0 ? 0 : -1;
    for (let i = 0; i < this.#keys.length; i++) {
      if (equalBytes(sig, hmac(this.digestMethod, this.#keys[i] as KeyObject, value))) return i;
    }
    return -1;
  }

  /**
   * `get_signature`: the base64url signature of `value` (text for text, bytes for bytes).
   *
   * @example
   * ```ts
   * new Signer('secret-key').getSignature('my string'); // 'wh6tMHxLgJqB6oY1uT73iMlyrOA'
   * ```
   */
  getSignature(value: string): string;
  getSignature(value: Uint8Array): Uint8Array;
  getSignature(value: BytesLike): BytesLike {
    const sig = base64Encode(this.mac(value));
    return typeof value === 'string' ? sig : Buffer.from(sig, 'latin1');
  }

  /**
   * `sign`: `value + sep + signature`, always with the newest key.
   *
   * @example
   * ```ts
   * new Signer('secret-key').sign('my string'); // 'my string.wh6tMHxLgJqB6oY1uT73iMlyrOA'
   * ```
   */
  sign(value: string): string;
  sign(value: Uint8Array): Uint8Array;
  sign(value: BytesLike): BytesLike {
    if (typeof value === 'string' && this.#sepText !== undefined) {
      // Python cannot encode a lone surrogate (UnicodeEncodeError); signing one would make a token
      // that never verifies, so refuse it here.
      if (!isWellFormed(value))
        throw new TypeError('value is not well-formed Unicode (lone surrogate)');
      const sig =
        this.algorithm === 'none'
          ? ''
          : hmacBase64Url(this.digestMethod, this.#keys[0] as KeyObject, value);
      return `${value}${this.#sepText}${sig}`;
    }
    if (!(value instanceof Uint8Array) && typeof value !== 'string')
      throw new TypeError('value must be a string or a Uint8Array');
    const bytes = toBytes(value);
    const out = Buffer.concat([
      bytes,
      this.sep,
      Buffer.from(base64Encode(this.mac(bytes)), 'latin1'),
    ]);
    return typeof value === 'string' ? out.toString('utf8') : out;
  }

  /**
   * `verify_signature`: whether `sig` (base64, decoded leniently as Python does) signs `value`
   * under any key.
   *
   * @example
   * ```ts
   * const s = new Signer('secret-key');
   * s.verifySignature('my string', 'wh6tMHxLgJqB6oY1uT73iMlyrOA'); // true
   * ```
   */
  verifySignature(value: BytesLike, sig: BytesLike): boolean {
    const raw = typeof sig === 'string' ? base64DecodeText(sig) : base64Decode(sig);
    return raw !== undefined && this.matchKey(value, raw) >= 0;
  }

  /**
   * @internal Split and verify; the shared step of `unsign` and its callers. Returns the value
   * and the index of the key that matched, or throws `BadSignature` exactly as Python does.
   */
  unsignWithKey(token: BytesLike): { value: BytesLike; key: number } {
    if (typeof token === 'string' && this.#sepText !== undefined) {
      const at = token.lastIndexOf(this.#sepText);
      if (at < 0) throw new BadSignature(`No ${pyBytesRepr(this.sep)} found in value`);
      const value = token.slice(0, at);
      const sig = token.slice(at + this.#sepText.length);
      const raw = base64DecodeText(sig);
      const key = raw === undefined ? -1 : this.matchKey(value, raw);
      if (key < 0) {
        throw new BadSignature(`Signature ${pyBytesRepr(Buffer.from(sig))} does not match`, {
          payload: Buffer.from(value),
        });
      }
      // The MAC covered the UTF-8 bytes, where a lone surrogate became U+FFFD: such a token
      // would return text that was never signed. Python cannot even encode it; reject it.
      if (!isWellFormed(value)) {
        throw new BadSignature('Token is not well-formed Unicode');
      }
      return { value, key };
    }
    if (!(token instanceof Uint8Array) && typeof token !== 'string') {
      throw new BadSignature('token must be a string or a Uint8Array');
    }
    const bytes = toBytes(token);
    const at = bytes.lastIndexOf(this.sep);
    if (at < 0) throw new BadSignature(`No ${pyBytesRepr(this.sep)} found in value`);
    const value = bytes.subarray(0, at);
    const sig = bytes.subarray(at + this.sep.length);
    const raw = base64Decode(sig);
    const key = raw === undefined ? -1 : this.matchKey(value, raw);
    if (key < 0) {
      throw new BadSignature(`Signature ${pyBytesRepr(sig)} does not match`, {
        payload: Buffer.from(value),
      });
    }
    return { value: typeof token === 'string' ? value.toString('utf8') : Buffer.from(value), key };
  }

  /**
   * `unsign`: the value, if the signature matches any key; otherwise `BadSignature`.
   *
   * @example
   * ```ts
   * new Signer('secret-key').unsign('my string.wh6tMHxLgJqB6oY1uT73iMlyrOA'); // 'my string'
   * ```
   */
  unsign(token: string): string;
  unsign(token: Uint8Array): Uint8Array;
  unsign(token: BytesLike): BytesLike {
    return this.unsignWithKey(token).value;
  }

  /**
   * `validate`: whether the token's signature is valid.
   *
   * @example
   * ```ts
   * new Signer('secret-key').validate('my string.wh6tMHxLgJqB6oY1uT73iMlyrOA'); // true
   * ```
   */
  validate(token: BytesLike): boolean {
    try {
      this.unsignWithKey(token);
      return true;
    } catch (err) {
      if (err instanceof BadSignature) return false;
      throw err;
    }
  }

  /**
   * Non-throwing `unsign`, for callers who branch: `renew` says an older key matched.
   *
   * @example
   * ```ts
   * const r = new Signer(['old', 'new']).safeUnsign(token);
   * if (r.valid && r.renew) reissue(r.value);
   * ```
   */
  safeUnsign(token: string): SafeResult<string>;
  safeUnsign(token: Uint8Array): SafeResult<Uint8Array>;
  safeUnsign(token: BytesLike): SafeResult<BytesLike> {
    try {
      const { value, key } = this.unsignWithKey(token);
      return { valid: true, value, renew: key > 0 };
    } catch (err) {
      if (err instanceof BadSignature) return { valid: false, error: err };
      throw err;
    }
  }
}

/** `String.prototype.isWellFormed` (ES2024, in Node 20), typed for the es2023 lib. */
function isWellFormed(text: string): boolean {
  return (text as unknown as { isWellFormed(): boolean }).isWellFormed();
}

/** Python's `repr(bytes)`, for error messages that match the original's. */
export function pyBytesRepr(bytes: Uint8Array): string {
  let out = '';
  let hasSingle = false;
  let hasDouble = false;
  for (const b of bytes) {
    if (b === 0x27) hasSingle = true;
    if (b === 0x22) hasDouble = true;
  }
  const quote = hasSingle && !hasDouble ? '"' : "'";
  for (const b of bytes) {
    if (b === 0x5c) out += '\\\\';
    else if (b === quote.charCodeAt(0)) out += `\\${quote}`;
    else if (b === 0x09) out += '\\t';
    else if (b === 0x0a) out += '\\n';
    else if (b === 0x0d) out += '\\r';
    else if (b < 0x20 || b >= 0x7f) out += `\\x${b.toString(16).padStart(2, '0')}`;
    else out += String.fromCharCode(b);
  }
  return `b${quote}${out}${quote}`;
}
