/**
 * `tessera/express`: ska-signed URLs for Express 5 (an optional peer dependency; only its types
 * are imported). `protect()` guards a route and sets `req.ska` to the signed data,
 * `signUrlHelper()` signs links in templates, `loginHandler()` is the password-less login route
 * with single-use links.
 *
 * @example
 * ```ts
 * import express from 'express';
 * import { loginHandler, protect } from 'tessera/express';
 * const secretKey = process.env.SKA_SECRET_KEY!;
 * const app = express();
 * app.get('/report', protect({ secretKey }), (req, res) => res.send(req.ska!.authUser));
 * app.get('/login/', loginHandler({
 *   secretKey,
 *   getUser: (authUser) => users.get(authUser),
 *   onLogin: (req, res, user) => { res.cookie('sid', sessions.start(user), { httpOnly: true }); },
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
  signUrlHelper,
} from './express.ts';
export {
  type AuthTktMiddleware,
  type AuthTktOptions,
  authTkt,
} from './tkt.ts';
