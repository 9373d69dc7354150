/**
 * `tessera/handoff`: Ax_Handoff 3.1.0 envelopes, variants A (zlib + AES-128-CBC + HMAC-SHA1) and
 * B (zlib + HMAC-SHA1), byte-compatible with the Python original.
 *
 * @example
 * ```ts
 * import { Handoff } from 'tessera/handoff';
 * const handoff = new Handoff(process.env.HANDOFF_SECRET!, { variant: 'A' });
 * const token = handoff.encode({ uid: 42 });
 * const value = handoff.decode(token); // { uid: 42 }
 * ```
 * @module
 */

export {
  BadData,
  BadPayload,
  BadSignature,
  PayloadTooLarge,
  TesseraError,
} from '../core/errors.ts';
export type { Decoded, StandardSchemaV1 } from '../core/standard-schema.ts';
export {
  decode,
  encode,
  getVariant,
  Handoff,
  type HandoffDecodeOptions,
  type HandoffOptions,
  type HandoffSecret,
  type Variant,
} from './handoff.ts';
