/**
 * Compression for the formats that carry zlib streams (itsdangerous URL-safe, Ax_Handoff,
 * pyTickets). Deflate is a pure-TypeScript port of zlib 1.2.x's algorithm, so small tokens are
 * byte-identical to CPython's and cost no native stream setup; inflate is bounded: it never
 * produces more than `maxOutputLength` bytes, and says so with a typed error.
 */

import { deflateZlib, deflateZlibView } from './deflate.ts';
import { BadPayload, PayloadTooLarge } from './errors.ts';
import { InflateError, inflateZlib } from './inflate.ts';

/** Default cap on inflated size: 256 KiB. */
export const DEFAULT_MAX_INFLATE = 256 * 1024;

/** Validate a `maxInflate` option (bytes). */
export function maxInflateOption(value: unknown, option = 'maxInflate'): number {
  if (value === undefined) return DEFAULT_MAX_INFLATE;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw new RangeError(`${option} must be a positive integer number of bytes`);
  }
  return value;
}

/** zlib stream of `data` at `level` (default 6, Python's `zlib.compress` default). */
export function deflate(data: Uint8Array, level = 6): Uint8Array {
  return deflateZlib(data, level);
}

/**
 * `deflate` whose result may be a view of a shared buffer, valid until the next call: for callers
 * that encode it immediately (into base64 text), saving a copy per token.
 */
export function deflateTransient(data: Uint8Array, level = 6): Uint8Array {
  return deflateZlibView(data, level);
}

/**
 * Inflate a zlib stream of at most `maxOutputLength` bytes. Throws {@link PayloadTooLarge} past the
 * cap and {@link BadPayload} (with `message`) for a stream that is not valid zlib.
 */
export function inflateBounded(
  data: Uint8Array,
  maxOutputLength: number,
  message: string,
): Uint8Array {
  try {
    return inflateZlib(data, maxOutputLength);
  } catch (err) {
    if (err instanceof InflateError && err.reason === 'too-large') {
      throw new PayloadTooLarge(`Payload inflates past the ${maxOutputLength}-byte limit`, {
        cause: err,
      });
    }
    throw new BadPayload(message, { cause: err });
  }
}
