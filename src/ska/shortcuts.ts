/**
 * ska's shortcut functions (`ska.shortcuts`, ska.md §3–§4): one options object each, with ska's
 * argument names in camelCase and `digest` in place of `signature_cls`.
 */
import type { Clock } from '../core/clock.ts';
import type { Secret } from '../core/keys.ts';
import {
  DEFAULT_AUTH_USER_PARAM,
  DEFAULT_EXTRA_PARAM,
  DEFAULT_SIGNATURE_PARAM,
  DEFAULT_VALID_UNTIL_PARAM,
} from './constants.ts';
import type { RequestData } from './request-data.ts';
import { type ParamOptions, RequestHelper, signedDict, signedUrl } from './request-helper.ts';
import {
  type EncodingOptions,
  type Extra,
  type SignatureValidationResult,
  signFromOptions,
  type ValidUntil,
  type ValueDumper,
} from './signature.ts';

/** Options of {@link signUrl}. ska's `sign_url` has no `quoter`: URL signatures always use `quote()`. */
export interface SignUrlOptions extends ParamOptions {
  authUser: string;
  secretKey: Secret;
  /** Given → signed verbatim (a number as Python `str(float)`); `0`, `''`, `null`, absent → now + lifetime. */
  validUntil?: ValidUntil | null | undefined;
  /** Seconds, an integer (default 600). */
  lifetime?: number | null | undefined;
  /** Default `''`. */
  url?: string | undefined;
  /** Default `'?'`; use `'&'` for a URL that already has a query. */
  suffix?: string | undefined;
  extra?: Extra | null | undefined;
  valueDumper?: ValueDumper | undefined;
  /** Clock in milliseconds (default `Date.now`). */
  now?: Clock | undefined;
}

/** Options of {@link signatureToDict}. */
export interface SignatureToDictShortcutOptions extends ParamOptions, EncodingOptions {
  authUser: string;
  secretKey: Secret;
  validUntil?: ValidUntil | null | undefined;
  lifetime?: number | null | undefined;
  extra?: Extra | null | undefined;
  now?: Clock | undefined;
}

/** Options of {@link validateSignedRequestData}. */
export interface ValidateSignedRequestDataOptions extends ParamOptions, EncodingOptions {
  data: RequestData;
  secretKey: Secret;
  now?: Clock | undefined;
}

/** Options of {@link extractSignedRequestData}. */
export interface ExtractSignedRequestDataOptions extends ParamOptions, EncodingOptions {
  data: RequestData;
  /** Required when `validate` is true. */
  secretKey?: Secret | null | undefined;
  /** Validate before extracting (default false, as in ska: the result is then NOT authenticated). */
  validate?: boolean | undefined;
  /** Return `{}` instead of throwing. */
  failSilently?: boolean | undefined;
  now?: Clock | undefined;
}

// Helpers are reused while the names and digest stay the same, so that a call does not check
// and prepare them again (a helper holds nothing else here): the default one, and the last other.
// Made on first use, so that importing the module does no work.
let defaultHelper: RequestHelper | undefined;
let lastHelper: RequestHelper | undefined;

/** Whether an option (`undefined` = the default) names what the helper has. */
const same = (option: unknown, fallback: string, value: string): boolean =>
  (option === undefined ? fallback : option) === value;

function helperOf(options: ParamOptions): RequestHelper {
  if (
    options.signatureParam === undefined &&
    options.authUserParam === undefined &&
    options.validUntilParam === undefined &&
    options.extraParam === undefined &&
    options.digest === undefined
  ) {
    defaultHelper ??= new RequestHelper();
    return defaultHelper;
  }
  const h = lastHelper;
  if (
    h !== undefined &&
    same(options.signatureParam, DEFAULT_SIGNATURE_PARAM, h.signatureParam) &&
    same(options.authUserParam, DEFAULT_AUTH_USER_PARAM, h.authUserParam) &&
    same(options.validUntilParam, DEFAULT_VALID_UNTIL_PARAM, h.validUntilParam) &&
    same(options.extraParam, DEFAULT_EXTRA_PARAM, h.extraParam) &&
    same(options.digest, 'sha1', h.digest)
  ) {
    return h;
  }
  lastHelper = new RequestHelper({
    signatureParam: options.signatureParam,
    authUserParam: options.authUserParam,
    validUntilParam: options.validUntilParam,
    extraParam: options.extraParam,
    digest: options.digest,
  });
  return lastHelper;
}

