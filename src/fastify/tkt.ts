/**
 * mod_auth_tkt authentication for Fastify 5 over `tessera/web`'s {@link TktGuard}, in the plugin
 * idiom: `tktPlugin` decorates `request.tkt`, `fastify.tktProtect` (a preHandler hook) and
 * `fastify.tktLogout`; `authTkt()` is the same hook without the plugin. Only Fastify's types
 * are imported.
 */
import type {
  FastifyInstance,
  FastifyPluginCallback,
  FastifyReply,
  FastifyRequest,
  preHandlerAsyncHookHandler,
} from 'fastify';
import {
  type TktAuth,
  TktGuard,
  type TktGuardOptions,
  type TktLogoutResult,
  type TktRequest,
  type TktResult,
} from '../web/index.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The ticket of a request that passed the tkt hook (tessera/fastify); else null. */
    tkt: TktAuth | null;
  }
  interface FastifyInstance {
    /** The preHandler hook checking mod_auth_tkt tickets (tessera/fastify `tktPlugin`). */
    tktProtect: preHandlerAsyncHookHandler;
    /** Revoke the request's ticket and delete its cookie (tessera/fastify `tktPlugin`). */
    tktLogout: (request: FastifyRequest, reply: FastifyReply) => Promise<TktLogoutResult>;
  }
}

type Awaitable<T> = T | Promise<T>;

/** Options of {@link authTkt}: the guard's, and a custom refusal. */
export interface AuthTktOptions extends TktGuardOptions {
  /** Answer a refused request yourself (send on `reply`; unsent, the default answer follows). */
  onUnauthorized?:
    | ((
        request: FastifyRequest,
        reply: FastifyReply,
        result: Extract<TktResult, { ok: false }>,
      ) => Awaitable<unknown>)
    | undefined;
}

/** The hook of {@link authTkt}, with its guard and a logout helper. */
export interface AuthTktHook extends preHandlerAsyncHookHandler {
  /** The guard the hook checks with. */
  readonly guard: TktGuard;
  /** Revoke the request's ticket (with a `store`) and set the cookie-deleting `Set-Cookie`. */
  logout(request: FastifyRequest, reply: FastifyReply): Promise<TktLogoutResult>;
}

/** What the guard reads from a Fastify request (`request.ip` follows Fastify's `trustProxy`). */
function requestOf(request: FastifyRequest): TktRequest {
  const xff = request.headers['x-forwarded-for'];
  return {
    url: `${request.protocol}://${request.host}${request.url}`,
    cookie: request.headers.cookie,
    remoteAddress: request.ip,
    forwardedFor: Array.isArray(xff) ? xff.join(', ') : xff,
  };
}

/**
 * A preHandler hook authenticating requests with an Apache mod_auth_tkt ticket (the `auth_tkt`
 * query argument or cookie): on success `request.tkt` is `{ uid, tokens, userData, ts }` and a
 * refreshed cookie is set when due; otherwise a 307 to `loginUrl?back=<original URL>`, or a 401.
 *
 * @example
 * ```ts
 * import Fastify from 'fastify';
 * import { authTkt } from 'tessera/fastify';
 * const auth = authTkt({ secret: process.env.TKT_SECRET!, loginUrl: 'https://sso.example.org/login' });
 * const app = Fastify();
 * app.get('/report', { preHandler: auth }, async (request) => `Hello ${request.tkt!.uid}`);
 * app.post('/logout', async (request, reply) => {
 *   await auth.logout(request, reply);
 *   return reply.redirect('/', 303);
 * });
 * ```
 */
export function authTkt(options: AuthTktOptions | TktGuard): AuthTktHook {
  const guard = options instanceof TktGuard ? options : new TktGuard(options);
  const onUnauthorized = options instanceof TktGuard ? undefined : options.onUnauthorized;
  if (onUnauthorized !== undefined && typeof onUnauthorized !== 'function') {
    throw new TypeError('onUnauthorized must be a function');
  }
  const hook = async function tktProtect(request: FastifyRequest, reply: FastifyReply) {
    const result = await guard.check(requestOf(request));
    if (result.ok) {
      request.tkt = result.tkt;
      if (result.setCookie !== undefined) reply.header('set-cookie', result.setCookie);
      return;
    }
    if (onUnauthorized) {
      await onUnauthorized(request, reply, result);
      if (reply.sent) return reply;
    }
    if (result.setCookie !== undefined) reply.header('set-cookie', result.setCookie);
    if (result.location !== undefined) {
      return reply.code(result.status).header('location', result.location).send();
    }
    return reply.code(result.status).type('text/plain; charset=utf-8').send(result.message);
  };
  return Object.assign(hook, {
    guard,
    async logout(request: FastifyRequest, reply: FastifyReply): Promise<TktLogoutResult> {
      const out = await guard.logout(requestOf(request));
      reply.header('set-cookie', out.setCookie);
      return out;
    },
  }) as AuthTktHook;
}

/** Options of {@link tktPlugin}. */
export interface TktPluginOptions extends AuthTktOptions {
  /** Run the hook on every route of this instance (and its children), not only where named. */
  protectAllRoutes?: boolean | undefined;
}

/**
 * The Fastify plugin: decorates `request.tkt` (null until the hook passes), `fastify.tktProtect`
 * (the preHandler hook of {@link authTkt}) and `fastify.tktLogout`. Its decorators are visible
 * to the registering scope, as with `fastify-plugin`.
 *
 * @example
 * ```ts
 * import Fastify from 'fastify';
 * import { tktPlugin } from 'tessera/fastify';
 * const app = Fastify();
 * await app.register(tktPlugin, { secret: process.env.TKT_SECRET!, loginUrl: '/login', store });
 * app.get('/report', { preHandler: app.tktProtect }, async (request) => request.tkt!.tokens);
 * app.post('/logout', async (request, reply) => {
 *   await app.tktLogout(request, reply);
 *   return reply.redirect('/', 303);
 * });
 * ```
 */
export const tktPlugin: FastifyPluginCallback<TktPluginOptions> = Object.assign(
  function tesseraTkt(
    fastify: FastifyInstance,
    options: TktPluginOptions,
    done: (err?: Error) => void,
  ) {
    const hook = authTkt(options);
    fastify.decorateRequest('tkt', null);
    fastify.decorate('tktProtect', hook);
    fastify.decorate('tktLogout', hook.logout);
    if (options.protectAllRoutes) fastify.addHook('preHandler', hook);
    done();
  },
  {
    // What fastify-plugin sets: no encapsulation, a name for errors, and the supported version.
    [Symbol.for('skip-override')]: true,
    [Symbol.for('fastify.display-name')]: 'tessera-tkt',
    [Symbol.for('plugin-meta')]: { name: 'tessera-tkt', fastify: '5.x' },
  },
);
