/**
 * A bounded zlib (RFC 1950) / DEFLATE (RFC 1951) decoder for untrusted token payloads.
 *
 * Why not `node:zlib`? `inflateSync` pays ~5–10 µs of native stream setup per call, which
 * dominates the cost of decoding a ~100-byte token. This decoder is synchronous, table-driven
 * (two-level lookup tables, the fixed ones built once, dynamic ones built into reused arrays) and
 * allocates nothing per call but its result, so a small stream costs a fraction of that.
 *
 * What it accepts is meant to be exactly what CPython's `zlib.decompress(data)` (zlib's `inflate`
 * with a 32 KiB window) accepts, because the token formats Tessera speaks were produced and checked
 * by it:
 *
 * - the RFC 1950 header must name method 8 with a window of at most 32 KiB, pass the FCHECK test
 *   and not ask for a preset dictionary;
 * - Huffman code sets must be neither over-subscribed nor incomplete, with zlib's one exception:
 *   a literal/length or distance set may consist of a single code of length 1 (and a distance set
 *   may be empty); decoding the unused bit pattern is then an error;
 * - a distance may reach back to the first byte of output, whatever window CINFO declares (zlib
 *   only enforces the declared window when built with INFLATE_STRICT), but not before it;
 * - the Adler-32 trailer must match; bytes after it are ignored.
 *
 * The output bound is hard: no more than `maxOutputLength` bytes are ever written, and the first
 * byte that would exceed it throws `'too-large'`. Output goes to a reused 32 KiB scratch buffer,
 * then (if larger) to a private buffer that grows geometrically up to, never past, the bound.
 *
 * Every failure is an {@link InflateError}. Truncation is detected by letting the bit reader
 * supply zero bits past the end of the input ("phantom" bytes) and checking, before any decoded
 * symbol is acted on, that no phantom bit was consumed.
 *
 * @module
 */

import { adler32 } from './adler32.ts';

/** Why {@link inflateZlib} failed: a malformed stream, or one that inflates past the bound. */
export type InflateFailure = 'corrupt' | 'too-large';

/**
 * Thrown by {@link inflateZlib}; `reason` says which. Never any other exception type, for any input.
 *
 * @example
 * ```ts
 * try {
 *   inflateZlib(bytes, 4096);
 * } catch (err) {
 *   if (err instanceof InflateError && err.reason === 'too-large') console.log('bomb rejected');
 * }
 * ```
 */
export class InflateError extends Error {
  /** `'corrupt'` for a stream zlib would reject, `'too-large'` when the output bound was hit. */
  readonly reason: InflateFailure;

  constructor(reason: InflateFailure, message: string) {
    super(message);
    this.name = 'InflateError';
    this.reason = reason;
  }
}

function corrupt(message: string): InflateError {
  return new InflateError('corrupt', message);
}

// ---------------------------------------------------------------------------------------------
// Decoding-table entries
//
// A table maps the next `root` bits of input (taken least-significant bit first, which is the
// order DEFLATE packs Huffman codes in, RFC 1951 §3.1.1) to one 32-bit entry:
//
//   bits 0..3    number of bits the code occupies (for a sub-table entry: the full code length)
//   bits 8..15   op: what the entry means (below)
//   bits 16..30  value: literal byte, base match length, base distance, code-length symbol,
//                or the index of a sub-table
//
// Codes longer than `root` bits go through a second-level sub-table: the root entry is a link
// holding the sub-table's index and its index width; the sub-table is indexed by the code bits
// that follow the first `root`. Codes are at most 15 bits (RFC 1951 §3.2.7), so two levels
// always suffice, and short lookups keep table building cheap for small dynamic blocks.

/** Literal byte (literal/length table) or plain symbol (code-length table). */
const OP_LITERAL = 0;
/** Match length or distance; the low 4 bits of the op are the number of extra bits. */
const OP_BASE = 16;
/** End of block (literal/length symbol 256). */
const OP_END = 32;
/** Link to a sub-table; the low 4 bits of the op are the sub-table's index width. */
const OP_LINK = 64;
/** No such code: symbols 286/287 and distance 30/31 (RFC 1951 §3.2.6), or an unused pattern. */
const OP_INVALID = 128;

