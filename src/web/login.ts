/**
 * Password-less login with signed links: ska's `SkaAuthenticationBackend` and `login` view
 * (ska.md §7), without their quirks. The provider's key is chosen by the `provider` parameter
 * and the provider must then be among the *signed* extras; an unknown provider is a 403 (ska
 * raises `AttributeError`); `next` must be a same-origin path; and every link works once
 * (ska's optional `SKA_DB_PERFORM_SIGNATURE_CHECK`, on by default here) through a
 * {@link ReplayStore}.
 */
import { Buffer } from 'node:buffer';
import type { Clock } from '../core/clock.ts';
import type { Secret } from '../core/keys.ts';
import { DEFAULT_PROVIDER_PARAM, type EncodingOptions, type ParamOptions } from '../ska/index.ts';
import { MemoryStore, type ReplayStore, tokenId } from '../stores/index.ts';
import { type GuardOptions, type SkaAuth, SkaGuard } from './guard.ts';
import { type FormBody, readSignedParams, type SignedParams } from './params.ts';
import { safeRedirectPath } from './redirect.ts';

type Awaitable<T> = T | Promise<T>;

/** The user callbacks, set globally or per provider (ska's `USER_*_CALLBACK` settings). */
export interface LoginCallbacks<User, Req> {
  /** Find the user the link names; `null`/`undefined` when there is none. */
  getUser?:
    | ((authUser: string, ska: SkaAuth, request: Req) => Awaitable<User | null | undefined>)
    | undefined;
  /** Called when `getUser` found nobody (ska creates the user from the signed extras). */
  createUser?:
    | ((authUser: string, ska: SkaAuth, request: Req) => Awaitable<User | null | undefined>)
    | undefined;
  /** Return `false` to refuse the login (403) before the link is used up. */
  validateUser?: ((ska: SkaAuth, request: Req) => Awaitable<unknown>) | undefined;
  /** Where to go after the login when `next` is absent or refused. */
  redirectAfterLogin?: string | undefined;
}

/** A login provider (ska's `SKA_PROVIDERS[uid]`): its own key, optionally its own callbacks. */
export interface LoginProvider<User, Req> extends LoginCallbacks<User, Req> {
  secretKey: Secret;
}

/** Options of {@link createLoginFlow}. */
export interface LoginFlowOptions<User, Req>
  extends ParamOptions,
    EncodingOptions,
    LoginCallbacks<User, Req> {
  /** The key of links without a provider. Optional when every link names a provider. */
  secretKey?: Secret | undefined;
  /** Providers by uid; a link names its provider in the signed `provider` extra. */
  providers?: Readonly<Record<string, LoginProvider<User, Req>>> | undefined;
  /** Required (globally, or on every provider). */
  getUser?: LoginCallbacks<User, Req>['getUser'];
  /** Default `'/'`. */
  redirectAfterLogin?: string | undefined;
  /**
   * Where used links are remembered until they expire (default: a new {@link MemoryStore}, which
   * covers one process). `false` makes links reusable until they expire, as ska's default.
   */
  store?: ReplayStore | false | undefined;
  /** The unsigned parameter naming the page to go to after the login (default `'next'`). */
  nextParam?: string | undefined;
  /** Clock in milliseconds (default `Date.now`). */
  now?: Clock | undefined;
}

/** Why a login was refused. */
export type LoginFailureCode =
  /** Bad signature or expired link (`reasons` says which, in ska's words). */
  | 'invalid-link'
  /** The link names a provider that is not configured (ska crashes here). */
  | 'unknown-provider'
  /** The link names no provider and there is no global `secretKey`. */
  | 'no-secret'
  /** The `provider` parameter is not among the signed extras. */
  | 'unsigned-provider'
  /** `validateUser` returned false. */
  | 'user-refused'
  /** The link was used before (or revoked). */
  | 'link-used'
  /** `getUser` and `createUser` gave no user. */
  | 'no-user'
  /** The store could not answer: refused, never accepted on doubt (503). */
  | 'store-unavailable';

