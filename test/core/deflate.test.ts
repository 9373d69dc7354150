import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, test } from 'node:test';
import { deflateSync, inflateSync } from 'node:zlib';
import fc from 'fast-check';
import pako from 'pako';
import { deflateZlib, EXACT_DEFLATE_LIMIT } from '../../src/core/deflate.ts';

// pako 2.x is a faithful port of zlib 1.2.x and reproduces CPython's zlib 1.2.13 output byte
// for byte, so it is the oracle here; a handful of cases are also checked against python3.

const LEVELS = [4, 5, 6, 7, 8, 9] as const;
const enc = new TextEncoder();
const PYTHON = '/usr/bin/python3';

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/** Assert deflateZlib(input, level) equals pako's output, with a compact failure message. */
function expectSame(input: Uint8Array, level: number, label = ''): void {
  const ours = deflateZlib(input, level);
  const theirs = pako.deflate(input, { level: level as pako.DeflateFunctionOptions['level'] });
  if (Buffer.compare(Buffer.from(ours), Buffer.from(theirs)) === 0) return;
  let at = 0;
  while (at < ours.length && ours[at] === theirs[at]) at++;
  assert.fail(
    `${label} level ${level}, ${input.length} input bytes: output differs at byte ${at} ` +
      `(ours ${ours.length} bytes, zlib ${theirs.length} bytes)`,
  );
}

function expectSameAllLevels(input: Uint8Array, label = ''): void {
  for (const level of LEVELS) expectSame(input, level, label);
}

/** Deterministic PRNG (mulberry32) so generated inputs are reproducible. */
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), seed | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomBytes(n: number, seed: number): Uint8Array {
  const rnd = prng(seed);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.floor(rnd() * 256);
  return out;
}

const WORDS = (
  'the quick brown fox jumps over lazy dog token session user admin scope read write expires ' +
  'issued audience subject nonce signature payload header compress deflate inflate window'
).split(' ');

function text(n: number, seed: number): Uint8Array {
  const rnd = prng(seed);
  let s = '';
  while (s.length < n) {
    s += WORDS[Math.floor(rnd() * WORDS.length)];
    s += rnd() < 0.1 ? '.\n' : rnd() < 0.2 ? ', ' : ' ';
  }
  return enc.encode(s.slice(0, n));
}

function json(value: unknown): Uint8Array {
  return enc.encode(JSON.stringify(value));
}

/** Random JSON values of many shapes. */
function jsonValue(rnd: () => number, depth: number): unknown {
  const r = rnd();
  if (depth <= 0 || r < 0.35) {
    const k = Math.floor(rnd() * 6);
    if (k === 0) return Math.floor(rnd() * 2 ** 31);
    if (k === 1) return rnd() * 1000;
    if (k === 2) return rnd() < 0.5;
    if (k === 3) return null;
    if (k === 4) return `user-${Math.floor(rnd() * 100000)}`;
    return WORDS.slice(0, 1 + Math.floor(rnd() * 6)).join(rnd() < 0.5 ? ' ' : '-');
  }
  if (r < 0.6) {
    return Array.from({ length: Math.floor(rnd() * 8) }, () => jsonValue(rnd, depth - 1));
  }
  const obj: Record<string, unknown> = {};
  const n = Math.floor(rnd() * 8);
  for (let i = 0; i < n; i++)
    obj[WORDS[Math.floor(rnd() * WORDS.length)]!] = jsonValue(rnd, depth - 1);
  return obj;
}

/**
 * Input whose distance codes 2..18 occur with Fibonacci frequencies 1, 1, 2, ..., 1597. The
 * optimal Huffman tree for them is 16 deep, so zlib's gen_bitlen must apply its overflow fix to
 * reach the 15-bit limit. Built from 3-byte copies of the most recent occurrence of a 3-gram,
 * placed so no copy can extend or be found elsewhere (every other 3-gram is unique).
 */
