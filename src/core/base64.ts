/**
 * Strict, canonical base64 for Tessera's own use. Formats whose originals decode leniently
 * (itsdangerous, mod_auth_tkt, …) implement that leniency locally, in their own module, so
 * that a lenient rule never leaks into a format that is strict.
 */
import { Buffer } from 'node:buffer';

/** base64url without padding (RFC 4648 §5). */
export function encodeBase64Url(bytes: Uint8Array): string {
  return (
    Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length)
  ).toString('base64url');
}

/** Standard base64 (RFC 4648 §4), padded unless `pad` is false. */
export function encodeBase64(bytes: Uint8Array, pad = true): string {
  const out = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('base64');
  return pad ? out : out.replace(/=+$/, '');
}

/**
 * Decode unpadded canonical base64url; `undefined` for anything else (wrong alphabet, padding,
 * impossible length, junk, or non-zero unused bits in the last character).
 */
export function decodeBase64UrlStrict(text: string): Buffer | undefined {
  // Canonical means re-encoding gives the same text back: that one comparison rejects every
  // other spelling, so no two texts decode to the same bytes (and no regular expression runs).
  const bytes = Buffer.from(text, 'base64url');
  return bytes.toString('base64url') === text ? bytes : undefined;
}

/**
 * Decode canonical standard base64; `padding` says whether `=` padding is `required`,
 * `forbidden` or `optional`. `undefined` for anything else.
 */
export function decodeBase64Strict(
  text: string,
  padding: 'required' | 'forbidden' | 'optional' = 'required',
): Buffer | undefined {
  const bytes = Buffer.from(text, 'base64');
  const padded = bytes.toString('base64');
  if (padded === text) return padding === 'forbidden' && text.endsWith('=') ? undefined : bytes;
  if (padding === 'required' || !padded.endsWith('=')) return undefined;
  return padded.replace(/=+$/, '') === text ? bytes : undefined;
}
