/**
 * Tessera's error tree. It mirrors itsdangerous (`BadData` > `BadSignature` >
 * `BadTimeSignature` > `SignatureExpired`; `BadData` > `BadPayload`) so that code ported from
 * Python keeps its `except`/`instanceof` structure, and gives every class a stable `code`
 * (as jose does): messages are for people, codes are the contract.
 *
 * Messages never contain a secret. Evidence fields (`payload`) hold attacker-controlled bytes:
 * treat them as untrusted input.
 *
 * Programmer misuse (a missing key, a bad option) is not a Tessera error: it throws a plain
 * `TypeError` or `RangeError` when the object is constructed.
 */

/** Options shared by every Tessera error. */
export interface TesseraErrorOptions {
  /** The lower-level error that caused this one, if any. */
  cause?: unknown;
}

/**
 * Root of every error Tessera throws for bad, stale or hostile data.
 *
 * @example
 * ```ts
 * import { TesseraError } from 'tessera/errors';
 * try {
 *   signer.unsign(token);
 * } catch (err) {
 *   if (err instanceof TesseraError) console.log(err.code); // e.g. 'ERR_BAD_SIGNATURE'
 * }
 * ```
 */
export class TesseraError extends Error {
  /** Stable machine-readable code of this class. */
  static readonly code: string = 'ERR_TESSERA';
  /** Stable machine-readable code of this error (same as the class's static `code`). */
  readonly code: string;

  constructor(message: string, options?: TesseraErrorOptions) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = (new.target as typeof TesseraError).code;
  }
}

/** Options of {@link BadData} and its subclasses. */
export interface BadDataOptions extends TesseraErrorOptions {
  /**
   * UNTRUSTED: the bytes that were signed (or claimed to be), without the signature, when known.
   * An attacker chose them; never act on them without verification.
   */
  payload?: Uint8Array | undefined;
}

/**
 * Data that could not be trusted or read: itsdangerous' `BadData`.
 *
 * @example
 * ```ts
 * import { BadData } from 'tessera/errors';
 * if (err instanceof BadData) res.status(400).end();
 * ```
 */
export class BadData extends TesseraError {
  static override readonly code: string = 'ERR_BAD_DATA';
  /** UNTRUSTED bytes the error is about (see {@link BadDataOptions.payload}). */
  readonly payload: Uint8Array | undefined;

  constructor(message: string, options?: BadDataOptions) {
    super(message, options);
    this.payload = options?.payload;
  }
}

/**
 * The signature did not match, or the token has no signature at all.
 *
 * @example
 * ```ts
 * import { BadSignature } from 'tessera/errors';
 * try { signer.unsign('value.forged'); } catch (err) { err instanceof BadSignature; } // true
 * ```
 */
export class BadSignature extends BadData {
  static override readonly code: string = 'ERR_BAD_SIGNATURE';
}

/** Options of {@link BadTimeSignature} and {@link SignatureExpired}. */
export interface BadTimeSignatureOptions extends BadDataOptions {
  /** When the token says it was signed, if that could be read. */
  dateSigned?: Date | undefined;
}

/**
 * A timed token whose signature or timestamp is bad.
 *
 * @example
 * ```ts
 * import { BadTimeSignature } from 'tessera/errors';
 * if (err instanceof BadTimeSignature) console.log(err.dateSigned);
 * ```
 */
export class BadTimeSignature extends BadSignature {
  static override readonly code: string = 'ERR_BAD_TIME_SIGNATURE';
  /** UNTRUSTED unless the error is a {@link SignatureExpired}: the date the token claims. */
  readonly dateSigned: Date | undefined;

  constructor(message: string, options?: BadTimeSignatureOptions) {
    super(message, options);
    this.dateSigned = options?.dateSigned;
  }
}

/**
 * The signature is valid but the token is older than `maxAge` (or dated in the future).
 *
 * @example
 * ```ts
 * import { SignatureExpired } from 'tessera/errors';
 * if (err instanceof SignatureExpired) redirectToLogin();
 * ```
 */
export class SignatureExpired extends BadTimeSignature {
  static override readonly code: string = 'ERR_SIGNATURE_EXPIRED';
}

/**
 * A bad header (kept for parity with itsdangerous, which exports it under `BadSignature`).
 *
 * @example
 * ```ts
 * import { BadHeader, BadSignature } from 'tessera/errors';
 * new BadHeader('bad header') instanceof BadSignature; // true
 * ```
 */