function fibonacciDistances(seed: number): Uint8Array {
  const rnd = prng(seed);
  const lo = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513];
  const hi = [1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512, 768];
  const fib = [1, 1];
  while (fib.length < 17) fib.push(fib[fib.length - 1]! + fib[fib.length - 2]!);
  const plan: number[] = [];
  fib.forEach((count, j) => {
    for (let k = 0; k < count; k++) plan.push(j + 2);
  });
  for (let i = plan.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [plan[i], plan[j]] = [plan[j]!, plan[i]!];
  }
  const a: number[] = [];
  const occ = new Map<number, number[]>(); // 3-gram -> positions
  const gram = (i: number) => (a[i]! << 16) | (a[i + 1]! << 8) | a[i + 2]!;
  const isNew = (x: number, y: number, z: number) => !occ.has((x << 16) | (y << 8) | z);
  const push = (b: number) => {
    a.push(b);
    const i = a.length - 3;
    if (i >= 0) {
      const list = occ.get(gram(i));
      if (list) list.push(i);
      else occ.set(gram(i), [i]);
    }
  };
  const extends_ = (copyAt: number, b: number) =>
    copyAt >= 0 && occ.get(gram(copyAt))!.some((q) => q !== copyAt && a[q + 3] === b);
  while (a.length < 800) {
    const b = Math.floor(rnd() * 256);
    const n = a.length;
    if (n < 2 || isNew(a[n - 2]!, a[n - 1]!, b)) push(b);
  }
  let lastCopy = -1;
  for (let pi = 0; pi < plan.length; ) {
    const code = plan[pi]!;
    const p = a.length;
    let placed = false;
    for (let t = 0; t < 40 && !placed; t++) {
      const d = lo[code]! + Math.floor(rnd() * (hi[code]! - lo[code]! + 1));
      const s = p - d;
      const g0 = a[s]!;
      const g1 = a[s + 1]!;
      const list = occ.get(gram(s))!;
      if (list[list.length - 1] !== s) continue; // must be the nearest occurrence
      if (!isNew(a[p - 2]!, a[p - 1]!, g0) || !isNew(a[p - 1]!, g0, g1)) continue;
      if (((a[p - 2]! << 16) | (a[p - 1]! << 8) | g0) === ((a[p - 1]! << 16) | (g0 << 8) | g1)) {
        continue;
      }
      if (extends_(lastCopy, g0)) continue;
      push(g0);
      push(g1);
      push(a[s + 2]!);
      lastCopy = p;
      placed = true;
      pi++;
    }
    if (!placed) {
      for (;;) {
        const b = Math.floor(rnd() * 256);
        const n = a.length;
        if (isNew(a[n - 2]!, a[n - 1]!, b) && !extends_(lastCopy, b)) {
          push(b);
          break;
        }
      }
      lastCopy = -1;
    }
  }
  return Uint8Array.from(a);
}

/**
 * Segments made of `fresh` new bytes expanded by `make`, accepted only if the 3-grams that start
 * at the fresh bytes are new: the only matches are then the repeats `make` builds in (so a test
 * can control exactly which distances occur).
 */
function segments(seed: number, total: number, fresh: number, make: (f: number[]) => number[]) {
  const rnd = prng(seed);
  const out: number[] = [];
  const seen = new Set<number>();
  const gram = (a: number[], i: number) => (a[i]! << 16) | (a[i + 1]! << 8) | a[i + 2]!;
  while (out.length < total) {
    const f = Array.from({ length: fresh }, () => Math.floor(rnd() * 256));
    const all = out.concat(make(f));
    const start = out.length;
    const mine = new Set<number>();
    let ok = true;
    for (let i = Math.max(0, start - 2); i < start + fresh && i + 2 < all.length; i++) {
      const g = gram(all, i);
      if (seen.has(g) || mine.has(g)) ok = false;
      mine.add(g);
    }
    if (!ok) continue;
    for (let i = Math.max(0, start - 2); i + 2 < all.length; i++) seen.add(gram(all, i));
    out.push(...all.slice(start));
  }
  return Uint8Array.from(out);
}

