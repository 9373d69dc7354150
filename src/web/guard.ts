/**
 * Protecting a route with a ska-signed request (ska.md §7, `validate_signed_request`): validate
 * the signed parameters, expose only what the signature covers, and answer 401 otherwise.
 */
import { type Clock, clockOption } from '../core/clock.ts';
import { type Secret, secretBytes } from '../core/keys.ts';
import {
  type EncodingOptions,
  type ParamOptions,
  RequestHelper,
  type SignatureValidationResult,
} from '../ska/index.ts';
import { type FormBody, type SignedParams, signedSource } from './params.ts';

/**
 * What a valid signature vouches for, as handlers see it: the signed `auth_user` and the signed
 * extras. Parameters the signature does not list are never here.
 */
export interface SkaAuth {
  readonly authUser: string;
  readonly extra: Readonly<Record<string, string>>;
}

/** Options of {@link SkaGuard}: the secret and ska's parameter names, digest and encoders. */
export interface GuardOptions extends ParamOptions, EncodingOptions {
  /** The shared secret (text is used as UTF-8, as ska does). */
  secretKey: Secret;
  /** Clock in milliseconds (default `Date.now`). */
  now?: Clock | undefined;
}

/** The outcome of {@link SkaGuard.check}. */
export type GuardResult =
  | { readonly ok: true; readonly ska: SkaAuth; readonly result: SignatureValidationResult }
  | { readonly ok: false; readonly result: SignatureValidationResult };

/**
 * ska's default 401 text (`SKA_UNAUTHORIZED_REQUEST_ERROR_MESSAGE`); `{0}` is replaced by the
 * reasons joined by `"; "`.
 *
 * @example
 * ```ts
 * import { DEFAULT_UNAUTHORIZED_MESSAGE } from 'tessera/web';
 * DEFAULT_UNAUTHORIZED_MESSAGE; // 'Unauthorised request. {0}'
 * ```
 */
export const DEFAULT_UNAUTHORIZED_MESSAGE = 'Unauthorised request. {0}';

const ENCODINGS = new Set([undefined, 'default', 'javascript']);

/** Check what ska would only check on the first request, so misuse fails at construction. */
export function checkEncoding(options: EncodingOptions): void {
  if (!ENCODINGS.has(options.valueDumper)) {
    throw new RangeError("valueDumper must be 'default' or 'javascript'");
  }
  if (!ENCODINGS.has(options.quoter))
    throw new RangeError("quoter must be 'default' or 'javascript'");
}

/** Check a message template option. */
export function messageOption(message: unknown): string {
  if (message === undefined) return DEFAULT_UNAUTHORIZED_MESSAGE;
  if (typeof message !== 'string') throw new TypeError('message must be a string');
  return message;
}

/**
 * The 401 text for a failed validation: `template` with `{0}` (ska's placeholder, also `{}` or
 * `{reasons}`) replaced by the reasons joined by `"; "`, as ska's Django decorator writes it.
 *
 * @example
 * ```ts
 * import { unauthorizedMessage } from 'tessera/web';
 * unauthorizedMessage(result); // 'Unauthorised request. Invalid signature!; Signature timestamp expired!'
 * unauthorizedMessage(result, 'Link refused ({reasons})');
 * ```
 */
export function unauthorizedMessage(
  result: Pick<SignatureValidationResult, 'reason'>,
  template: string = DEFAULT_UNAUTHORIZED_MESSAGE,
): string {
  const reasons = result.reason.join('; ');
  return template.replace(/\{(?:0|reasons)?\}/g, () => reasons);
}

/**
 * The 401 response for a failed validation: {@link unauthorizedMessage} as `text/plain`.
 *
 * @example
 * ```ts
 * import { unauthorizedResponse } from 'tessera/web';
 * if (!outcome.ok) return unauthorizedResponse(outcome.result); // 401 'Unauthorised request. …'
 * ```
 */
export function unauthorizedResponse(
  result: Pick<SignatureValidationResult, 'reason'>,
  template?: string,
): Response {
  return new Response(unauthorizedMessage(result, template), {
    status: 401,
    headers: { 'content-type': 'text/plain; charset=utf-8' },
  });
}

