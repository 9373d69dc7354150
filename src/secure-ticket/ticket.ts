/**
 * The pyTickets 0.9.2 `SecureTicket` byte container and its layout (spec
 * ../shared/specs/pytickets.md §2). All integers are little-endian uint32: the original's
 * `struct.pack('I')` is native-endian, which is little-endian on every platform it ran on.
 */
import { Buffer } from 'node:buffer';
import { decodeBase64Strict, encodeBase64 } from '../core/base64.ts';
import { TicketParseError } from '../core/errors.ts';

// ticket = prefix(4) hash(20) salt(16) ticket_len(4) public_flags(1) ‖ flags(1) valid_until(4) data_len(4) data
//          └ encrypted: … public_flags(1) ‖ AES-256-CBC(flags ‖ valid_until ‖ data_len ‖ data ‖ zeros)
/** `struct.pack('<I', 0x5ec71c37)`: "secticet". */
export const PREFIX = 0x5ec71c37;
export const HASH_OFFSET = 4;
export const HASH_LENGTH = 20;
export const SALT_OFFSET = 24;
export const SALT_LENGTH = 16;
export const TICKET_LEN_OFFSET = 40;
export const PUBLIC_FLAGS_OFFSET = 44;
/** Start of the plaintext fields (or of the ciphertext). */
export const BODY_OFFSET = 45;
/** flags(1) valid_until(4) data_len(4), in front of the data. */
export const FIELDS_LENGTH = 9;
/** public_flags bit 0. */
export const PUBLIC_FLAG_ENCRYPT = 1;
/** flags bit 0: Python pickle — never produced, refused on reading. */
export const FLAG_SERIALIZE = 1;
/** flags bit 1: zlib. */
export const FLAG_COMPRESS = 2;

let bytesOf: (ticket: SecureTicket) => Buffer;
let wrap: (bytes: Buffer) => SecureTicket;

/**
 * One ticket's bytes, as pyTickets' `SecureTicket` holds them. A ticket built with
 * {@link SecureTicket.fromBytes} or {@link SecureTicket.fromBase64} is UNTRUSTED until a
 * `SecureTicketService` has validated it.
 *
 * @example
 * ```ts
 * import { SecureTicket, SecureTicketService } from 'tessera/secure-ticket';
 * const service = new SecureTicketService(key);
 * const text = service.createTicket('hello').toBase64(); // 'NxzHX…'
 * service.validateTicket(SecureTicket.fromBase64(text)); // true
 * ```
 */
export class SecureTicket {
  readonly #bytes: Buffer;

  static {
    bytesOf = (ticket) => ticket.#bytes;
    wrap = (bytes) => new SecureTicket(bytes);
  }

  private constructor(bytes: Buffer) {
    this.#bytes = bytes;
  }

  /**
   * A ticket from its bytes (copied). No check is made here; validate it with a service.
   *
   * @example
   * ```ts
   * const ticket = SecureTicket.fromBytes(bytesFromDatabase);
   * ```
   */
  static fromBytes(bytes: Uint8Array): SecureTicket {
    if (!(bytes instanceof Uint8Array)) throw new TypeError('bytes must be a Uint8Array');
    return new SecureTicket(Buffer.from(bytes));
  }

  /**
   * A ticket from `tobase64()` text: canonical standard base64 with `=` padding. Anything else is
   * a `TicketParseError` (Python 2's `b64decode` raised `TypeError` for bad padding, and skipped
   * junk characters, which Tessera does not).
   *
   * @example
   * ```ts
   * SecureTicket.fromBase64('NxzHXt6I32UBwCsDnwkq9vdrPhFqKPEvAAECAwQFBgcICQoLDA0ODzsAAAAAALD1U2UFAAAAaGVsbG8=');
   * ```
   */
  static fromBase64(text: string): SecureTicket {
    const bytes = typeof text === 'string' ? decodeBase64Strict(text) : undefined;
    if (bytes === undefined) throw new TicketParseError('Ticket is not valid base64');
    return new SecureTicket(bytes);
  }

  /** Length of the ticket in bytes. */
  get byteLength(): number {
    return this.#bytes.length;
  }

  /**
   * The ticket bytes (a copy), as pyTickets' `tostring()`.
   *
   * @example
   * ```ts
   * const bytes = service.createTicket('hello').toBytes(); // Uint8Array(59)
   * ```
   */
  toBytes(): Uint8Array {
    return Uint8Array.prototype.slice.call(this.#bytes);
  }

  /**
   * Standard base64 with padding, as pyTickets' `tobase64()`.
   *
   * @example
   * ```ts
   * service.createTicket('hello').toBase64(); // 'NxzHX…='
   * ```
   */
  toBase64(): string {
    return encodeBase64(this.#bytes);
  }
}

/** @internal The bytes a ticket holds (no copy), for the service in this folder. */
export function ticketBytes(ticket: SecureTicket): Buffer {
  return bytesOf(ticket);
}

/** @internal A ticket over `bytes` (no copy: the caller hands them over). */
export function wrapTicket(bytes: Buffer): SecureTicket {
  return wrap(bytes);
}
