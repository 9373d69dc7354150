/**
 * How mod_auth_tkt reads a cookie: the lenient decoding of `cookie_match` and `parse_ticket`
 * (spec mod_auth_tkt.md §4, §5.2–5.3, §8), and the `TKTAuthTimeout` unit syntax. Kept local to
 * the format so that Apache's leniency never leaks into a strict one (specs/README.md §3).
 */
import { Buffer } from 'node:buffer';
import { TicketParseError } from '../core/errors.ts';

const BANG = 0x21;

/** A ticket split at its separators; the fields are byte ranges of `bytes` (UTF-8). */
export interface RawTicket {
  /** The decoded ticket, cut at the first NUL as C's `strlen` cuts it. */
  bytes: Buffer;
  /** Index of the first `!` (end of the uid). */
  sep1: number;
  /** Index of the second `!` (end of the tokens), or -1 when the ticket has no tokens field. */
  sep2: number;
  /** The issue time, from the 8 hex characters after the digest. */
  ts: number;
}

const NOT_BASE64 = /[^A-Za-z0-9+/]/;

const HEX = new Int8Array(256).fill(-1);
for (let i = 0; i < 16; i++) {
  HEX['0123456789abcdef'.charCodeAt(i)] = i;
  HEX['0123456789ABCDEF'.charCodeAt(i)] = i;
}

function parseError(message: string, bytes?: Uint8Array): TicketParseError {
  return new TicketParseError(message, { payload: bytes });
}

/**
 * Decode a cookie value (or a bare ticket) exactly where Apache accepts it and split it.
 * `digestLength` is the hex digest length (32, 64, 128). Throws {@link TicketParseError}.
 */
export function parseApacheTicket(value: string, digestLength: number): RawTicket {
  const min = digestLength + 8;
  // cookie_match: the value ends at the next ';'; a C string also ends at a NUL.
  let end = value.indexOf(';');
  if (end === -1) end = value.length;
  const nul = value.indexOf('\0');
  if (nul !== -1 && nul < end) end = nul;
  let text = end === value.length ? value : value.slice(0, end);
  // get_cookie_ticket / parse_ticket: the value, quotes included, must exceed digest + ts.
  if (text.length <= min && Buffer.byteLength(text) <= min) throw parseError('ticket too short');
  // parse_ticket: "tickets sometimes come in quoted" — a trailing, then a leading '"' goes.
  if (text.charCodeAt(text.length - 1) === 0x22) text = text.slice(0, -1);
  if (text.charCodeAt(0) === 0x22) text = text.slice(1);

  // Raw if it has a '!'; else URL-escaped if it has "%21"; else base64 (spec §4 order).
  let bytes: Buffer;
  if (text.includes('!')) bytes = Buffer.from(text, 'utf8');
  else if (text.includes('%21')) bytes = unescapeUrl(Buffer.from(text, 'utf8'));
  else bytes = aprBase64Decode(text);
  const zero = bytes.indexOf(0);
  if (zero !== -1) bytes = bytes.subarray(0, zero);

  // ticket = DIGEST_HEX TS_HEX8 UID '!' [ TOKENS '!' ] USER_DATA
  const sep1 = bytes.indexOf(BANG);
  if (sep1 === -1) throw parseError('ticket has no "!" separator', bytes);
  if (bytes.length <= min || sep1 < min) throw parseError('ticket too short', bytes);
  // sscanf("%8x"): Apache takes either case; a generator writes "%08x". Anything but 8 hex
  // digits is refused here (no generator writes it).
  let ts = 0;
  for (let i = digestLength; i < min; i++) {
    const v = HEX[bytes[i] as number] as number;
    if (v < 0) throw parseError('ticket timestamp is not 8 hex digits', bytes);
    ts = ts * 16 + v;
  }
  return { bytes, sep1, sep2: bytes.indexOf(BANG, sep1 + 1), ts };
}

/**
 * `apr_base64_decode`: standard alphabet only, decoding stops at the first other character
 * (so padding is optional and base64url's `-`/`_` end the data); a lone trailing character
 * is ignored.
 */
function aprBase64Decode(text: string): Buffer {
  // Fast path, the cookie every generator writes: canonical padded base64 decodes the same
  // under both decoders, and re-encoding proves it is canonical (cheaper than scanning it).
  const bytes = Buffer.from(text, 'base64');
  if (bytes.toString('base64') === text) return bytes;
  let n = text.search(NOT_BASE64);
  if (n === -1) n = text.length;
  if (n % 4 === 1) n--;
  return Buffer.from(n === text.length ? text : text.slice(0, n), 'base64');
}

/** `ap_unescape_url`: every `%XX` becomes its byte; a `%` without two hex digits stays. */
function unescapeUrl(bytes: Buffer): Buffer {
  const out = Buffer.allocUnsafe(bytes.length);
  let n = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i] as number;
    if (b === 0x25 && i + 2 < bytes.length) {
      const hi = HEX[bytes[i + 1] as number] as number;
      const lo = HEX[bytes[i + 2] as number] as number;
      if (hi >= 0 && lo >= 0) {
        out[n++] = (hi << 4) | lo;
        i += 2;
        continue;
      }
    }
    out[n++] = b;
  }
  return out.subarray(0, n);
}

const UNIT_SECONDS: Record<string, number> = {
  s: 1,
  m: 60,
  h: 3600,
  d: 86400,
  w: 604800,
  M: 2592000,
  y: 31536000,
};
const WORD = /^(\d+)([smhdwMy]?)$/;
const INT_MAX = 0x7fffffff;

/**
 * A `TKTAuthTimeout`-style duration in whole seconds: a number, or words such as `"2h"`,
 * `"30m"`, `"1d 12h"` (units `s m h d w M y`, `M` = 30 days, `y` = 365 days, summed as the
 * ITERATE directive sums them). `RangeError`/`TypeError` on anything else.
 */
export function apacheSeconds(value: unknown, option: string): number {
  let seconds: number;
  if (typeof value === 'number') {
    seconds = value;
  } else if (typeof value === 'string') {
    seconds = 0;
    for (const word of value.trim().split(/\s+/)) {
      const m = WORD.exec(word);
      if (m === null) {
        throw new RangeError(
          `${option} must be seconds or words like "2h", "30m", "1d 12h" (units s m h d w M y); got ${JSON.stringify(value)}`,
        );
      }
      seconds += Number(m[1]) * (UNIT_SECONDS[m[2] || 's'] as number);
    }
  } else {
    throw new TypeError(`${option} must be a number of seconds or a duration string`);
  }
  // mod_auth_tkt keeps the timeout in a C int.
  if (!Number.isInteger(seconds) || seconds < 0 || seconds > INT_MAX) {
    throw new RangeError(`${option} must be a whole number of seconds from 0 to ${INT_MAX}`);
  }
  return seconds;
}
