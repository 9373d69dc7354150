/**
 * Public random values (IVs, salts that travel in the token) cut from a pooled CSPRNG buffer. One
 * `randomFillSync` of 4 KiB serves 256 16-byte values, which saves most of the ~2 µs a
 * `randomBytes(16)` call costs (../shared/perf-notes.md). Every byte is handed out once. Only for
 * values that are public anyway: the unread rest of the pool stays in memory, which exposes
 * nothing a token does not — never use it for keys.
 */
import { Buffer } from 'node:buffer';
import { randomFillSync } from 'node:crypto';

const POOL_SIZE = 4096;
const pool = Buffer.allocUnsafeSlow(POOL_SIZE);
let offset = POOL_SIZE;

/** Write `n` fresh random bytes into `target` at `at`. */
export function fillRandom(target: Uint8Array, at: number, n: number): void {
  if (offset + n > POOL_SIZE) {
    randomFillSync(pool);
    offset = 0;
  }
  pool.copy(target, at, offset, offset + n);
  offset += n;
}
