/**
 * pyTickets 0.9.2 `SecureTicketService` (spec ../shared/specs/pytickets.md): binary tickets with
 * an expiry, HMAC-SHA256 (truncated to 20 bytes) over the ticket, its salt, a per-service session
 * and a per-ticket entropy, optionally zlib-compressed and AES-256-CBC-encrypted.
 */
import { Buffer } from 'node:buffer';
import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  type KeyObject,
  randomBytes,
} from 'node:crypto';
import { asBuffer, type BytesLike, toBytes, utf8DecodeStrict } from '../core/bytes.ts';
import { type Clock, clockOption, type Duration, durationSeconds } from '../core/clock.ts';
import {
  DEFAULT_MAX_INFLATE,
  deflate,
  inflateBounded,
  maxInflateOption,
} from '../core/compress.ts';
import {
  BadPayload,
  TesseraError,
  TicketDigestError,
  TicketExpired,
  TicketParseError,
  UnsupportedPayload,
} from '../core/errors.ts';
import { compactJson, parseJson } from '../core/json.ts';
import { equalBytes, hash, importHmacKey } from '../core/mac.ts';
import { fillRandom } from '../core/random.ts';
import {
  BODY_OFFSET,
  FIELDS_LENGTH,
  FLAG_COMPRESS,
  FLAG_SERIALIZE,
  HASH_LENGTH,
  HASH_OFFSET,
  PREFIX,
  PUBLIC_FLAG_ENCRYPT,
  PUBLIC_FLAGS_OFFSET,
  SALT_LENGTH,
  SALT_OFFSET,
  SecureTicket,
  TICKET_LEN_OFFSET,
  ticketBytes,
  wrapTicket,
} from './ticket.ts';

/**
 * How ticket data is handed in and out. Never pickle: the Python original's `serialize=True`
 * (cPickle) is refused, because unpickling is code execution.
 * - `'bytes'` (default): data is a string (stored as UTF-8) or bytes; read back as a `Uint8Array`.
 * - `'text'`: the same bytes on the wire, read back as a (strict UTF-8) string.
 * - `'json'`: any JSON-able value, stored as compact UTF-8 JSON text (as Python's
 *   `json.dumps(v, separators=(',', ':'), ensure_ascii=False)` writes it) with the pickle flag
 *   clear, so a Python peer reads it as a `str` it can `json.loads`. Read back with core
 *   `parseJson` (NaN/Infinity accepted, `__proto__` keys dropped).
 */
/**
 * @example
 * ```ts
 * const service = new SecureTicketService(key, { serialize: 'json' });
 * service.getData(service.createTicket({ uid: 42 })); // { uid: 42 }
 * ```
 */
export type TicketSerialize = 'bytes' | 'text' | 'json';

/**
 * What `openTicket`/`getData` return as data for a serialize mode.
 *
 * @example
 * ```ts
 * const text: TicketData<'text'> = new SecureTicketService(key, { serialize: 'text' }).getData(t);
 * ```
 */
export type TicketData<S extends TicketSerialize> = S extends 'json'
  ? unknown
  : S extends 'text'
    ? string
    : Uint8Array;

/**
 * What `createTicket` accepts as data for a serialize mode.
 *
 * @example
 * ```ts
 * const data: TicketInput<'bytes'> = new Uint8Array([1, 2, 3]); // or a string
 * ```
 */
export type TicketInput<S extends TicketSerialize> = S extends 'json' ? unknown : BytesLike;

/**
 * A ticket as a {@link SecureTicket}, its bytes, or its `toBase64()` text.
 *
 * @example
 * ```ts
 * service.validateTicket(req.cookies.ticket); // base64 text straight from a cookie
 * ```
 */
export type TicketLike = SecureTicket | Uint8Array | string;

/**
 * Options of {@link SecureTicketService}.
 *
 * @example
 * ```ts
 * const options: SecureTicketServiceOptions<'json'> = { session: 'web-1', encrypt: true, serialize: 'json', lifespan: '20m' };
 * ```
 */
export interface SecureTicketServiceOptions<S extends TicketSerialize = 'bytes'> {
  /** Service-wide value bound into every MAC, never stored in the ticket. Default empty. */
  session?: BytesLike;
  /** Encrypt tickets (AES-256-CBC). Default false, as the original. */
  encrypt?: boolean;
  /** zlib-compress ticket data (level 6). Default false, as the original. */
  compress?: boolean;
  /** How data is handed in and out (see {@link TicketSerialize}); `false` means `'bytes'`. Default `'bytes'`. */
  serialize?: S | false;
  /** Seconds (or a duration such as `'20m'`) a ticket stays valid. Default 1200, as the original. */
  lifespan?: Duration;
  /** Clock in milliseconds. Default `Date.now`. */
  now?: () => number;
  /** Source of the 16-byte salt (also the AES IV), for tests: `random(16)`. Default node:crypto. */
  random?: (n: number) => Uint8Array;
  /** Largest inflated data `openTicket` accepts, in bytes. Default 256 KiB. */
  maxInflate?: number;
}

