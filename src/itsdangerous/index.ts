/**
 * `tessera/itsdangerous`: signers and serializers byte-compatible with Python itsdangerous 2.x.
 *
 * @example
 * ```ts
 * import { URLSafeTimedSerializer } from 'tessera/itsdangerous';
 * const s = new URLSafeTimedSerializer(['old-secret', 'new-secret'], { salt: 'reset-password' });
 * const token = s.dumps({ uid: 42 });
 * const { value, renew } = s.safeLoads(token, { maxAge: '1h' }) as { value: unknown; renew: boolean };
 * ```
 * @module
 */

export {
  BadData,
  BadHeader,
  BadPayload,
  BadSignature,
  BadTimeSignature,
  PayloadTooLarge,
  SignatureExpired,
} from '../core/errors.ts';
export type { Decoded, StandardSchemaV1 } from '../core/standard-schema.ts';
export { base64Decode, base64Encode, bytesToInt, intToBytes } from './encoding.ts';
export {
  type DataSerializer,
  type Loaded,
  type LoadsOptions,
  pythonJson,
  Serializer,
  type SerializerOptions,
  type TimedLoadsOptions,
  TimedSerializer,
  type TimedSerializerOptions,
} from './serializer.ts';
export { type KeyDerivation, type SafeResult, Signer, type SignerOptions } from './signer.ts';
export {
  type TimedUnsignOptions,
  type Timestamped,
  TimestampSigner,
  type TimestampSignerOptions,
  timestampToDate,
} from './timestamp-signer.ts';
export { type URLSafeOptions, URLSafeSerializer, URLSafeTimedSerializer } from './url-safe.ts';