/** OP_LINK as it sits in a packed entry (op occupies bits 8..15). */
const LINK_FLAG = OP_LINK << 8;

function entry(value: number, op: number, length: number): number {
  return (value << 16) | (op << 8) | length;
}

/**
 * Index bits of the first-level tables (at most; a code whose longest length is shorter gets a
 * smaller table). 10 bits cover nearly every literal/length code in practice.
 */
const LITERAL_ROOT_BITS = 10;
const DISTANCE_ROOT_BITS = 8;
const CODE_LENGTH_ROOT_BITS = 7;
const MAX_CODE_BITS = 15;

/**
 * Per-symbol entry templates (everything but the code length). RFC 1951 §3.2.5 gives the
 * length and distance bases; they follow a regular pattern, computed here rather than typed out.
 */
const LITERAL_SYMBOLS = new Int32Array(288);
const DISTANCE_SYMBOLS = new Int32Array(32);
const CODE_LENGTH_SYMBOLS = new Int32Array(19);
{
  for (let s = 0; s < 256; s++) LITERAL_SYMBOLS[s] = entry(s, OP_LITERAL, 0);
  LITERAL_SYMBOLS[256] = entry(0, OP_END, 0);
  // Lengths 257..284: codes come in groups of four sharing an extra-bit count, starting with
  // eight 0-extra codes (3..10); 285 is the special case 258 with no extra bits.
  let base = 3;
  for (let s = 257; s < 285; s++) {
    const extra = s < 265 ? 0 : (s - 261) >>> 2;
    LITERAL_SYMBOLS[s] = entry(base, OP_BASE | extra, 0);
    base += 1 << extra;
  }
  LITERAL_SYMBOLS[285] = entry(258, OP_BASE, 0);
  LITERAL_SYMBOLS[286] = entry(0, OP_INVALID, 0);
  LITERAL_SYMBOLS[287] = entry(0, OP_INVALID, 0);
  // Distances 0..29: two codes per extra-bit count after the first four (1..4).
  base = 1;
  for (let s = 0; s < 30; s++) {
    const extra = s < 4 ? 0 : (s >>> 1) - 1;
    DISTANCE_SYMBOLS[s] = entry(base, OP_BASE | extra, 0);
    base += 1 << extra;
  }
  DISTANCE_SYMBOLS[30] = entry(0, OP_INVALID, 0);
  DISTANCE_SYMBOLS[31] = entry(0, OP_INVALID, 0);
  for (let s = 0; s < 19; s++) CODE_LENGTH_SYMBOLS[s] = entry(s, OP_LITERAL, 0);
}

/** Bit reversal of a byte, to turn MSB-first canonical codes into LSB-first table indexes. */
const REVERSED_BYTE = new Uint8Array(256);
for (let i = 0; i < 256; i++) {
  let r = 0;
  for (let b = 0; b < 8; b++) r |= ((i >>> b) & 1) << (7 - b);
  REVERSED_BYTE[i] = r;
}

function reverseBits(code: number, length: number): number {
  if (length <= 8) return REVERSED_BYTE[code]! >>> (8 - length);
  return ((REVERSED_BYTE[code & 0xff]! << 8) | REVERSED_BYTE[code >>> 8]!) >>> (16 - length);
}

/**
 * A safe table size: the root plus, at worst, one full-width sub-table per symbol (each sub-table
 * is opened by a distinct symbol and spans at most 2^(15 - root) entries).
 */
function tableCapacity(rootBits: number, symbols: number): number {
  return (1 << rootBits) + symbols * (1 << (MAX_CODE_BITS - rootBits));
}

// Scratch space reused by every call (decoding is synchronous, so nothing can interleave).
const nextCode = new Uint16Array(MAX_CODE_BITS + 1);
const nextSlot = new Uint16Array(MAX_CODE_BITS + 2);
const sortedSymbols = new Uint16Array(288);
/**
 * Code lengths of a dynamic block, HLIT literal/length lengths then HDIST distance lengths. Only
 * the entries of used symbols are written (zero runs are skipped), so stale entries remain; they
 * are never read, because tables are built from the lists of used symbols below.
 */
