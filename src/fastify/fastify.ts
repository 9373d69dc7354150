/**
 * Fastify 5 wiring over `tessera/web`, in the plugin idiom: a plugin that decorates the
 * request (`request.ska`) and the instance (`fastify.skaProtect`, `fastify.skaSignUrl`), and
 * a login route handler. Fastify stays the application's: only its types are imported.
 */
import type {
  FastifyInstance,
  FastifyPluginCallback,
  FastifyReply,
  FastifyRequest,
  preHandlerHookHandler,
  RouteHandlerMethod,
} from 'fastify';
import type { SignatureValidationResult } from '../ska/index.ts';
import {
  createLoginFlow,
  createUrlSigner,
  type GuardOptions,
  type LoginFlowOptions,
  type LoginResult,
  readSignedParams,
  type SkaAuth,
  SkaGuard,
  type UrlSigner,
  type UrlSignerOptions,
  unauthorizedMessage,
} from '../web/index.ts';
import { signedSource } from '../web/params.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The signed data of a request that passed the ska hook (tessera/fastify); else null. */
    ska: SkaAuth | null;
  }
  interface FastifyInstance {
    /** The preHandler hook validating ska-signed requests (tessera/fastify `skaPlugin`). */
    skaProtect: preHandlerHookHandler;
    /** Sign a URL with the plugin's secret and defaults (tessera/fastify `skaPlugin`). */
    skaSignUrl: UrlSigner;
  }
}

type Awaitable<T> = T | Promise<T>;

const TEXT = 'text/plain; charset=utf-8';

/** Options of {@link protect}. */
export interface ProtectOptions extends GuardOptions {
  /** The 401 text; `{0}` (or `{reasons}`) is replaced by the reasons (default ska's). */
  message?: string | undefined;
  /** Answer a refused request yourself (send on `reply`). */
  onUnauthorized?:
    | ((
        request: FastifyRequest,
        reply: FastifyReply,
        result: SignatureValidationResult,
      ) => Awaitable<unknown>)
    | undefined;
}

/**
 * A preHandler hook validating the ska-signed query (or a parsed form body that carries the
 * signature): on success `request.ska` is the signed `{ authUser, extra }`, otherwise the
 * reply is 401 with ska's text. Register {@link skaPlugin} to get it decorated as
 * `fastify.skaProtect`; this function is the same hook without the plugin.
 *
 * @example
 * ```ts
 * import Fastify from 'fastify';
 * import { protect } from 'tessera/fastify';
 * const app = Fastify();
 * app.get('/report', { preHandler: protect({ secretKey: process.env.SKA_SECRET_KEY! }) },
 *   async (request) => `Report for ${request.ska!.authUser}`);
 * ```
 */
export function protect(options: ProtectOptions): preHandlerHookHandler {
  const guard = new SkaGuard(options);
  if (options.message !== undefined && typeof options.message !== 'string') {
    throw new TypeError('message must be a string');
  }
  const message = options.message;
  const onUnauthorized = options.onUnauthorized;
  if (onUnauthorized !== undefined && typeof onUnauthorized !== 'function') {
    throw new TypeError('onUnauthorized must be a function');
  }
  const signatureParam = guard.signatureParam;
  // Callback style: no promise per request on the success path.
  return function skaProtect(request, reply, done) {
    const outcome = guard.check(signedSource(request.url, request.body, signatureParam));
    if (outcome.ok) {
      request.ska = outcome.ska;
      done();
      return;
    }
    if (onUnauthorized === undefined) {
      reply.code(401).type(TEXT).send(unauthorizedMessage(outcome.result, message));
      return;
    }
    Promise.resolve()
      .then(() => onUnauthorized(request, reply, outcome.result))
      .then(
        () => {
          if (!reply.sent)
            reply.code(401).type(TEXT).send(unauthorizedMessage(outcome.result, message));
        },
        (err: Error) => done(err),
      );
  };
}

/** Options of {@link skaPlugin}. */
export interface SkaPluginOptions
  extends ProtectOptions,
    Omit<UrlSignerOptions, keyof GuardOptions> {
  /** Run the hook on every route of this instance (and its children), not only where named. */
  protectAllRoutes?: boolean | undefined;
}

