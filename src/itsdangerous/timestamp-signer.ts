/**
 * `TimestampSigner` — itsdangerous' `timed.py` (spec §4).
 *
 * token = value SEP base64url(int_to_bytes(ts)) SEP base64url(HMAC(derived, value SEP ts))
 */
import { Buffer } from 'node:buffer';
import type { BytesLike } from '../core/bytes.ts';
import { type Clock, clockOption, type Duration, durationSeconds } from '../core/clock.ts';
import { BadData, BadSignature, BadTimeSignature, SignatureExpired } from '../core/errors.ts';
import type { SecretOrRing } from '../core/keys.ts';
import {
  base64Decode,
  base64DecodeText,
  base64Encode,
  bytesToInt,
  intToBytes,
  MAX_DATETIME_SECONDS,
} from './encoding.ts';
import { type SafeResult, Signer, type SignerOptions } from './signer.ts';

/** Options of {@link TimestampSigner}. */
export interface TimestampSignerOptions extends SignerOptions {
  /** Clock in milliseconds (default `Date.now`); timestamps are whole seconds on the wire. */
  now?: () => number;
}

/** Options of `unsign`/`validate` on timed types. */
export interface TimedUnsignOptions {
  /** Maximum age in seconds (or `"15m"`, `"2h"`…). Ages below 0 (future tokens) are expired too. */
  maxAge?: Duration;
}

/** A value with the time it was signed. */
export interface Timestamped<T> {
  value: T;
  timestamp: Date;
}

/** @internal What the timed verification step found. */
export interface TimedResult {
  value: BytesLike;
  ts: number;
  key: number;
}

/**
 * `timestamp_to_datetime`: `undefined` where Python's datetime cannot hold the value (year > 9999).
 *
 * @example
 * ```ts
 * timestampToDate(1_700_000_000)?.toISOString(); // '2023-11-14T22:13:20.000Z'
 * ```
 */
export function timestampToDate(ts: number): Date | undefined {
  return ts <= MAX_DATETIME_SECONDS ? new Date(ts * 1000) : undefined;
}

/**
 * A {@link Signer} that also signs the time, and can refuse tokens older than `maxAge`.
 *
 * @example
 * ```ts
 * import { TimestampSigner } from 'tessera/itsdangerous';
 * const signer = new TimestampSigner('secret-key', { now: () => 1_700_000_000_000 });
 * const token = signer.sign('my string'); // 'my string.ZVPxAA.jr6oPKNI4x66_7OoEQCvO5o789s'
 * signer.unsign(token, { maxAge: 60 }); // 'my string'
 * ```
 */
export class TimestampSigner extends Signer {
  readonly #now: Clock;
  #lastTs = -1;
  #lastTsText = '';

  constructor(secretKey: SecretOrRing, options: TimestampSignerOptions = {}) {
    super(secretKey, options);
    this.#now = clockOption(options.now);
  }

  /**
   * `get_timestamp`: the current time in whole Unix seconds, from the injected clock.
   *
   * @example
   * ```ts
   * new TimestampSigner('k', { now: () => 1_700_000_000_999 }).getTimestamp(); // 1700000000
   * ```
   */
  getTimestamp(): number {
    return Math.floor(this.#now() / 1000);
  }

  /** The timestamp segment for `ts`, cached for the current second. */
  #tsText(ts: number): string {
    if (ts !== this.#lastTs) {
      this.#lastTsText = base64Encode(intToBytes(ts));
      this.#lastTs = ts;
    }
    return this.#lastTsText;
  }

  /**
   * `sign`: `value + sep + timestamp + sep + signature`.
   *
   * @example
   * ```ts
   * new TimestampSigner('secret-key', { now: () => 1_700_000_000_000 }).sign('my string');
   * // 'my string.ZVPxAA.jr6oPKNI4x66_7OoEQCvO5o789s'
   * ```
   */
  override sign(value: string): string;
  override sign(value: Uint8Array): Uint8Array;
  override sign(value: BytesLike): BytesLike {
    const ts = this.#tsText(this.getTimestamp());
    const sepText = this.sepText;
    if (typeof value === 'string' && sepText !== undefined)
      return super.sign(`${value}${sepText}${ts}`);
    if (typeof value === 'string')
      return Buffer.from(
        super.sign(Buffer.concat([Buffer.from(value), this.sep, Buffer.from(ts, 'latin1')])),
      ).toString('utf8');
    return super.sign(Buffer.concat([value, this.sep, Buffer.from(ts, 'latin1')]));
  }

