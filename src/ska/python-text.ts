/**
 * The pieces of Python's text model that ska's wire format depends on: `str()`/`repr()` of the
 * values a caller signs (ska.md §2 "valid_until text", "default value_dumper"), `float()` and
 * `int()` as they read text (§4 step 6, §6 `type=float`), and str ordering by code point
 * (§8.4). Private to the ska module.
 *
 * JS values stand for Python values as everywhere in Tessera: a string is `str`, an integral
 * number is `int` and any other number a `float`, `bigint` is `int`, booleans are `True`/`False`,
 * `null` is `None`, a `Uint8Array` is `bytes`, arrays are lists and plain objects are dicts.
 * `undefined` is `None` inside a list and leaves a dict entry out, as `JSON.stringify` does.
 */
import { pyDumps, pyFloatRepr } from '../core/json.ts';

/** A JS value that has no Python counterpart here (function, symbol, Date, Map, class instance…). */
export class UnsupportedValue extends TypeError {}

/** Python `str(float)` (= `repr`): `1378045287.0`, `1e+16`, `inf`, `nan`. */
export function pyFloatStr(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (x === Number.POSITIVE_INFINITY) return 'inf';
  if (x === Number.NEGATIVE_INFINITY) return '-inf';
  return pyFloatRepr(x);
}

function pyNumberStr(x: number): string {
  // Integral JS numbers stand for Python ints (json.ts convention): 7 → "7", -0 → "0". JS
  // writes integers below 1e21 in plain digits, as Python does; above, BigInt has them all.
  if (Number.isInteger(x)) return Math.abs(x) < 1e21 ? String(x) : BigInt(x).toString();
  return pyFloatStr(x);
}

/** Whether `v` is a plain object (a dict), not a class instance, Map, Date, … */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object') return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

// Py_UNICODE_ISPRINTABLE is false for Cc, Cf, Cs, Co, Cn, Zl, Zp and Zs other than the space.
const NOT_PRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]/u;
const NEEDS_ESCAPE = /[\x00-\x1f\x7f-\uffff'"\\]/;

function hex(code: number, width: number): string {
  return code.toString(16).padStart(width, '0');
}

/** Python `repr(str)`: quote choice, backslash escapes, non-printables as \x/\u/\U (lowercase hex). */
export function pyReprStr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  if (!NEEDS_ESCAPE.test(s)) return `${quote}${s}${quote}`;
  let out = quote;
  for (const ch of s) {
    const cp = ch.codePointAt(0) as number;
    if (ch === quote || ch === '\\') out += `\\${ch}`;
    else if (ch === '\t') out += '\\t';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (cp < 0x20 || cp === 0x7f) out += `\\x${hex(cp, 2)}`;
    else if (cp < 0x7f || !NOT_PRINTABLE.test(ch)) out += ch;
    else if (cp <= 0xff) out += `\\x${hex(cp, 2)}`;
    else if (cp <= 0xffff) out += `\\u${hex(cp, 4)}`;
    else out += `\\U${hex(cp, 8)}`;
  }
  return out + quote;
}

/** Python `repr(bytes)`: `b'…'`, printable ASCII kept, the rest as `\xhh`. */
export function pyReprBytes(b: Uint8Array): string {
  let hasSingle = false;
  let hasDouble = false;
  for (const x of b) {
    if (x === 0x27) hasSingle = true;
    else if (x === 0x22) hasDouble = true;
  }
  const quote = hasSingle && !hasDouble ? 0x22 : 0x27;
  let out = `b${String.fromCharCode(quote)}`;
  for (const x of b) {
    if (x === quote || x === 0x5c) out += `\\${String.fromCharCode(x)}`;
    else if (x === 0x09) out += '\\t';
    else if (x === 0x0a) out += '\\n';
    else if (x === 0x0d) out += '\\r';
    else if (x < 0x20 || x >= 0x7f) out += `\\x${hex(x, 2)}`;
    else out += String.fromCharCode(x);
  }
  return out + String.fromCharCode(quote);
}

const isSurrogate = (u: number): boolean => u >= 0xd800 && u <= 0xdfff;
const isHigh = (u: number): boolean => u >= 0xd800 && u <= 0xdbff;
const isLow = (u: number): boolean => u >= 0xdc00 && u <= 0xdfff;

