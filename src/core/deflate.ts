/**
 * A small zlib deflater (nothing allocated per call but the result) whose output is byte-identical
 * to C zlib 1.2.13's `compress2`, and therefore to CPython's `zlib.compress(data, level)`, for
 * levels 4..9 (the levels served by zlib's `deflate_slow` lazy-matching path), windowBits 15,
 * memLevel 8 and the default strategy.
 *
 * Why it exists: node:zlib's `deflateSync` costs 8-16 µs per call on a ~100-byte token payload
 * (native stream setup and teardown dominate), and Node bundles Chromium's zlib, whose output
 * differs from stock zlib. Tokens that must match Python byte for byte need stock zlib's exact
 * choices, so this file re-implements the parts of deflate.c and trees.c that matter for a single
 * block:
 *
 * - `deflate_slow` (lazy match evaluation) and `longest_match` (hash-chain search);
 * - `_tr_tally`, `build_tree`, `gen_bitlen`, `gen_codes`, `scan_tree`, `send_tree`,
 *   `build_bl_tree`, `send_all_trees`, `compress_block` and `_tr_flush_block`'s choice between
 *   stored, static and dynamic blocks.
 *
 * Scope is deliberately limited to inputs of at most {@link EXACT_DEFLATE_LIMIT} bytes: zlib then
 * emits exactly one (final) block and never slides its window, so none of `fill_window`'s sliding,
 * multi-block flushing or `deflate_stored` logic is needed. Anything larger, and levels outside
 * 4..9, are delegated to node:zlib (correct output, not necessarily identical bytes).
 *
 * All working memory (window, hash tables, trees, heap, symbol buffer, output buffer) is allocated
 * once at module load and reused; every call runs to completion synchronously before the next
 * can start, so sharing it is safe.
 */
import { deflateSync } from 'node:zlib';
import { adler32 } from './adler32.ts';

/**
 * Largest input this deflater handles itself (single block, no window slide); bigger inputs are delegated to node:zlib.
 *
 * zlib flushes a block when its symbol buffer holds lit_bufsize - 1 = 16383 symbols
 * (sym_end = (lit_bufsize - 1) * 3, lit_bufsize = 1 << (memLevel + 6)). Every symbol consumes
 * at least one input byte, so 16382 bytes can never fill it: one block, and no window slide
 * (the 32 KiB window would only slide at strstart >= w_size + MAX_DIST).
 *
 * @example
 * ```ts
 * import { deflateZlib, EXACT_DEFLATE_LIMIT } from './deflate.ts';
 *
 * const body = new Uint8Array(1000);
 * // Identical to Python's zlib.compress(body, 9) because body.length <= EXACT_DEFLATE_LIMIT:
 * const z = deflateZlib(body, 9);
 * ```
 */
export const EXACT_DEFLATE_LIMIT: number = 16382;

// ---------------------------------------------------------------------------------------------
// Constants (zlib.h / deflate.h / trees.c names)
// ---------------------------------------------------------------------------------------------

const MIN_MATCH = 3;
const MAX_MATCH = 258;
/** deflate.h MIN_LOOKAHEAD: MAX_MATCH + MIN_MATCH + 1. */
const MIN_LOOKAHEAD = MAX_MATCH + MIN_MATCH + 1;
const W_SIZE = 1 << 15;
/** deflate.h MAX_DIST(s): w_size - MIN_LOOKAHEAD. */
const MAX_DIST = W_SIZE - MIN_LOOKAHEAD;
/** deflate.c TOO_FAR: a length-3 match farther than this costs more than three literals. */
const TOO_FAR = 4096;
/** hash_bits = memLevel + 7 = 15; hash_shift = (hash_bits + MIN_MATCH - 1) / MIN_MATCH = 5. */
const HASH_MASK = (1 << 15) - 1;
const HASH_SHIFT = 5;

const LITERALS = 256;
const END_BLOCK = 256;
const LENGTH_CODES = 29;
/** Literal/length alphabet size actually used (288 exist, 286 and 287 never occur). */
const L_CODES = LITERALS + 1 + LENGTH_CODES;
const D_CODES = 30;
const BL_CODES = 19;
/** Heap big enough for the largest tree (2 * L_CODES + 1), used for all three trees. */
const HEAP_SIZE = 2 * L_CODES + 1;
const MAX_BITS = 15;
const MAX_BL_BITS = 7;
const REP_3_6 = 16;
const REPZ_3_10 = 17;
const REPZ_11_138 = 18;

const STORED_BLOCK = 0;
const STATIC_TREES = 1;
const DYN_TREES = 2;

/** trees.c extra_lbits: extra bits for each length code (257..285). */
// biome-ignore format: table
const EXTRA_LBITS = Uint8Array.of(0,0,0,0,0,0,0,0,1,1,1,1,2,2,2,2,3,3,3,3,4,4,4,4,5,5,5,5,0);
/** trees.c extra_dbits: extra bits for each distance code. */
// biome-ignore format: table
const EXTRA_DBITS = Uint8Array.of(
  0,0,0,0,1,1,2,2,3,3,4,4,5,5,6,6,7,7,8,8,9,9,10,10,11,11,12,12,13,13,
);
/** trees.c extra_blbits: extra bits for each bit-length code (16: 2, 17: 3, 18: 7). */
// biome-ignore format: table
const EXTRA_BLBITS = Uint8Array.of(0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,2,3,7);
/** trees.c bl_order: the order in which bit-length code lengths are sent. */
const BL_ORDER = Uint8Array.of(16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15);

/**
 * deflate.c configuration_table for the deflate_slow levels, indexed by level:
 * good_length, max_lazy, nice_length, max_chain.
 */