/**
 * Validates signed parameters with one secret, imported once. The adapters' `protect` and the
 * login flow are built on it; it never throws for anything in the parameters.
 *
 * @example
 * ```ts
 * import { readSignedParams, SkaGuard } from 'tessera/web';
 * const guard = new SkaGuard({ secretKey: process.env.SKA_SECRET_KEY! });
 * const outcome = guard.check(readSignedParams(request));
 * if (outcome.ok) console.log(outcome.ska.authUser, outcome.ska.extra);
 * else console.log(outcome.result.reason); // ['Invalid signature!']
 * ```
 */
export class SkaGuard {
  readonly #helper: RequestHelper;
  readonly #now: Clock;
  readonly #valueDumper: EncodingOptions['valueDumper'];
  readonly #quoter: EncodingOptions['quoter'];

  constructor(options: GuardOptions) {
    if (options === null || typeof options !== 'object') {
      throw new TypeError('options must be an object with a secretKey');
    }
    secretBytes(options.secretKey, 'secretKey');
    checkEncoding(options);
    this.#now = clockOption(options.now);
    this.#valueDumper = options.valueDumper;
    this.#quoter = options.quoter;
    this.#helper = new RequestHelper({
      secretKey: options.secretKey,
      signatureParam: options.signatureParam,
      authUserParam: options.authUserParam,
      validUntilParam: options.validUntilParam,
      extraParam: options.extraParam,
      digest: options.digest,
    });
  }

  /** The name of the signature parameter. */
  get signatureParam(): string {
    return this.#helper.signatureParam;
  }

  /**
   * Validate the signed parameters: those of {@link readSignedParams}, or a URL or path whose
   * query (after `?`; none without one) is read as `URL.searchParams` reads it, the last value
   * of a name winning.
   *
   * @example
   * ```ts
   * const outcome = guard.check(readSignedParams(request));
   * const same = guard.check(request.url);
   * ```
   */
  check(params: SignedParams | string): GuardResult {
    // ska would read a string without `?` as a bare query; here it is a path without one.
    if (typeof params === 'string' && !params.includes('?')) params = '';
    const result = this.#helper.validateRequestData({
      data: params,
      valueDumper: this.#valueDumper,
      quoter: this.#quoter,
      now: this.#now,
    });
    if (!result.result || result.signed === undefined) return { ok: false, result };
    // The parameters are strings, so the signed extras are too.
    const extra = Object.freeze(result.signed.extra as Record<string, string>);
    return { ok: true, ska: Object.freeze({ authUser: result.signed.authUser, extra }), result };
  }
}

/** Options of {@link protect}. */
export interface ProtectOptions extends GuardOptions {
  /** The 401 text; `{0}` (or `{reasons}`) is replaced by the reasons (default ska's). */
  message?: string | undefined;
  /** Build the refusal yourself (a redirect to a login page, a JSON body, …). */
  onUnauthorized?:
    | ((result: SignatureValidationResult, request: Request) => Response | Promise<Response>)
    | undefined;
}

/** The outcome of a {@link protect}ed request. */
export type ProtectOutcome =
  | { readonly ok: true; readonly ska: SkaAuth }
  | { readonly ok: false; readonly response: Response };

/**
 * Protect a route of a Web-standard server (Deno, Bun, workers, `@hono/node-server`): validate
 * the request's signed parameters (its query, or the form `body` you parsed) and give back the
 * signed data, or the 401 `Response` to send.
 *
 * @example
 * ```ts
 * import { protect } from 'tessera/web';
 * const guard = protect({ secretKey: process.env.SKA_SECRET_KEY! });
 * export default {
 *   async fetch(request: Request) {
 *     const outcome = await guard(request);
 *     if (!outcome.ok) return outcome.response;
 *     return new Response(`Hello ${outcome.ska.authUser}`);
 *   },
 * };
 * ```
 */
export function protect(
  options: ProtectOptions,
): (request: Request, body?: FormBody | null) => Promise<ProtectOutcome> {
  const guard = new SkaGuard(options);
  const message = messageOption(options.message);
  const onUnauthorized = options.onUnauthorized;
  if (onUnauthorized !== undefined && typeof onUnauthorized !== 'function') {
    throw new TypeError('onUnauthorized must be a function');
  }
  const signatureParam = guard.signatureParam;
  return async (request, body) => {
    const outcome = guard.check(signedSource(request.url, body, signatureParam));
    if (outcome.ok) return { ok: true, ska: outcome.ska };
    const response = onUnauthorized
      ? await onUnauthorized(outcome.result, request)
      : unauthorizedResponse(outcome.result, message);
    return { ok: false, response };
  };
}
