/**
 * `Serializer` and `TimedSerializer` — itsdangerous' `serializer.py` and `timed.py` (spec §5).
 *
 * token = json_text SEP signature                (Serializer)
 * token = json_text SEP timestamp SEP signature  (TimedSerializer)
 *
 * The JSON text is what Python's `json.dumps` writes (`", "`/`": "` separators, `ensure_ascii`),
 * so it is not URL-safe; the URL-safe classes are in `url-safe.ts`.
 */
import { Buffer } from 'node:buffer';
import type { BytesLike } from '../core/bytes.ts';
import { type Clock, clockOption, durationSeconds } from '../core/clock.ts';
import { BadData, BadPayload, BadSignature, SignatureExpired } from '../core/errors.ts';
import { type PyDumpsOptions, parseJson, pyDumps } from '../core/json.ts';
import type { SecretOrRing } from '../core/keys.ts';
import { keyRing } from '../core/keys.ts';
import { applySchema, type Decoded, type StandardSchemaV1 } from '../core/standard-schema.ts';
import { type SafeResult, Signer, type SignerOptions } from './signer.ts';
import { type TimedUnsignOptions, type Timestamped, TimestampSigner } from './timestamp-signer.ts';

/** A data serializer: Python's `serializer=` argument (anything with `dumps`/`loads`). */
export interface DataSerializer {
  /** Value → text. */
  dumps(value: unknown): string;
  /** Text → value; throw on bad input (it becomes a `BadPayload`). */
  loads(text: string): unknown;
}

/**
 * A data serializer writing JSON exactly as Python's `json.dumps(**kwargs)` does, e.g. with
 * `sortKeys` for `serializer_kwargs={"sort_keys": True}`. Loading accepts Python's dialect.
 *
 * @example
 * ```ts
 * import { URLSafeSerializer, pythonJson } from 'tessera/itsdangerous';
 * const s = new URLSafeSerializer('secret', {
 *   serializer: pythonJson({ separators: [',', ':'], ensureAscii: false, sortKeys: true }),
 * });
 * ```
 */
export function pythonJson(options: PyDumpsOptions = {}): DataSerializer {
  return { dumps: (value) => pyDumps(value, options), loads: parseJson };
}

/** Options of {@link Serializer}, named as Python's keyword arguments in camelCase. */
export interface SerializerOptions {
  /** Default `"itsdangerous"`; `null` means Python's `None`: the signer's default salt. */
  salt?: BytesLike | null;
  /** `signer_kwargs`: options of the signer (sep, keyDerivation, digestMethod, algorithm). */
  signer?: Omit<SignerOptions, 'salt'>;
  /** `fallback_signers`: signer options tried, for every key oldest → newest, after the main signer. */
  fallbackSigners?: readonly Omit<SignerOptions, 'salt'>[];
  /** `serializer`: the data serializer (default: Python's `json` module's output). */
  serializer?: DataSerializer;
}

/** Options of `loads`. */
export interface LoadsOptions<S extends StandardSchemaV1 | undefined = undefined> {
  /** A salt for this call (default: the serializer's). */
  salt?: BytesLike | null;
  /** A Standard Schema (zod, valibot, arktype…); its output is returned, a failure is a `BadPayload`. */
  schema?: S;
}

/** What `loads` returns for a schema (or `unknown` without one). */
export type Loaded<S> = Decoded<S>;

const DEFAULT_SALT = 'itsdangerous';
const LOAD_MESSAGE =
  'Could not load the payload because an exception occurred on unserializing the data.';
const MAX_SALT_CACHE = 32;

/** @internal One way to verify a token: a signer, and whether a match means "re-issue". */
interface Unsigner {
  signer: Signer;
  fallback: boolean;
}

/**
 * Signs JSON-serialisable values: itsdangerous' `Serializer`. Tokens are Python-compatible in both
 * directions (same JSON text, same signature).
 *
 * @example
 * ```ts
 * import { Serializer } from 'tessera/itsdangerous';
 * const s = new Serializer('secret-key');
 * const token = s.dumps({ a: 'é', b: [1, 2.5] }); // '{"a": "\\u00e9", "b": [1, 2.5]}.…'
 * s.loads(token); // { a: 'é', b: [1, 2.5] }
 * ```
 */
