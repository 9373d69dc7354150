import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import * as zlib from 'node:zlib';
import fc from 'fast-check';
import { deflate as pakoDeflate } from 'pako';
import { InflateError, inflateZlib } from '../../src/core/inflate.ts';

// ---------------------------------------------------------------------------------------------
// Helpers

const BIG_LIMIT = 1 << 22;

type Outcome = { ok: true; out: Uint8Array } | { ok: false; reason: 'corrupt' | 'too-large' };

/** Our result; anything thrown that is not an InflateError fails the test. */
function ours(bytes: Uint8Array, limit = BIG_LIMIT): Outcome {
  try {
    return { ok: true, out: inflateZlib(bytes, limit) };
  } catch (err) {
    if (err instanceof InflateError) return { ok: false, reason: err.reason };
    throw err;
  }
}

function nodeInflate(bytes: Uint8Array): Buffer | undefined {
  try {
    return zlib.inflateSync(bytes);
  } catch {
    return undefined;
  }
}

function same(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(b);
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

/** Assert that we accept exactly what node:zlib accepts, with the same output. */
function assertAgreesWithNode(bytes: Uint8Array, limit = BIG_LIMIT): void {
  const mine = ours(bytes, limit);
  const theirs = nodeInflate(bytes);
  if (mine.ok) {
    assert.ok(theirs, `we accepted what node:zlib rejects: ${hex(bytes)}`);
    assert.ok(same(mine.out, theirs), `output differs from node:zlib for ${hex(bytes)}`);
  } else if (mine.reason === 'corrupt') {
    assert.equal(theirs, undefined, `we rejected what node:zlib accepts: ${hex(bytes)}`);
  } else {
    assert.ok(theirs && theirs.length > limit, `too-large, but node:zlib gives ${theirs?.length}`);
  }
}

function roundTrip(compressed: Uint8Array, original: Uint8Array, label: string): void {
  const out = inflateZlib(compressed, original.length);
  assert.ok(same(out, original), label);
  assert.equal(out.length, original.length, label);
  assert.equal(Object.getPrototypeOf(out), Uint8Array.prototype, label);
}

/** xorshift32: deterministic test data. */
function prng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
}

function randomBytes(n: number, seed: number): Uint8Array {
  const next = prng(seed);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = next() & 0xff;
  return out;
}

function textLike(n: number, seed: number): Uint8Array {
  const next = prng(seed);
  const words = [
    'token',
    'user',
    'admin',
    'scope',
    'read',
    'write',
    '"exp":',
    '{',
    '}',
    'iat',
    ' ',
  ];
  let s = '';
  while (s.length < n)
    s += `${words[next() % words.length]}${next() % 7 === 0 ? next() % 100000 : ''} `;
  return new TextEncoder().encode(s.slice(0, n));
}

const TOKEN = new TextEncoder().encode(
  '{"uid":"user-12345","role":"admin","iat":1700000000,"exp":1700003600,"scopes":["read","write"]}',
);

function corpus(): Array<[string, Uint8Array]> {
  const allBytes = new Uint8Array(1024).map((_, i) => i & 0xff);
  const rand20k = randomBytes(20_000, 7);
  const repeatedFar = new Uint8Array(40_000);
  repeatedFar.set(rand20k, 0);
  repeatedFar.set(rand20k, 20_000);
  return [
    ['empty', new Uint8Array(0)],
    ['one byte', Uint8Array.of(0x41)],
    ['token JSON', TOKEN],
    ['all byte values', allBytes],
    ['zeros 1000', new Uint8Array(1000)],
    ['random 1 KB', randomBytes(1024, 1)],
    ['text 10 KB', textLike(10_000, 2)],
    ['random 20 KB repeated (20 KB distances)', repeatedFar],
    ['text 200 KB', textLike(200_000, 3)],
    ['random 200 KB', randomBytes(200_000, 4)],
    ['zeros 200 KB', new Uint8Array(200_000)],
  ];
}

const STRATEGIES: Array<[string, number]> = [
  ['default', zlib.constants.Z_DEFAULT_STRATEGY],
  ['filtered', zlib.constants.Z_FILTERED],
  ['huffman-only', zlib.constants.Z_HUFFMAN_ONLY],
  ['rle', zlib.constants.Z_RLE],
  ['fixed', zlib.constants.Z_FIXED],
];

// --- Hand-crafted streams (RFC 1951 §3.2) ---

/** Writes DEFLATE fields: values least-significant bit first, Huffman codes MSB first (§3.1.1). */
class BitWriter {
  #bytes: number[] = [];
  #acc = 0;
  #n = 0;

  bits(value: number, count: number): this {
    for (let i = 0; i < count; i++) {
      this.#acc |= ((value >>> i) & 1) << this.#n;
      if (++this.#n === 8) {
        this.#bytes.push(this.#acc);
        this.#acc = 0;
        this.#n = 0;
      }
    }
    return this;
  }

  huffman(code: number, length: number): this {
    for (let i = length - 1; i >= 0; i--) this.bits((code >>> i) & 1, 1);
    return this;
  }

