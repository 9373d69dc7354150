/**
 * `tessera/tkt`: auth-ticket cookies. {@link AuthTicket} speaks Apache mod_auth_tkt (a Node
 * service in the same single-sign-on domain as Apache servers); {@link TicketFactory} speaks
 * Python's ticket_auth, which looks alike but is a different format. Both throw the same
 * errors: {@link TicketParseError}, {@link TicketDigestError}, {@link TicketExpired},
 * {@link TicketTokenMismatch}, all under {@link TicketError}.
 *
 * @example
 * ```ts
 * import { AuthTicket, setCookieHeader, TicketError } from 'tessera/tkt';
 * const tkt = new AuthTicket({ secret: process.env.TKT_SECRET!, digest: 'sha256', ignoreIp: true });
 * res.setHeader('Set-Cookie', setCookieHeader(tkt.cookieValue(tkt.create({ uid: 'alice' }))));
 * // later, on a request:
 * const { uid, tokens, userData } = tkt.validate(cookies.auth_tkt);
 * ```
 * @module
 */

export {
  TicketDigestError,
  TicketError,
  TicketExpired,
  TicketParseError,
  TicketTokenMismatch,
} from '../core/errors.ts';
export {
  AuthTicket,
  type AuthTicketDigest,
  type AuthTicketFields,
  type AuthTicketInfo,
  type AuthTicketOptions,
  type AuthTicketValidateOptions,
  type RefreshCookieOptions,
} from './auth-ticket.ts';
export { clearCookieHeader, setCookieHeader, type TicketCookieOptions } from './cookie.ts';
export {
  TicketFactory,
  type TicketFactoryOptions,
  type TicketInfo,
  type TicketNewOptions,
  type TicketValidateOptions,
} from './ticket-factory.ts';