/**
 * Python str ordering (by code point). JS `<` compares UTF-16 units, which puts U+E000–U+FFFF
 * after astral characters; at the first differing unit, surrogates are compared as the code
 * points they belong to (a lone surrogate is its own code point, as in Python).
 */
export function codePointCompare(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) {
      if (!isSurrogate(x) && !isSurrogate(y)) return x - y;
      // The equal unit before may be the high half of a pair that ends here.
      const start = i > 0 && isHigh(a.charCodeAt(i - 1)) && (isLow(x) || isLow(y)) ? i - 1 : i;
      return (a.codePointAt(start) as number) - (b.codePointAt(start) as number);
    }
  }
  return a.length - b.length;
}

/** Own entries of a dict, in insertion order, without `undefined` values. */
function dictEntries(obj: Record<string, unknown>): [string, unknown][] {
  const out: [string, unknown][] = [];
  for (const k of Object.keys(obj)) {
    const v = obj[k];
    if (v !== undefined) out.push([k, v]);
  }
  return out;
}

/** Entries sorted by key, as ska's `dict_to_ordered_dict` sorts (`sorted(obj.items())`). */
export function sortedEntries(entries: [string, unknown][]): [string, unknown][] {
  return entries.sort((p, q) => codePointCompare(p[0], q[0]));
}

/**
 * Python `repr()` of a value. `sorted` writes dicts with sorted keys; `sortInLists` turns
 * `sorted` on for everything inside a list. ska's base sorts every dict (`dict_to_ordered_dict`
 * recurses); its URL shows the caller's dicts in insertion order, except that the same helper
 * has replaced the dicts *inside lists* with sorted copies in place (ska.md §6 "sorts the
 * caller's lists in place"), so those print sorted.
 */
export function pyRepr(v: unknown, sorted: boolean, sortInLists: boolean, depth = 0): string {
  if (depth > 256) throw new UnsupportedValue('extra value nested too deeply');
  switch (typeof v) {
    case 'string':
      return pyReprStr(v);
    case 'number':
      return pyNumberStr(v);
    case 'bigint':
      return v.toString();
    case 'boolean':
      return v ? 'True' : 'False';
    case 'undefined':
      return 'None';
  }
  if (v === null) return 'None';
  if (v instanceof Uint8Array) return pyReprBytes(v);
  if (Array.isArray(v)) {
    const inner = sorted || sortInLists;
    const parts: string[] = [];
    for (const item of v) parts.push(pyRepr(item, inner, sortInLists, depth + 1));
    return `[${parts.join(', ')}]`;
  }
  if (isPlainObject(v)) {
    let entries = dictEntries(v);
    if (sorted) entries = sortedEntries(entries);
    const parts: string[] = [];
    for (const [k, item] of entries) {
      parts.push(`${pyReprStr(k)}: ${pyRepr(item, sorted, sortInLists, depth + 1)}`);
    }
    return `{${parts.join(', ')}}`;
  }
  throw new UnsupportedValue(`cannot sign a ${describe(v)} as a Python value`);
}

function describe(v: unknown): string {
  if (typeof v !== 'object' || v === null) return typeof v;
  return (v as object).constructor?.name ?? 'object';
}

/** Python `str()` of a value: strings as they are, everything else as {@link pyRepr}. */
export function pyStr(v: unknown, sorted: boolean, sortInLists: boolean): string {
  return typeof v === 'string' ? v : pyRepr(v, sorted, sortInLists);
}

function assertJsonable(v: unknown, depth: number): void {
  if (depth > 256) throw new UnsupportedValue('extra value nested too deeply');
  if (v === null || typeof v !== 'object') {
    if (typeof v === 'function' || typeof v === 'symbol') {
      throw new UnsupportedValue(`cannot sign a ${typeof v}`);
    }
    return;
  }
  if (Array.isArray(v)) {
    for (const item of v) assertJsonable(item, depth + 1);
    return;
  }
  // json.dumps refuses bytes ("Object of type bytes is not JSON serializable"), and the other
  // objects have no Python counterpart.
  if (!isPlainObject(v)) throw new UnsupportedValue(`cannot sign a ${describe(v)} as JSON`);
  for (const k of Object.keys(v)) assertJsonable(v[k], depth + 1);
}