/**
 * Per-ticket options of {@link SecureTicketService.createTicket}.
 *
 * @example
 * ```ts
 * service.createTicket('data', { entropy: formId, encrypt: true, lifespan: 60 });
 * ```
 */
export interface CreateTicketOptions {
  /** Per-ticket value bound into the MAC, never stored; the same value must be given to validate. */
  entropy?: BytesLike;
  /** Override the service's `encrypt` for this ticket. */
  encrypt?: boolean;
  /** Override the service's `compress` for this ticket. */
  compress?: boolean;
  /** Override the service's `lifespan` for this ticket. */
  lifespan?: Duration;
}

/**
 * Options of {@link SecureTicketService.validateTicket} and {@link SecureTicketService.openTicket}.
 *
 * @example
 * ```ts
 * service.openTicket(text, { entropy: formId });
 * ```
 */
export interface TicketOptions {
  /** The entropy the ticket was created with. Default empty. */
  entropy?: BytesLike;
}

/**
 * The flags a ticket carries. `serialize` (pickle) is always false on an opened ticket.
 *
 * @example
 * ```ts
 * service.openTicket(text).flags; // { encrypt: true, compress: false, serialize: false }
 * ```
 */
export interface TicketFlags {
  encrypt: boolean;
  compress: boolean;
  serialize: boolean;
}

/**
 * A validated ticket's content.
 *
 * @example
 * ```ts
 * const { data, validUntil, flags } = service.openTicket(text);
 * ```
 */
export interface OpenedTicket<T> {
  data: T;
  /** Unix seconds; the ticket is valid while `now <= validUntil`. */
  validUntil: number;
  flags: TicketFlags;
}

interface Verified {
  /** flags ‖ valid_until ‖ data_len ‖ data (‖ zero fill), decrypted when needed. */
  plain: Buffer;
  flags: number;
  validUntil: number;
  encrypted: boolean;
}

const AES_KEY_LENGTH = 32;
const BLOCK = 16;
const UINT32_MAX = 0xffffffff;
const NO_BYTES = Buffer.alloc(0);

function bytesOption(value: unknown, option: string): Buffer {
  if (value === undefined) return NO_BYTES;
  if (typeof value === 'string' || value instanceof Uint8Array) return toBytes(value);
  throw new TypeError(`${option} must be a string or a Uint8Array`);
}

function booleanOption(value: unknown, fallback: boolean, option: string): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new TypeError(`${option} must be a boolean`);
  return value;
}

/** pyTickets `fix_key`: grow with SHA-256 of itself until 32 bytes, then cut (spec §2 "Encryption"). */
function aesKey(key: Buffer): Buffer {
  let k = key;
  while (k.length < AES_KEY_LENGTH) k = Buffer.concat([k, hash('sha256', k)]);
  return Buffer.from(k.subarray(0, AES_KEY_LENGTH));
}

function ticketInput(ticket: unknown): Buffer {
  if (ticket instanceof SecureTicket) return ticketBytes(ticket);
  if (ticket instanceof Uint8Array) return asBuffer(ticket);
  if (typeof ticket === 'string') return ticketBytes(SecureTicket.fromBase64(ticket));
  throw new TicketParseError('Ticket must be a SecureTicket, its bytes or its base64 text');
}

/**
 * Creates and validates pyTickets-compatible secure tickets. Keys are derived once, here, exactly
 * as the original: the HMAC key is the raw key; the AES-256 key is the key grown with SHA-256 of
 * itself and cut to 32 bytes (longer keys are truncated); the IV is the salt; plaintext is
 * zero-filled (no PKCS#7).
 *
 * Checks, in order: shape (prefix, `ticket_len` = actual length) → HMAC in constant time →
 * decrypt (the expiry lives inside the ciphertext) → expiry (`now <= validUntil`) → pickle refusal
 * → bounded inflate → text/JSON. Bad shape is a `TicketParseError`, a wrong key, session or entropy
 * or any changed byte a `TicketDigestError`, an expired ticket a `TicketExpired`; a genuine ticket
 * whose data cannot be read is a `BadPayload` (`UnsupportedPayload` for a pickle,
 * `PayloadTooLarge` past `maxInflate`).
 *
 * Differences from the original, on purpose: an empty key is refused; `validateTicket` returns
 * false instead of raising for a bad prefix, length or base64; salts have 128 random bits (uuid4
 * had 122).
 *
 * @example
 * ```ts
 * import { SecureTicketService } from 'tessera/secure-ticket';
 * const service = new SecureTicketService(key, { session: 'web-1', encrypt: true, serialize: 'json' });
 * const ticket = service.createTicket({ uid: 42 }, { entropy: csrfCookie });
 * const text = ticket.toBase64();
 * service.validateTicket(text, { entropy: csrfCookie }); // true
 * service.getData(text, { entropy: csrfCookie }); // { uid: 42 }
 * ```
 */