/**
 * The Fastify plugin: decorates `request.ska` (null until the hook passes),
 * `fastify.skaProtect` (the preHandler hook of {@link protect}) and `fastify.skaSignUrl` (a URL
 * signer with the same secret and defaults). Its decorators are visible to the registering
 * scope, as with `fastify-plugin`.
 *
 * @example
 * ```ts
 * import Fastify from 'fastify';
 * import { skaPlugin } from 'tessera/fastify';
 * const app = Fastify();
 * await app.register(skaPlugin, { secretKey: process.env.SKA_SECRET_KEY!, lifetime: 3600 });
 * app.get('/report', { preHandler: app.skaProtect }, async (request) => request.ska!.extra);
 * app.get('/share', async () => app.skaSignUrl('https://example.com/report', { authUser: 'jane' }));
 * ```
 */
export const skaPlugin: FastifyPluginCallback<SkaPluginOptions> = Object.assign(
  function tesseraSka(
    fastify: FastifyInstance,
    options: SkaPluginOptions,
    done: (err?: Error) => void,
  ) {
    const hook = protect(options);
    const sign = createUrlSigner(options);
    fastify.decorateRequest('ska', null);
    fastify.decorate('skaProtect', hook);
    fastify.decorate('skaSignUrl', sign);
    if (options.protectAllRoutes) fastify.addHook('preHandler', hook);
    done();
  },
  {
    // What fastify-plugin sets: no encapsulation, a name for errors, and the supported version.
    [Symbol.for('skip-override')]: true,
    [Symbol.for('fastify.display-name')]: 'tessera-ska',
    [Symbol.for('plugin-meta')]: { name: 'tessera-ska', fastify: '5.x' },
  },
);

/** Options of {@link loginHandler}. */
export interface LoginHandlerOptions<User> extends LoginFlowOptions<User, FastifyRequest> {
  /** Log the user in (set the session cookie on `reply`); the handler then redirects unless you sent. */
  onLogin: (
    request: FastifyRequest,
    reply: FastifyReply,
    user: User,
    ska: SkaAuth,
  ) => Awaitable<unknown>;
  /** Answer a refused login yourself (default: the status with ska's `Authentication error!`). */
  onFailure?:
    | ((
        request: FastifyRequest,
        reply: FastifyReply,
        failure: Extract<LoginResult<User>, { ok: false }>,
      ) => Awaitable<unknown>)
    | undefined;
}

/**
 * The password-less login route (ska's login view): validates the signed link, uses it up,
 * finds or creates the user, calls `onLogin`, then redirects (302) to a same-origin `next` or
 * `redirectAfterLogin`. A used, invalid or expired link, or an unknown provider, is a 403.
 *
 * @example
 * ```ts
 * import { loginHandler } from 'tessera/fastify';
 * app.get('/login/', loginHandler({
 *   secretKey: process.env.SKA_SECRET_KEY!,
 *   getUser: (authUser) => users.findByName(authUser),
 *   onLogin: (request, reply, user) => { reply.header('set-cookie', `sid=${sessions.start(user)}; HttpOnly`); },
 * }));
 * ```
 */
export function loginHandler<User>(options: LoginHandlerOptions<User>): RouteHandlerMethod {
  if (typeof options?.onLogin !== 'function') throw new TypeError('onLogin must be a function');
  if (options.onFailure !== undefined && typeof options.onFailure !== 'function') {
    throw new TypeError('onFailure must be a function');
  }
  const flow = createLoginFlow<User, FastifyRequest>(options);
  const readOptions = { signatureParam: flow.signatureParam };
  return async function skaLogin(request, reply) {
    const params = readSignedParams(request.url, request.body, readOptions);
    const result = await flow.authenticate(params, request);
    if (!result.ok) {
      if (options.onFailure) await options.onFailure(request, reply, result);
      if (!reply.sent) reply.code(result.status).type(TEXT).send(result.message);
      return reply;
    }
    await options.onLogin(request, reply, result.user, result.ska);
    if (!reply.sent) reply.redirect(result.location, 302);
    return reply;
  };
}