  /** Whole bytes at the next byte boundary (stored blocks). */
  raw(bytes: ArrayLike<number>): this {
    while (this.#n !== 0) this.bits(0, 1);
    for (let i = 0; i < bytes.length; i++) this.#bytes.push(bytes[i]!);
    return this;
  }

  finish(): Uint8Array {
    while (this.#n !== 0) this.bits(0, 1);
    return Uint8Array.from(this.#bytes);
  }
}

// RFC 1951 §3.2.5, typed out independently of the implementation.
const LENGTH_BASE = [
  3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131,
  163, 195, 227, 258,
];
const LENGTH_EXTRA = [
  0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0,
];
const DIST_BASE = [
  1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049,
  3073, 4097, 6145, 8193, 12289, 16385, 24577,
];
const DIST_EXTRA = [
  0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13,
];
const CL_ORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];

function lastIndexAtMost(bases: number[], value: number): number {
  let i = bases.length - 1;
  while (bases[i]! > value) i--;
  return i;
}

/** §3.2.6 fixed literal/length code. */
function fixedSymbol(w: BitWriter, sym: number): BitWriter {
  if (sym < 144) return w.huffman(0x30 + sym, 8);
  if (sym < 256) return w.huffman(0x190 + sym - 144, 9);
  if (sym < 280) return w.huffman(sym - 256, 7);
  return w.huffman(0xc0 + sym - 280, 8);
}

function fixedMatch(w: BitWriter, length: number, distance: number): BitWriter {
  const l = lastIndexAtMost(LENGTH_BASE, length);
  fixedSymbol(w, 257 + l).bits(length - LENGTH_BASE[l]!, LENGTH_EXTRA[l]!);
  const d = lastIndexAtMost(DIST_BASE, distance);
  return w.huffman(d, 5).bits(distance - DIST_BASE[d]!, DIST_EXTRA[d]!);
}

/** §3.2.2: canonical codes from lengths (-1 for unused symbols). */
function canonical(lengths: number[]): number[] {
  const count = new Array<number>(16).fill(0);
  for (const l of lengths) if (l) count[l]!++;
  const next = new Array<number>(16).fill(0);
  let code = 0;
  for (let bits = 1; bits <= 15; bits++) {
    code = (code + count[bits - 1]!) << 1;
    next[bits] = code;
  }
  return lengths.map((l) => (l ? next[l]!++ : -1));
}

/** A complete code over all 19 code-length symbols: 13 of length 4, 6 of length 5. */
const DEFAULT_CL = Array.from({ length: 19 }, (_, s) => (s < 13 ? 4 : 5));

/** One code-length code symbol as written: a length 0..15, or [16|17|18, extra bits]. */
type Token = number | readonly [number, number];

interface DynamicSpec {
  lit: number[];
  dist: number[];
  /** Counts written in the header, if not lit.length / dist.length. */
  hlit?: number;
  hdist?: number;
  /** Code-length code lengths by symbol. */
  cl?: number[];
  /** The code-length sequence as written: a length 0..15, or [16|17|18, extra]. */
  tokens?: readonly Token[];
}

interface Code {
  codes: number[];
  lengths: number[];
}

/** Write a dynamic block header (§3.2.7); returns the literal/length and distance codes. */
function dynamicHeader(w: BitWriter, final: boolean, spec: DynamicSpec): { lit: Code; dist: Code } {
  w.bits(final ? 1 : 0, 1).bits(2, 2);
  w.bits((spec.hlit ?? spec.lit.length) - 257, 5);
  w.bits((spec.hdist ?? spec.dist.length) - 1, 5);
  w.bits(19 - 4, 4);
  const cl = spec.cl ?? DEFAULT_CL;
  for (const s of CL_ORDER) w.bits(cl[s]!, 3);
  const clCodes = canonical(cl);
  for (const t of spec.tokens ?? [...spec.lit, ...spec.dist]) {
    const [sym, extra] = typeof t === 'number' ? [t, 0] : t;
    w.huffman(clCodes[sym]!, cl[sym]!);
    if (sym === 16) w.bits(extra, 2);
    if (sym === 17) w.bits(extra, 3);
    if (sym === 18) w.bits(extra, 7);
  }
  return {
    lit: { codes: canonical(spec.lit), lengths: spec.lit },
    dist: { codes: canonical(spec.dist), lengths: spec.dist },
  };
}

function put(w: BitWriter, code: Code, sym: number): BitWriter {
  return w.huffman(code.codes[sym]!, code.lengths[sym]!);
}

/** Lengths array of `n` zeros with some set. */
function lengthsWith(n: number, set: Record<number, number>): number[] {
  const out = new Array<number>(n).fill(0);
  for (const [k, v] of Object.entries(set)) out[Number(k)] = v;
  return out;
}

function adler32(data: ArrayLike<number>): number {
  let a = 1;
  let b = 0;
  for (let i = 0; i < data.length; i++) {
    a = (a + data[i]!) % 65521;
    b = (b + a) % 65521;
  }
  return ((b << 16) | a) >>> 0;
}

/** Wrap raw DEFLATE data in a zlib container whose trailer is the Adler-32 of `content`. */
function zlibWrap(raw: Uint8Array, content: ArrayLike<number>, header = [0x78, 0x9c]): Uint8Array {
  const sum = adler32(content);
  return Uint8Array.from([
    ...header,
    ...raw,
    sum >>> 24,
    (sum >>> 16) & 0xff,
    (sum >>> 8) & 0xff,
    sum & 0xff,
  ]);
}

function header(cmf: number, flg: number): number[] {
  // Set FCHECK so that (CMF * 256 + FLG) is a multiple of 31 (RFC 1950 §2.2).
  const base = flg & 0xe0;
  return [cmf, base + ((31 - ((cmf * 256 + base) % 31)) % 31)];
}

const ascii = (s: string): number[] => [...new TextEncoder().encode(s)];

/** An empty final stored block. */
const EMPTY_STORED = new BitWriter().bits(1, 1).bits(0, 2).raw([0, 0, 0xff, 0xff]).finish();

interface Crafted {
  name: string;
  bytes: Uint8Array;
  /** Expected output, or 'corrupt'. */
  expect: Uint8Array | 'corrupt';
}

function craftedCases(): Crafted[] {
  const cases: Crafted[] = [];
  const ok = (name: string, bytes: Uint8Array, out: ArrayLike<number>) =>
    cases.push({ name, bytes, expect: Uint8Array.from(out) });
  const bad = (name: string, bytes: Uint8Array | number[]) =>
    cases.push({ name, bytes: Uint8Array.from(bytes), expect: 'corrupt' });

  // --- RFC 1950 header ---
  ok('empty stored block', zlibWrap(EMPTY_STORED, []), []);
  bad('no input', []);
  bad('one header byte', [0x78]);
  bad('header only', [0x78, 0x9c]);
  bad('FCHECK wrong', zlibWrap(EMPTY_STORED, [], [0x78, 0x9d]));
  bad('CM = 7', zlibWrap(EMPTY_STORED, [], header(0x77, 0)));
  bad('CM = 15', zlibWrap(EMPTY_STORED, [], header(0x7f, 0)));
  bad('CINFO = 8 (64 KiB window)', zlibWrap(EMPTY_STORED, [], header(0x88, 0)));
  bad('CINFO = 15', zlibWrap(EMPTY_STORED, [], header(0xf8, 0)));
  for (const cinfo of [0, 1, 4, 7]) {
    ok(`CINFO = ${cinfo}`, zlibWrap(EMPTY_STORED, [], header((cinfo << 4) | 8, 0x80)), []);
  }
  bad(
    'FDICT set (with a DICTID)',
    Uint8Array.from([...header(0x78, 0x20), 0, 0, 0, 1, ...zlibWrap(EMPTY_STORED, []).slice(2)]),
  );

  // --- block types, stored blocks (§3.2.3, §3.2.4) ---
  bad('block type 3', zlibWrap(new BitWriter().bits(1, 1).bits(3, 2).finish(), []));
  bad(
    'stored LEN/NLEN mismatch',
    zlibWrap(new BitWriter().bits(1, 1).bits(0, 2).raw([1, 0, 0xfe, 0xfe, 0x41]).finish(), [0x41]),
  );
  ok(
    'stored block with data, junk bits before the boundary',
    zlibWrap(
      new BitWriter().bits(1, 1).bits(0, 2).bits(31, 5).raw([2, 0, 0xfd, 0xff, 1, 2]).finish(),
      [1, 2],
    ),
    [1, 2],
  );
  bad(
    'stored block shorter than LEN',
    Uint8Array.from([
      0x78,
      0x9c,
      ...new BitWriter().bits(1, 1).bits(0, 2).raw([5, 0, 0xfa, 0xff, 1, 2]).finish(),
    ]),
  );
  bad(
    'non-final block, then nothing',
    zlibWrap(new BitWriter().bits(0, 1).bits(0, 2).raw([0, 0, 0xff, 0xff]).finish(), []),
  );

  // --- fixed Huffman blocks (§3.2.6) ---
  const fixed = (build: (w: BitWriter) => void) => {
    const w = new BitWriter().bits(1, 1).bits(1, 2);
    build(w);
    return w;
  };
  ok(
    'fixed: literals and EOB',
    zlibWrap(
      fixed((w) => {
        for (const c of ascii('hi')) fixedSymbol(w, c);
        fixedSymbol(w, 256);
      }).finish(),
      ascii('hi'),
    ),
    ascii('hi'),
  );
  for (const sym of [286, 287]) {
    bad(
      `fixed: literal/length symbol ${sym}`,
      zlibWrap(
        fixed((w) => {
          fixedSymbol(w, 65);
          fixedSymbol(w, sym);
          w.bits(0, 16);
        }).finish(),
        [65],
      ),
    );
  }
  for (const sym of [30, 31]) {
    bad(
      `fixed: distance symbol ${sym}`,
      zlibWrap(
        fixed((w) => {
          for (let i = 0; i < 8; i++) fixedSymbol(w, 65);
          fixedSymbol(w, 257).huffman(sym, 5);
          w.bits(0, 16);
          fixedSymbol(w, 256);
        }).finish(),
        new Array(11).fill(65),
      ),
    );
  }
  ok(
    'fixed: overlapping match (run)',
    zlibWrap(
      fixed((w) => {
        fixedSymbol(w, 0x61);
        fixedSymbol(w, 0x62);
        fixedMatch(w, 258, 2);
        fixedSymbol(w, 256);
      }).finish(),
      ascii('ab'.repeat(130)),
    ),
    ascii('ab'.repeat(130)),
  );
  ok(
    'fixed: length 258 as symbol 284 + 31',
    zlibWrap(
      fixed((w) => {
        fixedSymbol(w, 0x7a);
        fixedSymbol(w, 284).bits(31, 5).huffman(0, 5);
        fixedSymbol(w, 256);
      }).finish(),
      new Array(259).fill(0x7a),
    ),
    new Array(259).fill(0x7a),
  );
  bad(
    'fixed: distance 1 with no output yet',
    zlibWrap(
      fixed((w) => {
        fixedMatch(w, 3, 1);
        fixedSymbol(w, 256);
      }).finish(),
      [0, 0, 0],
    ),
  );
  bad(
    'fixed: distance one beyond the output',
    zlibWrap(
      fixed((w) => {
        fixedSymbol(w, 0x61);
        fixedMatch(w, 3, 2);
        fixedSymbol(w, 256);
      }).finish(),
      ascii('aaaa'),
    ),
  );
  ok(
    'fixed: distance equal to the output so far',
    zlibWrap(
      fixed((w) => {
        fixedSymbol(w, 0x61);
        fixedSymbol(w, 0x62);
        fixedMatch(w, 3, 2);
        fixedSymbol(w, 256);
      }).finish(),
      ascii('ababa'),
    ),
    ascii('ababa'),
  );
  {
    // The largest distance, 32768 (symbol 29 + 8191), after a 32 KiB stored block.
    const first = randomBytes(32768, 99);
    const w = new BitWriter().bits(0, 1).bits(0, 2).raw([0, 0x80, 0xff, 0x7f]).raw(first);
    w.bits(1, 1).bits(1, 2);
    fixedMatch(w, 10, 32768);
    fixedSymbol(w, 256);
    const out = [...first, ...first.slice(0, 10)];
    ok('distance 32768', zlibWrap(w.finish(), out), out);
  }
  {
    // A declared 256-byte window (CINFO 0) does not stop zlib from using the whole 32 KiB.
    const first = randomBytes(1000, 5);
    const w = new BitWriter().bits(0, 1).bits(0, 2).raw([0xe8, 0x03, 0x17, 0xfc]).raw(first);
    w.bits(1, 1).bits(1, 2);
    fixedMatch(w, 4, 1000);
    fixedSymbol(w, 256);
    const out = [...first, ...first.slice(0, 4)];
    ok(
      'distance beyond a small declared window',
      zlibWrap(w.finish(), out, header(0x08, 0x80)),
      out,
    );
  }

  // --- dynamic Huffman blocks (§3.2.7) ---
  const dyn = (spec: DynamicSpec, body: (w: BitWriter, c: { lit: Code; dist: Code }) => void) => {
    const w = new BitWriter();
    body(w, dynamicHeader(w, true, spec));
    return w.finish();
  };
  // a, b, EOB, length-3 all of length 2; one distance code of length 1 (allowed, §3.2.7).
  const abLit = lengthsWith(258, { 97: 2, 98: 2, 256: 2, 257: 2 });
  ok(
    'dynamic: single distance code of length 1',
    zlibWrap(
      dyn({ lit: abLit, dist: [1] }, (w, c) => {
        put(w, c.lit, 97);
        put(w, c.lit, 98);
        put(w, c.lit, 257);
        put(w, c.dist, 0);
        put(w, c.lit, 256);
      }),
      ascii('abbbb'),
    ),
    ascii('abbbb'),
  );
  bad(
    'dynamic: unused pattern of a single distance code',
    zlibWrap(
      dyn({ lit: abLit, dist: [1] }, (w, c) => {
        put(w, c.lit, 97);
        put(w, c.lit, 257);
        w.bits(1, 1);
        put(w, c.lit, 256);
      }),
      ascii('aaaa'),
    ),
  );
  const abOnly = lengthsWith(257, { 97: 1, 256: 1 });
  ok(
    'dynamic: no distance codes, literals only',
    zlibWrap(
      dyn({ lit: abOnly, dist: [0] }, (w, c) => {
        put(w, c.lit, 97);
        put(w, c.lit, 97);
        put(w, c.lit, 256);
      }),
      ascii('aa'),
    ),
    ascii('aa'),
  );
  bad(
    'dynamic: match with no distance codes',
    zlibWrap(
      dyn({ lit: abLit, dist: [0] }, (w, c) => {
        put(w, c.lit, 97);
        put(w, c.lit, 257);
        w.bits(0, 8);
        put(w, c.lit, 256);
      }),
      ascii('aaaa'),
    ),
  );
  const eobOnly = lengthsWith(257, { 256: 1 });
  ok(
    'dynamic: a single literal/length code (EOB) of length 1',
    zlibWrap(
      dyn({ lit: eobOnly, dist: [0] }, (w, c) => {
        put(w, c.lit, 256);
      }),
      [],
    ),
    [],
  );
  bad(
    'dynamic: unused pattern of a single literal/length code',
    zlibWrap(
      dyn({ lit: eobOnly, dist: [0] }, (w) => {
        w.bits(1, 1).bits(0, 8);
      }),
      [],
    ),
  );
  bad(
    'dynamic: single literal/length code of length 2',
    zlibWrap(
      dyn({ lit: lengthsWith(257, { 256: 2 }), dist: [0] }, (w) => {
        w.bits(0, 2);
      }),
      [],
    ),
  );
  bad(
    'dynamic: incomplete literal/length code',
    zlibWrap(
      dyn({ lit: lengthsWith(257, { 97: 2, 256: 2 }), dist: [0] }, (w) => {
        w.bits(0, 4);
      }),
      [],
    ),
  );
  bad(
    'dynamic: over-subscribed literal/length code',
    zlibWrap(
      dyn({ lit: lengthsWith(257, { 97: 1, 98: 1, 256: 1 }), dist: [0] }, (w) => {
        w.bits(0, 4);
      }),
      [],
    ),
  );
  bad(
    'dynamic: over-subscribed distance code',
    zlibWrap(
      dyn({ lit: abLit, dist: [1, 1, 1] }, (w, c) => {
        put(w, c.lit, 256);
      }),
      [],
    ),
  );
  bad(
    'dynamic: incomplete distance code',
    zlibWrap(
      dyn({ lit: abLit, dist: [2, 2] }, (w, c) => {
        put(w, c.lit, 256);
      }),
      [],
    ),
  );
  bad(
    'dynamic: distance code incomplete with one length-2 code',
    zlibWrap(
      dyn({ lit: abLit, dist: [2] }, (w, c) => {
        put(w, c.lit, 256);
      }),
      [],
    ),
  );
  bad(
    'dynamic: end-of-block has no code',
    zlibWrap(
      dyn({ lit: lengthsWith(257, { 97: 1, 98: 1 }), dist: [0] }, (w) => {
        w.bits(0, 8);
      }),
      [],
    ),
  );
  {
    // HLIT = 286 and HDIST = 30, the maxima: valid.
    const lit = lengthsWith(286, {});
    for (let s = 0; s < 286; s++) lit[s] = s < 226 ? 8 : 9; // 226/256 + 60/512 = 1
    const dist = new Array<number>(30).fill(0);
    for (let s = 0; s < 30; s++) dist[s] = s < 2 ? 4 : 5; // 2/16 + 28/32 = 1
    const out = ascii('xyz');
    ok(
      'dynamic: HLIT 286, HDIST 30',
      zlibWrap(
        dyn({ lit, dist }, (w, c) => {
          for (const b of out) put(w, c.lit, b);
          put(w, c.lit, 256);
        }),
        out,
      ),
      out,
    );
  }
  {
    // Degenerate codes (lengths 1, 2, ..., 14, 15, 15) that put 15-bit codes on the symbols with
    // the most extra bits — length 284 (5) and distances 28 and 29 (13 each) — preceded by a
    // varying number of short literals so that they land at every bit alignment.
    const lit = lengthsWith(285, { 97: 1, 98: 2, 256: 15, 284: 15 });
    for (let k = 0; k < 12; k++) lit[99 + k] = 3 + k;
    const dist = new Array<number>(30).fill(0);
    for (let k = 0; k < 14; k++) dist[k] = k + 1;
    dist[28] = 15;
    dist[29] = 15;
    const next = prng(77);
    const out: number[] = [];
    const w = new BitWriter();
    const c = dynamicHeader(w, true, { lit, dist });
    for (let i = 0; i < 1500; i++) {
      for (let k = i === 0 ? 1 : next() % 4; k > 0; k--) {
        const b = 97 + (next() % 3);
        put(w, c.lit, b);
        out.push(b);
      }
      const e = next() % 32;
      put(w, c.lit, 284).bits(e, 5);
      let distance = 1;
      if (out.length >= 32768) {
        const x = next() % 8192;
        distance = 24577 + x;
        put(w, c.dist, 29).bits(x, 13);
      } else if (out.length >= 24576) {
        const x = next() % 8192;
        distance = 16385 + x;
        put(w, c.dist, 28).bits(x, 13);
      } else {
        put(w, c.dist, 0);
      }
      for (let k = 0; k < 227 + e; k++) out.push(out[out.length - distance]!);
    }
    put(w, c.lit, 256);
    ok('dynamic: 15-bit codes with the most extra bits', zlibWrap(w.finish(), out), out);
  }
  bad(
    'dynamic: HLIT 287',
    zlibWrap(
      dyn({ lit: abOnly, dist: [0], hlit: 287 }, () => {}),
      [],
    ),
  );
  bad(
    'dynamic: HLIT 288',
    zlibWrap(
      dyn({ lit: abOnly, dist: [0], hlit: 288 }, () => {}),
      [],
    ),
  );
  bad(
    'dynamic: HDIST 31',
    zlibWrap(
      dyn({ lit: abOnly, dist: [0], hdist: 31 }, () => {}),
      [],
    ),
  );
  bad(
    'dynamic: HDIST 32',
    zlibWrap(
      dyn({ lit: abOnly, dist: [0], hdist: 32 }, () => {}),
      [],
    ),
  );
  bad(
    'dynamic: repeat code 16 first',
    zlibWrap(
      dyn({ lit: abOnly, dist: [0], tokens: [[16, 0]] }, (w) => {
        w.bits(0, 400);
      }),
      [],
    ),
  );
  {
    // HLIT 257 + HDIST 1 = 258 lengths: 97 zeros, 'a' = 1, 158 zeros, EOB = 1, then one more.
    const prefix: Token[] = [[18, 97 - 11], 1, [18, 138 - 11], [18, 20 - 11], 1];
    for (const [name, last] of [
      ['18', [18, 0]],
      ['17', [17, 0]],
      ['16', [16, 0]],
    ] as const) {
      bad(
        `dynamic: code ${name} runs past HLIT + HDIST`,
        zlibWrap(
          dyn({ lit: abOnly, dist: [0], tokens: [...prefix, last] }, (w) => {
            w.bits(0, 64);
          }),
          [],
        ),
      );
    }
    // 'a' = 1, EOB = 2, lengths 3 and 4 = 3 | distances 3, 3, 2, 1. A code 16 after length-3's
    // "3" repeats it three times: for symbol 258 and for distance codes 0 and 1.
    const lit = lengthsWith(259, { 97: 1, 256: 2, 257: 3, 258: 3 });
    const dist = [3, 3, 2, 1];
    const crossing: Token[] = [...prefix.slice(0, 4), 2, 3, [16, 0], 2, 1];
    ok(
      'dynamic: repeat crossing from literal into distance lengths',
      zlibWrap(
        dyn({ lit, dist, tokens: crossing }, (w, c) => {
          put(w, c.lit, 97);
          put(w, c.lit, 257);
          put(w, c.dist, 0);
          put(w, c.lit, 256);
        }),
        ascii('aaaa'),
      ),
      ascii('aaaa'),
    );
    bad(
      'dynamic: code 16 runs past the end after crossing',
      zlibWrap(
        dyn({ lit, dist, tokens: [...crossing.slice(0, -1), [16, 0]] }, (w) => {
          w.bits(0, 64);
        }),
        [],
      ),
    );
    ok(
      'dynamic: code lengths end exactly at HLIT + HDIST',
      zlibWrap(
        dyn({ lit: abOnly, dist: [0], tokens: [...prefix, 0] }, (w, c) => {
          put(w, c.lit, 97);
          put(w, c.lit, 256);
        }),
        ascii('a'),
      ),
      ascii('a'),
    );
  }
  {
    // Code-length codes: over-subscribed, incomplete (not even one length-1 code is allowed),
    // and empty are all errors.
    const cl1 = lengthsWith(19, { 0: 1, 1: 1, 2: 1 });
    bad(
      'dynamic: over-subscribed code-length code',
      zlibWrap(
        dyn({ lit: abOnly, dist: [0], cl: cl1, tokens: [] }, (w) => {
          w.bits(0, 600);
        }),
        [],
      ),
    );
    const cl2 = lengthsWith(19, { 0: 1 });
    bad(
      'dynamic: single code-length code of length 1',
      zlibWrap(
        dyn({ lit: abOnly, dist: [0], cl: cl2, tokens: [] }, (w) => {
          w.bits(0, 600);
        }),
        [],
      ),
    );
    const cl3 = lengthsWith(19, { 0: 2, 1: 2, 18: 2 });
    bad(
      'dynamic: incomplete code-length code',
      zlibWrap(
        dyn({ lit: abOnly, dist: [0], cl: cl3, tokens: [] }, (w) => {
          w.bits(0, 600);
        }),
        [],
      ),
    );
    bad(
      'dynamic: empty code-length code',
      zlibWrap(
        dyn({ lit: abOnly, dist: [0], cl: new Array(19).fill(0), tokens: [] }, (w) => {
          w.bits(0, 600);
        }),
        [],
      ),
    );
  }

  // --- the zlib trailer (RFC 1950 §2.2) ---
  {
    const good = zlib.deflateSync(TOKEN);
    ok(
      'trailing garbage after the trailer',
      Uint8Array.from([...good, 1, 2, 3, 0x78, 0x9c]),
      TOKEN,
    );
    for (let i = 1; i <= 4; i++) {
      const flipped = Uint8Array.from(good);
      flipped[flipped.length - i]! ^= 0x10;
      bad(`Adler-32 byte ${4 - i} wrong`, flipped);
    }
    const padded = new BitWriter();
    fixedSymbol(padded.bits(1, 1).bits(1, 2), 0x41);
    fixedSymbol(padded, 256).bits(0b101, 3); // junk in the unused bits of the last byte
    ok('non-zero padding bits after the final block', zlibWrap(padded.finish(), [0x41]), [0x41]);
  }
  return cases;
}

// ---------------------------------------------------------------------------------------------
// Round trips

test('round trips node:zlib output at levels 0..9 and every strategy', () => {
  for (const [name, data] of corpus()) {
    const big = data.length > 50_000;
    for (let level = 0; level <= 9; level++) {
      for (const [strategyName, strategy] of STRATEGIES) {
        // keep the 200 KB inputs quick: every level, but the other strategies only at level 6
        if (big && strategyName !== 'default' && level !== 6) continue;
        roundTrip(
          zlib.deflateSync(data, { level, strategy }),
          data,
          `${name} L${level} ${strategyName}`,
        );
      }
    }
  }
});

test('round trips node:zlib output with small windows and memory levels', () => {
  const data = textLike(60_000, 11);
  for (const windowBits of [9, 10, 12, 15]) {
    for (const memLevel of [1, 8, 9]) {
      roundTrip(
        zlib.deflateSync(data, { windowBits, memLevel }),
        data,
        `w${windowBits} m${memLevel}`,
      );
    }
  }
});

test('round trips pako.deflate output', () => {
  for (const [name, data] of corpus()) {
    for (const level of [0, 1, 6, 9] as const) {
      if (data.length > 50_000 && level !== 6) continue;
      roundTrip(pakoDeflate(data, { level }), data, `${name} pako L${level}`);
    }
  }
});

const PYTHON = '/usr/bin/python3';
const hasPython =
  existsSync(PYTHON) && spawnSync(PYTHON, ['-c', 'import zlib'], { stdio: 'ignore' }).status === 0;

/** Run a Python snippet that reads JSON on stdin and writes JSON on stdout. */
function python<T>(script: string, input: unknown): T {
  const run = spawnSync(PYTHON, ['-c', script], {
    input: JSON.stringify(input),
    maxBuffer: 1 << 28,
    encoding: 'utf8',
  });
  assert.equal(run.status, 0, run.stderr);
  return JSON.parse(run.stdout) as T;
}

const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');
const unb64 = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'base64'));

