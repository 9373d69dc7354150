/**
 * `tessera/fastify`: ska-signed URLs for Fastify 5 (an optional peer dependency; only its types
 * are imported). `skaPlugin` decorates `request.ska`, `fastify.skaProtect` (a preHandler hook)
 * and `fastify.skaSignUrl`; `loginHandler()` is the password-less login route with single-use
 * links.
 *
 * @example
 * ```ts
 * import Fastify from 'fastify';
 * import { loginHandler, skaPlugin } from 'tessera/fastify';
 * const secretKey = process.env.SKA_SECRET_KEY!;
 * const app = Fastify();
 * await app.register(skaPlugin, { secretKey });
 * app.get('/report', { preHandler: app.skaProtect }, async (request) => request.ska!.authUser);
 * app.get('/login/', loginHandler({
 *   secretKey,
 *   getUser: (authUser) => users.get(authUser),
 *   onLogin: (request, reply, user) => { reply.header('set-cookie', `sid=${sessions.start(user)}`); },
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
  type SkaPluginOptions,
  skaPlugin,
} from './fastify.ts';
export {
  type AuthTktHook,
  type AuthTktOptions,
  authTkt,
  type TktPluginOptions,
  tktPlugin,
} from './tkt.ts';
