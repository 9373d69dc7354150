/**
 * Test-only builders of Ax_Handoff tokens straight from node:crypto and node:zlib, so tests can
 * sign bodies Tessera would never write (bombs, UTF-16 JSON, bad padding).
 */
import { Buffer } from 'node:buffer';
import { createCipheriv, createHash, createHmac } from 'node:crypto';
import { deflateSync } from 'node:zlib';

/** Sign a body text with `secret`: 'XH' + variant + UB64(HMAC-SHA1(SHA512(secret), body)) + body + 'HX'. */
export function signBody(secret: string, variant: string, body: string): string {
  const key = createHash('sha512').update(secret, 'utf8').digest();
  const mac = createHmac('sha1', key).update(body, 'utf8').digest('base64url');
  return `XH${variant}${mac}${body}HX`;
}

/** Variant A body of raw bytes `plain` (PKCS#7 by node:crypto). */
export function bodyA(
  secret: string,
  plain: Uint8Array,
  iv: Uint8Array = Buffer.alloc(16, 7),
): string {
  const key = createHash('sha256').update(secret, 'utf8').digest().subarray(0, 16);
  const c = createCipheriv('aes-128-cbc', key, iv);
  return Buffer.concat([iv, c.update(plain), c.final()]).toString('base64url');
}

/** Variant A body of already-padded bytes (no padding added), to craft bad padding. */
export function bodyAUnpadded(
  secret: string,
  padded: Uint8Array,
  iv: Uint8Array = Buffer.alloc(16, 1),
): string {
  const key = createHash('sha256').update(secret, 'utf8').digest().subarray(0, 16);
  const c = createCipheriv('aes-128-cbc', key, iv).setAutoPadding(false);
  return Buffer.concat([iv, c.update(padded)]).toString('base64url');
}

/** Variant B body of raw bytes. */
export function bodyB(plain: Uint8Array): string {
  return Buffer.from(plain).toString('base64url');
}

/** A signed token whose zlib stream holds `json` (bytes or text), for either variant. */
export function tokenOf(
  secret: string,
  variant: 'A' | 'B',
  json: Uint8Array | string,
  level = 9,
): string {
  const z = deflateSync(typeof json === 'string' ? Buffer.from(json, 'utf8') : json, { level });
  return signBody(secret, variant, variant === 'A' ? bodyA(secret, z) : bodyB(z));
}