test('round trips Python zlib.compress output', {
  skip: !hasPython && 'no /usr/bin/python3',
}, () => {
  const inputs = corpus();
  const script = `
import sys, json, zlib, base64
out = []
for data in json.load(sys.stdin):
    raw = base64.b64decode(data)
    streams = [zlib.compress(raw, level) for level in range(10)]
    for strategy in (zlib.Z_FILTERED, zlib.Z_HUFFMAN_ONLY, zlib.Z_RLE, zlib.Z_FIXED):
        c = zlib.compressobj(6, zlib.DEFLATED, 15, 8, strategy)
        streams.append(c.compress(raw) + c.flush())
    for wbits in (9, 12):
        c = zlib.compressobj(9, zlib.DEFLATED, wbits, 9)
        streams.append(c.compress(raw) + c.flush())
    out.append([base64.b64encode(s).decode() for s in streams])
json.dump(out, sys.stdout)
`;
  const streams = python<string[][]>(
    script,
    inputs.map(([, data]) => b64(data)),
  );
  inputs.forEach(([name, data], i) => {
    for (const [k, s] of streams[i]!.entries()) roundTrip(unb64(s), data, `${name} python #${k}`);
  });
});

// ---------------------------------------------------------------------------------------------
// The output bound

test('output of exactly maxOutputLength passes; one byte less throws too-large', () => {
  const cases: Array<[string, Uint8Array]> = [
    ['token', TOKEN],
    ['one byte', Uint8Array.of(7)],
    ['text 100 KB (past the scratch buffer)', textLike(100_000, 21)],
    ['zeros 70000', new Uint8Array(70_000)],
    ['random 5000', randomBytes(5000, 22)],
  ];
  for (const [name, data] of cases) {
    for (const [strategyName, strategy] of STRATEGIES) {
      for (const level of [0, 6]) {
        const z = zlib.deflateSync(data, { level, strategy });
        const label = `${name} L${level} ${strategyName}`;
        assert.equal(inflateZlib(z, data.length).length, data.length, label);
        assert.throws(
          () => inflateZlib(z, data.length - 1),
          (err) => err instanceof InflateError && err.reason === 'too-large',
          label,
        );
      }
    }
  }
});

