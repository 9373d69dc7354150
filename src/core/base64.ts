/**
 * Strict, canonical base64 for Tessera's own use. Formats whose originals decode leniently
 * (itsdangerous, mod_auth_tkt, …) implement that leniency locally, in their own module, so
 * that a lenient rule never leaks into a format that is strict.
 */
import { Buffer } from 'node:buffer';

const URL_ALPHABET = /^[A-Za-z0-9_-]*$/;
const STD_ALPHABET = /^[A-Za-z0-9+/]*$/;

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
 * impossible length, or non-zero unused bits in the last character).
 */
export function decodeBase64UrlStrict(text: string): Buffer | undefined {
  if (text.length % 4 === 1 || !URL_ALPHABET.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64url');
  // Canonical: re-encoding gives the same text, so no two texts decode to the same bytes.
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
  let body = text;
  const padStart = text.indexOf('=');
  if (padStart !== -1) {
    if (padding === 'forbidden') return undefined;
    const pad = text.slice(padStart);
    if (pad !== '=' && pad !== '==') return undefined;
    if (text.length % 4 !== 0) return undefined;
    body = text.slice(0, padStart);
  } else if (padding === 'required' && text.length % 4 !== 0) {
    return undefined;
  }
  if (body.length % 4 === 1 || !STD_ALPHABET.test(body)) return undefined;
  const bytes = Buffer.from(body, 'base64');
  return bytes.toString('base64').replace(/=+$/, '') === body ? bytes : undefined;
}
