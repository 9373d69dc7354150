/**
 * The three percent-encoders ska uses (ska.md §2, §3, §8.2), none of which is URLSearchParams:
 * - the base's default quoter, Python `quote(s)`: keeps `A–Z a–z 0–9 _ . - ~` and `/`;
 * - the base's javascript quoter, `quote(s, safe="~()*!.'")`, which is `encodeURIComponent`;
 * - the URL's `urlencode`, Python `quote_plus`: keeps `A–Z a–z 0–9 _ . - ~`, space → `+`.
 * All encode the UTF-8 bytes with uppercase hex. And the decoder for query strings, which
 * reads them exactly as `URLSearchParams` (and Django's `QueryDict`) do.
 */
import { Buffer } from 'node:buffer';

/** Text that has no UTF-8 form (a lone surrogate): Python's `.encode()` raises here too. */
export class NotUtf8 extends TypeError {}

/** Whether text has a UTF-8 form (no lone surrogate). */
export function isWellFormed(s: string): boolean {
  const native = (s as { isWellFormed?: () => boolean }).isWellFormed;
  return native !== undefined ? native.call(s) : !/\p{Cs}/u.test(s);
}

const HEX = '0123456789ABCDEF';

/** One encoder: which ASCII bytes stay, and whether a space becomes `+`. */
interface Table {
  /** Byte → output text (`'a'`, `'%2F'`, `'+'`). */
  readonly text: readonly string[];
  /** Byte → 1 when it stays as it is. */
  readonly keep: Uint8Array;
  /** Byte → the two hex digits of `%XX`, packed (low byte first), or 0 to keep / `+`. */
  readonly packed: Uint16Array;
  /** Output byte for a space: `+` or 0 (percent-encode it). */
  readonly space: number;
}

function table(safe: string, plus: boolean): Table {
  const keep = new Uint8Array(256);
  for (const c of `ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-~${safe}`) {
    keep[c.charCodeAt(0)] = 1;
  }
  const text: string[] = [];
  const packed = new Uint16Array(256);
  for (let b = 0; b < 256; b++) {
    const hi = HEX.charCodeAt(b >> 4);
    const lo = HEX.charCodeAt(b & 15);
    if (keep[b]) text.push(String.fromCharCode(b));
    else if (plus && b === 0x20) text.push('+');
    else {
      text.push(`%${HEX[b >> 4]}${HEX[b & 15]}`);
      packed[b] = hi | (lo << 8);
    }
  }
  return { text, keep, packed, space: plus ? 0x2b : 0 };
}

const QUOTE = table('/', false);
const QUOTE_PLUS = table('', true);
const JS_QUOTE = table("()*!'", false);

let scratch = new Uint8Array(4096);

/** Long text: one pass over its UTF-8 bytes into a scratch buffer. */
function encodeBytes(bytes: Uint8Array, t: Table): string {
  const n = bytes.length;
  if (scratch.length < n * 3) scratch = new Uint8Array(n * 3);
  const out = scratch;
  const { keep, packed, space } = t;
  let j = 0;
  for (let i = 0; i < n; i++) {
    const b = bytes[i] as number;
    if (keep[b] === 1) out[j++] = b;
    else if (b === 0x20 && space !== 0) out[j++] = space;
    else {
      const h = packed[b] as number;
      out[j] = 0x25;
      out[j + 1] = h & 0xff;
      out[j + 2] = h >> 8;
      j += 3;
    }
  }
  return Buffer.from(out.buffer, out.byteOffset, j).toString('latin1');
}

/**
 * Percent-encode text with table `t`. Short text is built from slices, so safe text costs one
 * scan and no copy; non-ASCII runs go through `encodeURIComponent` (UTF-8, uppercase hex, and
 * none of its kept characters is non-ASCII).
 */