const CONFIG: readonly (readonly [number, number, number, number])[] = [
  [0, 0, 0, 0], // 0..3 are not handled here (deflate_stored / deflate_fast)
  [0, 0, 0, 0],
  [0, 0, 0, 0],
  [0, 0, 0, 0],
  [4, 4, 16, 16],
  [8, 16, 32, 32],
  [8, 16, 128, 128],
  [8, 32, 128, 256],
  [32, 128, 258, 1024],
  [32, 258, 258, 4096],
];

// ---------------------------------------------------------------------------------------------
// Static tables, built once (trees.c tr_static_init)
// ---------------------------------------------------------------------------------------------

/** _length_code[match length - MIN_MATCH] = length code 0..28. */
const LENGTH_CODE = new Uint8Array(MAX_MATCH - MIN_MATCH + 1);
/** base_length[code] = first (match length - MIN_MATCH) of that code. */
const BASE_LENGTH = new Uint16Array(LENGTH_CODES);
/** _dist_code: distance-1 < 256 index directly; otherwise 256 + ((distance-1) >> 7). */
const DIST_CODE = new Uint8Array(512);
const BASE_DIST = new Uint16Array(D_CODES);
/** Bit-reversal of one byte, used by bi_reverse. */
const REV8 = new Uint8Array(256);
/** static_ltree / static_dtree code lengths and (already bit-reversed) codes. */
const STATIC_LLEN = new Uint16Array(L_CODES + 2);
const STATIC_LCODE = new Uint16Array(L_CODES + 2);
const STATIC_DLEN = new Uint16Array(D_CODES);
const STATIC_DCODE = new Uint16Array(D_CODES);

/** trees.c bi_reverse: reverse the low `len` bits of `code` (1 <= len <= 15). */
function biReverse(code: number, len: number): number {
  return ((REV8[code & 0xff]! << 8) | REV8[(code >>> 8) & 0xff]!) >>> (16 - len);
}

{
  for (let i = 0; i < 256; i++) {
    let r = 0;
    for (let b = 0; b < 8; b++) r |= ((i >>> b) & 1) << (7 - b);
    REV8[i] = r;
  }

  let length = 0;
  let code = 0;
  for (code = 0; code < LENGTH_CODES - 1; code++) {
    BASE_LENGTH[code] = length;
    for (let n = 0; n < 1 << EXTRA_LBITS[code]!; n++) LENGTH_CODE[length++] = code;
  }
  // Match length 258 (index 255) could be code 284 + 5 extra bits or code 285; zlib
  // overwrites the table entry so it uses the cheaper code 285.
  LENGTH_CODE[length - 1] = code;

  let dist = 0;
  for (code = 0; code < 16; code++) {
    BASE_DIST[code] = dist;
    for (let n = 0; n < 1 << EXTRA_DBITS[code]!; n++) DIST_CODE[dist++] = code;
  }
  dist >>= 7; // from now on, all distances are divided by 128
  for (; code < D_CODES; code++) {
    BASE_DIST[code] = dist << 7;
    for (let n = 0; n < 1 << (EXTRA_DBITS[code]! - 7); n++) DIST_CODE[256 + dist++] = code;
  }

  // The fixed literal/length tree of RFC 1951 section 3.2.6, coded with gen_codes' rule.
  const count = new Uint16Array(MAX_BITS + 1);
  for (let n = 0; n < L_CODES + 2; n++) {
    const len = n <= 143 ? 8 : n <= 255 ? 9 : n <= 279 ? 7 : 8;
    STATIC_LLEN[n] = len;
    count[len]!++;
  }
  const next = new Uint16Array(MAX_BITS + 1);
  let c = 0;
  for (let bits = 1; bits <= MAX_BITS; bits++) {
    c = (c + count[bits - 1]!) << 1;
    next[bits] = c;
  }
  for (let n = 0; n < L_CODES + 2; n++) {
    const len = STATIC_LLEN[n]!;
    STATIC_LCODE[n] = biReverse(next[len]!++, len);
  }
  for (let n = 0; n < D_CODES; n++) {
    STATIC_DLEN[n] = 5;
    STATIC_DCODE[n] = biReverse(n, 5);
  }
}

// ---------------------------------------------------------------------------------------------
// Shared working memory (deflate_state), allocated once
// ---------------------------------------------------------------------------------------------

/**
 * The input followed by zeros, as zlib's fill_window leaves it (WIN_INIT): longest_match may
 * read up to MAX_MATCH bytes past the data. (Those bytes can never change the result, since
 * nice_match is clamped to the lookahead, but reading zeros keeps the emulation literal.)
 */
const window = new Uint8Array(EXACT_DEFLATE_LIMIT + MAX_MATCH + MIN_MATCH + 8);
/**
 * head[hash] = base + position of the latest string with that hash. `base` grows by
 * input length + 1 per call, so values <= `base` are stale entries from earlier calls (or
 * position 0, which zlib also treats as NIL): the 32K-entry table needs no clearing per call.
 * It is cleared once `base` passes BASE_LIMIT (2^20: every 64 maximum-size calls or ~10K
 * token-size ones, so the ~10 µs clearing cost is negligible, values stay small integers, and
 * tests can cross the renewal many times).
 */
const head = new Int32Array(HASH_MASK + 1);
const BASE_LIMIT = 2 ** 20;
let base = 0;
/** prev[pos] = previous position with the same hash (0 = NIL); written before it is ever read. */
const prev = new Uint16Array(EXACT_DEFLATE_LIMIT);

/** The symbol buffer (zlib's sym_buf): distance (0 for a literal) and literal / length - 3. */
const symDist = new Uint16Array(EXACT_DEFLATE_LIMIT);
const symLc = new Uint8Array(EXACT_DEFLATE_LIMIT);
let symNext = 0;

/**
 * One Huffman tree (zlib's ct_data array plus its tree_desc). zlib overlays Freq/Code and
 * Dad/Len in unions; separate arrays are equivalent because each field is dead by the time its
 * partner is written (see gen_bitlen / gen_codes).
 */
