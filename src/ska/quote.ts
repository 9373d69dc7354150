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

/** One encoder: which ASCII characters stay, and whether a space becomes `+`. */
interface Table {
  /** Byte → output text (`'a'`, `'%2F'`, `'+'`). */
  readonly text: readonly string[];
  /** Byte → 1 when it stays as it is. */
  readonly keep: Uint8Array;
  /**
   * Byte → its output packed low byte first: the byte itself (or `+`) when below 0x100,
   * otherwise `%`, then the two hex digits.
   */
  readonly code: Uint32Array;
}

function table(safe: string, plus: boolean): Table {
  const keep = new Uint8Array(256);
  for (const c of `ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-~${safe}`) {
    keep[c.charCodeAt(0)] = 1;
  }
  const text: string[] = [];
  const code = new Uint32Array(256);
  for (let b = 0; b < 256; b++) {
    if (keep[b]) {
      text.push(String.fromCharCode(b));
      code[b] = b;
    } else if (plus && b === 0x20) {
      text.push('+');
      code[b] = 0x2b;
    } else {
      text.push(`%${HEX[b >> 4]}${HEX[b & 15]}`);
      code[b] = 0x25 | (HEX.charCodeAt(b >> 4) << 8) | (HEX.charCodeAt(b & 15) << 16);
    }
  }
  return { text, keep, code };
}

const QUOTE = table('/', false);
const QUOTE_PLUS = table('', true);
const JS_QUOTE = table("()*!'", false);

// Scratch memory, reused by every call (all work here is synchronous): the UTF-8 bytes of
// the input, and the output. Each is a Buffer (for write/toString) and a plain Uint8Array over
// the same memory for the loops (V8 runs them markedly faster over a plain Uint8Array).
interface Scratch {
  readonly buffer: Buffer;
  readonly bytes: Uint8Array;
}

function scratch(size: number): Scratch {
  const buffer = Buffer.allocUnsafeSlow(size);
  return { buffer, bytes: new Uint8Array(buffer.buffer, buffer.byteOffset, size) };
}

// Grown up to 64 KiB and kept; larger texts get memory of their own, which is not kept.
const KEPT_SCRATCH = 1 << 16;
let input = scratch(4096);
let output = scratch(4096);

function inputOf(size: number): Scratch {
  if (input.bytes.length >= size) return input;
  const s = scratch(size);
  if (size <= KEPT_SCRATCH) input = s;
  return s;
}

function outputOf(size: number): Scratch {
  if (output.bytes.length >= size) return output;
  const s = scratch(size);
  if (size <= KEPT_SCRATCH) output = s;
  return s;
}

/** Input scratch holding the UTF-8 bytes of well-formed text (at most 3 per UTF-16 unit). */
function utf8Of(s: string): { bytes: Uint8Array; n: number } {
  const into = inputOf(s.length * 3);
  return { bytes: into.bytes, n: into.buffer.write(s, 0, 'utf8') };
}

/** Percent-encode `n` bytes, one table lookup each, into the output scratch. */
function encodeBytes(bytes: Uint8Array, n: number, t: Table): string {
  const o = outputOf(n * 3);
  const out = o.bytes;
  const code = t.code;
  let j = 0;
  for (let i = 0; i < n; i++) {
    const p = code[bytes[i] as number] as number;
    // The low byte is the byte itself, `+` or `%` (a Uint8Array store keeps the low 8 bits).
    out[j] = p;
    if (p > 0xff) {
      out[j + 1] = p >> 8;
      out[j + 2] = p >> 16;
      j += 3;
    } else j++;
  }
  return o.buffer.toString('latin1', 0, j);
}

/**
 * Percent-encode text with table `t`. Short text is built from slices, so safe text costs one
 * scan and no copy; non-ASCII runs go through `encodeURIComponent` (UTF-8, uppercase hex, and
 * none of its kept characters is non-ASCII). Long text goes through its UTF-8 bytes.
 */