const codeLengths = new Uint8Array(286 + 30);
/** Per alphabet: how many codes have each length 1..15, and which symbols have a code. */
const literalCounts = new Uint16Array(MAX_CODE_BITS + 1);
const literalUsed = new Uint16Array(286);
const distanceCounts = new Uint16Array(MAX_CODE_BITS + 1);
const distanceUsed = new Uint16Array(30);
const codeLengthCodeLengths = new Uint8Array(19);
/** For codes given as a plain array of lengths (the fixed codes and the code-length code). */
const plainCounts = new Uint16Array(MAX_CODE_BITS + 1);
const plainUsed = new Uint16Array(288);
const dynamicLiteralTable = new Int32Array(tableCapacity(LITERAL_ROOT_BITS, 286));
const dynamicDistanceTable = new Int32Array(tableCapacity(DISTANCE_ROOT_BITS, 30));
const codeLengthTable = new Int32Array(1 << CODE_LENGTH_ROOT_BITS);

/**
 * Fill `used` with the symbols 0..n-1 whose length `lengths[start + symbol]` is non-zero, in
 * increasing order, and `count[len]` with how many have each length; return how many are used.
 * (The dynamic-block decoder gathers the same facts as it reads the lengths.)
 */
function gatherLengths(
  lengths: Uint8Array,
  start: number,
  n: number,
  used: Uint16Array,
  count: Uint16Array,
): number {
  for (let len = 0; len <= MAX_CODE_BITS; len++) count[len] = 0;
  let usedCount = 0;
  for (let s = 0; s < n; s++) {
    const len = lengths[start + s]!;
    if (len !== 0) {
      used[usedCount++] = s;
      count[len]!++;
    }
  }
  return usedCount;
}

/**
 * Build a decoding table for a canonical Huffman code (RFC 1951 §3.2.2: shorter codes first,
 * ties in symbol order, consecutive values). The code is given by the lengths
 * `lengths[start + symbol]` of the `usedCount` symbols listed (in increasing order) in `used`,
 * with `count[len]` codes of each length. Returns the root index width actually used, or -1 if
 * the set is not acceptable.
 *
 * Acceptability follows zlib, not just the RFC: an over-subscribed set is always an error; an
 * incomplete one is too, except (when `lenient`, i.e. literal/length and distance codes) a set that
 * is empty or holds a single code of length 1 — the RFC explicitly allows one distance code
 * (§3.2.7), and zlib extends the same tolerance to the literal/length set. The unused patterns
 * then decode to OP_INVALID.
 */