interface Tree {
  readonly freq: Int32Array;
  readonly len: Uint16Array;
  readonly code: Uint16Array;
  readonly dad: Uint16Array;
  /** Extra bits sent after each code (zlib's extra_bits shifted by extra_base). */
  readonly extra: Uint8Array;
  /**
   * Bits each code costs with the static trees, extra bits included (for static_len), or null
   * for the bit-length tree, which has no static form.
   */
  readonly staticCost: Uint16Array | null;
  readonly elems: number;
  readonly maxLength: number;
  /**
   * Bitmap of the codes with non-zero frequency, kept up to date by the tallies, so build_tree
   * can find the few used codes without scanning all 286.
   */
  readonly used: Int32Array;
  /** Number of codes of each bit length (zlib's bl_count), set by gen_bitlen. */
  readonly blCount: Uint16Array;
  /** The codes with non-zero frequency (fake nodes included), ascending, set by build_tree. */
  readonly leaves: Int32Array;
  leafCount: number;
  /** Largest code with non-zero frequency, set by build_tree. */
  maxCode: number;
}

function makeTree(
  elems: number,
  staticLen: Uint16Array | null,
  extraBits: Uint8Array,
  extraBase: number,
  maxLength: number,
): Tree {
  const size = 2 * elems - 1; // leaves + internal nodes
  const extra = new Uint8Array(elems);
  for (let n = extraBase; n < elems; n++) extra[n] = extraBits[n - extraBase]!;
  let staticCost: Uint16Array | null = null;
  if (staticLen !== null) {
    staticCost = new Uint16Array(elems);
    for (let n = 0; n < elems; n++) staticCost[n] = staticLen[n]! + extra[n]!;
  }
  return {
    freq: new Int32Array(size),
    len: new Uint16Array(size),
    code: new Uint16Array(size),
    dad: new Uint16Array(size),
    extra,
    staticCost,
    elems,
    maxLength,
    used: new Int32Array((elems + 31) >>> 5),
    blCount: new Uint16Array(MAX_BITS + 1),
    leaves: new Int32Array(elems),
    leafCount: 0,
    maxCode: 0,
  };
}

const lTree = makeTree(L_CODES, STATIC_LLEN, EXTRA_LBITS, LITERALS + 1, MAX_BITS);
const dTree = makeTree(D_CODES, STATIC_DLEN, EXTRA_DBITS, 0, MAX_BITS);
const blTree = makeTree(BL_CODES, null, EXTRA_BLBITS, 0, MAX_BL_BITS);

/** build_tree's heap: heap[1..heapLen] is the priority queue, heap[heapMax..] the sorted nodes. */
const heap = new Int32Array(HEAP_SIZE);
/**
 * Ordering key of the node in heap[i], kept alongside it: freq << 8 | depth, where depth is the
 * height of the node's subtree (zlib's s->depth). zlib's `smaller(n, m)` is
 * `freq[n] < freq[m] || (freq[n] == freq[m] && depth[n] <= depth[m])`, which is exactly
 * `key(n) <= key(m)`: one comparison of adjacent memory instead of two indirect ones. Depths
 * stay far below 256 (a subtree of height h needs a total frequency of at least fib(h + 1);
 * totals here are < 17K), and keys below 2^23.
 */
const heapKey = new Int32Array(HEAP_SIZE);
const nextCode = new Uint16Array(MAX_BITS + 1);
/** Bit length of the block with dynamic trees / static trees (trees.c opt_len, static_len). */
let optLen = 0;
let staticLen = 0;

/**
 * Output: 2-byte header + worst case block (a stored block: 5 + input bytes) + 4-byte trailer,
 * with slack. The block type is chosen from exact bit counts before anything is written, and the
 * chosen encoding is never larger than a stored block plus a few bytes.
 */
const out = new Uint8Array(EXACT_DEFLATE_LIMIT + 64);
let outPos = 0;
/** Pending bits, LSB first (zlib's bi_buf / bi_valid); always < 8 bits between sendBits calls. */
let bitBuf = 0;
let bitCount = 0;

/** trees.c send_bits: append `length` (<= 16) bits of `value`, least significant first. */
function sendBits(value: number, length: number): void {
  bitBuf |= value << bitCount;
  bitCount += length;
  while (bitCount >= 8) {
    out[outPos++] = bitBuf;
    bitBuf >>>= 8;
    bitCount -= 8;
  }
}

/** trees.c bi_windup: flush the remaining bits, zero-padded to a byte boundary. */
function biWindup(): void {
  if (bitCount > 0) out[outPos++] = bitBuf;
  bitBuf = 0;
  bitCount = 0;
}

// ---------------------------------------------------------------------------------------------
// deflate.c: longest_match and deflate_slow
// ---------------------------------------------------------------------------------------------

/**
 * deflate.c longest_match (portable, non-UNALIGNED_OK flavour). Walks the hash chain from
 * `curMatch` looking for a match longer than `prevLength` (zlib's initial best_len).
 *
 * zlib keeps match_start in its state and only updates it when a longer match is found; here
 * the caller passes the current match_start in and gets `(matchStart << 9) | length` back
 * (length <= 258 < 2^9), with the length clamped to `lookahead` as in zlib. Hot module-level
 * tables are passed in as arguments so the loop works on locals.
 *
 * @param chainLength max_chain_length, already quartered by the caller when
 *   prev_length >= good_match ("do not waste too much time if we already have a good match")
 * @param niceMatch nice_match, already clamped to lookahead
 */
