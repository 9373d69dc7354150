/**
 * JSON for untrusted payloads and for Python peers.
 *
 * Reading: `JSON.parse`, then — only if the text mentions them — `__proto__` keys are dropped,
 * so a parsed payload merged into another object can never change its prototype (the
 * pollution Bourne guards @hapi/iron against). Python's `json.loads` also accepts `NaN`,
 * `Infinity` and `-Infinity`; a small fallback parser accepts them too, so tokens a Python peer
 * writes load here.
 *
 * Writing: {@link pyDumps} writes what Python's `json.dumps` writes for the same value
 * (separators, `ensure_ascii` escapes, float repr, `sort_keys`), for formats whose originals
 * sign its output. Safe integers are written as Python ints; other numbers as Python floats
 * (`1e-05`, `2.5`, `1e+16`); `bigint` as an int of any size; a `Map` keeps its insertion order (JS objects put
 * integer-like keys first, Python does not).
 */

/** Raised by the parsers here; format modules turn it into their own `BadPayload`. */
export class JsonSyntaxError extends Error {}

const PROTO = '__proto__';

function dropProto(this: unknown, key: string, value: unknown): unknown {
  return key === PROTO ? undefined : value;
}

/** Options of {@link parseJson}. */
export interface ParseJsonOptions {
  /**
   * Read integer literals beyond ±(2^53 − 1) as `bigint`, as Python reads them (exact ints),
   * instead of rounding them to the nearest double.
   */
  exactIntegers?: boolean;
}

// 2^53 has 16 digits: a text without a run of 16 digits cannot hold an unsafe integer.
const LONG_DIGITS = /\d{16}/;

/** Parse untrusted JSON text (Python's dialect: NaN/Infinity accepted); throws JsonSyntaxError. */
export function parseJson(text: string, options?: ParseJsonOptions): unknown {
  if (options?.exactIntegers && LONG_DIGITS.test(text))
    return new PythonJsonParser(text, true).parseDocument();
  const reviver = text.includes(PROTO) ? dropProto : undefined;
  try {
    return JSON.parse(text, reviver);
  } catch {
    // Only the non-standard literals of Python's json module get a second chance.
    if (!/NaN|Infinity/.test(text)) throw new JsonSyntaxError('invalid JSON');
  }
  return new PythonJsonParser(text, false).parseDocument();
}

const MAX_DEPTH = 1000;

/** Recursive-descent parser for JSON plus Python's NaN / Infinity / -Infinity. */
class PythonJsonParser {
  private pos = 0;
  constructor(
    private readonly text: string,
    /** Unsafe integer literals become bigint (see {@link ParseJsonOptions.exactIntegers}). */
    private readonly exactIntegers: boolean,
  ) {}

  parseDocument(): unknown {
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
    if (this.text.startsWith(word, this.pos)) {
      this.pos += word.length;
      return true;
    }
    return false;
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
    // Delegate the escapes to JSON.parse once the extent of the string is known.
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
    const m = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;
    m.lastIndex = this.pos;
    const found = m.exec(this.text);
    if (!found || found[0].length === 0) this.fail();
    this.pos += found[0].length;
    const n = Number(found[0]);
    // Python reads a literal without fraction or exponent as an exact int.
    if (
      this.exactIntegers &&
      found[1] === undefined &&
      found[2] === undefined &&
      !Number.isSafeInteger(n)
    ) {
      return BigInt(found[0]);
    }
    return n;
  }
}

/** How {@link pyDumps} writes, named as Python's `json.dumps` keyword arguments. */
export interface PyDumpsOptions {
  /** `(item_separator, key_separator)`; Python's default is `[', ', ': ']`. */
  separators?: readonly [string, string];
  /** Escape every non-ASCII character as `\uXXXX` (Python's default: true). */
  ensureAscii?: boolean;
  /** Sort object keys (by code point, as Python compares str). */
  sortKeys?: boolean;
  /** Write NaN/Infinity literals (Python's default: true); false throws RangeError instead. */
  allowNan?: boolean;
  /**
   * Write integral numbers up to 1e21 as digits, as JSON.stringify does (default false: only safe
   * integers are Python ints, larger doubles are floats such as `1e+16`).
   */
  jsIntegers?: boolean;
}