export class Serializer {
  /** The default salt of this serializer, as bytes (`null` = the signer's default). */
  readonly salt: Uint8Array | null;
  protected readonly secretKey: SecretOrRing;
  protected readonly signerOptions: Omit<SignerOptions, 'salt'>;
  protected readonly fallbackOptions: readonly Omit<SignerOptions, 'salt'>[];
  protected readonly serializer: DataSerializer;
  readonly #unsigners = new Map<string, Unsigner[]>();
  #defaultUnsigners: Unsigner[] | undefined;

  constructor(secretKey: SecretOrRing, options: SerializerOptions = {}) {
    if (options === null || typeof options !== 'object')
      throw new TypeError('options must be an object');
    keyRing(secretKey, 'secretKey');
    this.secretKey = secretKey;
    this.salt = options.salt === null ? null : Buffer.from(options.salt ?? DEFAULT_SALT);
    this.signerOptions = { ...options.signer };
    this.fallbackOptions = (options.fallbackSigners ?? []).map((o) => ({ ...o }));
    const serializer = options.serializer ?? this.defaultSerializer();
    if (typeof serializer?.dumps !== 'function' || typeof serializer.loads !== 'function') {
      throw new TypeError('serializer must have dumps and loads functions');
    }
    this.serializer = serializer;
    // Validate every signer option now, so misuse fails at construction, not at first use.
    const salt = this.salt;
    new Signer(secretKey, { ...this.signerOptions, salt });
    for (const fallback of this.fallbackOptions) new Signer(secretKey, { ...fallback, salt });
  }

  /** @internal The data serializer used when none is given. */
  protected defaultSerializer(): DataSerializer {
    return pythonJson();
  }

  /** @internal Construct one signer (the class differs for timed serializers). */
  protected createSigner(secretKey: SecretOrRing, options: SignerOptions): Signer {
    return new Signer(secretKey, options);
  }

  /** `make_signer`: the signer for `salt` (default: this serializer's salt). */
  makeSigner(salt?: BytesLike | null): Signer {
    return (this.unsigners(salt)[0] as Unsigner).signer;
  }