function longestMatch(
  win: Uint8Array,
  prv: Uint16Array,
  curMatch: number,
  strstart: number,
  lookahead: number,
  prevLength: number,
  matchStart: number,
  chainLength: number,
  niceMatch: number,
): number {
  let bestLen = prevLength;
  // Positions at or below `limit` are too far back (always NIL = 0 for inputs this small).
  const limit = strstart > MAX_DIST ? strstart - MAX_DIST : 0;
  const strend = strstart + MAX_MATCH;
  let scanEnd1 = win[strstart + bestLen - 1];
  let scanEnd = win[strstart + bestLen];
  const scan0 = win[strstart];
  const scan1 = win[strstart + 1];

  for (;;) {
    // Cheap rejections first, in zlib's order: a candidate can only beat best_len if it
    // agrees at best_len and best_len - 1, and it must share the first two bytes. The third
    // byte then matches too (same hash, HASH_BITS >= 8), so the comparison starts at 3.
    if (
      win[curMatch + bestLen] === scanEnd &&
      win[curMatch + bestLen - 1] === scanEnd1 &&
      win[curMatch] === scan0 &&
      win[curMatch + 1] === scan1
    ) {
      let scan = strstart + 3;
      let match = curMatch + 3;
      // zlib compares in unrolled groups of 8 up to strend; since strend - (strstart + 2) = 256
      // is a multiple of 8 this is exactly "first mismatch before strend, else strend". Bytes
      // past the input read as the window's zero fill, as in zlib.
      while (scan < strend && win[scan] === win[match]) {
        scan++;
        match++;
      }
      const len = scan - strstart;
      if (len > bestLen) {
        matchStart = curMatch;
        bestLen = len;
        if (len >= niceMatch) break;
        scanEnd1 = win[strstart + bestLen - 1];
        scanEnd = win[strstart + bestLen];
      }
    }
    // Next candidate down the chain, while it is in range and the chain budget lasts.
    curMatch = prv[curMatch]!;
    if (curMatch <= limit || --chainLength === 0) break;
  }

  return (matchStart << 9) | Math.min(bestLen, lookahead);
}

/**
 * deflate.c deflate_slow with flush = Z_FINISH, specialised to "all input already in the window"
 * (fill_window read everything on its first call). Lazy evaluation: a match found at strstart is
 * only emitted if the match at strstart + 1 is not longer; otherwise the byte becomes a literal.
 * Fills the symbol buffer and the literal / distance frequencies (_tr_tally).
 */
function deflateSlow(length: number, level: number): void {
  const config = CONFIG[level]!;
  const goodMatch = config[0];
  const maxLazy = config[1];
  const niceLength = config[2];
  const maxChain = config[3];
  // Module-level tables as locals for the hot loop.
  const win = window;
  const hd = head;
  const prv = prev;
  const sDist = symDist;
  const sLc = symLc;
  const lengthCode = LENGTH_CODE;
  const distCode = DIST_CODE;
  const lFreq = lTree.freq;
  const lUsed = lTree.used;
  const dFreq = dTree.freq;
  let dUsed = 0;
  const hashBase = base;

  let strstart = 0;
  let lookahead = length;
  let matchLength = MIN_MATCH - 1;
  let prevLength = MIN_MATCH - 1;
  let matchStart = 0;
  let prevMatch = 0;
  let matchAvailable = false;
  let sym = 0;

  // fill_window: "Initialize the hash value now that we have some input". UPDATE_HASH is a
  // rolling hash; after three updates it is ((w[p] << 10) ^ (w[p+1] << 5) ^ w[p+2]) & 0x7fff,
  // and inserts below happen at consecutive positions, so it stays exact.
  let insH = 0;
  if (length >= MIN_MATCH) insH = ((win[0]! << HASH_SHIFT) ^ win[1]!) & HASH_MASK;

  while (lookahead !== 0) {
    // INSERT_STRING(s, s->strstart, hash_head): link strstart into its hash chain.
    let hashHead = 0;
    if (lookahead >= MIN_MATCH) {
      insH = ((insH << HASH_SHIFT) ^ win[strstart + 2]!) & HASH_MASK;
      const h = hd[insH]!;
      hashHead = h > hashBase ? h - hashBase : 0;
      prv[strstart] = hashHead;
      hd[insH] = hashBase + strstart;
    }

    // Find the longest match, discarding those <= prev_length.
    prevLength = matchLength;
    prevMatch = matchStart;
    matchLength = MIN_MATCH - 1;

    if (hashHead !== 0 && prevLength < maxLazy && strstart - hashHead <= MAX_DIST) {
      const found = longestMatch(
        win,
        prv,
        hashHead,
        strstart,
        lookahead,
        prevLength,
        matchStart,
        prevLength >= goodMatch ? maxChain >> 2 : maxChain,
        Math.min(niceLength, lookahead),
      );
      matchLength = found & 0x1ff;
      matchStart = found >>> 9;
      // A length-3 match too far back is not worth it (TOO_FAR). Note that matchStart may be
      // stale here (longest_match found nothing longer than prev_length), exactly as in zlib.
      if (matchLength === MIN_MATCH && strstart - matchStart > TOO_FAR) {
        matchLength = MIN_MATCH - 1;
      }
    }

    if (prevLength >= MIN_MATCH && matchLength <= prevLength) {
      // The previous match is at least as good as the current one: emit it.
      const maxInsert = strstart + lookahead - MIN_MATCH;
      // _tr_tally_dist(s, strstart - 1 - prev_match, prev_length - MIN_MATCH)
      const dist = strstart - 1 - prevMatch;
      const lc = prevLength - MIN_MATCH;
      sDist[sym] = dist;
      sLc[sym] = lc;
      sym++;
      const lcode = lengthCode[lc]! + LITERALS + 1;
      lFreq[lcode]!++;
      lUsed[lcode >>> 5]! |= 1 << (lcode & 31);
      const d = dist - 1;
      const dcode = d < 256 ? distCode[d]! : distCode[256 + (d >>> 7)]!;
      dFreq[dcode]!++;
      dUsed |= 1 << dcode;

      // Insert the strings of the match into the hash table (strstart-1 and strstart are
      // already in), except the last MIN_MATCH-1 bytes of input, which have no full hash.
      lookahead -= prevLength - 1;
      prevLength -= 2;
      do {
        if (++strstart <= maxInsert) {
          insH = ((insH << HASH_SHIFT) ^ win[strstart + 2]!) & HASH_MASK;
          const h = hd[insH]!;
          prv[strstart] = h > hashBase ? h - hashBase : 0;
          hd[insH] = hashBase + strstart;
        }
      } while (--prevLength !== 0);
      matchAvailable = false;
      matchLength = MIN_MATCH - 1;
      strstart++;
    } else if (matchAvailable) {
      // No better match here: the previous byte becomes a literal and this one waits.
      const c = win[strstart - 1]!;
      sDist[sym] = 0;
      sLc[sym] = c;
      sym++;
      lFreq[c]!++;
      lUsed[c >>> 5]! |= 1 << (c & 31);
      strstart++;
      lookahead--;
    } else {
      // No previous match to compare with: wait for the next step to decide.
      matchAvailable = true;
      strstart++;
      lookahead--;
    }
  }
  if (matchAvailable) {
    const c = win[strstart - 1]!;
    sDist[sym] = 0;
    sLc[sym] = c;
    sym++;
    lFreq[c]!++;
    lUsed[c >>> 5]! |= 1 << (c & 31);
  }
  symNext = sym;
  dTree.used[0] = dUsed;
}