test('an empty output fits a bound of 0', () => {
  assert.equal(inflateZlib(zlib.deflateSync(new Uint8Array(0)), 0).length, 0);
  assert.throws(
    () => inflateZlib(zlib.deflateSync(Uint8Array.of(1)), 0),
    (err) => err instanceof InflateError && err.reason === 'too-large',
  );
});

test('a bound that is not a non-negative integer is floored, and NaN or negative means 0', () => {
  const z = zlib.deflateSync(TOKEN);
  assert.equal(inflateZlib(z, TOKEN.length + 0.9).length, TOKEN.length);
  assert.equal(inflateZlib(z, Number.POSITIVE_INFINITY).length, TOKEN.length);
  for (const limit of [Number.NaN, -1, TOKEN.length - 0.5]) {
    assert.throws(
      () => inflateZlib(z, limit),
      (err) => err instanceof InflateError && err.reason === 'too-large',
      String(limit),
    );
  }
});

test('a 10 MB zero bomb is stopped at a 256 KiB bound', { timeout: 30_000 }, () => {
  const bomb = zlib.deflateSync(new Uint8Array(10 * 1024 * 1024), { level: 9 });
  assert.ok(bomb.length < 20_000);
  assert.throws(
    () => inflateZlib(bomb, 256 * 1024),
    (err) => err instanceof InflateError && err.reason === 'too-large',
  );
  // The same through many stored blocks and through fixed-code matches.
  const stored = zlib.deflateSync(new Uint8Array(1024 * 1024), { level: 0 });
  assert.throws(
    () => inflateZlib(stored, 256 * 1024),
    (err) => err instanceof InflateError && err.reason === 'too-large',
  );
  const fixed = zlib.deflateSync(new Uint8Array(1024 * 1024), { strategy: zlib.constants.Z_FIXED });
  assert.throws(
    () => inflateZlib(fixed, 256 * 1024),
    (err) => err instanceof InflateError && err.reason === 'too-large',
  );
});