  /** @internal `iter_unsigners`, built once per salt. */
  protected unsigners(salt: BytesLike | null | undefined): Unsigner[] {
    if (salt == null && this.#defaultUnsigners !== undefined) return this.#defaultUnsigners;
    const effective = salt ?? this.salt;
    const cacheKey = effective === null ? '' : `:${Buffer.from(effective).toString('hex')}`;
    let list = this.#unsigners.get(cacheKey);
    if (list === undefined) {
      list = [
        {
          signer: this.createSigner(this.secretKey, { ...this.signerOptions, salt: effective }),
          fallback: false,
        },
      ];
      const keys = Array.isArray(this.secretKey) ? this.secretKey : [this.secretKey as BytesLike];
      for (const fallback of this.fallbackOptions) {
        for (const key of keys)
          list.push({
            signer: this.createSigner(key, { ...fallback, salt: effective }),
            fallback: true,
          });
      }
      if (this.#unsigners.size >= MAX_SALT_CACHE) this.#unsigners.clear();
      this.#unsigners.set(cacheKey, list);
    }
    if (salt == null) this.#defaultUnsigners = list;
    return list;
  }

  /** `dump_payload`: the text that gets signed. */
  dumpPayload(value: unknown): string {
    return this.serializer.dumps(value);
  }

  /** `load_payload`: the value of a verified payload; `BadPayload` if it cannot be read. */
  loadPayload(payload: string): unknown {
    try {
      return this.serializer.loads(payload);
    } catch (err) {
      throw new BadPayload(LOAD_MESSAGE, { payload: Buffer.from(payload), cause: err });
    }
  }

  /**
   * `dumps`: a signed token for `value`.
   *
   * @example
   * ```ts
   * new Serializer('secret-key').dumps([1, 2, 3]);
   * ```
   */
  dumps(value: unknown, options: { salt?: BytesLike | null } = {}): string {
    return this.makeSigner(options.salt).sign(this.dumpPayload(value));
  }

  /**
   * `loads`: the value of a genuine token. Tries every key (newest first), then the fallback
   * signers; throws the last `BadSignature`, or `BadPayload` at once for a genuine token whose
   * payload cannot be read.
   *
   * @example
   * ```ts
   * const s = new Serializer('secret-key');
   * s.loads(s.dumps({ id: 5 })); // { id: 5 }
   * ```
   */
  loads<S extends StandardSchemaV1 | undefined = undefined>(
    token: string,
    options: LoadsOptions<S> = {},
  ): Loaded<S> {
    return this.loadsWithKey(token, options).value as Loaded<S>;
  }

  /** @internal `loads`, also saying whether a non-primary key matched. */
  protected loadsWithKey(
    token: string,
    options: LoadsOptions<StandardSchemaV1 | undefined>,
  ): { value: unknown; renew: boolean } {
    if (typeof token !== 'string') throw new BadSignature('token must be a string');
    let last: BadSignature | undefined;
    for (const { signer, fallback } of this.unsigners(options.salt)) {
      let value: BytesLike;
      let key: number;
      try {
        ({ value, key } = signer.unsignWithKey(token));
      } catch (err) {
        if (err instanceof BadSignature) {
          last = err;
          continue;
        }
        throw err;
      }
      const text = value as string;
      const loaded = applySchema(options.schema, this.loadPayload(text), () => Buffer.from(text));
      return { value: loaded, renew: fallback || key > 0 };
    }
    throw last ?? new BadSignature('No signer could verify the token');
  }

  /**
   * Non-throwing `loads`: `{ valid: true, value, renew }` or `{ valid: false, error }`; `renew`
   * says an older key or a fallback signer matched, so the token should be re-issued.
   *
   * @example
   * ```ts
   * const r = new Serializer(['old-key', 'new-key']).safeLoads(token);
   * if (r.valid && r.renew) res.cookie('t', serializer.dumps(r.value));
   * ```
   */
  safeLoads<S extends StandardSchemaV1 | undefined = undefined>(
    token: string,
    options: LoadsOptions<S> = {},
  ): SafeResult<Loaded<S>> {
    try {
      const { value, renew } = this.loadsWithKey(token, options);
      return { valid: true, value: value as Loaded<S>, renew };
    } catch (err) {
      if (err instanceof BadData) return { valid: false, error: err };
      throw err;
    }
  }

  /**
   * `loads_unsafe`: `[true, value]` for a genuine token; otherwise `[false, value]` with the
   * UNVERIFIED payload where it can be read, or `[false, undefined]`. Never throws (the original
   * raises `BadPayload` for a genuine but unreadable token despite its docstring).
   *
   * @example
   * ```ts
   * const [valid, value] = new Serializer('secret-key').loadsUnsafe(token);
   * ```
   */
  loadsUnsafe(token: string, options: { salt?: BytesLike | null } = {}): [boolean, unknown] {
    return this.loadsUnsafeImpl(() => this.loads(token, options));
  }

  /** @internal */
  protected loadsUnsafeImpl(load: () => unknown): [boolean, unknown] {
    try {
      return [true, load()];
    } catch (err) {
      if (err instanceof BadSignature && err.payload !== undefined) {
        try {
          return [false, this.loadPayload(Buffer.from(err.payload).toString('utf8'))];
        } catch {
          return [false, undefined];
        }
      }
      if (err instanceof BadData) return [false, undefined];
      throw err;
    }
  }
}

/** Options of {@link TimedSerializer}. */
export interface TimedSerializerOptions extends SerializerOptions {
  /** Clock in milliseconds (default `Date.now`). */
  now?: () => number;
}

/** Options of timed `loads`. */
export interface TimedLoadsOptions<
  S extends StandardSchemaV1 | undefined = undefined,
  R extends boolean = false,
> extends LoadsOptions<S>,
    TimedUnsignOptions {
  /** Return `{ value, timestamp }` instead of the value. */
  returnTimestamp?: R;
}

/**
 * A {@link Serializer} whose tokens carry the signing time: itsdangerous' `TimedSerializer`.
 *
 * @example
 * ```ts
 * import { TimedSerializer } from 'tessera/itsdangerous';
 * const s = new TimedSerializer('secret-key');
 * s.loads(s.dumps({ id: 5 }), { maxAge: 3600 }); // { id: 5 }
 * ```
 */
export class TimedSerializer extends Serializer {
  protected readonly now: Clock;

  constructor(secretKey: SecretOrRing, options: TimedSerializerOptions = {}) {
    super(secretKey, options);
    this.now = clockOption(options.now);
  }

  protected override createSigner(
    secretKey: SecretOrRing,
    options: SignerOptions,
  ): TimestampSigner {
    return new TimestampSigner(secretKey, { ...options, now: this.now });
  }

  override makeSigner(salt?: BytesLike | null): TimestampSigner {
    return super.makeSigner(salt) as TimestampSigner;
  }

  /**
   * `loads` with `maxAge` (seconds or `"15m"`) and `returnTimestamp`. A `SignatureExpired` is
   * thrown at once, without trying fallback signers (as Python does).
   *
   * @example
   * ```ts
   * const { value, timestamp } = s.loads(token, { maxAge: '1h', returnTimestamp: true });
   * ```
   */
  override loads<S extends StandardSchemaV1 | undefined = undefined>(
    token: string,
    options?: TimedLoadsOptions<S, false>,
  ): Loaded<S>;
  override loads<S extends StandardSchemaV1 | undefined = undefined>(
    token: string,
    options: TimedLoadsOptions<S, true>,
  ): Timestamped<Loaded<S>>;
  override loads(
    token: string,
    options: TimedLoadsOptions<StandardSchemaV1 | undefined, boolean> = {},
  ): unknown {
    const r = this.loadsTimed(token, options);
    return options.returnTimestamp ? { value: r.value, timestamp: new Date(r.ts * 1000) } : r.value;
  }

  /** @internal */
  protected loadsTimed(
    token: string,
    options: TimedLoadsOptions<StandardSchemaV1 | undefined, boolean>,
  ): { value: unknown; ts: number; renew: boolean } {
    if (typeof token !== 'string') throw new BadSignature('token must be a string');
    const maxAge =
      options.maxAge === undefined ? undefined : durationSeconds(options.maxAge, 'maxAge');
    let last: BadSignature | undefined;
    for (const { signer, fallback } of this.unsigners(options.salt)) {
      let r: ReturnType<TimestampSigner['unsignTimed']>;
      try {
        r = (signer as TimestampSigner).unsignTimed(token, maxAge, true);
      } catch (err) {
        if (err instanceof SignatureExpired) throw err;
        if (err instanceof BadSignature) {
          last = err;
          continue;
        }
        throw err;
      }
      const text = r.value as string;
      const value = applySchema(options.schema, this.loadPayload(text), () => Buffer.from(text));
      return { value, ts: r.ts, renew: fallback || r.key > 0 };
    }
    throw last ?? new BadSignature('No signer could verify the token');
  }

  protected override loadsWithKey(
    token: string,
    options: LoadsOptions<StandardSchemaV1 | undefined> & TimedUnsignOptions,
  ): { value: unknown; renew: boolean } {
    return this.loadsTimed(token, options);
  }

  /**
   * Non-throwing `loads` (see {@link Serializer.safeLoads}), with `maxAge`.
   *
   * @example
   * ```ts
   * const r = s.safeLoads(token, { maxAge: 600 });
   * if (!r.valid) console.log(r.error.code); // e.g. 'ERR_SIGNATURE_EXPIRED'
   * ```
   */
  override safeLoads<S extends StandardSchemaV1 | undefined = undefined>(
    token: string,
    options: LoadsOptions<S> & TimedUnsignOptions = {},
  ): SafeResult<Loaded<S>> {
    return super.safeLoads(token, options);
  }

  /**
   * `loads_unsafe` with `maxAge`; never throws.
   *
   * @example
   * ```ts
   * const [valid, value] = s.loadsUnsafe(token, { maxAge: 60 });
   * ```
   */
  override loadsUnsafe(
    token: string,
    options: { salt?: BytesLike | null } & TimedUnsignOptions = {},
  ): [boolean, unknown] {
    return this.loadsUnsafeImpl(() => this.loadsTimed(token, options).value);
  }
}
