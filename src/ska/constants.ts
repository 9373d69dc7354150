/**
 * ska's defaults and error codes (ska.md §5), under ska's names in camelCase.
 */

/**
 * Default signature lifetime in seconds (`SIGNATURE_LIFETIME`).
 *
 * @example
 * ```ts
 * import { SIGNATURE_LIFETIME } from 'tessera/ska';
 * SIGNATURE_LIFETIME; // 600
 * ```
 */
export const SIGNATURE_LIFETIME = 600;

/**
 * Default name of the signature parameter (`DEFAULT_SIGNATURE_PARAM`).
 *
 * @example
 * ```ts
 * import { DEFAULT_SIGNATURE_PARAM } from 'tessera/ska';
 * new URL(link).searchParams.get(DEFAULT_SIGNATURE_PARAM);
 * ```
 */
export const DEFAULT_SIGNATURE_PARAM = 'signature';

/**
 * Default name of the `auth_user` parameter (`DEFAULT_AUTH_USER_PARAM`).
 *
 * @example
 * ```ts
 * import { DEFAULT_AUTH_USER_PARAM } from 'tessera/ska';
 * DEFAULT_AUTH_USER_PARAM; // 'auth_user'
 * ```
 */
export const DEFAULT_AUTH_USER_PARAM = 'auth_user';

/**
 * Default name of the `valid_until` parameter (`DEFAULT_VALID_UNTIL_PARAM`).
 *
 * @example
 * ```ts
 * import { DEFAULT_VALID_UNTIL_PARAM } from 'tessera/ska';
 * DEFAULT_VALID_UNTIL_PARAM; // 'valid_until'
 * ```
 */
export const DEFAULT_VALID_UNTIL_PARAM = 'valid_until';

/**
 * Default name of the parameter listing the signed extra keys (`DEFAULT_EXTRA_PARAM`).
 *
 * @example
 * ```ts
 * import { DEFAULT_EXTRA_PARAM } from 'tessera/ska';
 * DEFAULT_EXTRA_PARAM; // 'extra'
 * ```
 */
export const DEFAULT_EXTRA_PARAM = 'extra';

/**
 * Name of the extra that selects a login provider in ska's Django backend (`DEFAULT_PROVIDER_PARAM`).
 *
 * @example
 * ```ts
 * import { DEFAULT_PROVIDER_PARAM, signUrl } from 'tessera/ska';
 * signUrl({ authUser: 'jane', secretKey: 'provider-key', extra: { [DEFAULT_PROVIDER_PARAM]: 'p1' } });
 * ```
 */
export const DEFAULT_PROVIDER_PARAM = 'provider';

/**
 * Default separator between the URL and the signed parameters (`DEFAULT_URL_SUFFIX`).
 *
 * @example
 * ```ts
 * import { DEFAULT_URL_SUFFIX } from 'tessera/ska';
 * DEFAULT_URL_SUFFIX; // '?'
 * ```
 */
export const DEFAULT_URL_SUFFIX = '?';

/**
 * The parameter names ska reserves (`DEFAULT_RESERVED_PARAMS`; ska does not enforce them, and an
 * extra of the same name overwrites the parameter, which breaks the URL).
 *
 * @example
 * ```ts
 * import { DEFAULT_RESERVED_PARAMS } from 'tessera/ska';
 * Object.keys(extra).some((k) => DEFAULT_RESERVED_PARAMS.includes(k));
 * ```
 */
export const DEFAULT_RESERVED_PARAMS: readonly string[] = Object.freeze([
  DEFAULT_SIGNATURE_PARAM,
  DEFAULT_AUTH_USER_PARAM,
  DEFAULT_VALID_UNTIL_PARAM,
  DEFAULT_EXTRA_PARAM,
  'time_zone',
  DEFAULT_PROVIDER_PARAM,
]);

/** One validation error, as ska's `ErrorCode`: a stable number and ska's message text. */
export interface ErrorCode {
  readonly code: number;
  readonly message: string;
}

/**
 * `error_codes.INVALID_SIGNATURE`: the signature does not match the signed data.
 *
 * @example
 * ```ts
 * import { INVALID_SIGNATURE, validateSignedRequestData } from 'tessera/ska';
 * const res = validateSignedRequestData({ data: url, secretKey });
 * res.errors.some((e) => e.code === INVALID_SIGNATURE.code);
 * ```
 */
export const INVALID_SIGNATURE: ErrorCode = Object.freeze({
  code: 1,
  message: 'Invalid signature!',
});

/**
 * `error_codes.SIGNATURE_TIMESTAMP_EXPIRED`: `valid_until` is not after now (or is unreadable).
 *
 * @example
 * ```ts
 * import { SIGNATURE_TIMESTAMP_EXPIRED, validateSignedRequestData } from 'tessera/ska';
 * const res = validateSignedRequestData({ data: url, secretKey });
 * const expired = res.errors.includes(SIGNATURE_TIMESTAMP_EXPIRED);
 * ```
 */
export const SIGNATURE_TIMESTAMP_EXPIRED: ErrorCode = Object.freeze({
  code: 2,
  message: 'Signature timestamp expired!',
});
