/** Shared helpers for reading the vector files in test/vectors (copied from ../shared/vectors). */
import { Buffer } from 'node:buffer';
import { readFileSync } from 'node:fs';

/** Parse one vector file. */
export function loadVectors<T = Record<string, unknown>>(
  name: string,
): { cases: T[] } & Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(`../vectors/${name}`, import.meta.url), 'utf8'));
}

/** A string, or `{ hex }` for raw bytes. */
export type TextOrHex = string | { hex: string };

/** Bytes of a vector value (`{hex}` → bytes; a string stays a string). */
export function textOrBytes(v: TextOrHex): string | Uint8Array {
  return typeof v === 'string' ? v : Buffer.from(v.hex, 'hex');
}
