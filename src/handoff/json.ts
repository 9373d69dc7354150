/**
 * JSON the way Ax_Handoff writes and reads it: `json.dumps(obj)` and `json.loads(bytes)` (spec §2
 * "Payload").
 *
 * Writing is core `pyDumps`, with a fast path: for the common payload (ASCII, no exponents, no
 * long digit runs, no `null`, no `{}`), `JSON.stringify` already writes Python's text except for
 * the spaces after `,` and `:`, and inserting those is several times cheaper than the exact writer.
 *
 * Reading:
 *
 * - The text encoding is detected as CPython's `json.detect_encoding` does (UTF-8 with or without
 *   BOM, UTF-16 and UTF-32 by BOM or by the zero-byte pattern of the first bytes), then decoded
 *   with `surrogatepass` semantics for UTF-16/32. Ax_Handoff itself always writes ASCII, so this
 *   only matters for tokens other code put together; it is cheap and keeps "reads what the original
 *   reads" literally true.
 * - `NaN`, `Infinity` and `-Infinity` (which Python's `json.dumps` writes) decode to the JS numbers.
 * - An integer literal outside ±(2^53 − 1) (a Python int) decodes to a `bigint` instead of a
 *   silently rounded number, and `pyDumps` writes a `bigint` back as the same digits. This is the
 *   mirror of `pyDumps`, which writes safe integers as Python ints and every other number as a
 *   Python float: Python int ↔ safe-integer number or bigint, Python float ↔ number. Literals with
 *   a fraction or exponent are floats in Python too, so they stay numbers.
 * - `__proto__` keys are dropped, as core `parseJson` drops them.
 */
import { Buffer, isUtf8 } from 'node:buffer';
import { parseJson, pyDumps } from '../core/json.ts';

/** Decode the payload bytes to text as `json.loads(bytes)` would; `undefined` if they do not decode. */
export function pythonJsonText(b: Buffer): string | undefined {
  const n = b.length;
  const b0 = b[0] ?? 1;
  const b1 = b[1] ?? 1;
  // json.detect_encoding, in its order: BOMs first (UTF-32 before UTF-16, whose BOM is a prefix).
  if (
    n >= 4 &&
    ((b0 === 0 && b1 === 0 && b[2] === 0xfe && b[3] === 0xff) ||
      (b0 === 0xff && b1 === 0xfe && b[2] === 0 && b[3] === 0))
  ) {
    return utf32(b.subarray(4), b0 === 0);
  }
  if (n >= 2 && ((b0 === 0xfe && b1 === 0xff) || (b0 === 0xff && b1 === 0xfe))) {
    return utf16(b.subarray(2), b0 === 0xfe);
  }
  if (n >= 3 && b0 === 0xef && b1 === 0xbb && b[2] === 0xbf) return utf8(b.subarray(3));
  if (n >= 4) {
    if (b0 === 0) return b1 !== 0 ? utf16(b, true) : utf32(b, true);
    if (b1 === 0) return b[2] !== 0 || b[3] !== 0 ? utf16(b, false) : utf32(b, false);
  } else if (n === 2) {
    if (b0 === 0) return utf16(b, true);
    if (b1 === 0) return utf16(b, false);
  }
  return utf8(b);
}

function utf8(b: Buffer): string | undefined {
  return isUtf8(b) ? b.toString('utf8') : undefined;
}

function utf16(b: Buffer, bigEndian: boolean): string | undefined {
  if (b.length % 2 !== 0) return undefined; // Python: "truncated data"
  // 'utf16le' keeps lone surrogates as they are, which is what surrogatepass does.
  if (!bigEndian) return b.toString('utf16le');
  return Buffer.from(b).swap16().toString('utf16le');
}

function utf32(b: Buffer, bigEndian: boolean): string | undefined {
  if (b.length % 4 !== 0) return undefined;
  let out = '';
  for (let i = 0; i < b.length; i += 4) {
    const cp = bigEndian ? b.readUInt32BE(i) : b.readUInt32LE(i);
    if (cp > 0x10ffff) return undefined; // Python: "code point not in range(0x110000)"
    out += cp > 0xffff ? String.fromCodePoint(cp) : String.fromCharCode(cp);
  }
  return out;
}

// Where JSON.stringify and Python's json.dumps can differ, take the exact writer:
// - anything outside printable ASCII (Python escapes it as \uXXXX; DEL included);
// - exponents (`1e-7` vs `1e-07`), decimals below 1e-4 (Python switches to exponents there) and
//   16+ digit runs (numbers beyond 2^53 are floats to pyDumps: `1e+16`);
// - `null` (JSON.stringify's NaN/Infinity) and `{}` (how JSON.stringify writes a Map).
const STRINGIFY_DIFFERS = /[^\x20-\x7e]|\d[eE]|0\.0000|\d{16}|null|\{\}/;

/** Python's `json.dumps(value)` text (see the module notes). TypeError for what JSON cannot hold. */
export function pythonJsonDumps(value: unknown): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch {
    // bigint or a cycle: the exact writer writes the first and names the second.
  }
  if (text === undefined || STRINGIFY_DIFFERS.test(text)) return pyDumps(value);
  return pythonSeparators(text);
}

/** Insert the space Python writes after every `,` and `:` outside strings (ASCII JSON text). */
function pythonSeparators(text: string): string {
  let out = '';
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // Skip the string: find the closing quote that is not escaped.
      for (i++; i < text.length; i++) {
        const d = text.charCodeAt(i);
        if (d === 0x5c) i++;
        else if (d === 0x22) break;
      }
    } else if (c === 0x2c || c === 0x3a) {
      out += `${text.slice(from, i + 1)} `;
      from = i + 1;
    }
  }
  return out + text.slice(from);
}

/** Parse JSON text as Python's `json.loads` reads it (see the module notes); throws JsonSyntaxError. */
export function pythonJsonLoads(text: string): unknown {
  return parseJson(text, { exactIntegers: true });
}
