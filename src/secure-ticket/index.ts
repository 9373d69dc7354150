/**
 * `tessera/secure-ticket`: pyTickets 0.9.2-compatible secure tickets — binary, HMAC-SHA256
 * (20 bytes) bound to a per-service session and per-ticket entropy, optionally compressed and
 * AES-256-CBC-encrypted, with a lifespan. Never pickle.
 *
 * @example
 * ```ts
 * import { SecureTicketService } from 'tessera/secure-ticket';
 * const service = new SecureTicketService(key, { encrypt: true, serialize: 'json' });
 * const text = service.createTicket({ uid: 42 }, { entropy: 'form-7' }).toBase64();
 * service.getData(text, { entropy: 'form-7' }); // { uid: 42 }
 * ```
 * @module
 */

export {
  BadData,
  BadPayload,
  PayloadTooLarge,
  TesseraError,
  TicketDigestError,
  TicketError,
  TicketExpired,
  TicketParseError,
  UnsupportedPayload,
} from '../core/errors.ts';
export {
  type CreateTicketOptions,
  type OpenedTicket,
  SecureTicketService,
  type SecureTicketServiceOptions,
  type TicketData,
  type TicketFlags,
  type TicketInput,
  type TicketLike,
  type TicketOptions,
  type TicketSerialize,
} from './service.ts';
export { SecureTicket } from './ticket.ts';