  /**
   * @internal The exact verification order of Python's `TimestampSigner.unsign` (spec §4), with
   * the huge-timestamp crash turned into `BadTimeSignature`/`SignatureExpired`.
   */
  unsignTimed(token: BytesLike, maxAge: number | undefined, wantDate: boolean): TimedResult {
    let result: BytesLike;
    let sigError: BadSignature | undefined;
    let key = -1;
    try {
      ({ value: result, key } = this.unsignWithKey(token));
    } catch (err) {
      if (!(err instanceof BadSignature)) throw err;
      sigError = err;
      result = err.payload ?? Buffer.alloc(0);
      if (typeof token === 'string' && err.payload)
        result = Buffer.from(err.payload).toString('utf8');
    }
    // rsplit(sep, 1) on the signed part.
    let value: BytesLike;
    let tsRaw: Buffer | undefined;
    const sepText = this.sepText;
    if (typeof result === 'string' && sepText !== undefined) {
      const at = result.lastIndexOf(sepText);
      if (at < 0) {
        if (sigError) throw sigError;
        throw new BadTimeSignature('timestamp missing', { payload: Buffer.from(result) });
      }
      value = result.slice(0, at);
      tsRaw = base64DecodeText(result.slice(at + sepText.length));
    } else {
      if (typeof result === 'string') result = Buffer.from(result);
      const at = Buffer.from(result).lastIndexOf(this.sep);
      if (at < 0) {
        if (sigError) throw sigError;
        throw new BadTimeSignature('timestamp missing', { payload: Buffer.from(result) });
      }
      value = Buffer.from(result.subarray(0, at));
      tsRaw = base64Decode(result.subarray(at + this.sep.length));
    }
    const ts = tsRaw === undefined ? undefined : bytesToInt(tsRaw);
    // Evidence for errors only: never copied on the success path.
    const evidence = (): Uint8Array => (typeof value === 'string' ? Buffer.from(value) : value);
    if (sigError) {
      const dateSigned = ts === undefined ? undefined : timestampToDate(ts);
      const message =
        ts !== undefined && dateSigned === undefined ? 'Malformed timestamp' : sigError.message;
      throw new BadTimeSignature(message, { payload: evidence(), dateSigned, cause: sigError });
    }
    if (ts === undefined)
      throw new BadTimeSignature('Malformed timestamp', { payload: evidence() });
    if (maxAge !== undefined) {
      const age = this.getTimestamp() - ts;
      if (age > maxAge || age < 0) {
        const dateSigned = timestampToDate(ts);
        // Python crashes converting such a date (spec §4); it can only be in the future: expired.
        if (dateSigned === undefined) {
          throw new SignatureExpired('Signature timestamp is beyond year 9999', {
            payload: evidence(),
          });
        }
        const message =
          age < 0 ? `Signature age ${age} < 0 seconds` : `Signature age ${age} > ${maxAge} seconds`;
        throw new SignatureExpired(message, { payload: evidence(), dateSigned });
      }
      if (ts > MAX_DATETIME_SECONDS) {
        throw new SignatureExpired('Signature timestamp is beyond year 9999', {
          payload: evidence(),
        });
      }
    } else if (wantDate && timestampToDate(ts) === undefined) {
      throw new BadTimeSignature('Malformed timestamp: beyond year 9999', { payload: evidence() });
    }
    return { value, ts, key };
  }

  /**
   * `unsign`: the value, if the signature matches and (with `maxAge`) the token is not older than
   * `maxAge` seconds nor from the future. `returnTimestamp` adds the signing time.
   *
   * @example
   * ```ts
   * const s = new TimestampSigner('secret-key', { now: () => 1_700_000_030_000 });
   * s.unsign('my string.ZVPxAA.jr6oPKNI4x66_7OoEQCvO5o789s', { maxAge: 60 }); // 'my string'
   * ```
   */
  override unsign(
    token: string,
    options?: TimedUnsignOptions & { returnTimestamp?: false },
  ): string;
  override unsign(
    token: Uint8Array,
    options?: TimedUnsignOptions & { returnTimestamp?: false },
  ): Uint8Array;
  override unsign(
    token: string,
    options: TimedUnsignOptions & { returnTimestamp: true },
  ): Timestamped<string>;
  override unsign(
    token: Uint8Array,
    options: TimedUnsignOptions & { returnTimestamp: true },
  ): Timestamped<Uint8Array>;
  override unsign(
    token: BytesLike,
    options: TimedUnsignOptions & { returnTimestamp?: boolean } = {},
  ): BytesLike | Timestamped<BytesLike> {
    const maxAge =
      options.maxAge === undefined ? undefined : durationSeconds(options.maxAge, 'maxAge');
    const r = this.unsignTimed(token, maxAge, options.returnTimestamp === true);
    if (options.returnTimestamp) return { value: r.value, timestamp: new Date(r.ts * 1000) };
    return r.value;
  }

  /**
   * `validate`: whether the token is genuine and, with `maxAge`, fresh.
   *
   * @example
   * ```ts
   * new TimestampSigner('secret-key').validate(token, { maxAge: '5m' }); // boolean
   * ```
   */
  override validate(token: BytesLike, options: TimedUnsignOptions = {}): boolean {
    const maxAge =
      options.maxAge === undefined ? undefined : durationSeconds(options.maxAge, 'maxAge');
    try {
      this.unsignTimed(token, maxAge, false);
      return true;
    } catch (err) {
      if (err instanceof BadData) return false;
      throw err;
    }
  }

  /**
   * Non-throwing `unsign`: `{ valid: true, value, timestamp, renew }` or `{ valid: false, error }`.
   *
   * @example
   * ```ts
   * const r = new TimestampSigner(['old', 'new']).safeUnsign(token, { maxAge: 3600 });
   * if (!r.valid) console.log(r.error.code);
   * ```
   */
  override safeUnsign(token: string, options?: TimedUnsignOptions): SafeResult<string>;
  override safeUnsign(token: Uint8Array, options?: TimedUnsignOptions): SafeResult<Uint8Array>;
  override safeUnsign(token: BytesLike, options: TimedUnsignOptions = {}): SafeResult<BytesLike> {
    const maxAge =
      options.maxAge === undefined ? undefined : durationSeconds(options.maxAge, 'maxAge');
    try {
      const r = this.unsignTimed(token, maxAge, false);
      return { valid: true, value: r.value, renew: r.key > 0 };
    } catch (err) {
      if (err instanceof BadData) return { valid: false, error: err };
      throw err;
    }
  }
}
