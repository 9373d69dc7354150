/**
 * HMAC, hashes and the one constant-time comparison every format uses. MACs are compared as
 * bytes, or as text in exactly the representation the original compares (hex, base64), after
 * an equal-length check; `===` never touches a MAC.
 */
import { Buffer } from 'node:buffer';
import type { KeyObject } from 'node:crypto';
import * as crypto from 'node:crypto';

/** Digests the itsdangerous, ska and Ax_Handoff originals name. */
export type Digest = 'md5' | 'sha1' | 'sha224' | 'sha256' | 'sha384' | 'sha512';

/** The digests every format supports everywhere. */
export const DIGESTS: readonly Digest[] = ['md5', 'sha1', 'sha224', 'sha256', 'sha384', 'sha512'];

let available: Set<string> | undefined;

/** Whether node:crypto offers a hash of this (OpenSSL) name on this platform. */
export function isHashAvailable(name: string): boolean {
  available ??= new Set(crypto.getHashes().map((h) => h.toLowerCase()));
  return available.has(name.toLowerCase());
}

/**
 * Check a digest option at construction; throw `RangeError` naming the allowed values.
 * `allowed` defaults to {@link DIGESTS}; pass `'any'` to accept every hash node:crypto has.
 */
export function assertDigest(
  name: unknown,
  option: string,
  allowed: readonly string[] | 'any' = DIGESTS,
): string {
  if (typeof name !== 'string') throw new TypeError(`${option} must be a string`);
  const ok =
    allowed === 'any' ? isHashAvailable(name) : allowed.includes(name) && isHashAvailable(name);
  if (!ok) {
    const list = allowed === 'any' ? 'a hash node:crypto supports' : allowed.join(', ');
    throw new RangeError(`${option} must be one of ${list}; got ${JSON.stringify(name)}`);
  }
  return name;
}

/** Import raw key bytes once, so that no call pays for key handling again. */
export function importHmacKey(key: Uint8Array): KeyObject {
  return crypto.createSecretKey(key);
}

/** HMAC-`digest` of `data` under `key` (strings are hashed as UTF-8). */
export function hmac(
  digest: string,
  key: KeyObject | Uint8Array,
  data: string | Uint8Array,
): Buffer {
  return crypto.createHmac(digest, key).update(data).digest();
}

/** HMAC-`digest` of `data` under `key`, as unpadded base64url text (one allocation fewer). */
export function hmacBase64Url(
  digest: string,
  key: KeyObject | Uint8Array,
  data: string | Uint8Array,
): string {
  return crypto.createHmac(digest, key).update(data).digest('base64url');
}

/** HMAC over several parts, without concatenating them first. */
export function hmacParts(
  digest: string,
  key: KeyObject | Uint8Array,
  parts: readonly (string | Uint8Array)[],
): Buffer {
  const h = crypto.createHmac(digest, key);
  for (const part of parts) h.update(part);
  return h.digest();
}

const oneShot = (
  crypto as { hash?: (alg: string, data: string | Uint8Array, enc: 'buffer') => Buffer }
).hash;

/** Hash of `data` (strings as UTF-8). Uses the one-shot `crypto.hash` where it exists. */
export function hash(digest: string, data: string | Uint8Array): Buffer {
  if (oneShot !== undefined) return oneShot(digest, data, 'buffer');
  return crypto.createHash(digest).update(data).digest();
}

/** Hash of several parts, without concatenating them first. */
export function hashParts(digest: string, parts: readonly (string | Uint8Array)[]): Buffer {
  const h = crypto.createHash(digest);
  for (const part of parts) h.update(part);
  return h.digest();
}

/** Constant-time equality of two byte strings; unequal lengths are unequal (not a timing leak of content). */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && crypto.timingSafeEqual(a, b);
}

/**
 * Constant-time equality of two ASCII texts (hex or base64 MACs), compared as the original
 * compares them: as text. Non-ASCII characters make the texts unequal.
 */
export function equalText(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  const ab = Buffer.from(a, 'latin1');
  const bb = Buffer.from(b, 'latin1');
  // latin1 keeps one byte per UTF-16 unit; a non-latin1 unit would be truncated, so refuse it.
  if (ab.toString('latin1') !== a || bb.toString('latin1') !== b) return false;
  return crypto.timingSafeEqual(ab, bb);
}
