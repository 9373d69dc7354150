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
import { JsonSyntaxError, parseJson, pyDumps } from '../core/json.ts';

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

// 2^53 has 16 digits: a text without a run of 16 digits cannot hold an unsafe integer.
const LONG_DIGITS = /\d{16}/;

/** Parse JSON text as Python's `json.loads` reads it (see the module notes); throws JsonSyntaxError. */
export function pythonJsonLoads(text: string): unknown {
  if (!LONG_DIGITS.test(text)) return parseJson(text);
  return new ExactParser(text).document();
}

const MAX_DEPTH = 1000;
const PROTO = '__proto__';
const NUMBER = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;

/** Recursive-descent JSON reader that keeps unsafe integers exact (as bigint). */
class ExactParser {
  private pos = 0;
  constructor(private readonly text: string) {}

  document(): unknown {
    const value = this.value(0);
    this.ws();
    if (this.pos !== this.text.length) this.fail();
    return value;
  }

  private fail(): never {
    throw new JsonSyntaxError(`invalid JSON at offset ${this.pos}`);
  }

  private ws(): void {
    const t = this.text;
    while (this.pos < t.length) {
      const c = t.charCodeAt(this.pos);
      if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) break;
      this.pos++;
    }
  }

  private literal(word: string): boolean {
    if (!this.text.startsWith(word, this.pos)) return false;
    this.pos += word.length;
    return true;
  }

  private value(depth: number): unknown {
    if (depth > MAX_DEPTH) this.fail();
    this.ws();
    const c = this.text[this.pos];
    if (c === '{') return this.object(depth);
    if (c === '[') return this.array(depth);
    if (c === '"') return this.string();
    if (this.literal('true')) return true;
    if (this.literal('false')) return false;
    if (this.literal('null')) return null;
    if (this.literal('NaN')) return Number.NaN;
    if (this.literal('Infinity')) return Number.POSITIVE_INFINITY;
    if (this.literal('-Infinity')) return Number.NEGATIVE_INFINITY;
    return this.number();
  }

  private object(depth: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    this.pos++;
    this.ws();
    if (this.text[this.pos] === '}') {
      this.pos++;
      return out;
    }
    for (;;) {
      this.ws();
      if (this.text[this.pos] !== '"') this.fail();
      const key = this.string();
      this.ws();
      if (this.text[this.pos] !== ':') this.fail();
      this.pos++;
      const v = this.value(depth + 1);
      if (key !== PROTO) out[key] = v;
      this.ws();
      const c = this.text[this.pos++];
      if (c === '}') return out;
      if (c !== ',') this.fail();
    }
  }

  private array(depth: number): unknown[] {
    const out: unknown[] = [];
    this.pos++;
    this.ws();
    if (this.text[this.pos] === ']') {
      this.pos++;
      return out;
    }
    for (;;) {
      out.push(this.value(depth + 1));
      this.ws();
      const c = this.text[this.pos++];
      if (c === ']') return out;
      if (c !== ',') this.fail();
    }
  }

  private string(): string {
    // Find the closing quote, then let JSON.parse handle the escapes (and reject control chars).
    const start = this.pos;
    const t = this.text;
    this.pos++;
    while (this.pos < t.length) {
      const c = t.charCodeAt(this.pos);
      if (c === 0x22) {
        this.pos++;
        try {
          return JSON.parse(t.slice(start, this.pos)) as string;
        } catch {
          this.fail();
        }
      }
      this.pos += c === 0x5c ? 2 : 1;
    }
    return this.fail();
  }

  private number(): number | bigint {
    NUMBER.lastIndex = this.pos;
    const m = NUMBER.exec(this.text);
    if (m === null) this.fail();
    this.pos += m[0].length;
    const n = Number(m[0]);
    // Python reads a literal without fraction or exponent as an exact int.
    if (m[1] === undefined && m[2] === undefined && !Number.isSafeInteger(n)) return BigInt(m[0]);
    return n;
  }
}