/**
 * ska's `javascript_value_dumper` followed by the f-string: int, float and str (bool is an int
 * in Python) as `str()`; anything else as `json.dumps(v, separators=(",", ":"))` with
 * `ensure_ascii`, after `dict_to_ordered_dict` sorted every dict.
 */
export function jsDump(v: unknown): string {
  switch (typeof v) {
    case 'string':
      return v;
    case 'number':
      return pyNumberStr(v);
    case 'bigint':
      return v.toString();
    case 'boolean':
      return v ? 'True' : 'False';
  }
  assertJsonable(v, 0);
  return pyDumps(v ?? null, { separators: [',', ':'], ensureAscii: true, sortKeys: true });
}

// ---------------------------------------------------------------------------------------------
// float() and int() of text.

// Non-ASCII characters Python's str.isspace() accepts; _PyUnicode_TransformDecimalAndSpaceToASCII
// turns them into ' ' before parsing. ASCII characters are kept as they are, so \x1c–\x1f are
// not stripped (float('1\x1c') fails).
const UNICODE_SPACE = /[\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/;
const DIGIT_ND = /\p{Nd}/u;

/** Value of a Unicode decimal digit: Nd digits come in runs of ten, 0 to 9. */
function decimalValue(cp: number): number {
  let start = cp;
  while (start > 0 && DIGIT_ND.test(String.fromCodePoint(start - 1))) start--;
  return (cp - start) % 10;
}

/** Python's transform of non-ASCII spaces and digits; `undefined` for any other non-ASCII. */
function toAsciiNumberText(s: string): string | undefined {
  if (/^[\x00-\x7e]*$/.test(s)) return s;
  let out = '';
  for (const ch of s) {
    const cp = ch.codePointAt(0) as number;
    if (cp < 0x7f) out += ch;
    else if (UNICODE_SPACE.test(ch)) out += ' ';
    else if (DIGIT_ND.test(ch)) out += String(decimalValue(cp));
    else return undefined;
  }
  return out;
}

const ASCII_SPACE = /^[ \t\n\v\f\r]+|[ \t\n\v\f\r]+$/g;
const FLOAT_GRAMMAR = /^[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|inf|infinity|nan)$/i;
const INT_GRAMMAR = /^[+-]?\d+$/;
// What ska itself writes ("1600000900.0"): read without the general path.
const PLAIN_DECIMAL = /^\d{1,17}(?:\.\d{1,17})?$/;

/** `_` is allowed only between two digits (`_Py_string_to_number_with_underscores`). */
function dropUnderscores(s: string): string | undefined {
  if (!s.includes('_')) return s;
  if (!/^(?:[^_]|(?<=\d)_(?=\d))*$/.test(s)) return undefined;
  return s.replaceAll('_', '');
}

/**
 * Python `float(text)`: surrounding whitespace, `_` between digits, exponents, Unicode decimal
 * digits, `inf`/`infinity`/`nan` in any case; no hex. `undefined` where Python raises ValueError.
 */
export function pyFloat(text: string): number | undefined {
  if (PLAIN_DECIMAL.test(text)) return Number(text);
  const ascii = toAsciiNumberText(text);
  if (ascii === undefined) return undefined;
  const body = dropUnderscores(ascii.replace(ASCII_SPACE, ''));
  if (body === undefined || !FLOAT_GRAMMAR.test(body)) return undefined;
  const sign = body.startsWith('-') ? -1 : 1;
  const word = body.replace(/^[+-]/, '').toLowerCase();
  if (word === 'nan') return Number.NaN;
  if (word === 'inf' || word === 'infinity') return sign * Number.POSITIVE_INFINITY;
  // Both languages round decimal text to the nearest double; 1e400 is inf in both.
  return Number(body);
}

/** Python `int(text)` in base 10, as a bigint; `undefined` where Python raises ValueError. */
export function pyInt(text: string): bigint | undefined {
  const ascii = toAsciiNumberText(text);
  if (ascii === undefined) return undefined;
  const body = dropUnderscores(ascii.replace(ASCII_SPACE, ''));
  if (body === undefined || !INT_GRAMMAR.test(body)) return undefined;
  return BigInt(body);
}
