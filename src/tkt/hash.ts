/**
 * One-shot hashing for the tickets' double hash. `crypto.hash` (Node ≥ 20.12) skips the Hash
 * object and halves the cost of a small md5 (perf-notes.md, "Where the time goes"); both
 * formats hash twice per ticket, so this is most of their cost. Falls back to `createHash`.
 */
import type { Buffer } from 'node:buffer';
import * as crypto from 'node:crypto';

type OneShot = {
  (algorithm: string, data: string | Uint8Array, encoding: 'hex'): string;
  (algorithm: string, data: string | Uint8Array, encoding: 'buffer'): Buffer;
};
const oneShot = (crypto as unknown as { hash?: OneShot }).hash;

/** Lowercase hex digest of `data` (a string is hashed as UTF-8). */
export function hashHex(algorithm: string, data: string | Uint8Array): string {
  if (oneShot !== undefined) return oneShot(algorithm, data, 'hex');
  return crypto.createHash(algorithm).update(data).digest('hex');
}

/** Binary digest of `data`. */
export function hashRaw(algorithm: string, data: Uint8Array): Buffer {
  if (oneShot !== undefined) return oneShot(algorithm, data, 'buffer');
  return crypto.createHash(algorithm).update(data).digest();
}
