/**
 * Byte helpers. Strings are UTF-8 everywhere, as `want_bytes` makes them in itsdangerous.
 * Buffers are used internally because `Buffer.from(str)` and `Buffer.concat` are the fastest
 * paths node has; a Buffer is a Uint8Array, so callers only ever see Uint8Array in types.
 */
import { Buffer, isUtf8 } from 'node:buffer';

/** Text or bytes, as every Tessera API accepts them. */
export type BytesLike = string | Uint8Array;

/** UTF-8 bytes of a string, or the bytes themselves (no copy). */
export function toBytes(value: BytesLike): Buffer {
  if (typeof value === 'string') return Buffer.from(value, 'utf8');
  return asBuffer(value);
}

/** A Buffer view over the same memory (no copy). */
export function asBuffer(value: Uint8Array): Buffer {
  return Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.length);
}

/** Strict UTF-8 decoding: `undefined` when the bytes are not valid UTF-8. */
export function utf8DecodeStrict(bytes: Uint8Array): string | undefined {
  // isUtf8 is a native check; it and toString cost less than a fatal TextDecoder on small input.
  return isUtf8(bytes) ? asBuffer(bytes).toString('utf8') : undefined;
}

/** Concatenate byte arrays into one new Buffer. */
export function concatBytes(parts: readonly Uint8Array[]): Buffer {
  return Buffer.concat(parts);
}

/** Index of the last occurrence of `needle` in `haystack`, or -1 (bytes.rfind). */
export function lastIndexOfBytes(haystack: Uint8Array, needle: Uint8Array): number {
  return asBuffer(haystack).lastIndexOf(asBuffer(needle));
}

/** Whether `value` is a string or a Uint8Array. */
export function isBytesLike(value: unknown): value is BytesLike {
  return typeof value === 'string' || value instanceof Uint8Array;
}