/** The outcome of {@link LoginFlow.authenticate}. */
export type LoginResult<User> =
  | {
      readonly ok: true;
      readonly user: User;
      readonly ska: SkaAuth;
      /** The uid of the provider whose key signed the link, if any. */
      readonly provider: string | undefined;
      /** Where to redirect: a same-origin `next`, else the configured page, else `/`. */
      readonly location: string;
    }
  | {
      readonly ok: false;
      /** 403, or 503 when the store was unavailable. */
      readonly status: 403 | 503;
      /** The response text (ska's `Authentication error!`). */
      readonly message: string;
      readonly code: LoginFailureCode;
      /** ska's reasons, for `invalid-link`. */
      readonly reasons?: readonly string[] | undefined;
      readonly cause?: unknown;
    };

/** The framework-neutral login flow built by {@link createLoginFlow}. */
export interface LoginFlow<User, Req> {
  /** Check a login link's parameters and find its user. Throws only what your callbacks throw. */
  authenticate(params: SignedParams, request: Req): Promise<LoginResult<User>>;
  /** The signature parameter's name (to pick the form body or the query, see `readSignedParams`). */
  readonly signatureParam: string;
}

/**
 * ska's login view answers a failed authentication with this text and a 403.
 *
 * @example
 * ```ts
 * import { LOGIN_FAILED_MESSAGE } from 'tessera/web';
 * LOGIN_FAILED_MESSAGE; // 'Authentication error!'
 * ```
 */
export const LOGIN_FAILED_MESSAGE = 'Authentication error!';

interface Resolved<User, Req> {
  guard: SkaGuard;
  callbacks: LoginCallbacks<User, Req>;
}

function fnOption(value: unknown, option: string): void {
  if (value !== undefined && typeof value !== 'function') {
    throw new TypeError(`${option} must be a function`);
  }
}

function checkCallbacks(
  c: Record<keyof LoginCallbacks<unknown, unknown>, unknown>,
  at: string,
): void {
  fnOption(c.getUser, `${at}getUser`);
  fnOption(c.createUser, `${at}createUser`);
  fnOption(c.validateUser, `${at}validateUser`);
  if (c.redirectAfterLogin !== undefined && typeof c.redirectAfterLogin !== 'string') {
    throw new TypeError(`${at}redirectAfterLogin must be a string`);
  }
}

function fail<User>(
  code: LoginFailureCode,
  extra: { reasons?: readonly string[]; cause?: unknown } = {},
): LoginResult<User> {
  const status = code === 'store-unavailable' ? 503 : 403;
  const message = status === 503 ? 'Service unavailable, try again later.' : LOGIN_FAILED_MESSAGE;
  return { ok: false, status, message, code, ...extra };
}

/** Expiry of a validated `valid_until` text in ms (Python's float() also allows `_` between digits). */
function expiresAtMs(validUntil: string): number {
  return Number(validUntil.replaceAll('_', '')) * 1000;
}

/**
 * The login flow shared by the Web handler and the framework adapters. Options are checked
 * here (TypeError/RangeError), and every key is imported once.
 *
 * Order: provider → signature and expiry → signed provider → `validateUser` → single use →
 * `getUser`/`createUser` → redirect target.
 *
 * @example
 * ```ts
 * import { createLoginFlow, readSignedParams } from 'tessera/web';
 * const flow = createLoginFlow<User, Request>({
 *   secretKey: process.env.SKA_SECRET_KEY!,
 *   getUser: (authUser) => db.users.find(authUser),
 * });
 * const res = await flow.authenticate(readSignedParams(request), request);
 * if (res.ok) console.log(res.user, res.location);
 * else console.log(res.status, res.code); // 403 'link-used'
 * ```
 */
