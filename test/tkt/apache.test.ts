import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { describe, test } from 'node:test';
import { TicketParseError } from '../../src/core/errors.ts';
import { apacheSeconds, parseApacheTicket } from '../../src/tkt/apache.ts';

const TICKET = `${'a'.repeat(32)}6553f100alice!admin!data`;

describe('parseApacheTicket', () => {
  test('splits the fields', () => {
    const raw = parseApacheTicket(TICKET, 32);
    assert.deepEqual([raw.sep1, raw.sep2, raw.ts], [45, 51, 0x6553f100]);
    const noTokens = parseApacheTicket(`${'a'.repeat(32)}6553f100alice!data`, 32);
    assert.equal(noTokens.sep2, -1);
  });

  test('apr_base64_decode: stops at the first non-alphabet character, ignores a lone last one', () => {
    const b64 = Buffer.from(TICKET).toString('base64');
    for (const form of [
      b64,
      b64.replace(/=+$/, ''),
      `${b64}=junk`,
      `${b64.replace(/=+$/, '')}-_`,
    ]) {
      assert.equal(parseApacheTicket(form, 32).bytes.toString(), TICKET, form);
    }
    const whole = Buffer.from(`${TICKET}x`).toString('base64'); // 60 bytes: no padding
    assert.ok(!whole.endsWith('='));
    assert.equal(parseApacheTicket(`${whole}Q`, 32).bytes.toString(), `${TICKET}x`);
  });

  test('ap_unescape_url keeps a "%" without two hex digits', () => {
    const escaped = `${TICKET.replaceAll('!', '%21')}%zz%4`;
    assert.equal(parseApacheTicket(escaped, 32).bytes.toString(), `${TICKET}%zz%4`);
  });

  test('length and separator checks', () => {
    assert.throws(() => parseApacheTicket('a'.repeat(40), 32), TicketParseError);
    assert.throws(() => parseApacheTicket(`${'a'.repeat(32)}6553f100`, 32), TicketParseError);
    assert.throws(() => parseApacheTicket(`${'a'.repeat(32)}6553f10!x`, 32), TicketParseError);
    // Exactly digest + ts + "!" is long enough (an empty uid, no data).
    assert.equal(parseApacheTicket(`${'a'.repeat(32)}6553f100!`, 32).sep1, 40);
    // A quoted value counts its quotes in the first length check, as Apache does.
    assert.throws(() => parseApacheTicket(`"${'a'.repeat(32)}6553f100"`, 32), TicketParseError);
  });
});

describe('apacheSeconds (TKTAuthTimeout)', () => {
  test('units s m h d w M y; words add up', () => {
    const cases: [number | string, number][] = [
      [0, 0],
      [7200, 7200],
      ['7200', 7200],
      ['2h', 7200],
      ['30m', 1800],
      ['1M', 2592000],
      ['1y', 31536000],
      [' 1h 30m ', 5400],
    ];
    for (const [value, seconds] of cases) assert.equal(apacheSeconds(value, 'timeout'), seconds);
  });

  test('refuses the rest', () => {
    for (const value of [
      '',
      '2 h',
      '1.5h',
      '2x',
      '-1',
      'h',
      '2h30m',
      -1,
      0.5,
      Number.NaN,
      2 ** 31,
    ]) {
      assert.throws(() => apacheSeconds(value, 'timeout'), RangeError, String(value));
    }
    assert.throws(() => apacheSeconds(null, 'timeout'), TypeError);
  });
});
