/**
 * ska's `RequestHelper` (ska.md §3, §4): the parameter names and the digest, and the four
 * operations that move a signature into and out of request data.
 *
 * URL layout (built in {@link RequestHelper.signatureToUrl}, read in `validateRequestData`):
 * `url suffix signature=…&auth_user=…&valid_until=…&extra=k1,k2[&k=v…]`, every name and value
 * `quote_plus`-encoded; the extra list is sorted, the extra parameters keep insertion order.
 */
import type { KeyObject } from 'node:crypto';
import type { Clock } from '../core/clock.ts';
import { clockOption } from '../core/clock.ts';
import { BadSignature, SignatureExpired } from '../core/errors.ts';
import { type Secret, secretBytes } from '../core/keys.ts';
import { type Digest, importHmacKey } from '../core/mac.ts';
import {
  DEFAULT_AUTH_USER_PARAM,
  DEFAULT_EXTRA_PARAM,
  DEFAULT_SIGNATURE_PARAM,
  DEFAULT_URL_SUFFIX,
  DEFAULT_VALID_UNTIL_PARAM,
  INVALID_SIGNATURE,
} from './constants.ts';
import { codePointCompare, isPlainObject, pyFloatStr, pyStr } from './python-text.ts';
import { quotePlus, quotePlusBytes } from './quote.ts';
import { dataMap, listedEntries, type RequestData, setOwn } from './request-data.ts';
import {
  type Codec,
  checkClaim,
  codecOption,
  digestOption,
  type EncodingOptions,
  extraOption,
  type Signature,
  type SignatureValidationResult,
  type SignedFields,
  stringOption,
  validationResult,
} from './signature.ts';

/** ska's parameter names, and the digest (ska's `signature_cls`). */
export interface ParamOptions {
  /** Default `'signature'`. */
  signatureParam?: string | undefined;
  /** Default `'auth_user'`. */
  authUserParam?: string | undefined;
  /** Default `'valid_until'`. */
  validUntilParam?: string | undefined;
  /** Default `'extra'`. */
  extraParam?: string | undefined;
  /** Default `'sha1'`. */
  digest?: Digest | undefined;
}

/** Options of {@link RequestHelper}. */
export interface RequestHelperOptions extends ParamOptions {
  /**
   * Tessera's addition: the secret for `validateRequestData`/`extractSignedData` when a call
   * gives none, imported once here (the fast path for a server with one secret).
   */
  secretKey?: Secret | undefined;
}

/** Options of {@link RequestHelper.signatureToUrl}. */
export interface SignatureToUrlOptions {
  signature: Signature;
  /** Default `''`. */
  endpointUrl?: string | undefined;
  /** Put between the URL and the parameters, unchecked (default `'?'`; use `'&'` after a query). */
  suffix?: string | undefined;
}

/** Options of {@link RequestHelper.signatureToDict}. */
export interface SignatureToDictOptions {
  signature: Signature;
}

/** Options of {@link RequestHelper.validateRequestData}. */
export interface ValidateRequestDataOptions extends EncodingOptions {
  data: RequestData;
  /** Required unless the helper was given one. */
  secretKey?: Secret | undefined;
  /** Clock in milliseconds (default `Date.now`). */
  now?: Clock | undefined;
}

/** Options of {@link RequestHelper.extractSignedData}. */
export interface ExtractSignedDataOptions extends EncodingOptions {
  data: RequestData;
  /** Required when `validate` is true, unless the helper was given one. */
  secretKey?: Secret | null | undefined;
  /** Validate before extracting (default false, as in ska: the data is then NOT authenticated). */
  validate?: boolean | undefined;
  /** Return `{}` instead of throwing when the key is missing or the data is invalid. */
  failSilently?: boolean | undefined;
  now?: Clock | undefined;
}

/** A caller's {@link Signature} as fields; TypeError when it is not one. */
function fieldsOf(sig: unknown): SignedFields {
  const s = sig as Partial<Record<keyof Signature, unknown>> | null;
  if (
    s === null ||
    typeof s !== 'object' ||
    typeof s.signature !== 'string' ||
    typeof s.authUser !== 'string' ||
    (typeof s.validUntil !== 'string' && typeof s.validUntil !== 'number') ||
    !(s.extra === undefined || s.extra === null || isPlainObject(s.extra))
  ) {
    throw new TypeError(
      'signature must be a Signature ({ signature, authUser, validUntil, extra })',
    );
  }
  return {
    signature: s.signature,
    authUser: s.authUser,
    validUntil: typeof s.validUntil === 'string' ? s.validUntil : pyFloatStr(s.validUntil),
    extra: extraOption(s.extra),
  };
}

