/**
 * mod_auth_tkt authentication for Hono 4 over `tessera/web`'s {@link TktGuard}: `c.get('tkt')`,
 * refreshed cookies, the login redirect, and logout with revocation. Only Hono's types are
 * imported; refusals are the Web `Response`s of `tessera/web`.
 */
import type { Context, MiddlewareHandler } from 'hono';
import {
  type TktAuth,
  TktGuard,
  type TktGuardOptions,
  type TktLogoutResult,
  type TktRequest,
  type TktResult,
  tktFailureResponse,
} from '../web/index.ts';

type Awaitable<T> = T | Promise<T>;

/** The context variables the middleware sets: `c.get('tkt')`. */
export interface TktVariables {
  tkt: TktAuth;
}

/** Options of {@link authTkt}: the guard's, the client IP, and a custom refusal. */
export interface AuthTktOptions extends TktGuardOptions {
  /**
   * The client's address. Default: the socket's address under `@hono/node-server` (what its
   * `getConnInfo` reads); pass your runtime's (`getConnInfo` of `hono/bun`, `hono/deno`, …)
   * elsewhere. Without one, only tickets bound to no address (`0.0.0.0`) validate.
   */
  getClientIp?: ((c: Context) => string | undefined) | undefined;
  /** Build the refusal yourself. */
  onUnauthorized?:
    | ((c: Context, result: Extract<TktResult, { ok: false }>) => Awaitable<Response>)
    | undefined;
}

/** The middleware of {@link authTkt}, with its guard and a logout helper. */
export type AuthTktMiddleware = MiddlewareHandler<{ Variables: TktVariables }> & {
  /** The guard the middleware checks with. */
  readonly guard: TktGuard;
  /**
   * Revoke the request's ticket (with a `store`) and add the cookie-deleting `Set-Cookie` to the
   * response the handler then builds with `c`. Rejects with `StoreUnavailable` when the store fails.
   */
  logout(c: Context): Promise<TktLogoutResult>;
};

/** `@hono/node-server` puts the Node request in `c.env.incoming`. */
function nodeClientIp(c: Context): string | undefined {
  const env = c.env as { incoming?: { socket?: { remoteAddress?: unknown } } } | undefined;
  const address = env?.incoming?.socket?.remoteAddress;
  return typeof address === 'string' ? address : undefined;
}

/**
 * Middleware authenticating requests with an Apache mod_auth_tkt ticket (the `auth_tkt` query
 * argument or cookie): on success `c.get('tkt')` is `{ uid, tokens, userData, ts }` and a
 * refreshed cookie is added to the response when due; otherwise a 307 to
 * `loginUrl?back=<original URL>`, or a 401.
 *
 * @example
 * ```ts
 * import { Hono } from 'hono';
 * import { authTkt, type TktVariables } from 'tessera/hono';
 * const auth = authTkt({ secret: process.env.TKT_SECRET!, loginUrl: 'https://sso.example.org/login' });
 * const app = new Hono<{ Variables: TktVariables }>();
 * app.get('/report', auth, (c) => c.text(`Hello ${c.get('tkt').uid}`));
 * app.post('/logout', async (c) => {
 *   await auth.logout(c);
 *   return c.redirect('/', 303);
 * });
 * ```
 */
export function authTkt(options: AuthTktOptions | TktGuard): AuthTktMiddleware {
  const guard = options instanceof TktGuard ? options : new TktGuard(options);
  const own: Partial<AuthTktOptions> = options instanceof TktGuard ? {} : options;
  const { onUnauthorized, getClientIp = nodeClientIp } = own;
  if (onUnauthorized !== undefined && typeof onUnauthorized !== 'function') {
    throw new TypeError('onUnauthorized must be a function');
  }
  if (typeof getClientIp !== 'function') throw new TypeError('getClientIp must be a function');
  const requestOf = (c: Context): TktRequest => ({
    url: c.req.url,
    cookie: c.req.header('cookie'),
    remoteAddress: getClientIp(c),
    forwardedFor: c.req.header('x-forwarded-for'),
  });
  const middleware: MiddlewareHandler<{ Variables: TktVariables }> = async (c, next) => {
    const result = await guard.check(requestOf(c));
    if (!result.ok) {
      return onUnauthorized ? onUnauthorized(c, result) : tktFailureResponse(result);
    }
    c.set('tkt', result.tkt);
    await next();
    if (result.setCookie !== undefined) {
      try {
        c.res.headers.append('set-cookie', result.setCookie);
      } catch {
        // A response with immutable headers (one from fetch()): copy it.
        c.res = new Response(c.res.body, c.res);
        c.res.headers.append('set-cookie', result.setCookie);
      }
    }
  };
  return Object.assign(middleware, {
    guard,
    async logout(c: Context): Promise<TktLogoutResult> {
      const out = await guard.logout(requestOf(c));
      c.header('set-cookie', out.setCookie, { append: true });
      return out;
    },
  });
}
