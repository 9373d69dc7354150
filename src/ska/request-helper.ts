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
import { isPlainObject, pyFloat, pyFloatStr, pyStr } from './python-text.ts';
import {
  canonicalPlus,
  decodeWellFormed,
  isWellFormed,
  parseQuery,
  type QueryParams,
  quotePlus,
  quotePlusBytes,
  readQuery,
} from './quote.ts';
import {
  dataMap,
  inList,
  listedEntries,
  queryOf,
  type RequestData,
  setData,
} from './request-data.ts';
import {
  type Codec,
  checkClaim,
  codecOption,
  digestOption,
  type EncodingOptions,
  equalSignature,
  extraOption,
  isLive,
  joinExtra,
  keyOption,
  macText,
  type Signature,
  type SignatureValidationResult,
  type SignedFields,
  sortedOrder,
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

/** `quote_plus(name) + "="` of a helper's four parameters, and whether the names differ. */
interface UrlNames {
  readonly signature: string;
  readonly authUser: string;
  readonly validUntil: string;
  readonly extra: string;
  readonly distinct: boolean;
}

// Set by RequestHelper's static block: the module's way to read a helper's #url.
let urlNamesOf: (helper: RequestHelper) => UrlNames;

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
  readonly #key: KeyObject | Uint8Array | undefined;
  /** `quote_plus(name) + "="` of the four parameters, and whether the names differ. */
  readonly #url: UrlNames;

  static {
    urlNamesOf = (helper) => helper.#url;
  }

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
    const secret = options.secretKey;
    this.#key =
      secret === undefined
        ? undefined
        : typeof secret === 'string'
          ? keyOption(secret)
          : importHmacKey(secretBytes(secret, 'secretKey'));
    const names = [this.signatureParam, this.authUserParam, this.validUntilParam, this.extraParam];
    this.#url = {
      signature: `${quotePlus(this.signatureParam)}=`,
      authUser: `${quotePlus(this.authUserParam)}=`,
      validUntil: `${quotePlus(this.validUntilParam)}=`,
      extra: `${quotePlus(this.extraParam)}=`,
      distinct: new Set(names).size === names.length,
    };
  }

  /** The call's secret, else the helper's; `undefined` when neither is given. */
  #keyFor(secretKey: unknown): KeyObject | Uint8Array | undefined {
    if (isMissingSecret(secretKey)) return this.#key;
    return keyOption(secretKey);
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
    const key = this.#keyFor(options.secretKey) ?? keyOption(options.secretKey);
    const codec = codecOption(options.valueDumper, options.quoter);
    const clock = clockOption(options.now);
    const data = options.data;
    if (typeof data === 'string') return this.#validateQuery(queryOf(data), key, codec, clock());
    return this.#validateMap(dataMap(data), key, codec, clock());
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

  /**
   * {@link validateRequestData} of a query string: the same answers as reading it into a map
   * first ({@link parseQuery}), but only the parameters the check uses are decoded, and an
   * extra in `quote_plus`'s own form is turned into its `quote()` form without decoding and
   * encoding it again.
   */
  #validateQuery(
    query: string,
    key: KeyObject | Uint8Array,
    codec: Codec,
    nowMs: number,
  ): SignatureValidationResult {
    // A lone surrogate makes the decoder work on bytes; the general path has that.
    if (!isWellFormed(query)) return this.#validateMap(parseQuery(query), key, codec, nowMs);
    // `&` and `=` are ASCII, so every part of a well-formed query is well-formed too.
    const params = readQuery(query);
    const signature = paramOf(params, this.signatureParam);
    const authUser = paramOf(params, this.authUserParam);
    const validUntil = paramOf(params, this.validUntilParam);
    const list = paramOf(params, this.extraParam);
    // A missing valid_until is never valid (see checkClaim), and not expired either.
    if (validUntil === '') return validationResult(false, false);
    // The listed extras, decoded, and `quote(k) + "%3D" + quote(v)` as the base has them
    // (query values are text, which both dumpers write as it is).
    const keys: string[] = [];
    const values: string[] = [];
    let signatureOk = false;
    try {
      const pieces: string[] = [];
      const { names, values: raws } = params;
      for (let i = 0; i < names.length; i++) {
        const k = names[i] as string;
        if (!inList(list, k)) continue;
        const raw = raws[i] as string;
        const canonical = codec.plainQuote ? canonicalPlus(raw) : undefined;
        let value: string;
        let quoted: string;
        if (canonical !== undefined) {
          value = canonical.decoded;
          quoted = canonical.quoted;
        } else {
          value = decodeWellFormed(raw);
          quoted = codec.quote(value);
        }
        keys.push(k);
        values.push(value);
        pieces.push(`${codec.quote(k)}%3D${quoted}`);
      }
      const base =
        keys.length === 0
          ? `${validUntil}_${authUser}`
          : `${validUntil}_${authUser}_${joinExtra(sortedOrder(keys), pieces)}`;
      // shape → MAC (constant time) → expiry.
      signatureOk = equalSignature(macText(this.digest, key, base), signature);
    } catch {
      // Not reachable with well-formed text; kept so that data never makes this throw.
      signatureOk = false;
    }
    const seconds = pyFloat(validUntil);
    const expired = seconds === undefined || !isLive(seconds, nowMs);
    const res = validationResult(signatureOk, expired);
    if (res.result) {
      const extra: Record<string, unknown> = {};
      for (let i = 0; i < keys.length; i++) setData(extra, keys[i] as string, values[i]);
      res.signed = { authUser, validUntil, extra };
    }
    return res;
  }
}