// ---------------------------------------------------------------------------------------------
// trees.c: Huffman tree construction
// ---------------------------------------------------------------------------------------------

/**
 * trees.c pqdownheap: restore the heap property from position k down, moving each node's key
 * with it. zlib's `smaller` (lower frequency, ties to the shallower subtree, equal depth
 * counting as smaller) is `<=` on the keys described at {@link heapKey}, so ties resolve exactly
 * as in zlib: to the right child, and v stops above an equal child.
 */
function pqdownheap(hp: Int32Array, hk: Int32Array, k: number, heapLen: number): void {
  const v = hp[k]!;
  const kv = hk[k]!;
  let j = k << 1;
  while (j <= heapLen) {
    // Set j to the smaller of the two children.
    let kj = hk[j]!;
    if (j < heapLen) {
      const kj1 = hk[j + 1]!;
      if (kj1 <= kj) {
        j++;
        kj = kj1;
      }
    }
    // Exit if v is smaller than both children.
    if (kv <= kj) break;
    hp[k] = hp[j]!;
    hk[k] = kj;
    k = j;
    j <<= 1;
  }
  hp[k] = v;
  hk[k] = kv;
}

/**
 * trees.c gen_bitlen: turn the tree shape into code lengths (limited to the tree's max length,
 * redistributing overflowed lengths as zlib does), count codes per length in tree.blCount, and
 * accumulate the block's bit cost with dynamic (opt_len) and static (static_len) trees.
 * heap[heapMax..HEAP_SIZE-1] holds the nodes, root first, as build_tree left them.
 */
function genBitlen(tree: Tree, heapMax: number): void {
  const { freq, len, dad, extra, staticCost, maxLength, maxCode, leaves } = tree;
  const hp = heap;
  const bc = tree.blCount;
  let overflow = 0;

  // In the first pass, compute the optimal bit lengths (which may overflow in the case of the
  // bit length tree). Parents come before children in heap[heap_max..], so the parent's length
  // is known; the root gets 0. Like zlib, count every clamped node, internal ones included.
  len[hp[heapMax]!] = 0;
  let h: number;
  for (h = heapMax + 1; h < HEAP_SIZE; h++) {
    const n = hp[h]!;
    let bits = len[dad[n]!]! + 1;
    if (bits > maxLength) {
      bits = maxLength;
      overflow++;
    }
    len[n] = bits;
  }

  // zlib does the leaf bookkeeping inside that loop ("if (n > max_code) continue"); doing it
  // over the leaf list gives the same bl_count, opt_len and static_len.
  for (let bits = 0; bits <= MAX_BITS; bits++) bc[bits] = 0;
  let opt = 0;
  let stat = 0;
  for (let i = 0, count = tree.leafCount; i < count; i++) {
    const n = leaves[i]!;
    const bits = len[n]!;
    const f = freq[n]!;
    bc[bits]!++;
    opt += f * (bits + extra[n]!);
    if (staticCost !== null) stat += f * staticCost[n]!;
  }
  optLen += opt;
  staticLen += stat;
  if (overflow === 0) return;

  // Find the first bit length which could increase: move one leaf down the tree and one
  // overflow item up as its brother; each step fixes two overflows.
  do {
    let bits = maxLength - 1;
    while (bc[bits] === 0) bits--;
    bc[bits]!--;
    bc[bits + 1]! += 2;
    bc[maxLength]!--;
    overflow -= 2;
  } while (overflow > 0);

  // Recompute all bit lengths, scanning in increasing frequency (h is HEAP_SIZE here): the
  // least frequent leaves get the longest codes.
  for (let bits = maxLength; bits !== 0; bits--) {
    let n = bc[bits]!;
    while (n !== 0) {
      const m = hp[--h]!;
      if (m > maxCode) continue;
      if (len[m] !== bits) {
        optLen += (bits - len[m]!) * freq[m]!;
        len[m] = bits;
      }
      n--;
    }
  }
}

/**
 * trees.c gen_codes: canonical Huffman codes from the lengths (bl_count from gen_bitlen), stored
 * bit-reversed because deflate sends Huffman codes most significant bit first. zlib walks codes
 * 0..max_code skipping length 0; walking the (ascending) leaf list visits the same codes in the
 * same order.
 */
function genCodes(tree: Tree): void {
  const bc = tree.blCount;
  const { len, code: codes, leaves } = tree;
  const nc = nextCode;
  let code = 0;
  for (let bits = 1; bits <= MAX_BITS; bits++) {
    code = (code + bc[bits - 1]!) << 1;
    nc[bits] = code;
  }
  for (let i = 0, count = tree.leafCount; i < count; i++) {
    const n = leaves[i]!;
    const l = len[n]!;
    codes[n] = biReverse(nc[l]!++, l);
  }
}