function buildTable(
  lengths: Uint8Array,
  start: number,
  used: Uint16Array,
  usedCount: number,
  count: Uint16Array,
  templates: Int32Array,
  table: Int32Array,
  wantRoot: number,
  lenient: boolean,
): number {
  let maxLength = MAX_CODE_BITS;
  while (maxLength > 0 && count[maxLength] === 0) maxLength--;
  if (maxLength === 0) {
    if (!lenient) return -1;
    // No codes at all: any lookup is an error (a distance set may be empty if no match occurs).
    table[0] = table[1] = entry(0, OP_INVALID, 1);
    return 1;
  }

  // Kraft sum, one level at a time: `unused` is the number of unassigned codes of this length.
  // (Past maxLength nothing is assigned, so stopping there decides the same.)
  let unused = 1;
  for (let len = 1; len <= maxLength; len++) {
    unused = (unused << 1) - count[len]!;
    if (unused < 0) return -1; // over-subscribed
  }
  if (unused > 0 && !(lenient && maxLength === 1)) return -1; // incomplete

  const root = Math.min(maxLength, wantRoot);
  const size = 1 << root;
  if (unused > 0) table.fill(entry(0, OP_INVALID, root), 0, size);

  if (maxLength <= root) {
    // Every code fits the root table (always so for small tokens), so no sub-tables and no
    // sorting: §3.2.2 assigns each length's codes consecutively in symbol order, starting from
    // the first code of that length.
    let code = 0;
    for (let len = 1; len <= maxLength; len++) {
      code = (code + count[len - 1]!) << 1;
      nextCode[len] = code;
    }
    for (let k = 0; k < usedCount; k++) {
      const sym = used[k]!;
      const len = lengths[start + sym]!;
      const value = templates[sym]! | len;
      // Every index whose low `len` bits are this code decodes to it.
      for (let j = reverseBits(nextCode[len]!++, len); j < size; j += 1 << len) table[j] = value;
    }
    return root;
  }

  // Otherwise walk the codes in canonical order (by length, then symbol; a counting sort), which
  // lets each sub-table be sized by looking ahead.
  nextSlot[1] = 0;
  for (let len = 1; len < maxLength; len++) nextSlot[len + 1] = nextSlot[len]! + count[len]!;
  for (let k = 0; k < usedCount; k++) {
    const sym = used[k]!;
    sortedSymbols[nextSlot[lengths[start + sym]!]!++] = sym;
  }

  let code = 0; // MSB-first canonical code of the current symbol
  let prevLength = lengths[start + sortedSymbols[0]!]!;
  let subPrefix = -1; // root bits of the sub-table being filled
  let subStart = 0;
  let subBits = 0;
  let free = size; // next unused slot after the root
  for (let i = 0; i < usedCount; i++) {
    const sym = sortedSymbols[i]!;
    const len = lengths[start + sym]!;
    // §3.2.2: the next code is one more than the last, extended with zeros to the new length.
    if (i > 0) code = (code + 1) << (len - prevLength);
    prevLength = len;
    const reversed = reverseBits(code, len);
    const value = templates[sym]! | len;

    if (len <= root) {
      // Every index whose low `len` bits are this code decodes to it.
      for (let j = reversed; j < size; j += 1 << len) table[j] = value;
      continue;
    }

    const prefix = reversed & (size - 1);
    if (prefix !== subPrefix) {
      // A new sub-table. Codes sharing these root bits are consecutive in canonical order and
      // the last of them is the longest, so walk ahead to size the sub-table.
      const top = code >>> (len - root);
      let aheadCode = code;
      let aheadLength = len;
      for (let k = i + 1; k < usedCount; k++) {
        const nextLength = lengths[start + sortedSymbols[k]!]!;
        const nextCode = (aheadCode + 1) << (nextLength - aheadLength);
        if (nextCode >>> (nextLength - root) !== top) break;
        aheadCode = nextCode;
        aheadLength = nextLength;
      }
      subPrefix = prefix;
      subStart = free;
      subBits = aheadLength - root;
      free += 1 << subBits;
      table[prefix] = entry(subStart, OP_LINK | subBits, root);
    }
    const step = 1 << (len - root);
    const end = subStart + (1 << subBits);
    for (let j = subStart + (reversed >>> root); j < end; j += step) table[j] = value;
  }
  return root;
}

/** Build the table of a code given as a plain array of lengths (fixed and code-length codes). */
function buildTableFromLengths(
  lengths: Uint8Array,
  n: number,
  templates: Int32Array,
  table: Int32Array,
  wantRoot: number,
): number {
  const usedCount = gatherLengths(lengths, 0, n, plainUsed, plainCounts);
  return buildTable(
    lengths,
    0,
    plainUsed,
    usedCount,
    plainCounts,
    templates,
    table,
    wantRoot,
    false,
  );
}

/** Fixed Huffman codes (RFC 1951 §3.2.6), built once. */
const FIXED_LITERAL_TABLE = new Int32Array(1 << 9);
const FIXED_DISTANCE_TABLE = new Int32Array(1 << 5);
const FIXED_LITERAL_ROOT = (() => {
  const lengths = new Uint8Array(288);
  lengths.fill(8, 0, 144);
  lengths.fill(9, 144, 256);
  lengths.fill(7, 256, 280);
  lengths.fill(8, 280, 288);
  return buildTableFromLengths(lengths, 288, LITERAL_SYMBOLS, FIXED_LITERAL_TABLE, 9);
})();
const FIXED_DISTANCE_ROOT = buildTableFromLengths(
  new Uint8Array(32).fill(5),
  32,
  DISTANCE_SYMBOLS,
  FIXED_DISTANCE_TABLE,
  5,
);

