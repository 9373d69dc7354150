/**
 * Ax_Handoff's "UB64" (spec §2): base64url without padding on the way out; on the way in, the
 * original's `util.ub64decode`, leniency included, because "reads what the original reads" is the
 * contract: `-`→`+`, `_`→`/`, right-pad with `=` to a multiple of 4, require
 * `^[A-Za-z0-9+/]*={0,2}$`, then a non-strict base64 decode (unused low bits of the last character
 * are ignored). Literal `+` and `/` therefore decode too (vector `valid_hmac_std_alphabet_body`).
 *
 * Used for the body only. The leniency never changes what the MAC covers: the HMAC is over the
 * body *text*, so a body spelled differently needs a different MAC. (The header MAC, which is not
 * covered by anything, is decoded strictly; see handoff.ts.)
 */
import { Buffer } from 'node:buffer';
import { encodeBase64Url } from '../core/base64.ts';

/** UB64-encode bytes (base64url, no padding). */
export const ub64encode: (bytes: Uint8Array) => string = encodeBase64Url;

const UB64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Decode UB64 as `util.ub64decode` does; `undefined` where it raises `ValueError`. */
export function ub64decode(text: string): Buffer | undefined {
  // Fast path: what Ax_Handoff writes (canonical base64url, no padding). Node's decoder is lenient,
  // so the bytes are re-encoded: unchanged text means it was canonical, and decodes the same here
  // as in Python.
  const fast = Buffer.from(text, 'base64url');
  if (fast.toString('base64url') === text) return fast;
  let s = text.replaceAll('-', '+').replaceAll('_', '/');
  const rem = s.length % 4;
  if (rem !== 0) s += '='.repeat(4 - rem);
  if (!UB64.test(s)) return undefined;
  return Buffer.from(s, 'base64');
}