/** Bytes from a skewed distribution: spreads code lengths widely (deep bit-length tree). */
function skewed(seed: number, n: number, k: number, spread: number): Uint8Array {
  const rnd = prng(seed);
  const weights = Array.from({ length: k }, () => Math.exp(rnd() * spread));
  const total = weights.reduce((x, y) => x + y, 0);
  const cumulative: number[] = [];
  let c = 0;
  for (const w of weights) {
    c += w / total;
    cumulative.push(c);
  }
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const r = rnd();
    let j = 0;
    while (j < k - 1 && cumulative[j]! < r) j++;
    out[i] = (j * 97 + 13) & 255;
  }
  return out;
}

/**
 * Code lengths of the first block if it is a dynamic one (RFC 1951 3.2.7), to check that the
 * length-limiting cases really hit their limits.
 */
function dynamicLengths(z: Uint8Array): { bl: number[]; lit: number[]; dist: number[] } | null {
  let pos = 2;
  let bit = 0;
  const bits = (n: number): number => {
    let v = 0;
    for (let i = 0; i < n; i++) {
      v |= ((z[pos]! >> bit) & 1) << i;
      if (++bit === 8) {
        bit = 0;
        pos++;
      }
    }
    return v;
  };
  bits(1);
  if (bits(2) !== 2) return null;
  const hlit = bits(5) + 257;
  const hdist = bits(5) + 1;
  const hclen = bits(4) + 4;
  const order = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];
  const bl = new Array<number>(19).fill(0);
  for (let i = 0; i < hclen; i++) bl[order[i]!] = bits(3);
  // Canonical codes of the bit-length alphabet, decoded bit by bit (MSB of the code first).
  const count = new Array<number>(16).fill(0);
  for (const l of bl) if (l) count[l]!++;
  const next = new Array<number>(16).fill(0);
  for (let l = 1, code = 0; l < 16; l++) {
    code = (code + count[l - 1]!) << 1;
    next[l] = code;
  }
  const table = new Map<string, number>();
  bl.forEach((l, sym) => {
    if (l) table.set(`${l}:${next[l]!++}`, sym);
  });
  const lengths: number[] = [];
  while (lengths.length < hlit + hdist) {
    let code = 0;
    let len = 0;
    let sym: number | undefined;
    while (sym === undefined) {
      code = (code << 1) | bits(1);
      sym = table.get(`${++len}:${code}`);
      assert.ok(len <= 7, 'bad bit-length code');
    }
    if (sym < 16) lengths.push(sym);
    else if (sym === 16) lengths.push(...new Array<number>(3 + bits(2)).fill(lengths.at(-1)!));
    else if (sym === 17) lengths.push(...new Array<number>(3 + bits(3)).fill(0));
    else lengths.push(...new Array<number>(11 + bits(7)).fill(0));
  }
  return { bl, lit: lengths.slice(0, hlit), dist: lengths.slice(hlit) };
}

/** Kraft sum of a set of code lengths: exactly 1 for a complete prefix code. */
function kraft(lengths: number[]): number {
  return lengths.reduce((sum, l) => (l ? sum + 2 ** -l : sum), 0);
}

