/**
 * `tessera/web`: ska-signed requests on Web-standard `Request`/`URL`/`Response`, without a
 * framework. Read the signed parameters, validate them, answer 401 with ska's text, sign URLs
 * for templates, and run the password-less login flow with single-use links; authenticate
 * requests with mod_auth_tkt tickets (`authTkt`, `TktGuard`: refresh, login redirect, revocation)
 * and use other tokens once (`consumeOnce`, `decodeHandoffOnce`). The Express,
 * Fastify and Hono adapters (`tessera/express`, `tessera/fastify`, `tessera/hono`) are thin
 * wiring over this module.
 *
 * @example
 * ```ts
 * import { createUrlSigner, protect } from 'tessera/web';
 * const secretKey = process.env.SKA_SECRET_KEY!;
 * const sign = createUrlSigner({ secretKey });
 * const link = sign('https://example.com/report', { authUser: 'jane', extra: { id: '7' } });
 * const guard = protect({ secretKey });
 * const outcome = await guard(new Request(link));
 * if (outcome.ok) console.log(outcome.ska.authUser, outcome.ska.extra.id); // 'jane' '7'
 * ```
 * @module
 */

export type { ReplayStore } from '../stores/index.ts';
export {
  DEFAULT_UNAUTHORIZED_MESSAGE,
  type GuardOptions,
  type GuardResult,
  type ProtectOptions,
  type ProtectOutcome,
  protect,
  type SkaAuth,
  SkaGuard,
  unauthorizedMessage,
  unauthorizedResponse,
} from './guard.ts';
export {
  createLoginFlow,
  createLoginHandler,
  LOGIN_FAILED_MESSAGE,
  type LoginCallbacks,
  type LoginFailureCode,
  type LoginFlow,
  type LoginFlowOptions,
  type LoginHandlerOptions,
  type LoginProvider,
  type LoginResult,
  loginFailureResponse,
} from './login.ts';
export {
  consumeOnce,
  decodeHandoffOnce,
  type HandoffOnceOptions,
  handoffMac,
  itsdangerousMac,
  type OnceResult,
} from './once.ts';
export {
  type FormBody,
  type ReadSignedParamsOptions,
  readSignedParams,
  type SignedParams,
} from './params.ts';
export { safeRedirectPath } from './redirect.ts';
export {
  createUrlSigner,
  type ProviderKey,
  type SignLinkOptions,
  type UrlSigner,
  type UrlSignerOptions,
} from './sign.ts';
export {
  type AuthTktOutcome,
  authTkt,
  type TktAuth,
  type TktFailureCode,
  TktGuard,
  type TktGuardOptions,
  type TktLogoutResult,
  type TktRequest,
  type TktResult,
  tktFailureResponse,
  tktMac,
  tktRequest,
  tktTokenId,
} from './tkt.ts';