export function createLoginFlow<User, Req>(
  options: LoginFlowOptions<User, Req>,
): LoginFlow<User, Req> {
  if (options === null || typeof options !== 'object')
    throw new TypeError('options must be an object');
  checkCallbacks(options as Record<keyof LoginCallbacks<User, Req>, unknown>, '');
  const shared: Omit<GuardOptions, 'secretKey'> = {
    signatureParam: options.signatureParam,
    authUserParam: options.authUserParam,
    validUntilParam: options.validUntilParam,
    extraParam: options.extraParam,
    digest: options.digest,
    valueDumper: options.valueDumper,
    quoter: options.quoter,
    now: options.now,
  };
  // A Map, so that a provider named `__proto__` or `toString` is only ever a missing key.
  const providers = new Map<string, Resolved<User, Req>>();
  if (options.providers !== undefined) {
    if (options.providers === null || typeof options.providers !== 'object') {
      throw new TypeError('providers must be an object of { secretKey, … }');
    }
    for (const uid of Object.keys(options.providers)) {
      const p = options.providers[uid];
      if (p === null || typeof p !== 'object')
        throw new TypeError(`providers.${uid} must be an object`);
      checkCallbacks(p as Record<keyof LoginCallbacks<User, Req>, unknown>, `providers.${uid}.`);
      if ((p.getUser ?? options.getUser) === undefined) {
        throw new TypeError(`getUser is required (globally or in providers.${uid})`);
      }
      const guard = new SkaGuard({ ...shared, secretKey: p.secretKey });
      providers.set(uid, { guard, callbacks: p });
    }
  }
  let global: Resolved<User, Req> | undefined;
  if (options.secretKey !== undefined || providers.size === 0) {
    if (typeof options.getUser !== 'function') throw new TypeError('getUser must be a function');
    global = {
      guard: new SkaGuard({ ...shared, secretKey: options.secretKey as Secret }),
      callbacks: options,
    };
  }
  const nextParam = options.nextParam ?? 'next';
  if (typeof nextParam !== 'string') throw new TypeError('nextParam must be a string');
  let store: ReplayStore | undefined;
  if (options.store === undefined) store = new MemoryStore({ now: options.now });
  else if (options.store !== false) {
    if (options.store === null || typeof options.store.consume !== 'function') {
      throw new TypeError('store must be a ReplayStore (or false)');
    }
    store = options.store;
  }
  const signatureParam = (global ?? (providers.values().next().value as Resolved<User, Req>)).guard
    .signatureParam;

  async function authenticate(params: SignedParams, request: Req): Promise<LoginResult<User>> {
    // 1. The key: the named provider's, else the global one (ska: a truthy `provider`).
    const uid = Object.hasOwn(params, DEFAULT_PROVIDER_PARAM)
      ? params[DEFAULT_PROVIDER_PARAM]
      : undefined;
    let chosen: Resolved<User, Req> | undefined;
    if (uid) {
      chosen = providers.get(uid);
      if (chosen === undefined) return fail('unknown-provider');
    } else {
      chosen = global;
      if (chosen === undefined) return fail('no-secret');
    }
    // 2. Signature (constant time) and expiry.
    const checked = chosen.guard.check(params);
    if (!checked.ok) return fail('invalid-link', { reasons: checked.result.reason });
    const ska = checked.ska;
    // 3. The provider that chose the key must be signed, not just present in the query.
    if (uid && ska.extra[DEFAULT_PROVIDER_PARAM] !== uid) return fail('unsigned-provider');
    const c = chosen.callbacks;
    const callbacks = {
      getUser: (c.getUser ?? options.getUser) as NonNullable<LoginCallbacks<User, Req>['getUser']>,
      createUser: c.createUser ?? options.createUser,
      validateUser: c.validateUser ?? options.validateUser,
    };
    // 4. The application's veto, before the link is used up.
    if (callbacks.validateUser && (await callbacks.validateUser(ska, request)) === false) {
      return fail('user-refused');
    }
    // 5. Single use: the id is the MAC the guard checked; the entry lives as long as the link.
    if (store !== undefined) {
      const expiresAt = expiresAtMs(checked.result.signed?.validUntil ?? '');
      if (!Number.isFinite(expiresAt)) return fail('invalid-link', { reasons: [] });
      const mac = Buffer.from(params[signatureParam] ?? '', 'base64');
      let fresh: boolean;
      try {
        fresh = await store.consume(tokenId(mac), expiresAt);
      } catch (cause) {
        return fail('store-unavailable', { cause });
      }
      if (!fresh) return fail('link-used');
    }
    // 6. The user.
    let user = await callbacks.getUser(ska.authUser, ska, request);
    if ((user === null || user === undefined) && callbacks.createUser) {
      user = await callbacks.createUser(ska.authUser, ska, request);
    }
    if (user === null || user === undefined) return fail('no-user');
    // 7. Where to go: a same-origin `next`, else the provider's page, else the global one.
    const next = Object.hasOwn(params, nextParam) ? safeRedirectPath(params[nextParam]) : undefined;
    const location = next ?? c.redirectAfterLogin ?? options.redirectAfterLogin ?? '/';
    return { ok: true, user, ska, provider: uid || undefined, location };
  }

  return { authenticate, signatureParam };
}