function isMissingSecret(secret: unknown): boolean {
  return (
    secret === undefined ||
    secret === null ||
    secret === '' ||
    (secret instanceof Uint8Array && secret.length === 0)
  );
}

/**
 * Holds the parameter names and digest, as ska's `RequestHelper` does, and moves signatures
 * into URLs and dicts and out of request data.
 *
 * @example
 * ```ts
 * import { generateSignature, RequestHelper } from 'tessera/ska';
 * const helper = new RequestHelper({ signatureParam: 'sig', authUserParam: 'user' });
 * const signature = generateSignature({ authUser: 'jane', secretKey: 'secret', lifetime: 120 });
 * const url = helper.signatureToUrl({ signature, endpointUrl: 'https://e.com/api/' });
 * helper.validateRequestData({ data: url, secretKey: 'secret' }).result; // true
 * ```
 */
export class RequestHelper {
  readonly signatureParam: string;
  readonly authUserParam: string;
  readonly validUntilParam: string;
  readonly extraParam: string;
  readonly digest: Digest;
  readonly #key: KeyObject | undefined;

  constructor(options: RequestHelperOptions = {}) {
    this.signatureParam = stringOption(
      options.signatureParam,
      'signatureParam',
      DEFAULT_SIGNATURE_PARAM,
    );
    this.authUserParam = stringOption(
      options.authUserParam,
      'authUserParam',
      DEFAULT_AUTH_USER_PARAM,
    );
    this.validUntilParam = stringOption(
      options.validUntilParam,
      'validUntilParam',
      DEFAULT_VALID_UNTIL_PARAM,
    );
    this.extraParam = stringOption(options.extraParam, 'extraParam', DEFAULT_EXTRA_PARAM);
    this.digest = digestOption(options.digest);
    this.#key =
      options.secretKey === undefined
        ? undefined
        : importHmacKey(secretBytes(options.secretKey, 'secretKey'));
  }

  /** The call's secret, else the helper's; `undefined` when neither is given. */
  #keyFor(secretKey: unknown): KeyObject | Uint8Array | undefined {
    if (isMissingSecret(secretKey)) return this.#key;
    return secretBytes(secretKey, 'secretKey');
  }

  /**
   * The signed URL: `endpointUrl + suffix + urlencode(params)` (ska's `signature_to_url`).
   * An extra named like one of the four parameters overwrites it, as in ska (the URL then
   * fails validation).
   *
   * @example
   * ```ts
   * import { generateSignature, RequestHelper } from 'tessera/ska';
   * const signature = generateSignature({ authUser: 'user', secretKey: 'secret', validUntil: 1378045287 });
   * new RequestHelper().signatureToUrl({ signature, endpointUrl: 'http://e.com/api/' });
   * // 'http://e.com/api/?signature=YlZpLFsjUKBalL4x5trhkeEgqE8%3D&auth_user=user&valid_until=1378045287.0&extra='
   * ```
   */
  signatureToUrl(options: SignatureToUrlOptions): string {
    return signedUrl(this, fieldsOf(options.signature), options.endpointUrl, options.suffix);
  }

  /**
   * The signature as request parameters (ska's `signature_to_dict`): signature, auth_user,
   * valid_until (the signed text), the sorted extra list, then the extras with their values.
   *
   * @example
   * ```ts
   * import { generateSignature, RequestHelper } from 'tessera/ska';
   * const signature = generateSignature({ authUser: 'user', secretKey: 'secret', validUntil: 1378045287 });
   * new RequestHelper().signatureToDict({ signature });
   * // { signature: 'YlZpLFsjUKBalL4x5trhkeEgqE8=', auth_user: 'user', valid_until: '1378045287.0', extra: '' }
   * ```
   */
  signatureToDict(options: SignatureToDictOptions): Record<string, unknown> {
    return signedDict(this, fieldsOf(options.signature));
  }

  /**
   * Validate request data (ska's `validate_request_data`). Never throws for anything in `data`:
   * where ska crashes, the result is invalid (or expired) with ska's reasons.
   *
   * @example
   * ```ts
   * import { RequestHelper } from 'tessera/ska';
   * const res = new RequestHelper().validateRequestData({ data: request.url, secretKey: 'secret' });
   * if (!res.result) console.log(res.message); // e.g. 'Signature timestamp expired!'
   * else console.log(res.signed?.authUser, res.signed?.extra);
   * ```
   */
  validateRequestData(options: ValidateRequestDataOptions): SignatureValidationResult {
    const key = this.#keyFor(options.secretKey) ?? secretBytes(options.secretKey, 'secretKey');
    const codec = codecOption(options.valueDumper, options.quoter);
    const clock = clockOption(options.now);
    return this.#validateMap(dataMap(options.data), key, codec, clock());
  }

  /**
   * The signed extras of the request (ska's `extract_signed_data`). With `validate: true`,
   * invalid data throws {@link BadSignature} (or {@link SignatureExpired} when only the time is
   * wrong) with ska's message, where ska raises `InvalidData`; a missing `secretKey` throws
   * TypeError, where ska raises `ImproperlyConfigured`. `failSilently` returns `{}` instead.
   * Without `validate`, nothing is checked: the values are only the ones the list names.
   *
   * @example
   * ```ts
   * import { RequestHelper } from 'tessera/ska';
   * const extra = new RequestHelper().extractSignedData({ data: url, secretKey: 'secret', validate: true });
   * extra.provider; // a signed extra
   * ```
   */
  extractSignedData(options: ExtractSignedDataOptions): Record<string, unknown> {
    const data = dataMap(options.data);
    const codec = codecOption(options.valueDumper, options.quoter);
    const clock = clockOption(options.now);
    if (options.validate) {
      const key = this.#keyFor(options.secretKey);
      if (key === undefined) {
        if (options.failSilently) return {};
        throw new TypeError('You should provide `secret_key` if `validate` is set to True.');
      }
      const res = this.#validateMap(data, key, codec, clock());
      if (!res.result) {
        if (options.failSilently) return {};
        throw res.errors.includes(INVALID_SIGNATURE)
          ? new BadSignature(res.message)
          : new SignatureExpired(res.message);
      }
    }
    return Object.fromEntries(listedEntries(data, this.extraParam) ?? []);
  }

  /** Validate normalised data with resolved options. */
  #validateMap(
    data: Map<string, unknown>,
    key: KeyObject | Uint8Array,
    codec: Codec,
    nowMs: number,
  ): SignatureValidationResult {
    // ska: data.get(param, "") for the three fields; extras are the keys the list names.
    const extra = listedEntries(data, this.extraParam);
    const authUser = data.has(this.authUserParam) ? data.get(this.authUserParam) : '';
    const claim = {
      signature: data.has(this.signatureParam) ? data.get(this.signatureParam) : '',
      authUser,
      validUntil: data.has(this.validUntilParam) ? data.get(this.validUntilParam) : '',
      extra,
    };
    const check = checkClaim(claim, key, this.digest, codec, nowMs);
    const res = validationResult(check.signatureOk, check.expired);
    if (res.result) {
      res.signed = {
        authUser: authUser as string,
        validUntil: check.validUntil,
        extra: Object.fromEntries(extra ?? []),
      };
    }
    return res;
  }
}