export class SecureTicketService<S extends TicketSerialize = 'bytes'> {
  /** Whether tickets are encrypted by default. */
  readonly encrypt: boolean;
  /** Whether ticket data is compressed by default. */
  readonly compress: boolean;
  /** How data is handed in and out. */
  readonly serialize: S;
  /** Default lifespan in seconds. */
  readonly lifespan: number;
  /** Largest inflated data accepted, in bytes. */
  readonly maxInflate: number;
  readonly #hmacKey: KeyObject;
  readonly #aesKey: Buffer;
  readonly #session: Buffer;
  readonly #now: Clock;
  readonly #random: ((n: number) => Uint8Array) | undefined;

  constructor(key: BytesLike, options: SecureTicketServiceOptions<S> = {}) {
    if (typeof key !== 'string' && !(key instanceof Uint8Array)) {
      throw new TypeError('key must be a string or a Uint8Array');
    }
    // The original allows '' — an HMAC anyone can compute. Refuse it.
    if (key.length === 0) throw new RangeError('key must not be empty');
    if (options === null || typeof options !== 'object') {
      throw new TypeError('options must be an object');
    }
    const raw = Buffer.from(toBytes(key));
    this.#session = Buffer.from(bytesOption(options.session, 'session'));
    this.encrypt = booleanOption(options.encrypt, false, 'encrypt');
    this.compress = booleanOption(options.compress, false, 'compress');
    const serialize = options.serialize ?? 'bytes';
    if (serialize === (true as unknown)) {
      throw new RangeError(
        "serialize: true means Python pickle, which Tessera never implements; use 'json'",
      );
    }
    if (
      serialize !== false &&
      serialize !== 'bytes' &&
      serialize !== 'text' &&
      serialize !== 'json'
    ) {
      throw new RangeError(`serialize must be 'bytes', 'text' or 'json'; got ${String(serialize)}`);
    }
    this.serialize = (serialize === false ? 'bytes' : serialize) as S;
    this.lifespan =
      options.lifespan === undefined ? 1200 : durationSeconds(options.lifespan, 'lifespan');
    this.#now = clockOption(options.now);
    if (options.random !== undefined && typeof options.random !== 'function') {
      throw new TypeError('random must be a function (n: number) => Uint8Array');
    }
    this.#random = options.random;
    this.maxInflate =
      options.maxInflate === undefined ? DEFAULT_MAX_INFLATE : maxInflateOption(options.maxInflate);
    this.#hmacKey = importHmacKey(raw);
    this.#aesKey = aesKey(raw);
  }

  /**
   * 32 random bytes, a good key (the original's came from uuid4 and had fewer random bits).
   *
   * @example
   * ```ts
   * const key = SecureTicketService.createRandomKey(); // Uint8Array(32)
   * ```
   */
  static createRandomKey(): Uint8Array {
    return new Uint8Array(randomBytes(32));
  }

  /**
   * 32 random bytes for the `session` option.
   *
   * @example
   * ```ts
   * const service = new SecureTicketService(key, { session: SecureTicketService.createRandomSession() });
   * ```
   */
  static createRandomSession(): Uint8Array {
    return new Uint8Array(randomBytes(32));
  }

