/**
 * `tessera/hono`: ska-signed URLs for Hono 4 (an optional peer dependency; only its types are
 * imported). `protect()` guards a route and sets `c.get('ska')` to the signed data,
 * `signUrlHelper()` signs links in templates, `loginHandler()` is the password-less login route
 * with single-use links.
 *
 * @example
 * ```ts
 * import { Hono } from 'hono';
 * import { setCookie } from 'hono/cookie';
 * import { loginHandler, protect, type SkaVariables } from 'tessera/hono';
 * const secretKey = process.env.SKA_SECRET_KEY!;
 * const app = new Hono<{ Variables: SkaVariables }>();
 * app.get('/report', protect({ secretKey }), (c) => c.text(c.get('ska').authUser));
 * app.get('/login/', loginHandler({
 *   secretKey,
 *   getUser: (authUser) => users.get(authUser),
 *   onLogin: (c, user) => { setCookie(c, 'sid', sessions.start(user), { httpOnly: true }); },
 * }));
 * ```
 * @module
 */

export {
  createUrlSigner,
  type SkaAuth,
  type TktAuth,
  TktGuard,
  type TktGuardOptions,
  type UrlSigner,
} from '../web/index.ts';
export {
  type LoginHandlerOptions,
  loginHandler,
  type ProtectOptions,
  protect,
  type SignUrlHelperOptions,
  type SignUrlVariables,
  type SkaVariables,
  signUrlHelper,
} from './hono.ts';
export {
  type AuthTktMiddleware,
  type AuthTktOptions,
  authTkt,
  type TktVariables,
} from './tkt.ts';