/**
 * trees.c build_tree: Huffman tree for the tree's frequencies; sets len, blCount, maxCode and
 * the leaf list, and updates optLen / staticLen. (Codes come later, from genCodes.)
 */
function buildTree(tree: Tree): void {
  const { freq, dad, elems, staticCost, leaves } = tree;
  const hp = heap;
  const hk = heapKey;
  let maxCode = -1;
  let heapLen = 0;
  let leafCount = 0;

  // Construct the initial heap, with the least frequent element in heap[1] (heap[0] unused),
  // in increasing code order as zlib does (the used-code bitmap yields them in that order).
  // (Unused codes keep stale lengths: everything after this reads lengths of leaves only,
  // except for the bit-length tree, whose lengths buildBlTree clears.)
  const used = tree.used;
  for (let w = 0; w < used.length; w++) {
    let bits = used[w]!;
    while (bits !== 0) {
      const n = (w << 5) | (31 - Math.clz32(bits & -bits)); // lowest set bit
      bits &= bits - 1;
      hp[++heapLen] = maxCode = n;
      hk[heapLen] = freq[n]! << 8; // depth 0
      leaves[leafCount++] = n;
    }
  }

  // The pkzip format requires at least one distance code and at least two codes of some kind,
  // so force fake nodes of frequency 1; their cost is taken back out of opt_len / static_len.
  while (heapLen < 2) {
    const node = maxCode < 2 ? ++maxCode : 0;
    hp[++heapLen] = node;
    hk[heapLen] = 1 << 8;
    freq[node] = 1;
    optLen--;
    if (staticCost !== null) staticLen -= staticCost[node]!; // codes 0..2: no extra bits
    // Keep the leaf list ascending: node is either above every leaf or 0 below the only one.
    if (node === 0 && leafCount === 1) {
      leaves[1] = leaves[0]!;
      leaves[0] = 0;
      leafCount = 2;
    } else {
      leaves[leafCount++] = node;
    }
  }
  tree.maxCode = maxCode;
  tree.leafCount = leafCount;

  // Establish sub-heaps of increasing lengths.
  for (let n = heapLen >> 1; n >= 1; n--) pqdownheap(hp, hk, n, heapLen);

  // Repeatedly combine the two least frequent nodes under a new internal node.
  let heapMax = HEAP_SIZE;
  let node = elems;
  do {
    // pqremove: n = node of least frequency, m = node of next least frequency.
    const n = hp[1]!;
    const kn = hk[1]!;
    hp[1] = hp[heapLen]!;
    hk[1] = hk[heapLen]!;
    pqdownheap(hp, hk, 1, --heapLen);
    const m = hp[1]!;
    const km = hk[1]!;

    // Keep the nodes sorted by frequency (gen_bitlen walks them from the top). heap_max only
    // goes down to 2 * elems or so, far above heap_len.
    hp[--heapMax] = n;
    hp[--heapMax] = m;

    // The father's frequency is the sum, its depth one more than the deeper son's; it
    // replaces m at the top of the heap.
    dad[n] = node;
    dad[m] = node;
    hp[1] = node++;
    hk[1] = ((kn & ~0xff) + (km & ~0xff)) | (Math.max(kn & 0xff, km & 0xff) + 1);
    pqdownheap(hp, hk, 1, heapLen);
  } while (heapLen >= 2);

  hp[--heapMax] = hp[1]!;

  // gen_codes follows in zlib; here it waits until a dynamic block is actually chosen (see
  // flushBlock), since the codes do not affect the block-type decision.
  genBitlen(tree, heapMax);
}

/*
 * trees.c scan_tree / send_tree walk the code lengths 0..max_code one by one with a small state
 * machine (count, max_count, min_count, prevlen) that run-length codes them with codes 16, 17
 * and 18. Only leaves have non-zero lengths, so the sequence is a few maximal runs of equal
 * values, and the state machine's behaviour on each run has a closed form (derived from the
 * loop, the 0xffff guard at max_code + 1 ending the last run):
 *
 * - every run starts with count = 0, (max_count, min_count) = (138, 3) for a zero run and
 *   (7, 4) otherwise, and prevlen different from the run's value;
 * - a zero run of length r is cut into chunks of 138 then the remainder; a chunk of c is sent as
 *   c zero codes if c < 3, else code 17 (3..10) or code 18 (11..138);
 * - a non-zero run of value v is cut into a first chunk of min(r, 7), then chunks of 6; the first
 *   chunk is sent as c codes v if c < 4, else v then code 16 with c - 1; later chunks as c codes
 *   v if c < 3, else code 16 with c.
 *
 * Walking runs (from the leaf list) instead of all 286 lengths matters for small inputs.
 */

/** trees.c scan_tree: tally the run-length coding of `tree`'s code lengths into blTree.freq. */
function scanTree(tree: Tree): void {
  const { len, leaves, leafCount } = tree;
  const bl = blTree.freq;
  let pos = 0;
  let i = 0;
  while (i < leafCount) {
    const n = leaves[i]!;
    let r = n - pos; // zero run before this leaf
    if (r > 0) {
      for (; r >= 138; r -= 138) bl[REPZ_11_138]!++;
      if (r > 0) {
        if (r < 3) bl[0]! += r;
        else if (r <= 10) bl[REPZ_3_10]!++;
        else bl[REPZ_11_138]!++;
      }
    }
    const v = len[n]!;
    r = 1;
    while (i + r < leafCount && leaves[i + r] === n + r && len[n + r] === v) r++;
    pos = n + r;
    i += r;
    let c = Math.min(r, 7);
    if (c < 4) {
      bl[v]! += c;
    } else {
      bl[v]!++;
      bl[REP_3_6]!++;
    }
    for (r -= c; r > 0; r -= c) {
      c = Math.min(r, 6);
      if (c < 3) bl[v]! += c;
      else bl[REP_3_6]!++;
    }
  }
}

