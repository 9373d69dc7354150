/**
 * Hono 4 wiring over `tessera/web`. Hono stays the application's: only its types are imported;
 * responses are Web `Response`s built by `tessera/web` or by the context.
 */
import type { Context, Handler, MiddlewareHandler } from 'hono';
import type { SignatureValidationResult } from '../ska/index.ts';
import {
  createLoginFlow,
  createUrlSigner,
  type GuardOptions,
  type LoginFlowOptions,
  type LoginResult,
  loginFailureResponse,
  readSignedParams,
  type SignLinkOptions,
  type SkaAuth,
  SkaGuard,
  type UrlSigner,
  type UrlSignerOptions,
  unauthorizedResponse,
} from '../web/index.ts';
import { signedSource } from '../web/params.ts';

type Awaitable<T> = T | Promise<T>;

/** The context variables the middleware sets: `c.get('ska')`. */
export interface SkaVariables {
  ska: SkaAuth;
}

/** The context variables {@link signUrlHelper} sets: `c.get('signUrl')`. */
export interface SignUrlVariables {
  signUrl: UrlSigner;
}

const FORM = /^(?:application\/x-www-form-urlencoded|multipart\/form-data)\b/i;

/**
 * The form body of a POST-like request, read through Hono's cached `parseBody()` (the handler
 * can read it again); `undefined` when there is none or it does not parse.
 */
async function formBody(c: Context): Promise<unknown> {
  const method = c.req.method;
  if (method === 'GET' || method === 'HEAD') return undefined;
  if (!FORM.test(c.req.header('content-type') ?? '')) return undefined;
  try {
    return await c.req.parseBody();
  } catch {
    return undefined;
  }
}

/** Options of {@link protect}. */
export interface ProtectOptions extends GuardOptions {
  /** The 401 text; `{0}` (or `{reasons}`) is replaced by the reasons (default ska's). */
  message?: string | undefined;
  /** Build the refusal yourself. */
  onUnauthorized?:
    | ((c: Context, result: SignatureValidationResult) => Awaitable<Response>)
    | undefined;
}

/**
 * Middleware validating the ska-signed query (or a form body that carries the signature):
 * on success `c.get('ska')` is the signed `{ authUser, extra }`, otherwise the answer is 401
 * with ska's text.
 *
 * @example
 * ```ts
 * import { Hono } from 'hono';
 * import { protect, type SkaVariables } from 'tessera/hono';
 * const app = new Hono<{ Variables: SkaVariables }>();
 * app.get('/report', protect({ secretKey: process.env.SKA_SECRET_KEY! }), (c) =>
 *   c.text(`Report for ${c.get('ska').authUser}`));
 * ```
 */
export function protect(options: ProtectOptions): MiddlewareHandler<{ Variables: SkaVariables }> {
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
  return async (c, next) => {
    const body = await formBody(c);
    const outcome = guard.check(signedSource(c.req.url, body, signatureParam));
    if (outcome.ok) {
      c.set('ska', outcome.ska);
      await next();
      return;
    }
    return onUnauthorized
      ? onUnauthorized(c, outcome.result)
      : unauthorizedResponse(outcome.result, message);
  };
}

/** Options of {@link signUrlHelper}. */
export interface SignUrlHelperOptions extends UrlSignerOptions {
  /** The `auth_user` of links in this request's templates (e.g. the logged-in user's name). */
  getAuthUser?: ((c: Context) => string | undefined) | undefined;
}

/**
 * Middleware putting a URL signer in `c.get('signUrl')` for templates (ska's `sign_url` tag),
 * with the secret and defaults read once from `options`.
 *
 * @example
 * ```ts
 * import { signUrlHelper, type SignUrlVariables } from 'tessera/hono';
 * const app = new Hono<{ Variables: SignUrlVariables }>();
 * app.use(signUrlHelper({ secretKey: process.env.SKA_SECRET_KEY! }));
 * app.get('/', (c) => c.html(`<a href="${c.get('signUrl')('/report', { authUser: 'jane' })}">report</a>`));
 * ```
 */
export function signUrlHelper(
  options: SignUrlHelperOptions,
): MiddlewareHandler<{ Variables: SignUrlVariables }> {
  const sign = createUrlSigner(options);
  const getAuthUser = options.getAuthUser;
  if (getAuthUser !== undefined && typeof getAuthUser !== 'function') {
    throw new TypeError('getAuthUser must be a function');
  }
  return async (c, next) => {
    c.set(
      'signUrl',
      getAuthUser
        ? (url: string, link: SignLinkOptions = {}) =>
            sign(url, { ...link, authUser: link.authUser ?? getAuthUser(c) })
        : sign,
    );
    await next();
  };
}

/** Options of {@link loginHandler}. */
export interface LoginHandlerOptions<User> extends LoginFlowOptions<User, Context> {
  /**
   * Log the user in (e.g. `setCookie(c, …)`); return a `Response` to send instead of the
   * redirect.
   */
  onLogin: (c: Context, user: User, ska: SkaAuth) => Awaitable<Response | undefined>;
  /** Answer a refused login yourself (default: the status with ska's `Authentication error!`). */
  onFailure?:
    | ((c: Context, failure: Extract<LoginResult<User>, { ok: false }>) => Awaitable<Response>)
    | undefined;
}

/**
 * The password-less login route (ska's login view): validates the signed link, uses it up,
 * finds or creates the user, calls `onLogin`, then redirects (302) to a same-origin `next` or
 * `redirectAfterLogin`. A used, invalid or expired link, or an unknown provider, is a 403.
 *
 * @example
 * ```ts
 * import { setCookie } from 'hono/cookie';
 * import { loginHandler } from 'tessera/hono';
 * app.get('/login/', loginHandler({
 *   secretKey: process.env.SKA_SECRET_KEY!,
 *   getUser: (authUser) => users.findByName(authUser),
 *   onLogin: (c, user) => { setCookie(c, 'sid', sessions.start(user), { httpOnly: true }); },
 * }));
 * ```
 */
export function loginHandler<User>(options: LoginHandlerOptions<User>): Handler {
  if (typeof options?.onLogin !== 'function') throw new TypeError('onLogin must be a function');
  if (options.onFailure !== undefined && typeof options.onFailure !== 'function') {
    throw new TypeError('onFailure must be a function');
  }
  const flow = createLoginFlow<User, Context>(options);
  const readOptions = { signatureParam: flow.signatureParam };
  return async (c) => {
    const body = await formBody(c);
    const result = await flow.authenticate(readSignedParams(c.req.url, body, readOptions), c);
    if (!result.ok) {
      return options.onFailure ? options.onFailure(c, result) : loginFailureResponse(result);
    }
    const own = await options.onLogin(c, result.user, result.ska);
    return own ?? c.redirect(result.location, 302);
  };
}