  /**
   * Create a ticket for `data`, valid for the lifespan from now.
   *
   * @example
   * ```ts
   * const ticket = service.createTicket('user:42', { entropy: 'form-7', encrypt: true });
   * res.cookie('t', ticket.toBase64());
   * ```
   */
  createTicket(data: TicketInput<S>, options: CreateTicketOptions = {}): SecureTicket {
    const entropy = bytesOption(options.entropy, 'entropy');
    const encrypt = booleanOption(options.encrypt, this.encrypt, 'encrypt');
    const compress = booleanOption(options.compress, this.compress, 'compress');
    const lifespan =
      options.lifespan === undefined
        ? this.lifespan
        : durationSeconds(options.lifespan, 'lifespan');
    let payload: Buffer;
    if (this.serialize === 'json') payload = Buffer.from(compactJson(data), 'utf8');
    else payload = bytesOption(data, 'data');
    if (compress) payload = asBuffer(deflate(payload, 6));
    // int(created_at + lifespan), packed as uint32
    const validUntil = Math.trunc(this.#now() / 1000 + lifespan);
    if (!(validUntil >= 0 && validUntil <= UINT32_MAX)) {
      throw new RangeError(`valid_until ${validUntil} does not fit the ticket's uint32 field`);
    }
    const flags = compress ? FLAG_COMPRESS : 0;
    const fieldsLength = FIELDS_LENGTH + payload.length;
    const bodyLength = encrypt ? Math.ceil(fieldsLength / BLOCK) * BLOCK : fieldsLength;
    const total = BODY_OFFSET + bodyLength;

    // ticket = prefix(4) hash(20) salt(16) ticket_len(4) public_flags(1) ‖ flags(1) valid_until(4) data_len(4) data
    const out = Buffer.allocUnsafe(total);
    out.writeUInt32LE(PREFIX, 0);
    this.#salt(out);
    out.writeUInt32LE(total, TICKET_LEN_OFFSET);
    out[PUBLIC_FLAGS_OFFSET] = encrypt ? PUBLIC_FLAG_ENCRYPT : 0;
    const fields = encrypt ? Buffer.alloc(bodyLength) : out.subarray(BODY_OFFSET);
    fields[0] = flags;
    fields.writeUInt32LE(validUntil, 1);
    fields.writeUInt32LE(payload.length, 5);
    fields.set(payload, FIELDS_LENGTH);
    if (encrypt) {
      // AES-256-CBC, IV = salt, zero fill instead of padding (spec §2 "Encryption")
      const salt = out.subarray(SALT_OFFSET, SALT_OFFSET + SALT_LENGTH);
      const cipher = createCipheriv('aes-256-cbc', this.#aesKey, salt).setAutoPadding(false);
      out.set(cipher.update(fields), BODY_OFFSET);
    }
    out.set(this.#mac(out, entropy).subarray(0, HASH_LENGTH), HASH_OFFSET);
    return wrapTicket(out);
  }

  /**
   * pyTickets' `validate_ticket`: true for a genuine ticket (key, session and entropy match) that
   * has not expired. Never throws on bad data: a malformed ticket is simply false. Reading the data
   * can still fail for a genuine ticket (a pickle, corrupt zlib): use {@link openTicket} for that.
   *
   * @example
   * ```ts
   * if (!service.validateTicket(req.cookies.t, { entropy: 'form-7' })) return res.status(403).end();
   * ```
   */
  validateTicket(ticket: TicketLike, options: TicketOptions = {}): boolean {
    const entropy = bytesOption(options.entropy, 'entropy');
    try {
      this.#verify(ticket, entropy);
      return true;
    } catch (err) {
      if (err instanceof TesseraError) return false;
      throw err;
    }
  }

  /**
   * Validate a ticket and read it, throwing a Tessera error that says why it was refused.
   *
   * @example
   * ```ts
   * import { TicketExpired } from 'tessera/errors';
   * try {
   *   const { data, validUntil } = service.openTicket(text, { entropy: 'form-7' });
   * } catch (err) {
   *   if (err instanceof TicketExpired) redirectToLogin();
   * }
   * ```
   */
  openTicket(ticket: TicketLike, options: TicketOptions = {}): OpenedTicket<TicketData<S>> {
    const entropy = bytesOption(options.entropy, 'entropy');
    const { plain, flags, validUntil, encrypted } = this.#verify(ticket, entropy);
    const dataLength = plain.readUInt32LE(5);
    if (dataLength > plain.length - FIELDS_LENGTH) {
      throw new BadPayload('Ticket data_len runs past the end of the ticket');
    }
    if ((flags & FLAG_SERIALIZE) !== 0) {
      throw new UnsupportedPayload(
        'Ticket data is a Python pickle (serialize flag set); Tessera never unpickles, because unpickling is code execution',
      );
    }
    const compressed = (flags & FLAG_COMPRESS) !== 0;
    const stored = plain.subarray(FIELDS_LENGTH, FIELDS_LENGTH + dataLength);
    const bytes = compressed
      ? inflateBounded(stored, this.maxInflate, 'Ticket data is not a valid zlib stream')
      : stored;
    return {
      // Uncompressed bytes are copied: for a plain ticket they are a view of the caller's bytes.
      data: this.#decodeData(bytes, !compressed) as TicketData<S>,
      validUntil,
      flags: { encrypt: encrypted, compress: compressed, serialize: false },
    };
  }

  /**
   * The data of a valid ticket (pyTickets' `get_data`); throws as {@link openTicket}.
   *
   * @example
   * ```ts
   * const uid = service.getData(text, { entropy: 'form-7' });
   * ```
   */
  getData(ticket: TicketLike, options: TicketOptions = {}): TicketData<S> {
    return this.openTicket(ticket, options).data;
  }

  #verify(ticket: TicketLike, entropy: Buffer): Verified {
    // ticket = prefix(4) hash(20) salt(16) ticket_len(4) public_flags(1) body
    // 1. shape: prefix and ticket_len, checked before the MAC as the original does
    const bytes = ticketInput(ticket);
    if (bytes.length < 4 || bytes.readUInt32LE(0) !== PREFIX) {
      throw new TicketParseError('Ticket broken, invalid prefix');
    }
    if (bytes.length <= PUBLIC_FLAGS_OFFSET) {
      throw new TicketParseError(`Ticket broken, too short (${bytes.length} bytes)`);
    }
    const ticketLen = bytes.readUInt32LE(TICKET_LEN_OFFSET);
    if (ticketLen !== bytes.length) {
      throw new TicketParseError(`Ticket broken, ticket_len (${ticketLen}) != ${bytes.length}`);
    }
    // 2. MAC, constant time (the original compares with !=)
    const mac = this.#mac(bytes, entropy);
    if (
      !equalBytes(
        mac.subarray(0, HASH_LENGTH),
        bytes.subarray(HASH_OFFSET, HASH_OFFSET + HASH_LENGTH),
      )
    ) {
      throw new TicketDigestError(
        'Ticket HMAC does not match (wrong key, session or entropy, or a changed ticket)',
      );
    }
    // 3. decrypt: the expiry is inside the ciphertext
    const encrypted = ((bytes[PUBLIC_FLAGS_OFFSET] ?? 0) & PUBLIC_FLAG_ENCRYPT) !== 0;
    let plain = bytes.subarray(BODY_OFFSET);
    if (encrypted) {
      if (plain.length === 0 || plain.length % BLOCK !== 0) {
        throw new BadPayload('Ticket ciphertext is not a whole number of AES blocks');
      }
      const salt = bytes.subarray(SALT_OFFSET, SALT_OFFSET + SALT_LENGTH);
      plain = createDecipheriv('aes-256-cbc', this.#aesKey, salt)
        .setAutoPadding(false)
        .update(plain);
    }
    if (plain.length < FIELDS_LENGTH) throw new BadPayload('Ticket is too short for its fields');
    // 4. expiry: valid while now <= valid_until (spec §2 "Validation" step 4)
    const validUntil = plain.readUInt32LE(1);
    // Written as !(now <= validUntil) so that a clock returning NaN fails closed.
    if (!(this.#now() / 1000 <= validUntil)) {
      throw new TicketExpired(`Ticket expired at ${validUntil}`);
    }
    return { plain, flags: plain[0] ?? 0, validUntil, encrypted };
  }

  /** HMAC-SHA256(key, ticket[24:] ‖ salt ‖ (session ‖ salt ‖ entropy | entropy)) — spec §2 "HMAC". */
  #mac(ticket: Buffer, entropy: Buffer): Buffer {
    const salt = ticket.subarray(SALT_OFFSET, SALT_OFFSET + SALT_LENGTH);
    const h = createHmac('sha256', this.#hmacKey).update(ticket.subarray(SALT_OFFSET)).update(salt);
    if (this.#session.length > 0) h.update(this.#session).update(salt);
    return h.update(entropy).digest();
  }

  #salt(out: Buffer): void {
    if (this.#random === undefined) {
      fillRandom(out, SALT_OFFSET, SALT_LENGTH);
      return;
    }
    const salt = this.#random(SALT_LENGTH);
    if (!(salt instanceof Uint8Array) || salt.length !== SALT_LENGTH) {
      throw new TypeError(
        `random(${SALT_LENGTH}) must return a Uint8Array of ${SALT_LENGTH} bytes`,
      );
    }
    out.set(salt, SALT_OFFSET);
  }

  #decodeData(bytes: Uint8Array, copy: boolean): unknown {
    if (this.serialize === 'bytes') return copy ? new Uint8Array(bytes) : bytes;
    const text = utf8DecodeStrict(bytes);
    if (text === undefined) {
      throw new BadPayload('Ticket data is not valid UTF-8', { payload: bytes });
    }
    if (this.serialize === 'text') return text;
    try {
      return parseJson(text);
    } catch (err) {
      throw new BadPayload('Ticket data is not valid JSON', { cause: err, payload: bytes });
    }
  }
}