// ---------------------------------------------------------------------------------------------
// Corrupt streams

test('hand-crafted streams: valid ones decode, invalid ones are corrupt', () => {
  for (const c of craftedCases()) {
    const got = ours(c.bytes);
    if (c.expect === 'corrupt') {
      assert.deepEqual(got, { ok: false, reason: 'corrupt' }, c.name);
    } else {
      assert.ok(got.ok, `${c.name}: ${JSON.stringify(got)}`);
      assert.deepEqual(got.out, c.expect, c.name);
    }
    assertAgreesWithNode(c.bytes);
  }
});

test('hand-crafted streams: Python zlib.decompress agrees with every expectation', {
  skip: !hasPython && 'no /usr/bin/python3',
}, () => {
  const cases = craftedCases();
  const results = python<Array<string | null>>(
    `
import sys, json, zlib, base64
out = []
for data in json.load(sys.stdin):
    try:
        out.append(base64.b64encode(zlib.decompress(base64.b64decode(data))).decode())
    except zlib.error:
        out.append(None)
json.dump(out, sys.stdout)
`,
    cases.map((c) => b64(c.bytes)),
  );
  cases.forEach((c, i) => {
    const py = results[i];
    if (c.expect === 'corrupt') assert.equal(py, null, `${c.name}: Python accepts it`);
    else assert.deepEqual(unb64(py ?? 'x'), c.expect, `${c.name}: Python gives ${py}`);
  });
});