/** Python `repr(float)` of a finite JS number. */
export function pyFloatRepr(x: number): string {
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  // toExponential() with no argument gives the shortest round-trip digits, as repr does.
  const [mant = '', expText = '0'] = x.toExponential().split('e');
  const negative = mant.startsWith('-');
  const digits = mant.replace('-', '').replace('.', '');
  const exp = Number(expText);
  let out: string;
  if (exp < -4 || exp >= 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const e = Math.abs(exp);
    out = `${m}e${exp < 0 ? '-' : '+'}${e < 10 ? `0${e}` : e}`;
  } else if (exp < 0) {
    out = `0.${'0'.repeat(-exp - 1)}${digits}`;
  } else if (digits.length > exp + 1) {
    out = `${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
  } else {
    out = `${digits}${'0'.repeat(exp + 1 - digits.length)}.0`;
  }
  return negative ? `-${out}` : out;
}

function pyNumber(x: number, allowNan: boolean, jsIntegers: boolean): string {
  if (!Number.isFinite(x)) {
    if (!allowNan) throw new RangeError('Out of range float values are not JSON compliant');
    return Number.isNaN(x) ? 'NaN' : x > 0 ? 'Infinity' : '-Infinity';
  }
  // Integers JS holds exactly are Python ints; a larger double can only be a float (bigint is
  // the way to write a big int). With `jsIntegers`, integral numbers below 1e21 are written as
  // digits, as JSON.stringify writes them.
  if (Number.isSafeInteger(x) || (jsIntegers && Number.isInteger(x) && Math.abs(x) < 1e21)) {
    return Object.is(x, -0) ? '0' : BigInt(x).toString();
  }
  return pyFloatRepr(x);
}

const ESCAPES: Record<string, string> = {
  '"': '\\"',
  '\\': '\\\\',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\b': '\\b',
  '\f': '\\f',
};

function hex4(code: number): string {
  return `\\u${code.toString(16).padStart(4, '0')}`;
}

/** Python's `json.dumps` string encoding (`ensure_ascii` escapes UTF-16 units above 0x7E). */
export function pyString(s: string, ensureAscii: boolean): string {
  const needs = ensureAscii ? /["\\\x00-\x1f\x7f-\uffff]/ : /["\\\x00-\x1f]/;
  if (!needs.test(s)) return `"${s}"`;
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i] as string;
    const code = s.charCodeAt(i);
    const esc = ESCAPES[ch];
    if (esc !== undefined) out += esc;
    else if (code < 0x20 || (ensureAscii && code > 0x7e)) out += hex4(code);
    else out += ch;
  }
  return `${out}"`;
}

function codePointCompare(a: string, b: string): number {
  // Python orders str by code point; JS's < compares UTF-16 units, which differs above U+FFFF.
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const x = ia.next();
    const y = ib.next();
    if (x.done || y.done) return x.done ? (y.done ? 0 : -1) : 1;
    const d = (x.value.codePointAt(0) ?? 0) - (y.value.codePointAt(0) ?? 0);
    if (d !== 0) return d;
  }
}

/**
 * Serialise `value` exactly as Python's `json.dumps(value, **options)` would serialise the
 * equivalent Python value.
 *
 * @example
 * ```ts
 * pyDumps({ a: 'é', b: [1, 2.5] }); // '{"a": "\\u00e9", "b": [1, 2.5]}'
 * ```
 */
export function pyDumps(value: unknown, options: PyDumpsOptions = {}): string {
  const [itemSep, keySep] = options.separators ?? [', ', ': '];
  const ensureAscii = options.ensureAscii ?? true;
  const sortKeys = options.sortKeys ?? false;
  const allowNan = options.allowNan ?? true;
  const jsIntegers = options.jsIntegers ?? false;
  const seen = new Set<object>();

  const write = (v: unknown): string | undefined => {
    if (
      v !== null &&
      typeof v === 'object' &&
      typeof (v as { toJSON?: unknown }).toJSON === 'function'
    ) {
      v = (v as { toJSON: () => unknown }).toJSON();
    }
    switch (typeof v) {
      case 'string':
        return pyString(v, ensureAscii);
      case 'number':
        return pyNumber(v, allowNan, jsIntegers);
      case 'bigint':
        return v.toString();
      case 'boolean':
        return v ? 'true' : 'false';
      case 'undefined':
      case 'function':
      case 'symbol':
        return undefined;
    }
    if (v === null) return 'null';
    const obj = v as object;
    if (seen.has(obj)) throw new TypeError('Circular reference detected');
    seen.add(obj);
    let out: string;
    if (Array.isArray(obj)) {
      out = `[${obj.map((item) => write(item) ?? 'null').join(itemSep)}]`;
    } else {
      let entries: [string, unknown][] =
        obj instanceof Map ? [...obj].map(([k, val]) => [String(k), val]) : Object.entries(obj);
      if (sortKeys) entries = entries.sort((a, b) => codePointCompare(a[0], b[0]));
      const parts: string[] = [];
      for (const [k, val] of entries) {
        const text = write(val);
        if (text !== undefined) parts.push(`${pyString(k, ensureAscii)}${keySep}${text}`);
      }
      out = `{${parts.join(itemSep)}}`;
    }
    seen.delete(obj);
    return out;
  };

  const text = write(value);
  if (text === undefined)
    throw new TypeError(`Object of type ${typeof value} is not JSON serializable`);
  return text;
}

/**
 * Whether JSON.stringify's text may differ from Python's compact output. It differs only for
 * numbers in exponent form (`1e+21`, `1e-7`), for floats below 1e-4 that JS writes in full
 * (`0.00001`, Python `1e-05`), and for NaN/Infinity, which JS turns into `null` and Python writes
 * as literals. Four substring searches find every such case (and some harmless false alarms,
 * such as the same text inside a string) at a fraction of a regular expression's cost.
 */
function mayDiffer(text: string): boolean {
  return (
    text.includes('e+') || text.includes('e-') || text.includes('0.0000') || text.includes('null')
  );
}

/**
 * Python's compact JSON (`separators=(",", ":")`, `ensure_ascii=False`), as itsdangerous' URL-safe
 * serializers write it. `JSON.stringify` already writes exactly that except for numbers in
 * exponent form and bigint, so it is the fast path and {@link pyDumps} the exact one.
 */
export function compactJson(value: unknown): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch {
    // bigint or a cycle: the exact writer handles the first and names the second.
  }
  if (text !== undefined && !mayDiffer(text)) return text;
  return pyDumps(value, { separators: [',', ':'], ensureAscii: false, jsIntegers: true });
}
