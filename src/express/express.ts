/**
 * Express 5 wiring over `tessera/web`. Express stays the application's: only its types are
 * imported, and the responses are written with Node's `res.statusCode`/`setHeader`/`end`.
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { SignatureValidationResult } from '../ska/index.ts';
import {
  createLoginFlow,
  createUrlSigner,
  type GuardOptions,
  type LoginFlowOptions,
  type LoginResult,
  readSignedParams,
  type SignLinkOptions,
  type SkaAuth,
  SkaGuard,
  type UrlSigner,
  type UrlSignerOptions,
  unauthorizedMessage,
} from '../web/index.ts';
import { signedSource } from '../web/params.ts';

declare global {
  namespace Express {
    interface Request {
      /** The signed data of a request that passed `protect()` (tessera/express). */
      ska?: SkaAuth;
    }
    interface Locals {
      /** Set by `signUrlHelper()` (tessera/express): sign a URL in a template. */
      signUrl?: UrlSigner;
    }
  }
}

type Awaitable<T> = T | Promise<T>;

function send(res: Response, status: number, text: string): void {
  res.statusCode = status;
  res.setHeader('content-type', 'text/plain; charset=utf-8');
  res.end(text);
}

/** Options of {@link protect}. */
export interface ProtectOptions extends GuardOptions {
  /** The 401 text; `{0}` (or `{reasons}`) is replaced by the reasons (default ska's). */
  message?: string | undefined;
  /** Answer a refused request yourself (the middleware does not call `next`). */
  onUnauthorized?:
    | ((req: Request, res: Response, result: SignatureValidationResult) => Awaitable<unknown>)
    | undefined;
}

/**
 * Middleware protecting a route with a ska-signed URL (or a form body parsed by
 * `express.urlencoded()` that carries the signature). On success `req.ska` holds the signed
 * `{ authUser, extra }` and nothing else; otherwise the answer is 401 with ska's text.
 *
 * @example
 * ```ts
 * import express from 'express';
 * import { protect } from 'tessera/express';
 * const app = express();
 * app.get('/report', protect({ secretKey: process.env.SKA_SECRET_KEY! }), (req, res) => {
 *   res.send(`Report ${req.ska!.extra.id} for ${req.ska!.authUser}`);
 * });
 * ```
 */
export function protect(options: ProtectOptions): RequestHandler {
  const guard = new SkaGuard(options);
  const message = unauthorizedTemplate(options.message);
  const onUnauthorized = options.onUnauthorized;
  if (onUnauthorized !== undefined && typeof onUnauthorized !== 'function') {
    throw new TypeError('onUnauthorized must be a function');
  }
  const signatureParam = guard.signatureParam;
  return (req: Request, res: Response, next: NextFunction) => {
    const outcome = guard.check(signedSource(req.originalUrl, req.body, signatureParam));
    if (outcome.ok) {
      req.ska = outcome.ska;
      next();
      return;
    }
    if (onUnauthorized === undefined) {
      send(res, 401, unauthorizedMessage(outcome.result, message));
      return;
    }
    Promise.resolve()
      .then(() => onUnauthorized(req, res, outcome.result))
      .catch(next);
  };
}

function unauthorizedTemplate(message: unknown): string | undefined {
  if (message !== undefined && typeof message !== 'string') {
    throw new TypeError('message must be a string');
  }
  return message;
}

/** Options of {@link signUrlHelper}. */
export interface SignUrlHelperOptions extends UrlSignerOptions {
  /** The `auth_user` of links in this request's templates (e.g. the logged-in user's name). */
  getAuthUser?: ((req: Request) => string | undefined) | undefined;
}

/**
 * Middleware putting a URL signer in `res.locals.signUrl` for templates (ska's `sign_url`
 * template tag), with the secret and defaults read once from `options`.
 *
 * @example
 * ```ts
 * import { signUrlHelper } from 'tessera/express';
 * app.use(signUrlHelper({ secretKey: process.env.SKA_SECRET_KEY!, getAuthUser: (req) => req.user?.name }));
 * // in a template: <a href="<%= signUrl('/reports/7', { extra: { id: '7' } }) %>">report</a>
 * ```
 */
export function signUrlHelper(options: SignUrlHelperOptions): RequestHandler {
  const sign = createUrlSigner(options);
  const getAuthUser = options.getAuthUser;
  if (getAuthUser !== undefined && typeof getAuthUser !== 'function') {
    throw new TypeError('getAuthUser must be a function');
  }
  return (req: Request, res: Response, next: NextFunction) => {
    res.locals.signUrl = getAuthUser
      ? (url: string, link: SignLinkOptions = {}) =>
          sign(url, { ...link, authUser: link.authUser ?? getAuthUser(req) })
      : sign;
    next();
  };
}

/** Options of {@link loginHandler}. */
export interface LoginHandlerOptions<User> extends LoginFlowOptions<User, Request> {
  /** Log the user in (start the session); the handler then redirects unless you responded. */
  onLogin: (req: Request, res: Response, user: User, ska: SkaAuth) => Awaitable<unknown>;
  /** Answer a refused login yourself (default: the status with ska's `Authentication error!`). */
  onFailure?:
    | ((
        req: Request,
        res: Response,
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
 * import { loginHandler } from 'tessera/express';
 * app.get('/login/', loginHandler({
 *   secretKey: process.env.SKA_SECRET_KEY!,
 *   getUser: (authUser) => users.findByName(authUser),
 *   onLogin: (req, res, user) => { res.cookie('sid', sessions.start(user), { httpOnly: true }); },
 *   redirectAfterLogin: '/inbox',
 * }));
 * ```
 */
export function loginHandler<User>(options: LoginHandlerOptions<User>): RequestHandler {
  if (typeof options?.onLogin !== 'function') throw new TypeError('onLogin must be a function');
  if (options.onFailure !== undefined && typeof options.onFailure !== 'function') {
    throw new TypeError('onFailure must be a function');
  }
  const flow = createLoginFlow<User, Request>(options);
  const readOptions = { signatureParam: flow.signatureParam };
  return async (req: Request, res: Response, next: NextFunction) => {
    try {
      const params = readSignedParams(req.originalUrl, req.body, readOptions);
      const result = await flow.authenticate(params, req);
      if (!result.ok) {
        if (options.onFailure) await options.onFailure(req, res, result);
        else send(res, result.status, result.message);
        return;
      }
      await options.onLogin(req, res, result.user, result.ska);
      if (res.headersSent || res.writableEnded) return;
      res.statusCode = 302;
      res.setHeader('location', result.location);
      res.end();
    } catch (err) {
      next(err);
    }
  };
}