describe('deflateZlib: zlib 1.2.13 byte-identical output', () => {
  test('EXACT_DEFLATE_LIMIT keeps zlib at one block (fewer than lit_bufsize - 1 symbols)', () => {
    assert.equal(EXACT_DEFLATE_LIMIT, 16382);
  });

  test('empty input, header flags and the default level', () => {
    assert.equal(hex(deflateZlib(new Uint8Array(0))), '789c030000000001');
    assert.equal(hex(deflateZlib(new Uint8Array(0), 6)), '789c030000000001');
    assert.equal(hex(deflateZlib(new Uint8Array(0), -1)), '789c030000000001');
    assert.equal(hex(deflateZlib(new Uint8Array(0), 9)).slice(0, 4), '78da');
    assert.equal(hex(deflateZlib(new Uint8Array(0), 7)).slice(0, 4), '78da');
    assert.equal(hex(deflateZlib(new Uint8Array(0), 4)).slice(0, 4), '785e');
    assert.equal(hex(deflateZlib(new Uint8Array(0), 5)).slice(0, 4), '785e');
    const payload = enc.encode('{"a":1}');
    assert.deepEqual(deflateZlib(payload), deflateZlib(payload, 6));
    assert.deepEqual(deflateZlib(payload, -1), deflateZlib(payload, 6));
    expectSameAllLevels(new Uint8Array(0), 'empty');
  });

  test('every 1-byte input and a sample of 2- and 3-byte inputs', () => {
    for (let b = 0; b < 256; b++) expectSameAllLevels(Uint8Array.of(b), '1 byte');
    const rnd = prng(7);
    for (let i = 0; i < 200; i++) {
      const n = 2 + (i % 2);
      const bytes = Uint8Array.from({ length: n }, () => Math.floor(rnd() * 256));
      expectSameAllLevels(bytes, `${n} bytes`);
    }
    for (const s of ['aa', 'aaa', 'ab', 'aba', '\0\0\0', '{}', '[]', '{"']) {
      expectSameAllLevels(enc.encode(s), JSON.stringify(s));
    }
  });

  test('token-sized JSON payloads', () => {
    const payloads: unknown[] = [
      {
        uid: 'user-12345',
        role: 'admin',
        iat: 1700000000,
        exp: 1700003600,
        scopes: ['read', 'write'],
      },
      { sub: '1234567890', name: 'John Doe', admin: true },
      ['a', 'a', 'a', 'a', 'a', 'a', 'a', 'a'],
      { user_id: 42, remember: false, csrf: 'x'.repeat(40) },
      { nested: { deeper: { deepest: [1, 2, 3, { k: 'v' }] } } },
      { text: 'naïve café — 日本語テキスト 🎉', n: -0.5e-7 },
      Array.from({ length: 50 }, (_, i) => i),
      Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`key${i}`, `value${i % 7}`])),
    ];
    for (const p of payloads) expectSameAllLevels(json(p), JSON.stringify(p).slice(0, 40));
  });

  test('random JSON of many shapes and sizes', () => {
    const rnd = prng(2024);
    for (let i = 0; i < 150; i++) {
      const value = jsonValue(rnd, 1 + (i % 6));
      const bytes = json(value);
      if (bytes.length > EXACT_DEFLATE_LIMIT) continue;
      expectSameAllLevels(bytes, `json #${i}`);
    }
    // Larger documents, up to the limit.
    for (const n of [10, 60, 200, 400]) {
      const rows = Array.from({ length: n }, (_, i) => ({
        id: i,
        name: `user-${(i * 7919) % 1000}`,
        roles: i % 3 ? ['read'] : ['read', 'write'],
        active: i % 2 === 0,
      }));
      const bytes = json(rows);
      if (bytes.length <= EXACT_DEFLATE_LIMIT) expectSameAllLevels(bytes, `${n} rows`);
    }
  });

  test('runs and long repeats (258-byte matches, distances beyond 4096)', () => {
    for (const n of [3, 4, 10, 257, 258, 259, 260, 516, 1000, 5000, EXACT_DEFLATE_LIMIT]) {
      expectSameAllLevels(new Uint8Array(n).fill(0x61), `run of ${n}`);
      expectSameAllLevels(new Uint8Array(n), `zeros ${n}`);
    }
    for (const period of [1, 2, 3, 7, 64, 255, 256, 257, 258, 300, 1000, 4095, 4097, 8000]) {
      const unit = randomBytes(period, period);
      const bytes = new Uint8Array(Math.min(EXACT_DEFLATE_LIMIT, period * 3 + 17));
      for (let i = 0; i < bytes.length; i++) bytes[i] = unit[i % period]!;
      expectSameAllLevels(bytes, `period ${period}`);
    }
    // A random block repeated far away, with a few mutations.
    const block = randomBytes(5000, 11);
    const far = new Uint8Array(EXACT_DEFLATE_LIMIT);
    far.set(block, 0);
    far.set(randomBytes(5000, 12), 5000);
    far.set(block, 10000);
    far[10500] = far[10500]! ^ 0xff;
    far[12000] = far[12000]! ^ 0x55;
    expectSameAllLevels(far, 'far repeat');
  });

  test('length-3 matches farther than TOO_FAR are dropped like zlib', () => {
    const bytes = randomBytes(12000, 99);
    const rnd = prng(100);
    for (let i = 0; i < 60; i++) {
      const from = Math.floor(rnd() * 4000);
      const to = from + 4097 + Math.floor(rnd() * 7000);
      if (to + 3 > bytes.length) continue;
      bytes.copyWithin(to, from, from + 3);
    }
    expectSameAllLevels(bytes, 'far 3-byte repeats');
    // Small alphabets make many short, far matches.
    const small = randomBytes(16000, 5).map((b) => 97 + (b % 12));
    expectSameAllLevels(small, 'small alphabet');
  });

  test('random bytes (stored blocks) and mixed text up to EXACT_DEFLATE_LIMIT', () => {
    for (const n of [4, 50, 100, 1000, 4096, 10000, EXACT_DEFLATE_LIMIT - 1, EXACT_DEFLATE_LIMIT]) {
      const bytes = randomBytes(n, n);
      expectSameAllLevels(bytes, `random ${n}`);
      // Random data (beyond a few bytes) is a stored block: 2 + 5 + n + 4 bytes.
      if (n >= 50) assert.equal(deflateZlib(bytes).length, n + 11);
    }
    for (const n of [20, 95, 300, 1500, 4000, 9000, EXACT_DEFLATE_LIMIT]) {
      expectSameAllLevels(text(n, n), `text ${n}`);
    }
    // Text with binary islands, and binary with text islands.
    const mixed = text(EXACT_DEFLATE_LIMIT, 3);
    mixed.set(randomBytes(2000, 4), 3000);
    mixed.set(randomBytes(300, 5), 12000);
    expectSameAllLevels(mixed, 'mixed');
  });

  test('length-limited Huffman trees: gen_bitlen overflow fixing at 15 and 7 bits', () => {
    const fib = fibonacciDistances(1);
    assert.ok(fib.length <= EXACT_DEFLATE_LIMIT);
    expectSameAllLevels(fib, 'fibonacci distances');
    const header = dynamicLengths(deflateZlib(fib, 6));
    assert.ok(header, 'expected a dynamic block');
    assert.equal(Math.max(...header.dist), 15);
    assert.equal(header.dist.filter((l) => l > 0).length, 17);
    assert.equal(kraft(header.dist), 1);

    const deep = skewed(3, 8000, 120, 10);
    expectSameAllLevels(deep, 'skewed');
    const h2 = dynamicLengths(deflateZlib(deep, 6));
    assert.ok(h2, 'expected a dynamic block');
    assert.equal(Math.max(...h2.bl), 7);
    assert.equal(kraft(h2.bl), 1);
    assert.equal(kraft(h2.lit), 1);

    for (let seed = 1; seed <= 6; seed++) {
      expectSameAllLevels(skewed(seed, 2700 * seed, 40 * seed, 4 + 2 * seed), `skewed ${seed}`);
    }
  });

  test('a single distance code: build_tree fake nodes (max_code < 2 ? ++max_code : 0)', () => {
    const cases: [string, Uint8Array, number[]][] = [
      // Only distance 1 (code 0): the fake node is code 1.
      ['distance 1', segments(1, 1500, 1, (f) => new Array<number>(6).fill(f[0]!)), [1, 1]],
      // Only distance 2 (code 1): the fake node is code 2.
      ['distance 2', segments(2, 3000, 2, (f) => [...f, ...f, ...f, ...f]), [0, 1, 1]],
      // Only distance 5 (code 4): the fake node is code 0.
      ['distance 5', segments(3, 3000, 5, (f) => [...f, ...f]), [1, 0, 0, 0, 1]],
      // No matches at all: two fake nodes, codes 0 and 1.
      ['no matches', segments(4, 3000, 3, (f) => f).map((b) => 97 + (b % 26)), [1, 1]],
    ];
    for (const [label, bytes, dist] of cases) {
      expectSameAllLevels(bytes, label);
      const header = dynamicLengths(deflateZlib(bytes, 6));
      if (label !== 'no matches' || header) {
        assert.ok(header, `${label}: expected a dynamic block`);
        if (label !== 'no matches') assert.deepEqual(header.dist, dist, label);
      }
    }
  });

  test('matches that reach the end of the input (nice_match clamped to lookahead)', () => {
    // The last "abc" has a near match "abcQ" (length 3, reaching the end) and a far one
    // followed by zeros: zlib stops at the near one because nice_match is clamped to the
    // lookahead; the far one would only be "longer" by comparing past the end of the input.
    // (The far one is not at position 0, which zlib never uses as a match.)
    const filler = (n: number, seed: number) => randomBytes(n, seed).map((b) => 100 + (b % 20));
    const bytes = Buffer.concat([
      enc.encode('Zabc'),
      new Uint8Array(8),
      filler(2000, 1),
      enc.encode('abcQ'),
      filler(30, 2),
      enc.encode('abc'),
    ]);
    deflateZlib(text(EXACT_DEFLATE_LIMIT, 77)); // leave other data in the shared window
    expectSameAllLevels(bytes, 'end match');
    for (let cut = 1; cut <= 12; cut++) {
      expectSameAllLevels(bytes.subarray(0, bytes.length - cut), `end match - ${cut}`);
    }
  });

  test('long zero runs in the code lengths (code 18 chunks of 138)', () => {
    const rnd = prng(31);
    const digits = enc.encode(Array.from({ length: 3000 }, () => Math.floor(rnd() * 10)).join(''));
    const hexText = enc.encode(Buffer.from(randomBytes(2000, 32)).toString('hex'));
    const low = randomBytes(5000, 33).map((b) => b % 40);
    // Literals up to 's' leave exactly 140 unused codes: a chunk of 138 and 2 single zeros.
    const toS = randomBytes(5000, 34).map((b) => 97 + (b % 19));
    const all = [
      ['digits', digits],
      ['hex', hexText],
      ['low bytes', low],
      ['a to s', toS],
    ] as const;
    for (const [label, bytes] of all) {
      expectSameAllLevels(bytes, label);
      const header = dynamicLengths(deflateZlib(bytes, 6));
      assert.ok(header, `${label}: expected a dynamic block`);
      assert.ok(header.lit.slice(0, 256).lastIndexOf(0) - Math.max(...[...bytes]) >= 138, label);
    }
  });

  test('fast-check: random bytes and small-alphabet strings', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), fc.integer({ min: 4, max: 9 }), (b, l) => {
        expectSame(b, l, 'bytes');
      }),
      { numRuns: 300 },
    );
    const alphabet = fc.constantFrom('a', 'b', 'c', ' ', '{', '"', ':', '1', '\n', '\0');
    fc.assert(
      fc.property(
        fc.string({ unit: alphabet, maxLength: 4000 }),
        fc.integer({ min: 4, max: 9 }),
        (s, l) => {
          expectSame(enc.encode(s), l, 'string');
        },
      ),
      { numRuns: 300 },
    );
    // Repeated chunks: long matches and lazy-evaluation decisions.
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ minLength: 1, maxLength: 40 }), { minLength: 1, maxLength: 8 }),
        fc.array(fc.nat(), { maxLength: 400 }),
        fc.integer({ min: 4, max: 9 }),
        (chunks, picks, l) => {
          const parts = picks.map((p) => chunks[p % chunks.length]!);
          const bytes = Buffer.concat(parts.length ? parts : chunks);
          if (bytes.length <= EXACT_DEFLATE_LIMIT) expectSame(bytes, l, 'chunks');
        },
      ),
      { numRuns: 300 },
    );
  });

  test('calls share no state: interleaved inputs give the same bytes as fresh ones', () => {
    const inputs = [json({ a: 1, b: [1, 2, 3] }), text(3000, 1), randomBytes(500, 2), text(200, 9)];
    const expected = inputs.map((x) => hex(pako.deflate(x, { level: 6 })));
    for (let round = 0; round < 5; round++) {
      for (let i = 0; i < inputs.length; i++) {
        const k = (i * 3 + round) % inputs.length;
        assert.equal(hex(deflateZlib(inputs[k]!, 6)), expected[k]);
      }
    }
  });

  test('stays exact across the hash-table renewals (hundreds of large calls)', () => {
    // Each call advances the stale-entry base by input length + 1, and the table is renewed
    // every 2^20 of it: ~400 calls cross the renewal several times. Inputs with few distinct
    // 3-grams make long hash chains, so a stale head taken for a live one would soon produce
    // a different match. Sizes vary so stale positions land at varying offsets.
    const inputs = [
      text(EXACT_DEFLATE_LIMIT, 21),
      randomBytes(EXACT_DEFLATE_LIMIT, 20).map((b) => 97 + (b & 1)),
      randomBytes(9000, 22).map((b) => 65 + (b % 3)),
      randomBytes(EXACT_DEFLATE_LIMIT - 1234, 23).map((b) => 65 + (b % 20)),
    ];
    const expected = inputs.map((x) => Buffer.from(pako.deflate(x, { level: 5 })));
    for (let i = 0; i < 400; i++) {
      const k = i % inputs.length;
      const got = deflateZlib(inputs[k]!, 5);
      assert.equal(Buffer.compare(Buffer.from(got), expected[k]!), 0, `call ${i}`);
    }
  });

  test('returns a fresh array, never a view of shared memory', () => {
    const input = json({ uid: 'user-12345', role: 'admin' });
    const a = deflateZlib(input);
    const b = deflateZlib(input);
    assert.notEqual(a, b);
    assert.notEqual(a.buffer, b.buffer);
    assert.equal(a.byteOffset, 0);
    assert.equal(a.buffer.byteLength, a.length);
    a.fill(0);
    assert.deepEqual(deflateZlib(input), b);
    assert.deepEqual(inflateSync(b), Buffer.from(input));
  });

  test('accepts Buffers and offset views', () => {
    const whole = enc.encode('xx{"uid":"user-12345","role":"admin"}yy');
    const view = whole.subarray(2, whole.length - 2);
    assert.deepEqual(deflateZlib(view), pako.deflate(view, { level: 6 }));
    assert.deepEqual(deflateZlib(Buffer.from(view)), deflateZlib(view.slice()));
  });

  test('inputs above the limit and levels 0-3 go to node:zlib and round-trip', () => {
    for (const n of [EXACT_DEFLATE_LIMIT + 1, 40000, 100000]) {
      const input = text(n, n);
      for (const level of [1, 6, 9]) {
        const z = deflateZlib(input, level);
        assert.deepEqual(inflateSync(z), Buffer.from(input));
      }
    }
    const small = text(500, 1);
    for (const level of [0, 1, 2, 3]) {
      const z = deflateZlib(small, level);
      assert.deepEqual(inflateSync(z), Buffer.from(small));
      assert.deepEqual(Buffer.from(z), deflateSync(small, { level }));
    }
    assert.throws(() => deflateZlib(small, 10), RangeError);
    assert.throws(() => deflateZlib(small, -2), RangeError);
  });

  test('matches CPython zlib.compress', {
    skip: !existsSync(PYTHON) && 'python3 not found',
  }, () => {
    const cases: [Uint8Array, number][] = [
      [new Uint8Array(0), 6],
      [enc.encode('a'), 9],
      [
        json({
          uid: 'user-12345',
          role: 'admin',
          iat: 1700000000,
          exp: 1700003600,
          scopes: ['read', 'write'],
        }),
        6,
      ],
      [text(5000, 42), 4],
      [text(EXACT_DEFLATE_LIMIT, 43), 9],
      [randomBytes(700, 44), 5],
      [new Uint8Array(3000).fill(7), 7],
      [fibonacciDistances(1), 8],
      [skewed(3, 8000, 120, 10), 6],
    ];
    const script =
      'import sys, json, base64, zlib\n' +
      'for data, level in json.load(sys.stdin):\n' +
      '    print(zlib.compress(base64.b64decode(data), level).hex())\n';
    const result = spawnSync(PYTHON, ['-c', script], {
      input: JSON.stringify(cases.map(([d, l]) => [Buffer.from(d).toString('base64'), l])),
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    assert.equal(result.status, 0, result.stderr);
    const lines = result.stdout.trim().split('\n');
    assert.equal(lines.length, cases.length);
    cases.forEach(([data, level], i) => {
      assert.equal(hex(deflateZlib(data, level)), lines[i], `case ${i}`);
    });
  });
});