/** Order in which HCLEN code-length code lengths are stored (RFC 1951 §3.2.7). */
const CODE_LENGTH_ORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];

// ---------------------------------------------------------------------------------------------
// Output buffer and checksum

/** Clamp the caller's bound to something allocatable; NaN and negatives mean "no output". */
function outputLimit(maxOutputLength: number): number {
  const limit = Math.floor(maxOutputLength);
  if (!(limit >= 0)) return 0;
  return Math.min(limit, 0x7fffffff);
}

/**
 * Output is first written to this reused buffer, and the result is one exact-length copy of it.
 * Allocating a typed array above 64 bytes costs V8 0.25–0.75 µs (its store lives off the heap),
 * more than decoding a small token, so a private buffer sized from the input and then trimmed
 * would double that. Output that outgrows the scratch moves to a private buffer. Either way no
 * more than `maxOutputLength` bytes are ever written, and only the private buffer grows with the
 * output. (The scratch keeps the last output until overwritten; it is never exposed.)
 */
const SCRATCH_SIZE = 32 * 1024;
const scratch = new Uint8Array(SCRATCH_SIZE);

/**
 * A buffer holding `out[0..used)` with room for at least `needed` bytes: double the current
 * `capacity`, or more if one match needs it, but never past `limit`. Past `limit` is the bound.
 */
function grow(
  out: Uint8Array,
  used: number,
  needed: number,
  capacity: number,
  limit: number,
): Uint8Array {
  if (needed > limit) {
    throw new InflateError('too-large', `inflated data exceeds the ${limit}-byte limit`);
  }
  const size = Math.min(Math.max(capacity * 2, needed), limit);
  let bigger: Uint8Array;
  try {
    bigger = new Uint8Array(size);
  } catch {
    // Only reachable with a bound larger than memory allows; still "too large", not a RangeError.
    throw new InflateError('too-large', `cannot allocate ${size} bytes for inflated data`);
  }
  bigger.set(out.subarray(0, used));
  return bigger;
}

// ---------------------------------------------------------------------------------------------
// The decoder

/**
 * Inflate a zlib stream; throw `InflateError('too-large')` as soon as output would exceed
 * `maxOutputLength` bytes, and `InflateError('corrupt')` for anything `zlib.decompress` rejects.
 * Bytes after the Adler-32 trailer are ignored. The result is a fresh, exact-length array.
 *
 * @param input - the zlib stream (RFC 1950 header, DEFLATE data, Adler-32).
 * @param maxOutputLength - the most bytes the output may hold.
 * @throws {@link InflateError} and nothing else.
 *
 * @example
 * ```ts
 * import { deflateSync } from 'node:zlib';
 * const bytes = inflateZlib(deflateSync('{"uid":"u1"}'), 64 * 1024);
 * new TextDecoder().decode(bytes); // '{"uid":"u1"}'
 * ```
 */