test('a stream truncated anywhere is corrupt', () => {
  const streams = [
    zlib.deflateSync(TOKEN),
    zlib.deflateSync(TOKEN, { level: 0 }),
    zlib.deflateSync(TOKEN, { strategy: zlib.constants.Z_FIXED }),
    zlib.deflateSync(textLike(3000, 31)),
    zlib.deflateSync(new Uint8Array(0)),
  ];
  for (const z of streams) {
    for (let n = 0; n < z.length; n++) {
      assert.deepEqual(
        ours(z.subarray(0, n)),
        { ok: false, reason: 'corrupt' },
        `${n}/${z.length}`,
      );
    }
  }
});

test('bytes after the Adler-32 trailer are ignored', () => {
  for (const z of [zlib.deflateSync(TOKEN), zlib.deflateSync(TOKEN, { level: 0 })]) {
    for (const tail of [[0], [0xff, 0xff, 0xff, 0xff, 0xff], [...z]]) {
      const got = ours(Uint8Array.from([...z, ...tail]));
      assert.ok(got.ok && same(got.out, Buffer.from(TOKEN)));
    }
  }
});

test('the result is a fresh, exact-length array each call', () => {
  const z = zlib.deflateSync(TOKEN);
  const a = inflateZlib(z, 1000);
  const b = inflateZlib(z, 1000);
  assert.notEqual(a.buffer, b.buffer);
  assert.equal(a.byteOffset, 0);
  assert.equal(a.buffer.byteLength, TOKEN.length);
  a.fill(0);
  assert.ok(same(b, Buffer.from(TOKEN)));
  assert.ok(same(inflateZlib(z, 1000), Buffer.from(TOKEN)));
});