/** ska's `data.get(name, "")`, decoded. */
function paramOf(params: QueryParams, name: string): string {
  const at = params.names.indexOf(name);
  return at === -1 ? '' : decodeWellFormed(params.values[at] as string);
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
  const names = urlNamesOf(helper);
  const extra = sig.extra;
  const n = extra.length;
  let collides = !names.distinct;
  for (let i = 0; i < n && !collides; i++) {
    collides = isParamName(helper, (extra[i] as [string, unknown])[0]);
  }
  if (collides) return start + collidingQuery(helper, sig);
  // Each extra's key and value in the URL, quote_plus'ed. The base quoted the same texts with
  // quote() just before; where the text has no space and no `/`, the two agree, so the
  // base's result is used again (for a 4 KB extra, that saves encoding it twice).
  const q = sig.quoted;
  const codec = sig.codec;
  const keys: string[] = new Array(n);
  const values: string[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const [k, v] = extra[i] as [string, unknown];
    keys[i] =
      q !== undefined && codec?.plainQuote === true && noSpaceOrSlash(k)
        ? (q.quotedKeys[i] as string)
        : quotePlus(k);
    if (v instanceof Uint8Array) {
      values[i] = quotePlusBytes(v);
      continue;
    }
    // urlencode str()s the value; the default dumper wrote the same text for anything but a
    // dict or list (the javascript dumper only for text, numbers and booleans).
    const same =
      q !== undefined &&
      codec !== undefined &&
      (codec.strDump ? typeof v !== 'object' || v === null : isJsText(v));
    const text = same ? (q.dumped[i] as string) : pyStr(v, false, true);
    values[i] =
      same && codec.plainQuote && noSpaceOrSlash(text)
        ? (q.quotedValues[i] as string)
        : quotePlus(text);
  }
  // The extra list: the keys sorted, joined by "," (quote_plus writes "," as %2C).
  const order = q?.order ?? sortedOrder(extra.map(([k]) => k));
  let list = '';
  for (let i = 0; i < n; i++)
    list += `${i === 0 ? '' : '%2C'}${keys[order[i] as number] as string}`;
  let query = `${names.signature}${quotePlus(sig.signature)}&${names.authUser}${quotePlus(sig.authUser)}&${names.validUntil}${quotePlus(sig.validUntil)}&${names.extra}${list}`;
  for (let i = 0; i < n; i++) query += `&${keys[i] as string}=${values[i] as string}`;
  return start + query;
}

function isParamName(helper: RequestHelper, k: string): boolean {
  return (
    k === helper.signatureParam ||
    k === helper.authUserParam ||
    k === helper.validUntilParam ||
    k === helper.extraParam
  );
}

/** Whether `quote()` and `quote_plus()` write `s` alike. */
function noSpaceOrSlash(s: string): boolean {
  return s.indexOf(' ') === -1 && s.indexOf('/') === -1;
}

/** Values the javascript dumper writes as `str()` does. */
function isJsText(v: unknown): boolean {
  const t = typeof v;
  return t === 'string' || t === 'number' || t === 'bigint' || t === 'boolean';
}

/** The URL query when names collide: params as a dict that `update` overwrites in place. */
function collidingQuery(helper: RequestHelper, sig: SignedFields): string {
  const params: [string, string | Uint8Array][] = [];
  put(params, helper.signatureParam, sig.signature);
  put(params, helper.authUserParam, sig.authUser);
  put(params, helper.validUntilParam, sig.validUntil);
  put(params, helper.extraParam, sortedKeys(sig.extra));
  // urlencode str()s everything but bytes. ska's signing sorted the dicts inside the caller's
  // lists in place before this point, so those print sorted (sortInLists).
  for (const [k, v] of sig.extra) {
    put(params, k, v instanceof Uint8Array ? v : pyStr(v, false, true));
  }
  let query = '';
  for (const [k, v] of params) {
    const value = typeof v === 'string' ? quotePlus(v) : quotePlusBytes(v);
    query += `${query === '' ? '' : '&'}${quotePlus(k)}=${value}`;
  }
  return query;
}

/** `params[k] = value` on a list of pairs standing for a dict. */
function put(params: [string, string | Uint8Array][], k: string, value: string | Uint8Array): void {
  const at = params.findIndex((p) => p[0] === k);
  if (at === -1) params.push([k, value]);
  else params[at] = [k, value];
}

/** ska's `signature_to_dict`: the same parameters as a dict, values as they are. */
export function signedDict(helper: RequestHelper, sig: SignedFields): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  setData(out, helper.signatureParam, sig.signature);
  setData(out, helper.authUserParam, sig.authUser);
  setData(out, helper.validUntilParam, sig.validUntil);
  setData(out, helper.extraParam, sortedKeys(sig.extra, sig.quoted?.order));
  for (const [k, v] of sig.extra) setData(out, k, v);
  return out;
}

/** ska's `dict_keys(extra, return_string=True)`: the keys sorted by code point, joined by `,`. */
function sortedKeys(extra: readonly [string, unknown][], order?: readonly number[]): string {
  const sorted = order ?? sortedOrder(extra.map(([k]) => k));
  let out = '';
  for (let i = 0; i < sorted.length; i++) {
    out += `${i === 0 ? '' : ','}${(extra[sorted[i] as number] as [string, unknown])[0]}`;
  }
  return out;
}
