/**
 * Secrets and key rings. A secret is a string (UTF-8) or bytes; a ring is ordered
 * oldest → newest, as itsdangerous' `secret_keys`: the newest signs, all verify.
 * Derived keys are computed once, when a format object is constructed.
 */
import { Buffer } from 'node:buffer';
import { toBytes } from './bytes.ts';

/** A secret key: text (hashed as UTF-8) or raw bytes. */
export type Secret = string | Uint8Array;

/** One secret, or a list ordered oldest → newest (the newest signs, every one verifies). */
export type SecretOrRing = Secret | readonly Secret[];

/** Validate one secret and return its bytes (copied, so later changes by the caller do not leak in). */
export function secretBytes(secret: unknown, option = 'secretKey'): Buffer {
  if (typeof secret === 'string') {
    if (secret.length === 0) throw new RangeError(`${option} must not be empty`);
    return toBytes(secret);
  }
  if (secret instanceof Uint8Array) {
    if (secret.length === 0) throw new RangeError(`${option} must not be empty`);
    return Buffer.from(secret);
  }
  throw new TypeError(`${option} must be a string or a Uint8Array`);
}

/** Validate a secret or a ring of secrets; return their bytes, oldest → newest. */
export function keyRing(secrets: unknown, option = 'secretKey'): Buffer[] {
  if (Array.isArray(secrets)) {
    if (secrets.length === 0) throw new RangeError(`${option} must hold at least one key`);
    return secrets.map((s, i) => secretBytes(s, `${option}[${i}]`));
  }
  return [secretBytes(secrets, option)];
}