test('InflateError carries its reason', () => {
  const err = new InflateError('corrupt', 'x');
  assert.ok(err instanceof Error);
  assert.equal(err.name, 'InflateError');
  assert.equal(err.reason, 'corrupt');
  assert.equal(err.message, 'x');
});

// ---------------------------------------------------------------------------------------------
// Properties: hostile input only ever yields a result node:zlib agrees with, or InflateError

const fcSeed = Number(process.env.FC_SEED ?? Date.now() % 1_000_000);

test(`random bytes (fast-check seed ${fcSeed})`, () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300, size: 'large' }), (bytes) =>
      assertAgreesWithNode(bytes),
    ),
    { numRuns: 2000, seed: fcSeed },
  );
  // With a valid header the decoder gets past the first two bytes.
  const headers = fc.constantFrom([0x78, 0x9c], [0x78, 0x01], [0x78, 0xda], [0x08, 0x1d]);
  fc.assert(
    fc.property(headers, fc.uint8Array({ maxLength: 300, size: 'large' }), (h, body) =>
      assertAgreesWithNode(Uint8Array.from([...h, ...body])),
    ),
    { numRuns: 3000, seed: fcSeed },
  );
});

const validStream = fc
  .record({
    data: fc.oneof(
      fc.uint8Array({ maxLength: 2000, size: 'large' }),
      // repetitive text: dynamic blocks with matches
      fc
        .string({ maxLength: 300, size: 'large' })
        .map((s) => new TextEncoder().encode(s.repeat(5))),
      fc.integer({ min: 1, max: 3000 }).map((n) => textLike(n, n)),
      fc.constant(TOKEN),
    ),
    level: fc.integer({ min: 0, max: 9 }),
    strategy: fc.constantFrom(...STRATEGIES.map(([, s]) => s)),
  })
  .map(({ data, level, strategy }) => ({
    data,
    z: new Uint8Array(zlib.deflateSync(data, { level, strategy })),
  }));