function encode(s: string, t: Table): string {
  if (s.length > 256) {
    if (!isWellFormed(s)) throw new NotUtf8('text contains a lone surrogate and has no UTF-8 form');
    const utf8 = utf8Of(s);
    return encodeBytes(utf8.bytes, utf8.n, t);
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
  return encodeBytes(b, b.length, QUOTE_PLUS);
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

/** {@link decodeComponent} of text known to be well-formed (a part of a well-formed query). */
export function decodeWellFormed(s: string): string {
  let at = s.indexOf('%');
  // `+` → space first: that moves no `%` and makes no escape valid or invalid.
  const text = s.indexOf('+') === -1 ? s : s.replaceAll('+', ' ');
  if (at === -1) return text;
  // Escapes of ASCII characters, one character each, are decoded here; bad escapes stay as
  // they are (as decodeBytes keeps them). A UTF-8 byte needs the full decoder.
  let out = '';
  let last = 0;
  while (at !== -1) {
    const h = hexValue(text.charCodeAt(at + 1));
    const l = hexValue(text.charCodeAt(at + 2));
    if (h < 0 || l < 0) at = text.indexOf('%', at + 1);
    else if (h >= 8) {
      try {
        return decodeURIComponent(text);
      } catch {
        return decodeBytes(s);
      }
    } else {
      out += text.slice(last, at) + String.fromCharCode((h << 4) | l);
      last = at + 3;
      at = text.indexOf('%', last);
    }
  }
  return out + text.slice(last);
}

/** Value of a hex digit (either case), else -1 (also for NaN, past the end of a text). */
function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const lower = c | 0x20;
  return lower >= 0x61 && lower <= 0x66 ? lower - 0x57 : -1;
}

// What `quote_plus` writes, byte by byte: 1 = kept, 2 = `+` (a space), 3 = `%` (an escape).
const PLUS_CLASS = new Uint8Array(256);
// The two hex digits after a `%`, as `digit1 << 8 | digit2` → 1 + the byte, for each ASCII
// byte `quote_plus` escapes (neither kept nor a space), in its uppercase hex; else 0.
const PLUS_ESCAPE = new Uint8Array(0x10000);
for (let b = 0; b < 0x80; b++) {
  if (QUOTE_PLUS.keep[b] === 1) PLUS_CLASS[b] = 1;
  else if (b !== 0x20) PLUS_ESCAPE[(HEX.charCodeAt(b >> 4) << 8) | HEX.charCodeAt(b & 15)] = b + 1;
}
PLUS_CLASS[0x2b] = 2;
PLUS_CLASS[0x25] = 3;

/** A query part in `quote_plus`'s canonical form, decoded, and as `quote()` writes that. */
export interface CanonicalPlus {
  readonly decoded: string;
  readonly quoted: string;
}

/**
 * Read a query part (well-formed text) that is exactly what `quote_plus` writes for some ASCII
 * text: kept characters, `+`, and `%XX` (uppercase) only for characters it escapes. Such a
 * part's `quote()` form is itself with `+` → `%20` and `%2F` → `/`, so a received parameter
 * need not be encoded again to be signed. `undefined` for any other text.
 */
export function canonicalPlus(s: string): CanonicalPlus | undefined {
  const n = s.length;
  let decoded: string;
  let plus = false;
  let slash = false;
  if (n <= 64) {
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c > 0x7f) return undefined;
      const k = PLUS_CLASS[c] as number;
      if (k === 3) {
        const h = s.charCodeAt(i + 1);
        const l = s.charCodeAt(i + 2);
        // Past the end both are NaN, and NaN | x is x.
        if (!((h | l) <= 0x7f) || PLUS_ESCAPE[(h << 8) | l] === 0) return undefined;
        if (h === 0x32 && l === 0x46) slash = true;
        i += 2;
      } else if (k === 2) plus = true;
      else if (k === 0) return undefined;
    }
    decoded = decodeWellFormed(s);
  } else {
    // Long text: one pass over its bytes, checking and decoding. More bytes than characters
    // means it is not ASCII.
    const utf8 = utf8Of(s);
    if (utf8.n !== n) return undefined;
    const o = outputOf(n);
    const src = utf8.bytes;
    const out = o.bytes;
    let j = 0;
    for (let i = 0; i < n; i++) {
      const b = src[i] as number;
      const k = PLUS_CLASS[b] as number;
      if (k === 1) out[j++] = b;
      else if (k === 3 && i + 2 < n) {
        const d = PLUS_ESCAPE[((src[i + 1] as number) << 8) | (src[i + 2] as number)] as number;
        if (d === 0) return undefined;
        if (d === 0x30) slash = true;
        out[j++] = d - 1;
        i += 2;
      } else if (k === 2) {
        plus = true;
        out[j++] = 0x20;
      } else return undefined;
    }
    decoded = o.buffer.toString('latin1', 0, j);
  }
  let quoted = s;
  if (plus) quoted = quoted.replaceAll('+', '%20');
  if (slash) quoted = quoted.replaceAll('%2F', '/');
  return { decoded, quoted };
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
      // `=` is looked for in the pair only: a search to the end of the query for each pair
      // would be quadratic in a query of many pairs without one.
      const pair = query.slice(start, end);
      const eq = pair.indexOf('=');
      if (eq === -1) map.set(decodeComponent(pair), '');
      else map.set(decodeComponent(pair.slice(0, eq)), decodeComponent(pair.slice(eq + 1)));
    }
    start = end + 1;
  }
  return map;
}

/** A query's parameters: distinct names in order of first appearance, each with its last value. */
export interface QueryParams {
  readonly names: string[];
  readonly values: string[];
}

/**
 * {@link parseQuery} of a well-formed query, with the values left as they are in the query
 * (decode them with {@link decodeWellFormed}): the same names, order and last-wins values, in
 * two arrays (a request has a handful of parameters; past 16, a Map finds repeated names).
 */
export function readQuery(query: string): QueryParams {
  const names: string[] = [];
  const values: string[] = [];
  let index: Map<string, number> | undefined;
  const n = query.length;
  let start = 0;
  while (start < n) {
    let end = query.indexOf('&', start);
    if (end === -1) end = n;
    if (end > start) {
      const pair = query.slice(start, end);
      const eq = pair.indexOf('=');
      const name = decodeWellFormed(eq === -1 ? pair : pair.slice(0, eq));
      const value = eq === -1 ? '' : pair.slice(eq + 1);
      const at = index === undefined ? names.indexOf(name) : (index.get(name) ?? -1);
      if (at !== -1) values[at] = value;
      else {
        index?.set(name, names.length);
        names.push(name);
        values.push(value);
        if (index === undefined && names.length > 16) {
          index = new Map();
          for (let i = 0; i < names.length; i++) index.set(names[i] as string, i);
        }
      }
    }
    start = end + 1;
  }
  return { names, values };
}