function encode(s: string, t: Table): string {
  if (s.length > 256) {
    if (!isWellFormed(s)) throw new NotUtf8('text contains a lone surrogate and has no UTF-8 form');
    return encodeBytes(Buffer.from(s, 'utf8'), t);
  }
  const { keep, text } = t;
  let out = '';
  let last = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) {
      if (keep[c] === 1) continue;
      out += s.slice(last, i) + (text[c] as string);
      last = i + 1;
    } else {
      let k = i + 1;
      while (k < s.length && s.charCodeAt(k) >= 0x80) k++;
      let enc: string;
      try {
        enc = encodeURIComponent(s.slice(i, k));
      } catch (err) {
        throw new NotUtf8('text contains a lone surrogate and has no UTF-8 form', { cause: err });
      }
      out += s.slice(last, i) + enc;
      last = k;
      i = k - 1;
    }
  }
  return last === 0 ? s : out + s.slice(last);
}

/** Python `urllib.parse.quote(s)` (safe `/`). */
export function pyQuote(s: string): string {
  return encode(s, QUOTE);
}

/** Python `urllib.parse.quote_plus(s)`. */
export function quotePlus(s: string): string {
  return encode(s, QUOTE_PLUS);
}

/** ska's `javascript_quoter` = `encodeURIComponent`. */
export function jsQuote(s: string): string {
  return encode(s, JS_QUOTE);
}

/** Python `quote_plus(b)` of bytes (urlencode quotes a bytes value without `str()`). */
export function quotePlusBytes(b: Uint8Array): string {
  return encodeBytes(b, QUOTE_PLUS);
}

// ---------------------------------------------------------------------------------------------
// Decoding (application/x-www-form-urlencoded, WHATWG URL §5.1).

const unhex = (b: number): number =>
  b >= 0x30 && b <= 0x39
    ? b - 0x30
    : b >= 0x41 && b <= 0x46
      ? b - 0x37
      : b >= 0x61 && b <= 0x66
        ? b - 0x57
        : -1;

/** `+` → space, then percent-decode the UTF-8 bytes, then UTF-8 decode with replacement. */
function decodeComponent(s: string): string {
  if (!isWellFormed(s)) return decodeBytes(s);
  if (!/[%+]/.test(s)) return s;
  const text = s.includes('+') ? s.replaceAll('+', ' ') : s;
  // Valid escapes of valid UTF-8 decode the same natively; anything else takes the byte path.
  try {
    return decodeURIComponent(text);
  } catch {
    return decodeBytes(s);
  }
}

/** The WHATWG steps on bytes: replacement characters for bad UTF-8, bad escapes kept. */
function decodeBytes(s: string): string {
  const src = Buffer.from(s, 'utf8');
  const n = src.length;
  const out = Buffer.allocUnsafe(n);
  let j = 0;
  for (let i = 0; i < n; i++) {
    const b = src[i] as number;
    if (b === 0x2b) out[j++] = 0x20;
    else if (
      b === 0x25 &&
      i + 2 < n &&
      unhex(src[i + 1] as number) >= 0 &&
      unhex(src[i + 2] as number) >= 0
    ) {
      out[j++] = unhex(src[i + 1] as number) * 16 + unhex(src[i + 2] as number);
      i += 2;
    } else out[j++] = b;
  }
  return out.toString('utf8', 0, j);
}

/**
 * Parse a query string into a Map as the WHATWG URL standard reads a URL's query, i.e. as
 * `new Map(new URL(url).searchParams)` (the last value of a repeated name wins; empty pairs are
 * skipped; `a` means `a=`). Node's `new URLSearchParams(string)` agrees on every percent-encoded
 * query; it differs only for raw non-ASCII characters next to bad escapes.
 */
export function parseQuery(query: string): Map<string, string> {
  const map = new Map<string, string>();
  const n = query.length;
  let start = 0;
  while (start < n) {
    let end = query.indexOf('&', start);
    if (end === -1) end = n;
    if (end > start) {
      const eq = query.indexOf('=', start);
      if (eq === -1 || eq > end) map.set(decodeComponent(query.slice(start, end)), '');
      else
        map.set(decodeComponent(query.slice(start, eq)), decodeComponent(query.slice(eq + 1, end)));
    }
    start = end + 1;
  }
  return map;
}
