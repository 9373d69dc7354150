/**
 * Python's `urllib.parse.quote` (default `safe='/'`) and `unquote`, byte for byte, as
 * ticket_auth uses them for every ticket field (spec ticket_auth.md §3, §4).
 */
import { Buffer } from 'node:buffer';

/** Characters `quote` keeps: `A–Z a–z 0–9 _ . - ~` plus the default safe `/`. */
const ALL_SAFE = /^[A-Za-z0-9_.~/-]*$/;
const SAFE_BYTE = new Uint8Array(128);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-~/') {
  SAFE_BYTE[c.charCodeAt(0)] = 1;
}
const PERCENT = Array.from(
  { length: 256 },
  (_, b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`,
);

const EXTRA = /[!'()*]/g;
const EXTRA_ESCAPE: Record<string, string> = {
  '!': '%21',
  "'": '%27',
  '(': '%28',
  ')': '%29',
  '*': '%2A',
};

/** `urllib.parse.quote(text)`: UTF-8, every byte outside the safe set as `%XX` (uppercase hex). */
export function pyQuote(text: string): string {
  if (ALL_SAFE.test(text)) return text;
  try {
    // encodeURIComponent keeps A–Z a–z 0–9 - _ . ! ~ * ' ( ): escape five of those, keep '/'.
    return encodeURIComponent(text)
      .replace(EXTRA, (c) => EXTRA_ESCAPE[c] as string)
      .replaceAll('%2F', '/');
  } catch {
    // A lone surrogate (URIError): quote its UTF-8 replacement, byte by byte.
    let out = '';
    for (const b of Buffer.from(text, 'utf8')) {
      out += b < 128 && SAFE_BYTE[b] === 1 ? String.fromCharCode(b) : (PERCENT[b] as string);
    }
    return out;
  }
}

const HEX_VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < 16; i++) {
  HEX_VALUE['0123456789abcdef'.charCodeAt(i)] = i;
  HEX_VALUE['0123456789ABCDEF'.charCodeAt(i)] = i;
}

function hexValue(code: number): number {
  return code < 128 ? (HEX_VALUE[code] as number) : -1;
}

/**
 * `urllib.parse.unquote(text)` (UTF-8, `errors='replace'`). Python unquotes only the runs of
 * ASCII characters, each run on its own, and copies other characters through; a `%` not
 * followed by two hex digits stays as it is. Node's UTF-8 decoder replaces ill-formed
 * sequences exactly as Python's `'replace'` handler does (checked against CPython 3.11).
 */
export function pyUnquote(text: string): string {
  if (!text.includes('%')) return text;
  // Where decodeURIComponent succeeds (well-formed escapes of valid UTF-8), it gives what Python
  // gives: each UTF-8 sequence it decodes is a run of contiguous %XX, inside one ASCII run.
  try {
    return decodeURIComponent(text);
  } catch {
    // Malformed: Python's rules, below.
  }
  let out = '';
  let i = 0;
  while (i < text.length) {
    const ascii = text.charCodeAt(i) < 0x80;
    let j = i + 1;
    while (j < text.length && text.charCodeAt(j) < 0x80 === ascii) j++;
    out += ascii ? unquoteAscii(text.slice(i, j)) : text.slice(i, j);
    i = j;
  }
  return out;
}

function unquoteAscii(run: string): string {
  if (!run.includes('%')) return run;
  const bytes = Buffer.allocUnsafe(run.length);
  let n = 0;
  for (let k = 0; k < run.length; k++) {
    const c = run.charCodeAt(k);
    // charCodeAt past the end is NaN, which hexValue maps to -1.
    if (c === 0x25) {
      const hi = hexValue(run.charCodeAt(k + 1));
      const lo = hexValue(run.charCodeAt(k + 2));
      if (hi >= 0 && lo >= 0) {
        bytes[n++] = (hi << 4) | lo;
        k += 2;
        continue;
      }
    }
    bytes[n++] = c;
  }
  return bytes.toString('utf8', 0, n);
}