export class BadHeader extends BadSignature {
  static override readonly code: string = 'ERR_BAD_HEADER';
}

/**
 * The signature is valid, but the payload could not be decoded (base64, zlib, UTF-8, JSON,
 * schema).
 *
 * @example
 * ```ts
 * import { BadPayload } from 'tessera/errors';
 * if (err instanceof BadPayload) console.error(err.message, err.cause);
 * ```
 */
export class BadPayload extends BadData {
  static override readonly code: string = 'ERR_BAD_PAYLOAD';
}

/**
 * A validly signed payload inflates past the configured cap (a zip bomb, or a cap too low).
 *
 * @example
 * ```ts
 * import { PayloadTooLarge } from 'tessera/errors';
 * if (err instanceof PayloadTooLarge) console.warn('raise maxInflate?');
 * ```
 */
export class PayloadTooLarge extends BadPayload {
  static override readonly code: string = 'ERR_PAYLOAD_TOO_LARGE';
}

/**
 * A payload kind Tessera refuses to decode on principle (e.g. a Python pickle).
 *
 * @example
 * ```ts
 * import { UnsupportedPayload } from 'tessera/errors';
 * if (err instanceof UnsupportedPayload) console.error(err.message);
 * ```
 */
export class UnsupportedPayload extends BadPayload {
  static override readonly code: string = 'ERR_UNSUPPORTED_PAYLOAD';
}

/**
 * Root of auth-ticket errors (mod_auth_tkt, ticket_auth).
 *
 * @example
 * ```ts
 * import { TicketError } from 'tessera/errors';
 * if (err instanceof TicketError) res.redirect('/login');
 * ```
 */
export class TicketError extends BadData {
  static override readonly code: string = 'ERR_TICKET';
}

/**
 * The ticket could not be parsed.
 *
 * @example
 * ```ts
 * import { TicketParseError } from 'tessera/errors';
 * err instanceof TicketParseError && err.code === 'ERR_TICKET_PARSE';
 * ```
 */
export class TicketParseError extends TicketError {
  static override readonly code: string = 'ERR_TICKET_PARSE';
}

/**
 * The ticket's digest does not match (tampered, wrong secret, or wrong client IP).
 *
 * @example
 * ```ts
 * import { TicketDigestError } from 'tessera/errors';
 * err instanceof TicketDigestError && err.code === 'ERR_TICKET_DIGEST';
 * ```
 */
export class TicketDigestError extends TicketError {
  static override readonly code: string = 'ERR_TICKET_DIGEST';
}

/**
 * The ticket is genuine but expired.
 *
 * @example
 * ```ts
 * import { TicketExpired } from 'tessera/errors';
 * err instanceof TicketExpired && err.code === 'ERR_TICKET_EXPIRED';
 * ```
 */
export class TicketExpired extends TicketError {
  static override readonly code: string = 'ERR_TICKET_EXPIRED';
}

/**
 * The ticket is genuine but carries none of the required tokens.
 *
 * @example
 * ```ts
 * import { TicketTokenMismatch } from 'tessera/errors';
 * err instanceof TicketTokenMismatch && err.code === 'ERR_TICKET_TOKEN_MISMATCH';
 * ```
 */
export class TicketTokenMismatch extends TicketError {
  static override readonly code: string = 'ERR_TICKET_TOKEN_MISMATCH';
}

/**
 * A one-time token was presented again.
 *
 * @example
 * ```ts
 * import { TokenReplayed } from 'tessera/errors';
 * err instanceof TokenReplayed && err.code === 'ERR_TOKEN_REPLAYED';
 * ```
 */
export class TokenReplayed extends BadData {
  static override readonly code: string = 'ERR_TOKEN_REPLAYED';
}

/**
 * The token was revoked.
 *
 * @example
 * ```ts
 * import { TokenRevoked } from 'tessera/errors';
 * err instanceof TokenRevoked && err.code === 'ERR_TOKEN_REVOKED';
 * ```
 */
export class TokenRevoked extends BadData {
  static override readonly code: string = 'ERR_TOKEN_REVOKED';
}

/**
 * A replay/revocation store could not be reached; callers must fail closed.
 *
 * @example
 * ```ts
 * import { StoreUnavailable } from 'tessera/errors';
 * err instanceof StoreUnavailable && err.code === 'ERR_STORE_UNAVAILABLE';
 * ```
 */
export class StoreUnavailable extends TesseraError {
  static override readonly code: string = 'ERR_STORE_UNAVAILABLE';
}