/** Options of {@link createLoginHandler}. */
export interface LoginHandlerOptions<User> extends LoginFlowOptions<User, Request> {
  /**
   * Log the user in (set the session cookie on `response`, a 302 to the target whose headers
   * you may change), or return another `Response` to send instead.
   */
  onLogin: (
    request: Request,
    response: Response,
    user: User,
    ska: SkaAuth,
  ) => Awaitable<Response | undefined>;
}

/**
 * The response of a refused login: the flow's status and text.
 *
 * @example
 * ```ts
 * import { loginFailureResponse } from 'tessera/web';
 * if (!res.ok) return loginFailureResponse(res); // 403 'Authentication error!'
 * ```
 */
export function loginFailureResponse(failure: { status: number; message: string }): Response {
  return new Response(failure.message, {
    status: failure.status,
    headers: { 'content-type': 'text/plain; charset=utf-8' },
  });
}

/**
 * A login endpoint for Web-standard servers: validates the signed link (query, or the form
 * `body` you parsed), uses it up, finds the user, calls `onLogin` and redirects (302) to a
 * same-origin `next` or the configured page. Refusals are 403 `Authentication error!`.
 *
 * @example
 * ```ts
 * import { createLoginHandler } from 'tessera/web';
 * const login = createLoginHandler({
 *   secretKey: process.env.SKA_SECRET_KEY!,
 *   providers: { partner: { secretKey: process.env.PARTNER_KEY!, redirectAfterLogin: '/partner/' } },
 *   getUser: (authUser) => users.get(authUser),
 *   createUser: (authUser, ska) => users.create(authUser, ska.extra.email),
 *   onLogin: (request, response, user) => {
 *     response.headers.append('set-cookie', `sid=${sessions.start(user)}; HttpOnly; Secure; Path=/`);
 *   },
 * });
 * // GET /login/?signature=…&auth_user=jane&valid_until=…&extra=&next=/inbox
 * const response = await login(request); // 302 to /inbox, once
 * ```
 */
export function createLoginHandler<User>(
  options: LoginHandlerOptions<User>,
): (request: Request, body?: FormBody | null) => Promise<Response> {
  fnOption(options?.onLogin, 'onLogin');
  if (options.onLogin === undefined) throw new TypeError('onLogin must be a function');
  const flow = createLoginFlow<User, Request>(options);
  const readOptions = { signatureParam: flow.signatureParam };
  return async (request, body) => {
    const res = await flow.authenticate(readSignedParams(request, body, readOptions), request);
    if (!res.ok) return loginFailureResponse(res);
    const response = new Response(null, { status: 302, headers: { location: res.location } });
    return (await options.onLogin(request, response, res.user, res.ska)) ?? response;
  };
}