/** trees.c send_tree: emit `tree`'s code lengths with the run-length coding scan_tree counted. */
function sendTree(tree: Tree): void {
  const { len, leaves, leafCount } = tree;
  const blLen = blTree.len;
  const blCode = blTree.code;
  let pos = 0;
  let i = 0;
  while (i < leafCount) {
    const n = leaves[i]!;
    let r = n - pos;
    if (r > 0) {
      for (; r >= 138; r -= 138) {
        sendBits(blCode[REPZ_11_138]!, blLen[REPZ_11_138]!);
        sendBits(138 - 11, 7);
      }
      if (r > 0) {
        if (r < 3) {
          for (; r > 0; r--) sendBits(blCode[0]!, blLen[0]!);
        } else if (r <= 10) {
          sendBits(blCode[REPZ_3_10]!, blLen[REPZ_3_10]!);
          sendBits(r - 3, 3);
        } else {
          sendBits(blCode[REPZ_11_138]!, blLen[REPZ_11_138]!);
          sendBits(r - 11, 7);
        }
      }
    }
    const v = len[n]!;
    r = 1;
    while (i + r < leafCount && leaves[i + r] === n + r && len[n + r] === v) r++;
    pos = n + r;
    i += r;
    const vCode = blCode[v]!;
    const vLen = blLen[v]!;
    let c = Math.min(r, 7);
    if (c < 4) {
      for (let k = 0; k < c; k++) sendBits(vCode, vLen);
    } else {
      sendBits(vCode, vLen);
      sendBits(blCode[REP_3_6]!, blLen[REP_3_6]!);
      sendBits(c - 1 - 3, 2);
    }
    for (r -= c; r > 0; r -= c) {
      c = Math.min(r, 6);
      if (c < 3) {
        for (let k = 0; k < c; k++) sendBits(vCode, vLen);
      } else {
        sendBits(blCode[REP_3_6]!, blLen[REP_3_6]!);
        sendBits(c - 3, 2);
      }
    }
  }
}

/**
 * trees.c build_bl_tree: the tree for the code lengths of the other two trees. Returns the
 * index in BL_ORDER of the last bit-length code to send (at least 3: 4 codes are always sent).
 */
function buildBlTree(): number {
  scanTree(lTree);
  scanTree(dTree);
  const blFreq = blTree.freq;
  blTree.len.fill(0, 0, BL_CODES); // unused codes must read as length 0 below and when sent
  let blUsed = 0;
  for (let n = 0; n < BL_CODES; n++) if (blFreq[n] !== 0) blUsed |= 1 << n;
  blTree.used[0] = blUsed;
  buildTree(blTree);
  let maxBlIndex: number;
  for (maxBlIndex = BL_CODES - 1; maxBlIndex >= 3; maxBlIndex--) {
    if (blTree.len[BL_ORDER[maxBlIndex]!] !== 0) break;
  }
  // Add the header cost: 3 bits per sent bit-length code, plus HLIT, HDIST and HCLEN.
  optLen += 3 * (maxBlIndex + 1) + 5 + 5 + 4;
  return maxBlIndex;
}

/** trees.c compress_block: the buffered symbols with the given trees, then END_BLOCK. */
function compressBlock(
  lCode: Uint16Array,
  lLen: Uint16Array,
  dCode: Uint16Array,
  dLen: Uint16Array,
): void {
  // send_bits inlined with local state, since this loop runs once per symbol. Bits are flushed
  // 16 at a time (like zlib's 16-bit bi_buf), so `cnt` stays below 16 between fields and no
  // field (<= 15 bits) can push the 32-bit buffer past bit 30.
  const o = out;
  const sDist = symDist;
  const sLc = symLc;
  const lengthCode = LENGTH_CODE;
  const extraLbits = EXTRA_LBITS;
  const baseLength = BASE_LENGTH;
  const distCode = DIST_CODE;
  const extraDbits = EXTRA_DBITS;
  const baseDist = BASE_DIST;
  let pos = outPos;
  let buf = bitBuf;
  let cnt = bitCount;
  for (let sx = 0, end = symNext; sx < end; sx++) {
    const dist = sDist[sx]!;
    let lc = sLc[sx]!;
    if (dist === 0) {
      buf |= lCode[lc]! << cnt; // literal byte
      cnt += lLen[lc]!;
    } else {
      // lc is the match length - MIN_MATCH: length code, then its extra bits.
      let code = lengthCode[lc]!;
      buf |= lCode[code + LITERALS + 1]! << cnt;
      cnt += lLen[code + LITERALS + 1]!;
      let extra = extraLbits[code]!;
      if (extra !== 0) {
        if (cnt >= 16) {
          o[pos++] = buf;
          o[pos++] = buf >>> 8;
          buf >>>= 16;
          cnt -= 16;
        }
        lc -= baseLength[code]!;
        buf |= lc << cnt;
        cnt += extra;
      }
      if (cnt >= 16) {
        o[pos++] = buf;
        o[pos++] = buf >>> 8;
        buf >>>= 16;
        cnt -= 16;
      }
      // Distance code for distance - 1, then its extra bits.
      const d = dist - 1;
      code = d < 256 ? distCode[d]! : distCode[256 + (d >>> 7)]!;
      buf |= dCode[code]! << cnt;
      cnt += dLen[code]!;
      extra = extraDbits[code]!;
      if (extra !== 0) {
        if (cnt >= 16) {
          o[pos++] = buf;
          o[pos++] = buf >>> 8;
          buf >>>= 16;
          cnt -= 16;
        }
        buf |= (d - baseDist[code]!) << cnt;
        cnt += extra;
      }
    }
    if (cnt >= 16) {
      o[pos++] = buf;
      o[pos++] = buf >>> 8;
      buf >>>= 16;
      cnt -= 16;
    }
  }
  while (cnt >= 8) {
    o[pos++] = buf;
    buf >>>= 8;
    cnt -= 8;
  }
  outPos = pos;
  bitBuf = buf;
  bitCount = cnt;
  sendBits(lCode[END_BLOCK]!, lLen[END_BLOCK]!);
}