test(`valid streams round trip (fast-check seed ${fcSeed})`, () => {
  fc.assert(
    fc.property(validStream, ({ data, z }) => {
      const got = ours(z, data.length);
      assert.ok(got.ok && same(got.out, Buffer.from(data)));
    }),
    { numRuns: 500, seed: fcSeed },
  );
});

type Mutation =
  | { kind: 'set'; at: number; value: number }
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'insert'; at: number; value: number }
  | { kind: 'delete'; at: number }
  | { kind: 'append'; bytes: Uint8Array };

function mutate(z: Uint8Array, m: Mutation): Uint8Array {
  const at = 'at' in m ? m.at % Math.max(z.length, 1) : 0;
  const b = [...z];
  switch (m.kind) {
    case 'set':
      b[at] = m.value;
      break;
    case 'flip':
      b[at] = (b[at] ?? 0) ^ (1 << m.bit);
      break;
    case 'truncate':
      b.length = at;
      break;
    case 'insert':
      b.splice(at, 0, m.value);
      break;
    case 'delete':
      b.splice(at, 1);
      break;
    case 'append':
      b.push(...m.bytes);
      break;
  }
  return Uint8Array.from(b);
}

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({
    kind: fc.constant('set' as const),
    at: fc.nat(),
    value: fc.integer({ min: 0, max: 255 }),
  }),
  fc.record({
    kind: fc.constant('flip' as const),
    at: fc.nat(),
    bit: fc.integer({ min: 0, max: 7 }),
  }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    value: fc.integer({ min: 0, max: 255 }),
  }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant('append' as const),
    bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }),
  }),
);

test(`mutated valid streams agree with node:zlib (fast-check seed ${fcSeed})`, () => {
  fc.assert(
    fc.property(validStream, fc.array(mutation, { minLength: 1, maxLength: 3 }), ({ z }, ms) => {
      let bytes: Uint8Array = z;
      for (const m of ms) bytes = mutate(bytes, m);
      assertAgreesWithNode(bytes);
    }),
    { numRuns: 4000, seed: fcSeed },
  );
});

test('mutated valid streams agree with Python zlib.decompress', {
  skip: !hasPython && 'no /usr/bin/python3',
}, () => {
  const next = prng(2024);
  const bases = [
    zlib.deflateSync(TOKEN),
    zlib.deflateSync(TOKEN, { level: 0 }),
    zlib.deflateSync(TOKEN, { strategy: zlib.constants.Z_FIXED }),
    zlib.deflateSync(textLike(600, 41)),
    zlib.deflateSync(randomBytes(100, 42), { level: 1 }),
  ].map((b) => new Uint8Array(b));
  const samples: Uint8Array[] = [];
  for (let i = 0; i < 3000; i++) {
    const base = bases[i % bases.length]!;
    const at = next();
    const value = next() & 0xff;
    const kinds: Mutation[] = [
      { kind: 'set', at, value },
      { kind: 'flip', at, bit: value & 7 },
      { kind: 'truncate', at },
      { kind: 'insert', at, value },
      { kind: 'delete', at },
      { kind: 'append', bytes: Uint8Array.of(value) },
    ];
    samples.push(mutate(base, kinds[next() % kinds.length]!));
  }
  const results = python<Array<string | null>>(
    `
import sys, json, zlib, base64
out = []
for data in json.load(sys.stdin):
    try:
        out.append(base64.b64encode(zlib.decompress(base64.b64decode(data))).decode())
    except zlib.error:
        out.append(None)
json.dump(out, sys.stdout)
`,
    samples.map(b64),
  );
  let accepted = 0;
  samples.forEach((bytes, i) => {
    const mine = ours(bytes);
    const py = results[i];
    if (py === null || py === undefined) {
      assert.ok(!mine.ok, `we accept what Python rejects: ${hex(bytes)}`);
    } else {
      accepted++;
      assert.ok(mine.ok, `we reject what Python accepts: ${hex(bytes)}`);
      assert.ok(same(mine.out, Buffer.from(unb64(py))), `output differs: ${hex(bytes)}`);
    }
  });
  assert.ok(accepted > 100, `only ${accepted} mutations were still valid`);
});