export function inflateZlib(input: Uint8Array, maxOutputLength: number): Uint8Array {
  const limit = outputLimit(maxOutputLength);
  const inLen = input.length;

  // RFC 1950 §2.2: CMF (CM = 8 deflate, CINFO = log2(window) - 8), FLG (FCHECK, FDICT).
  if (inLen < 2) throw corrupt('truncated zlib header');
  const cmf = input[0]!;
  const flg = input[1]!;
  if (((cmf << 8) | flg) % 31 !== 0) throw corrupt('incorrect header check');
  if ((cmf & 0x0f) !== 8) throw corrupt('unknown compression method');
  if (cmf >>> 4 > 7) throw corrupt('invalid window size');
  if (flg & 0x20) throw corrupt('stream needs a preset dictionary');

  // Bit reader (RFC 1951 §3.1.1: data elements are packed starting with the least-significant
  // bit). `hold` holds `bitCount` unread bits; `pos` counts bytes loaded into it, including zero
  // "phantom" bytes past the end, so bits consumed so far = pos * 8 - bitCount. A refill tops
  // `hold` up to 24..31 bits, enough for any code plus its extra bits. Keeping it below 2^31
  // (and shifting with `>>`) keeps every value a small int32, which V8 compiles to plain
  // machine arithmetic. Refills are written out where needed rather than in a helper, which
  // could not update these locals without a call and an object per symbol.
  let pos = 2;
  let hold = 0;
  let bitCount = 0;

  let out: Uint8Array = scratch;
  let capacity = Math.min(SCRATCH_SIZE, limit);
  let outPos = 0;

  let last = 0;
  do {
    // Block header, RFC 1951 §3.2.3: BFINAL (1 bit), BTYPE (2 bits).
    if (bitCount < 3) {
      while (bitCount < 24) {
        hold |= (input[pos++] ?? 0) << bitCount;
        bitCount += 8;
      }
    }
    last = hold & 1;
    const type = (hold >> 1) & 3;
    hold >>= 3;
    bitCount -= 3;

    if (type === 0) {
      // Stored block, RFC 1951 §3.2.4: skip to a byte boundary, then LEN and its complement
      // NLEN. Whole bytes already in `hold` are handed back to the input first. (If the header
      // bits were phantoms, `pos` is now past the end and the length check below catches it.)
      pos -= bitCount >>> 3;
      hold = 0;
      bitCount = 0;
      if (pos + 4 > inLen) throw corrupt('truncated stored block');
      const len = input[pos]! | (input[pos + 1]! << 8);
      const nlen = input[pos + 2]! | (input[pos + 3]! << 8);
      if (len !== (nlen ^ 0xffff)) throw corrupt('invalid stored block lengths');
      pos += 4;
      const avail = Math.min(len, inLen - pos);
      if (outPos + avail > capacity) {
        out = grow(out, outPos, outPos + avail, capacity, limit);
        capacity = out.length;
      }
      if (avail < 32) {
        for (let i = 0; i < avail; i++) out[outPos + i] = input[pos + i]!;
      } else {
        out.set(input.subarray(pos, pos + avail), outPos);
      }
      outPos += avail;
      pos += avail;
      if (avail < len) throw corrupt('truncated stored block');
      continue;
    }

    let literals: Int32Array;
    let literalMask: number;
    let literalRoot: number;
    let distances: Int32Array;
    let distanceMask: number;
    let distanceRoot: number;
    if (type === 1) {
      literals = FIXED_LITERAL_TABLE;
      literalRoot = FIXED_LITERAL_ROOT;
      distances = FIXED_DISTANCE_TABLE;
      distanceRoot = FIXED_DISTANCE_ROOT;
    } else if (type === 2) {
      // Dynamic block, RFC 1951 §3.2.7: HLIT, HDIST, HCLEN, then the code-length code lengths.
      if (bitCount < 14) {
        while (bitCount < 24) {
          hold |= (input[pos++] ?? 0) << bitCount;
          bitCount += 8;
        }
      }
      const nlen = (hold & 31) + 257;
      const ndist = ((hold >> 5) & 31) + 1;
      const ncode = ((hold >> 10) & 15) + 4;
      hold >>= 14;
      bitCount -= 14;
      // HLIT may encode up to 288 and HDIST up to 32, but only 286 and 30 codes exist.
      if (nlen > 286 || ndist > 30) throw corrupt('too many length or distance symbols');

      for (let i = 0; i < 19; i++) codeLengthCodeLengths[i] = 0;
      for (let i = 0; i < ncode; i++) {
        if (bitCount < 3) {
          while (bitCount < 24) {
            hold |= (input[pos++] ?? 0) << bitCount;
            bitCount += 8;
          }
        }
        codeLengthCodeLengths[CODE_LENGTH_ORDER[i]!] = hold & 7;
        hold >>= 3;
        bitCount -= 3;
      }
      const codeLengthRoot = buildTableFromLengths(
        codeLengthCodeLengths,
        19,
        CODE_LENGTH_SYMBOLS,
        codeLengthTable,
        CODE_LENGTH_ROOT_BITS,
      );
      if (codeLengthRoot < 0) throw corrupt('invalid code lengths set');
      const codeLengthMask = (1 << codeLengthRoot) - 1;

      // The literal/length and distance code lengths form one sequence: a repeat may run from
      // one set into the other, but not past the end. Only non-zero lengths are stored, each
      // noted in its alphabet's counts and used-symbol list for buildTable.
      for (let len = 0; len <= MAX_CODE_BITS; len++) {
        literalCounts[len] = 0;
        distanceCounts[len] = 0;
      }
      let literalsUsed = 0;
      let distancesUsed = 0;
      codeLengths[256] = 0; // stays 0 unless end-of-block gets a code
      const total = nlen + ndist;
      let have = 0;
      let previous = 0;
      while (have < total) {
        if (bitCount < 14) {
          // a 7-bit code plus at most 7 extra bits
          while (bitCount < 24) {
            hold |= (input[pos++] ?? 0) << bitCount;
            bitCount += 8;
          }
        }
        const e = codeLengthTable[hold & codeLengthMask]!;
        const codeBits = e & 15;
        hold >>= codeBits;
        bitCount -= codeBits;
        const symbol = e >> 16;
        let value: number;
        let repeat: number;
        if (symbol < 16) {
          value = symbol;
          repeat = 1;
        } else if (symbol === 16) {
          // Copy the previous length 3..6 times; there must be one.
          if (have === 0) throw corrupt('invalid bit length repeat');
          value = previous;
          repeat = 3 + (hold & 3);
          hold >>= 2;
          bitCount -= 2;
        } else if (symbol === 17) {
          value = 0;
          repeat = 3 + (hold & 7); // 3..10 zeros
          hold >>= 3;
          bitCount -= 3;
        } else {
          value = 0;
          repeat = 11 + (hold & 127); // 11..138 zeros
          hold >>= 7;
          bitCount -= 7;
        }
        if (have + repeat > total) throw corrupt('invalid bit length repeat');
        previous = value;
        if (value === 0) {
          have += repeat;
          continue;
        }
        for (const stop = have + repeat; have < stop; have++) {
          codeLengths[have] = value;
          if (have < nlen) {
            literalUsed[literalsUsed++] = have;
            literalCounts[value]!++;
          } else {
            distanceUsed[distancesUsed++] = have - nlen;
            distanceCounts[value]!++;
          }
        }
      }
      if (pos > inLen && (pos - inLen) * 8 > bitCount) throw corrupt('truncated stream');

      // Without a code for end-of-block the block could never end.
      if (codeLengths[256] === 0) throw corrupt('invalid code -- missing end-of-block');
      literalRoot = buildTable(
        codeLengths,
        0,
        literalUsed,
        literalsUsed,
        literalCounts,
        LITERAL_SYMBOLS,
        dynamicLiteralTable,
        LITERAL_ROOT_BITS,
        true,
      );
      if (literalRoot < 0) throw corrupt('invalid literal/lengths set');
      distanceRoot = buildTable(
        codeLengths,
        nlen,
        distanceUsed,
        distancesUsed,
        distanceCounts,
        DISTANCE_SYMBOLS,
        dynamicDistanceTable,
        DISTANCE_ROOT_BITS,
        true,
      );
      if (distanceRoot < 0) throw corrupt('invalid distances set');
      literals = dynamicLiteralTable;
      distances = dynamicDistanceTable;
    } else {
      throw corrupt('invalid block type');
    }
    literalMask = (1 << literalRoot) - 1;
    distanceMask = (1 << distanceRoot) - 1;

    // Huffman-coded data, RFC 1951 §3.2.5. Each step first decodes a symbol and any extra bits,
    // then checks that only real input bits were used, and only then touches the output.
    for (;;) {
      if (bitCount < 15) {
        while (bitCount < 24) {
          hold |= (input[pos++] ?? 0) << bitCount;
          bitCount += 8;
        }
      }
      let e = literals[hold & literalMask]!;
      if (e & LINK_FLAG) {
        e = literals[(e >> 16) + ((hold >> literalRoot) & ((1 << ((e >> 8) & 15)) - 1))]!;
      }
      const codeBits = e & 15;
      hold >>= codeBits;
      bitCount -= codeBits;
      const op = (e >> 8) & 0xff;

      if (op === OP_LITERAL) {
        if (pos > inLen && (pos - inLen) * 8 > bitCount) throw corrupt('truncated stream');
        if (outPos === capacity) {
          out = grow(out, outPos, outPos + 1, capacity, limit);
          capacity = out.length;
        }
        out[outPos++] = e >> 16;
        continue;
      }

      if (op & OP_BASE) {
        // <length, backward distance> pair. The refill above only promised 15 bits, which a long
        // code may have used up, so the (at most 5) extra bits may need another.
        let length = e >> 16;
        const lengthExtra = op & 15;
        if (lengthExtra !== 0) {
          if (bitCount < lengthExtra) {
            while (bitCount < 24) {
              hold |= (input[pos++] ?? 0) << bitCount;
              bitCount += 8;
            }
          }
          length += hold & ((1 << lengthExtra) - 1);
          hold >>= lengthExtra;
          bitCount -= lengthExtra;
        }
        if (bitCount < 15) {
          while (bitCount < 24) {
            hold |= (input[pos++] ?? 0) << bitCount;
            bitCount += 8;
          }
        }
        let d = distances[hold & distanceMask]!;
        if (d & LINK_FLAG) {
          d = distances[(d >> 16) + ((hold >> distanceRoot) & ((1 << ((d >> 8) & 15)) - 1))]!;
        }
        const distanceBits = d & 15;
        hold >>= distanceBits;
        bitCount -= distanceBits;
        const dop = (d >> 8) & 0xff;
        if (!(dop & OP_BASE)) {
          if (pos > inLen && (pos - inLen) * 8 > bitCount) throw corrupt('truncated stream');
          throw corrupt('invalid distance code');
        }
        let distance = d >> 16;
        const distanceExtra = dop & 15;
        if (distanceExtra !== 0) {
          if (bitCount < distanceExtra) {
            while (bitCount < 24) {
              hold |= (input[pos++] ?? 0) << bitCount;
              bitCount += 8;
            }
          }
          distance += hold & ((1 << distanceExtra) - 1);
          hold >>= distanceExtra;
          bitCount -= distanceExtra;
        }
        if (pos > inLen && (pos - inLen) * 8 > bitCount) throw corrupt('truncated stream');
        // The whole output is the window, so "too far back" means before the first byte.
        if (distance > outPos) throw corrupt('invalid distance too far back');
        const end = outPos + length;
        if (end > capacity) {
          out = grow(out, outPos, end, capacity, limit);
          capacity = out.length;
        }
        let from = outPos - distance;
        if (length >= 32 && distance >= length) {
          // Long and non-overlapping: a builtin copy beats a loop once the call is amortised.
          out.copyWithin(outPos, from, from + length);
          outPos = end;
        } else if (length >= 32 && distance === 1) {
          out.fill(out[from]!, outPos, end); // a run of one byte
          outPos = end;
        } else {
          // Byte by byte, front to back: when distance < length the copy reads bytes it has just
          // written, which is how DEFLATE expresses repetition (§3.2.3). Every match has at
          // least 3 bytes, so those go without a loop test.
          out[outPos] = out[from]!;
          out[outPos + 1] = out[from + 1]!;
          out[outPos + 2] = out[from + 2]!;
          outPos += 3;
          from += 3;
          while (outPos < end) out[outPos++] = out[from++]!;
        }
        continue;
      }

      if (pos > inLen && (pos - inLen) * 8 > bitCount) throw corrupt('truncated stream');
      if (op & OP_END) break;
      throw corrupt('invalid literal/length code');
    }
  } while (last === 0);

  // RFC 1950 §2.2: ADLER32 follows the last block, big-endian, from the next byte boundary
  // (the rest of the current byte is padding, whatever its bits).
  pos -= bitCount >>> 3;
  if (pos + 4 > inLen) throw corrupt('truncated adler-32 trailer');
  const expected =
    ((input[pos]! << 24) | (input[pos + 1]! << 16) | (input[pos + 2]! << 8) | input[pos + 3]!) >>>
    0;
  if (adler32(out, outPos) !== expected) throw corrupt('incorrect data check');
  return out !== scratch && outPos === out.length ? out : out.slice(0, outPos);
}