/**
 * trees.c _tr_flush_block with last = 1 and buf = the whole input: build the trees, then emit
 * whichever of stored / static / dynamic zlib would pick, using zlib's exact byte estimates.
 */
function flushBlock(storedLen: number): void {
  optLen = 0;
  staticLen = 0;
  buildTree(lTree);
  buildTree(dTree);
  const maxBlIndex = buildBlTree();

  // Block lengths in bytes, including the 3-bit block header.
  let optLenb = (optLen + 3 + 7) >>> 3;
  const staticLenb = (staticLen + 3 + 7) >>> 3;
  if (staticLenb <= optLenb) optLenb = staticLenb;

  if (storedLen + 4 <= optLenb) {
    // _tr_stored_block: header bits, align, LEN, NLEN, raw bytes.
    sendBits((STORED_BLOCK << 1) + 1, 3);
    biWindup();
    out[outPos++] = storedLen & 0xff;
    out[outPos++] = storedLen >>> 8;
    out[outPos++] = ~storedLen & 0xff;
    out[outPos++] = (~storedLen >>> 8) & 0xff;
    out.set(window.subarray(0, storedLen), outPos);
    outPos += storedLen;
  } else if (staticLenb === optLenb) {
    sendBits((STATIC_TREES << 1) + 1, 3);
    compressBlock(STATIC_LCODE, STATIC_LLEN, STATIC_DCODE, STATIC_DLEN);
  } else {
    genCodes(lTree);
    genCodes(dTree);
    genCodes(blTree);
    sendBits((DYN_TREES << 1) + 1, 3);
    // send_all_trees
    const lcodes = lTree.maxCode + 1;
    const dcodes = dTree.maxCode + 1;
    const blcodes = maxBlIndex + 1;
    sendBits(lcodes - 257, 5);
    sendBits(dcodes - 1, 5);
    sendBits(blcodes - 4, 4);
    for (let rank = 0; rank < blcodes; rank++) sendBits(blTree.len[BL_ORDER[rank]!]!, 3);
    sendTree(lTree);
    sendTree(dTree);
    compressBlock(lTree.code, lTree.len, dTree.code, dTree.len);
  }
  biWindup();
}

/**
 * zlib stream (RFC 1950) of `input` at `level` (default 6), byte-identical to zlib 1.2.13 for input.length <= EXACT_DEFLATE_LIMIT.
 *
 * Levels 4..9 (and -1, meaning 6) are compressed here exactly as zlib 1.2.13's `compress2` /
 * CPython's `zlib.compress(input, level)` would. Larger inputs and levels 0..3 go to node:zlib's
 * `deflateSync` (a valid stream, not necessarily the same bytes); invalid levels throw there.
 * The result is always a fresh array.
 *
 * @example
 * ```ts
 * import { deflateZlib } from './deflate.ts';
 *
 * const z = deflateZlib(new TextEncoder().encode('{"uid":"user-12345"}'));
 * // z starts with 0x78 0x9c and equals Python's zlib.compress(b'{"uid":"user-12345"}')
 * ```
 */
export function deflateZlib(input: Uint8Array, level = 6): Uint8Array {
  const z = deflateZlibView(input, level);
  return z.buffer === out.buffer ? z.slice() : z;
}

/**
 * {@link deflateZlib} without the final copy: the result may be a view of this module's output
 * buffer, valid only until the next call. For callers that encode it at once (a token's base64),
 * which saves an off-heap allocation per token.
 *
 * @example
 * ```ts
 * const text = Buffer.from(deflateZlibView(json)).toString('base64url'); // use before the next call
 * ```
 */
export function deflateZlibView(input: Uint8Array, level = 6): Uint8Array {
  if (level === -1) level = 6;
  const length = input.length;
  if (length > EXACT_DEFLATE_LIMIT || !(level >= 4 && level <= 9) || !Number.isInteger(level)) {
    return new Uint8Array(deflateSync(input, { level }));
  }

  // fill_window, all at once: the window holds the input followed by zeros.
  window.set(input);
  window.fill(0, length, length + MAX_MATCH + MIN_MATCH);

  // Stale hash heads are recognised by being <= base; renew the table only past BASE_LIMIT.
  if (base > BASE_LIMIT) {
    head.fill(0);
    base = 0;
  }

  // init_block: reset the frequencies; END_BLOCK always occurs once.
  lTree.freq.fill(0, 0, L_CODES);
  dTree.freq.fill(0, 0, D_CODES);
  blTree.freq.fill(0, 0, BL_CODES);
  lTree.freq[END_BLOCK] = 1;
  lTree.used.fill(0);
  lTree.used[END_BLOCK >>> 5] = 1 << (END_BLOCK & 31);

  deflateSlow(length, level);
  base += length + 1;

  // Header (deflate.c): CMF 0x78 (deflate, 32K window), FLG with level_flags and FCHECK.
  const levelFlags = level < 6 ? 1 : level === 6 ? 2 : 3;
  let header = (0x78 << 8) | (levelFlags << 6);
  header += 31 - (header % 31);
  out[0] = header >>> 8;
  out[1] = header & 0xff;
  outPos = 2;
  bitBuf = 0;
  bitCount = 0;

  flushBlock(length);

  const adler = adler32(input);
  out[outPos++] = adler >>> 24;
  out[outPos++] = (adler >>> 16) & 0xff;
  out[outPos++] = (adler >>> 8) & 0xff;
  out[outPos++] = adler & 0xff;
  return out.subarray(0, outPos);
}