/**
 * Sign a URL (ska's `sign_url`): `url + suffix + signature=…&auth_user=…&valid_until=…&extra=…`
 * plus the extra parameters, byte for byte as ska writes it.
 *
 * @example
 * ```ts
 * import { signUrl } from 'tessera/ska';
 * signUrl({ authUser: 'user', secretKey: 'secret', validUntil: 1378045287, url: 'http://e.com/api/' });
 * // 'http://e.com/api/?signature=YlZpLFsjUKBalL4x5trhkeEgqE8%3D&auth_user=user&valid_until=1378045287.0&extra='
 * signUrl({ authUser: 'jane', secretKey: 'secret', lifetime: 120, url: 'https://e.com/login/', extra: { provider: 'p1' } });
 * ```
 */
export function signUrl(options: SignUrlOptions): string {
  const helper = helperOf(options);
  const signed = signFromOptions({
    authUser: options.authUser,
    secretKey: options.secretKey,
    validUntil: options.validUntil,
    lifetime: options.lifetime,
    extra: options.extra,
    digest: helper.digest,
    valueDumper: options.valueDumper,
    now: options.now,
  });
  return signedUrl(helper, signed, options.url, options.suffix);
}

/**
 * The signed parameters as a dict (ska's `signature_to_dict`): the signature as text,
 * `valid_until` as the signed text, the sorted extra list, then the extras with their values.
 *
 * @example
 * ```ts
 * import { signatureToDict } from 'tessera/ska';
 * signatureToDict({ authUser: 'user', secretKey: 'secret', validUntil: 1378045287 });
 * // { signature: 'YlZpLFsjUKBalL4x5trhkeEgqE8=', auth_user: 'user', valid_until: '1378045287.0', extra: '' }
 * ```
 */
export function signatureToDict(options: SignatureToDictShortcutOptions): Record<string, unknown> {
  const helper = helperOf(options);
  const signed = signFromOptions({
    authUser: options.authUser,
    secretKey: options.secretKey,
    validUntil: options.validUntil,
    lifetime: options.lifetime,
    extra: options.extra,
    digest: helper.digest,
    valueDumper: options.valueDumper,
    quoter: options.quoter,
    now: options.now,
  });
  return signedDict(helper, signed);
}

/**
 * Validate signed request data (ska's `validate_signed_request_data`) → `{ result, reason,
 * errors, message, signed }`. Constant-time on the exact base64 text; never throws for
 * anything in `data`.
 *
 * @example
 * ```ts
 * import { validateSignedRequestData } from 'tessera/ska';
 * const res = validateSignedRequestData({ data: 'https://e.com/api/?signature=…', secretKey: 'secret' });
 * res.result; // false
 * res.reason; // ['Invalid signature!', 'Signature timestamp expired!']
 * ```
 */
export function validateSignedRequestData(
  options: ValidateSignedRequestDataOptions,
): SignatureValidationResult {
  return helperOf(options).validateRequestData({
    data: options.data,
    secretKey: options.secretKey,
    valueDumper: options.valueDumper,
    quoter: options.quoter,
    now: options.now,
  });
}

/**
 * The signed extras of the request (ska's `extract_signed_request_data`). With
 * `validate: true`, invalid data throws `BadSignature` (or `SignatureExpired`) with ska's message,
 * and a missing `secretKey` throws TypeError; `failSilently` returns `{}` instead.
 *
 * @example
 * ```ts
 * import { extractSignedRequestData } from 'tessera/ska';
 * const extra = extractSignedRequestData({ data: req.url, secretKey: 'secret', validate: true });
 * extra.provider; // only listed, signed keys are here
 * ```
 */
export function extractSignedRequestData(
  options: ExtractSignedRequestDataOptions,
): Record<string, unknown> {
  return helperOf(options).extractSignedData({
    data: options.data,
    secretKey: options.secretKey,
    validate: options.validate,
    failSilently: options.failSilently,
    valueDumper: options.valueDumper,
    quoter: options.quoter,
    now: options.now,
  });
}
