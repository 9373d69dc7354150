/**
 * itsdangerous' encoding helpers (spec §2). The decoder is deliberately lenient, exactly as
 * `itsdangerous.encoding.base64_decode` is (CPython's non-strict `binascii.a2b_base64` after
 * padding and alphabet translation), so that Tessera accepts what Python accepts. It lives
 * here, not in core/, so no other format inherits the leniency.
 */
import { Buffer } from 'node:buffer';

/**
 * `base64_encode`: base64url without padding.
 *
 * @example
 * ```ts
 * base64Encode(new Uint8Array([0xff, 0xfe])); // '__4'
 * ```
 */
export function base64Encode(bytes: Uint8Array): string {
  return (
    Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length)
  ).toString('base64url');
}

// Decoding table for the standard alphabet; -1 = not an alphabet character.
const TABLE = new Int8Array(256).fill(-1);
for (let i = 0; i < 64; i++) {
  TABLE['ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'.charCodeAt(i)] = i;
}
const EQ = 0x3d;

/**
 * `base64_decode` of a text segment of a token. Buffer's decoder agrees with Python's on text of
 * URL-safe or standard alphabet characters (both ignore the unused low bits of the last
 * character); it skips anything else, which always makes its output shorter than the text's
 * length implies (for lengths that are not 1 mod 4). So a full-length result is Python's result,
 * and only text that fails this check takes the literal path — no regular expression per call.
 */
export function base64DecodeText(text: string): Buffer | undefined {
  if (text.length % 4 !== 1) {
    const out = Buffer.from(text, 'base64url');
    if (out.length === (text.length * 3) >> 2) return out;
  }
  return base64Decode(Buffer.from(text, 'utf8'));
}

/**
 * `base64_decode` of bytes, literally (spec §2): pad to a multiple of 4 counting every byte,
 * accept both alphabets, skip non-alphabet bytes, stop at a completing pad sequence, reject a
 * left-over partial quad. `undefined` where Python raises.
 *
 * @example
 * ```ts
 * base64Decode(Buffer.from('__4')); // <Buffer ff fe>
 * base64Decode(Buffer.from('//4=')); // <Buffer ff fe> (both alphabets, padding)
 * base64Decode(Buffer.from('A')); // undefined (Python raises)
 * ```
 */
export function base64Decode(input: Uint8Array): Buffer | undefined {
  const total = input.length + ((4 - (input.length % 4)) % 4);
  const out = Buffer.allocUnsafe(Math.floor((total * 3) / 4));
  let n = 0;
  let quadPos = 0;
  let pads = 0;
  let left = 0;
  for (let i = 0; i < total; i++) {
    let c = i < input.length ? (input[i] as number) : EQ;
    if (c === 0x2d)
      c = 0x2b; // '-' → '+'
    else if (c === 0x5f) c = 0x2f; // '_' → '/'
    if (c === EQ) {
      // a2b_base64: a pad counts only after two data characters of the quad; a full quad stops.
      if (quadPos >= 2 && quadPos + ++pads >= 4) return out.subarray(0, n);
      continue;
    }
    const v = TABLE[c] as number;
    if (v < 0) continue;
    pads = 0;
    switch (quadPos) {
      case 0:
        left = v;
        quadPos = 1;
        break;
      case 1:
        out[n++] = (left << 2) | (v >> 4);
        left = v & 0x0f;
        quadPos = 2;
        break;
      case 2:
        out[n++] = ((left << 4) | (v >> 2)) & 0xff;
        left = v & 0x03;
        quadPos = 3;
        break;
      default:
        out[n++] = ((left << 6) | v) & 0xff;
        quadPos = 0;
    }
  }
  return quadPos === 0 ? out.subarray(0, n) : undefined;
}

/** Largest timestamp Python's `datetime` can hold (9999-12-31T23:59:59Z). */
export const MAX_DATETIME_SECONDS = 253402300799;

/**
 * `int_to_bytes`: minimal big-endian bytes of 0 <= n < 2**53 (0 → empty).
 *
 * @example
 * ```ts
 * intToBytes(256); // <Buffer 01 00>
 * ```
 */
export function intToBytes(n: number): Buffer {
  if (!Number.isSafeInteger(n) || n < 0)
    throw new RangeError('timestamp must be a whole number of seconds >= 0');
  const bytes: number[] = [];
  let v = n;
  while (v > 0) {
    bytes.unshift(v % 256);
    v = Math.floor(v / 256);
  }
  return Buffer.from(bytes);
}

/**
 * `bytes_to_int` for at most 8 bytes (`undefined` for more, as Python's struct fails). Values
 * above 2**53 lose precision, which is harmless: anything past `MAX_DATETIME_SECONDS` is
 * treated alike, as a date Python cannot represent.
 *
 * @example
 * ```ts
 * bytesToInt(new Uint8Array([1, 0])); // 256
 * ```
 */
export function bytesToInt(bytes: Uint8Array): number | undefined {
  if (bytes.length > 8) return undefined;
  let v = 0;
  for (let i = 0; i < bytes.length; i++) v = v * 256 + (bytes[i] as number);
  return v;
}
