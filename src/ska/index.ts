/**
 * `tessera/ska`: signed URLs and request data byte-compatible with Python ska 1.11
 * (`signature`, `auth_user`, `valid_until` and signed `extra` parameters), with a constant-time
 * signature check, and invalid/expired results where ska crashes on hostile input.
 *
 * @example
 * ```ts
 * import { signUrl, validateSignedRequestData } from 'tessera/ska';
 * const url = signUrl({
 *   authUser: 'jane', secretKey: 'shared-secret', lifetime: 600,
 *   url: 'https://example.com/login/', extra: { provider: 'p1' },
 * });
 * const res = validateSignedRequestData({ data: url, secretKey: 'shared-secret' });
 * if (res.result) console.log(res.signed?.authUser, res.signed?.extra.provider); // 'jane' 'p1'
 * else console.log(res.reason); // e.g. ['Signature timestamp expired!']
 * ```
 * @module
 */

export { BadData, BadSignature, SignatureExpired } from '../core/errors.ts';
export type { Digest } from '../core/mac.ts';
export {
  parseSkaSignUrlArgv,
  SKA_SIGN_URL_OPTIONS,
  type SkaSignUrlArgs,
  type SkaSignUrlFailure,
  type SkaSignUrlOption,
  type SkaSignUrlSuccess,
  skaSignUrlOutput,
} from './cli-output.ts';
export {
  DEFAULT_AUTH_USER_PARAM,
  DEFAULT_EXTRA_PARAM,
  DEFAULT_PROVIDER_PARAM,
  DEFAULT_RESERVED_PARAMS,
  DEFAULT_SIGNATURE_PARAM,
  DEFAULT_URL_SUFFIX,
  DEFAULT_VALID_UNTIL_PARAM,
  type ErrorCode,
  INVALID_SIGNATURE,
  SIGNATURE_LIFETIME,
  SIGNATURE_TIMESTAMP_EXPIRED,
} from './constants.ts';
export type { RequestData } from './request-data.ts';
export {
  type ExtractSignedDataOptions,
  type ParamOptions,
  RequestHelper,
  type RequestHelperOptions,
  type SignatureToDictOptions,
  type SignatureToUrlOptions,
  type ValidateRequestDataOptions,
} from './request-helper.ts';
export {
  type ExtractSignedRequestDataOptions,
  extractSignedRequestData,
  type SignatureToDictShortcutOptions,
  type SignUrlOptions,
  signatureToDict,
  signUrl,
  type ValidateSignedRequestDataOptions,
  validateSignedRequestData,
} from './shortcuts.ts';
export {
  type EncodingOptions,
  type Extra,
  type GenerateSignatureOptions,
  type GetBaseOptions,
  generateSignature,
  getBase,
  type Quoter,
  type Signature,
  type SignatureValidationResult,
  type SignedData,
  type ValidateSignatureOptions,
  type ValidUntil,
  type ValueDumper,
  validateSignature,
} from './signature.ts';
