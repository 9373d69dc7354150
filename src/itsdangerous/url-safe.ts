/**
 * `URLSafeSerializer` and `URLSafeTimedSerializer` — itsdangerous' `url_safe.py` (spec §5).
 *
 * payload = base64url(json)  or  "." base64url(zlib(json))  when zlib is shorter by 2+ bytes
 * token   = payload SEP [timestamp SEP] signature
 */
import { Buffer } from 'node:buffer';
import { utf8DecodeStrict } from '../core/bytes.ts';
import { deflateTransient, inflateBounded, maxInflateOption } from '../core/compress.ts';
import { BadPayload } from '../core/errors.ts';
import { compactJson, parseJson } from '../core/json.ts';
import type { SecretOrRing } from '../core/keys.ts';
import { base64DecodeText, base64Encode } from './encoding.ts';
import {
  type DataSerializer,
  Serializer,
  type SerializerOptions,
  TimedSerializer,
  type TimedSerializerOptions,
} from './serializer.ts';

/** Options the URL-safe serializers add. */
export interface URLSafeOptions {
  /**
   * Compression of the JSON payload. `true` (default) applies itsdangerous' rule: compress when
   * the zlib stream is at least 2 bytes shorter. `false` never compresses (Python still reads it).
   * A function replaces the deflater (it must return a zlib stream).
   */
  compress?: boolean | ((json: Uint8Array) => Uint8Array);
  /** Cap in bytes on an inflated payload (default 256 KiB); past it, `PayloadTooLarge`. */
  maxInflate?: number;
}

const B64_MESSAGE = 'Could not base64 decode the payload because of an exception';
const ZLIB_MESSAGE = 'Could not zlib decompress the payload before decoding the payload';
const LOAD_MESSAGE =
  'Could not load the payload because an exception occurred on unserializing the data.';

/** _CompactJSON: compact separators, raw UTF-8. */
const compactSerializer: DataSerializer = { dumps: compactJson, loads: parseJson };

/** @internal URL-safe payload codec shared by both classes (itsdangerous' mixin). */
class UrlSafeCodec {
  readonly compress: false | ((json: Uint8Array) => Uint8Array);
  readonly maxInflate: number;

  constructor(options: URLSafeOptions) {
    const c = options.compress ?? true;
    if (typeof c !== 'boolean' && typeof c !== 'function')
      throw new TypeError('compress must be a boolean or a function');
    // The default deflater's result is encoded at once, so it may be a transient view.
    this.compress = c === true ? (json) => deflateTransient(json, 6) : c;
    this.maxInflate = maxInflateOption(options.maxInflate);
  }

  dump(json: string): string {
    const bytes = Buffer.from(json, 'utf8');
    if (this.compress) {
      const z = this.compress(bytes);
      if (z.length < bytes.length - 1) return `.${base64Encode(z)}`;
    }
    return base64Encode(bytes);
  }

  load(payload: string, loads: (text: string) => unknown): unknown {
    const compressed = payload.startsWith('.');
    const raw = base64DecodeText(compressed ? payload.slice(1) : payload);
    // Evidence for errors only: never copied on the success path.
    const evidence = (): Buffer => Buffer.from(payload);
    if (raw === undefined) throw new BadPayload(B64_MESSAGE, { payload: evidence() });
    let json: Uint8Array = raw;
    if (compressed) {
      try {
        json = inflateBounded(raw, this.maxInflate, ZLIB_MESSAGE);
      } catch (err) {
        if (err instanceof BadPayload) {
          throw new (err.constructor as typeof BadPayload)(err.message, {
            payload: evidence(),
            cause: err.cause,
          });
        }
        throw err;
      }
    }
    const text = utf8DecodeStrict(json);
    if (text === undefined) throw new BadPayload(LOAD_MESSAGE, { payload: evidence() });
    try {
      return loads(text);
    } catch (err) {
      throw new BadPayload(LOAD_MESSAGE, { payload: evidence(), cause: err });
    }
  }
}

/**
 * A {@link Serializer} whose tokens are URL-safe (base64url payload, compressed when that is
 * shorter): itsdangerous' `URLSafeSerializer`.
 *
 * @example
 * ```ts
 * import { URLSafeSerializer } from 'tessera/itsdangerous';
 * new URLSafeSerializer('secret-key').dumps([1, 2, 3, 4]); // 'WzEsMiwzLDRd.wSPHqC0gR7VUqivlSukJ0IeTDgo'
 * ```
 */
export class URLSafeSerializer extends Serializer {
  readonly #codec: UrlSafeCodec;

  constructor(secretKey: SecretOrRing, options: SerializerOptions & URLSafeOptions = {}) {
    super(secretKey, options);
    this.#codec = new UrlSafeCodec(options);
  }

  protected override defaultSerializer(): DataSerializer {
    return compactSerializer;
  }

  override dumpPayload(value: unknown): string {
    return this.#codec.dump(this.serializer.dumps(value));
  }

  override loadPayload(payload: string): unknown {
    return this.#codec.load(payload, this.serializer.loads);
  }
}

/**
 * A {@link TimedSerializer} whose tokens are URL-safe: itsdangerous' `URLSafeTimedSerializer`,
 * the usual choice for e-mail links and cookies.
 *
 * @example
 * ```ts
 * import { URLSafeTimedSerializer } from 'tessera/itsdangerous';
 * const s = new URLSafeTimedSerializer('secret-key', { salt: 'activate' });
 * const token = s.dumps({ uid: 42 });
 * s.loads(token, { maxAge: '1d' }); // { uid: 42 }
 * ```
 */
export class URLSafeTimedSerializer extends TimedSerializer {
  readonly #codec: UrlSafeCodec;

  constructor(secretKey: SecretOrRing, options: TimedSerializerOptions & URLSafeOptions = {}) {
    super(secretKey, options);
    this.#codec = new UrlSafeCodec(options);
  }

  protected override defaultSerializer(): DataSerializer {
    return compactSerializer;
  }

  override dumpPayload(value: unknown): string {
    return this.#codec.dump(this.serializer.dumps(value));
  }

  override loadPayload(payload: string): unknown {
    return this.#codec.load(payload, this.serializer.loads);
  }
}
