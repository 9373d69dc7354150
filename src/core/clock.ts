/**
 * Time. Every timed API takes `now?: () => number` returning milliseconds (fractions
 * allowed), default `Date.now`. Times a format writes on its wire stay in that format's unit
 * (Unix seconds). Durations are seconds, or strings such as `"15m"`.
 */

/** A clock in milliseconds since the Unix epoch. */
export type Clock = () => number;

/** Validate a `now` option; return the clock to use. */
export function clockOption(now: unknown, option = 'now'): Clock {
  if (now === undefined) return Date.now;
  if (typeof now !== 'function')
    throw new TypeError(`${option} must be a function returning milliseconds`);
  return now as Clock;
}

/** Whole Unix seconds of a clock reading (floor, as Python's `int(time.time())`). */
export function unixSeconds(clock: Clock): number {
  return Math.floor(clock() / 1000);
}

/** A duration: seconds, or a string such as `"90s"`, `"15m"`, `"2h"`, `"7d"`, `"1w"`. */
export type Duration = number | string;

const UNIT_SECONDS: Record<string, number> = {
  ms: 0.001,
  s: 1,
  sec: 1,
  m: 60,
  min: 60,
  h: 3600,
  hr: 3600,
  d: 86400,
  w: 604800,
};
const DURATION = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|sec|m|min|h|hr|d|w)?\s*$/;

/** Parse a duration option into seconds; RangeError for negative, non-finite or unparsable values. */
export function durationSeconds(value: unknown, option: string): number {
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0) {
      throw new RangeError(`${option} must be a finite number of seconds >= 0`);
    }
    return value;
  }
  if (typeof value === 'string') {
    const m = DURATION.exec(value);
    if (m) return Number(m[1]) * (UNIT_SECONDS[m[2] ?? 's'] ?? 1);
    throw new RangeError(
      `${option} must be seconds or a string like "15m", "2h", "7d"; got ${JSON.stringify(value)}`,
    );
  }
  throw new TypeError(`${option} must be a number of seconds or a duration string`);
}
