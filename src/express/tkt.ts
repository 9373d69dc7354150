/**
 * mod_auth_tkt authentication for Express 5 over `tessera/web`'s {@link TktGuard}: `req.tkt`,
 * refreshed cookies, the login redirect, and logout with revocation. Only Express' types are
 * imported; responses are written with Node's `statusCode`/`setHeader`/`appendHeader`/`end`.
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import {
  type TktAuth,
  TktGuard,
  type TktGuardOptions,
  type TktLogoutResult,
  type TktRequest,
  type TktResult,
} from '../web/index.ts';

declare global {
  namespace Express {
    interface Request {
      /** The ticket of a request that passed `authTkt()` (tessera/express). */
      tkt?: TktAuth;
    }
  }
}

type Awaitable<T> = T | Promise<T>;

/** Options of {@link authTkt}: the guard's, and a custom refusal. */
export interface AuthTktOptions extends TktGuardOptions {
  /** Answer a refused request yourself (the middleware does not call `next`). */
  onUnauthorized?:
    | ((
        req: Request,
        res: Response,
        result: Extract<TktResult, { ok: false }>,
      ) => Awaitable<unknown>)
    | undefined;
}

/** The middleware of {@link authTkt}, with its guard and a logout helper. */
export interface AuthTktMiddleware extends RequestHandler {
  /** The guard the middleware checks with. */
  readonly guard: TktGuard;
  /**
   * Revoke the request's ticket (with a `store`) and append the cookie-deleting `Set-Cookie`;
   * then respond as you like. Rejects with `StoreUnavailable` when the store fails.
   */
  logout(req: Request, res: Response): Promise<TktLogoutResult>;
}

/**
 * What the guard reads from an Express request. The URL and client IP are Express' own
 * (`req.protocol`, `req.host`, `req.ip`), so its `trust proxy` setting applies to them.
 */
function requestOf(req: Request): TktRequest {
  return {
    url: `${req.protocol}://${req.host ?? req.get('host') ?? 'localhost'}${req.originalUrl}`,
    cookie: req.headers.cookie,
    remoteAddress: req.ip ?? req.socket?.remoteAddress,
    forwardedFor: req.get('x-forwarded-for'),
  };
}

function sendFailure(res: Response, result: Extract<TktResult, { ok: false }>): void {
  if (result.setCookie !== undefined) res.appendHeader('set-cookie', result.setCookie);
  res.statusCode = result.status;
  if (result.location !== undefined) {
    res.setHeader('location', result.location);
    res.end();
    return;
  }
  res.setHeader('content-type', 'text/plain; charset=utf-8');
  res.end(result.message);
}

/**
 * Middleware authenticating requests with an Apache mod_auth_tkt ticket (the `auth_tkt` query
 * argument or cookie): on success `req.tkt` is `{ uid, tokens, userData, ts }` and a refreshed
 * cookie is appended when due; otherwise a 307 to `loginUrl?back=<original URL>`, or a 401.
 * With a `store`, revoked tickets are refused and `logout()` revokes.
 *
 * @example
 * ```ts
 * import express from 'express';
 * import { authTkt } from 'tessera/express';
 * import { SqliteStore } from 'tessera/stores';
 * const auth = authTkt({
 *   secret: process.env.TKT_SECRET!, digest: 'sha256', timeout: '2h',
 *   loginUrl: 'https://sso.example.org/login', store: new SqliteStore({ path: 'tokens.db' }),
 * });
 * const app = express();
 * app.get('/report', auth, (req, res) => res.send(`Hello ${req.tkt!.uid}`));
 * app.post('/logout', async (req, res) => {
 *   await auth.logout(req, res);
 *   res.redirect(303, '/');
 * });
 * ```
 */
export function authTkt(options: AuthTktOptions | TktGuard): AuthTktMiddleware {
  const guard = options instanceof TktGuard ? options : new TktGuard(options);
  const onUnauthorized = options instanceof TktGuard ? undefined : options.onUnauthorized;
  if (onUnauthorized !== undefined && typeof onUnauthorized !== 'function') {
    throw new TypeError('onUnauthorized must be a function');
  }
  const middleware = async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    let result: TktResult;
    try {
      result = await guard.check(requestOf(req));
      if (!result.ok) {
        if (onUnauthorized) await onUnauthorized(req, res, result);
        else sendFailure(res, result);
        return;
      }
    } catch (err) {
      next(err);
      return;
    }
    req.tkt = result.tkt;
    if (result.setCookie !== undefined) res.appendHeader('set-cookie', result.setCookie);
    next();
  };
  return Object.assign(middleware, {
    guard,
    async logout(req: Request, res: Response): Promise<TktLogoutResult> {
      const out = await guard.logout(requestOf(req));
      res.appendHeader('set-cookie', out.setCookie);
      return out;
    },
  });
}