/**
 * ska's `signature_to_url`: `endpointUrl + suffix + urlencode(params)`, params in insertion
 * order (the four parameters, then the extras; an extra with a parameter's name replaces its
 * value in place, as `dict.update` does).
 */
export function signedUrl(
  helper: RequestHelper,
  sig: SignedFields,
  endpointUrl: unknown,
  suffix: unknown,
): string {
  const start = `${stringOption(endpointUrl, 'endpointUrl', '')}${stringOption(suffix, 'suffix', DEFAULT_URL_SUFFIX)}`;
  const params: [string, string | Uint8Array][] = [];
  const put = (k: string, value: string | Uint8Array): void => {
    const at = params.findIndex((p) => p[0] === k);
    if (at === -1) params.push([k, value]);
    else params[at] = [k, value];
  };
  put(helper.signatureParam, sig.signature);
  put(helper.authUserParam, sig.authUser);
  put(helper.validUntilParam, sig.validUntil);
  put(helper.extraParam, sortedKeys(sig.extra));
  // urlencode str()s everything but bytes. ska's signing sorted the dicts inside the caller's
  // lists in place before this point, so those print sorted (sortInLists).
  for (const [k, v] of sig.extra) put(k, v instanceof Uint8Array ? v : pyStr(v, false, true));
  let query = '';
  for (const [k, v] of params) {
    const value = typeof v === 'string' ? quotePlus(v) : quotePlusBytes(v);
    query += `${query === '' ? '' : '&'}${quotePlus(k)}=${value}`;
  }
  return start + query;
}

/** ska's `signature_to_dict`: the same parameters as a dict, values as they are. */
export function signedDict(helper: RequestHelper, sig: SignedFields): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  setOwn(out, helper.signatureParam, sig.signature);
  setOwn(out, helper.authUserParam, sig.authUser);
  setOwn(out, helper.validUntilParam, sig.validUntil);
  setOwn(out, helper.extraParam, sortedKeys(sig.extra));
  for (const [k, v] of sig.extra) setOwn(out, k, v);
  return out;
}

/** ska's `dict_keys(extra, return_string=True)`: the keys sorted by code point, joined by `,`. */
function sortedKeys(extra: readonly [string, unknown][]): string {
  return extra
    .map(([k]) => k)
    .sort(codePointCompare)
    .join(',');
}
