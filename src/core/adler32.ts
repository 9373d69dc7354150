/** Adler-32, shared by the deflater and the inflater. */

/**
 * Adler-32 of `data[0..end)` (RFC 1950 §8), the zlib stream's trailer.
 *
 * @example
 * ```ts
 * adler32(new TextEncoder().encode('Wikipedia')); // 0x11e60398
 * ```
 */
export function adler32(data: Uint8Array, end: number = data.length): number {
  let a = 1; // 1 + sum of bytes
  let b = 0; // sum of the successive values of a
  let i = 0;
  while (i < end) {
    // Reduce mod 65521 every 3800 bytes: the most that keeps `b` below 2^31, so V8 keeps both
    // sums in int32 registers.
    const stop = Math.min(i + 3800, end);
    // Eight bytes per step: b gains 8a + 8x0 + 7x1 + ... + 1x7 and a gains x0 + ... + x7, which
    // is the same as eight single steps with a shorter chain of dependent additions.
    for (; i + 8 <= stop; i += 8) {
      const x0 = data[i]!;
      const x1 = data[i + 1]!;
      const x2 = data[i + 2]!;
      const x3 = data[i + 3]!;
      const x4 = data[i + 4]!;
      const x5 = data[i + 5]!;
      const x6 = data[i + 6]!;
      const x7 = data[i + 7]!;
      b += 8 * (a + x0) + 7 * x1 + 6 * x2 + 5 * x3 + 4 * x4 + 3 * x5 + 2 * x6 + x7;
      a += x0 + x1 + x2 + x3 + x4 + x5 + x6 + x7;
    }
    for (; i < stop; i++) {
      a += data[i]!;
      b += a;
    }
    a %= 65521;
    b %= 65521;
  }
  return ((b << 16) | a) >>> 0;
}
