import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { createHmac } from 'node:crypto';
import { describe, test } from 'node:test';
import { deflateSync } from 'node:zlib';
import {
  concatBytes,
  isBytesLike,
  lastIndexOfBytes,
  toBytes,
  utf8DecodeStrict,
} from '../../src/core/bytes.ts';
import { clockOption, durationSeconds, unixSeconds } from '../../src/core/clock.ts';
import {
  DEFAULT_MAX_INFLATE,
  deflate,
  inflateBounded,
  maxInflateOption,
} from '../../src/core/compress.ts';
import * as errors from '../../src/core/errors.ts';
import { keyRing, secretBytes } from '../../src/core/keys.ts';
import {
  assertDigest,
  equalBytes,
  equalText,
  hash,
  hashParts,
  hmac,
  hmacParts,
  importHmacKey,
  isHashAvailable,
} from '../../src/core/mac.ts';

describe('clock', () => {
  test('defaults to Date.now, validates, floors to seconds', () => {
    assert.equal(clockOption(undefined), Date.now);
    assert.throws(() => clockOption(5), TypeError);
    assert.equal(
      unixSeconds(() => 1_700_000_000_999.5),
      1_700_000_000,
    );
  });
  test('durations', () => {
    assert.equal(durationSeconds(90, 'd'), 90);
    assert.equal(durationSeconds('15m', 'd'), 900);
    assert.equal(durationSeconds('2h', 'd'), 7200);
    assert.equal(durationSeconds(' 7d ', 'd'), 604800);
    assert.equal(durationSeconds('1w', 'd'), 604800);
    assert.equal(durationSeconds('1500ms', 'd'), 1.5);
    assert.equal(durationSeconds('30', 'd'), 30);
    for (const bad of [-1, Number.NaN, Number.POSITIVE_INFINITY, '', '1y', '-5m', 'abc']) {
      assert.throws(() => durationSeconds(bad, 'maxAge'), RangeError, String(bad));
    }
    assert.throws(() => durationSeconds({}, 'maxAge'), TypeError);
  });
});

describe('bytes and keys', () => {
  test('bytes helpers', () => {
    assert.deepEqual(toBytes('é'), Buffer.from([0xc3, 0xa9]));
    const u = new Uint8Array([1, 2, 3]);
    assert.equal(toBytes(u).buffer, u.buffer);
    assert.equal(utf8DecodeStrict(Buffer.from([0xff])), undefined);
    assert.equal(utf8DecodeStrict(Buffer.from('ok')), 'ok');
    assert.deepEqual(concatBytes([Buffer.from('a'), new Uint8Array([98])]), Buffer.from('ab'));
    assert.equal(lastIndexOfBytes(Buffer.from('a.b.c'), Buffer.from('.')), 3);
    assert.equal(isBytesLike('x') && isBytesLike(u) && !isBytesLike(1), true);
  });
  test('secrets are validated and copied', () => {
    const raw = new Uint8Array([1, 2, 3]);
    const copy = secretBytes(raw);
    raw[0] = 9;
    assert.equal(copy[0], 1);
    assert.throws(() => secretBytes(''), RangeError);
    assert.throws(() => secretBytes(new Uint8Array()), RangeError);
    assert.throws(() => secretBytes(42), TypeError);
    assert.throws(() => keyRing([]), RangeError);
    assert.deepEqual(keyRing(['a', 'b']).map(String), ['a', 'b']);
    assert.throws(() => keyRing(['a', 5]), /secretKey\[1\]/);
  });
});

describe('mac', () => {
  test('hmac and hashes match node:crypto', () => {
    const key = importHmacKey(Buffer.from('k'));
    assert.deepEqual(hmac('sha1', key, 'v'), createHmac('sha1', 'k').update('v').digest());
    assert.deepEqual(hmacParts('sha256', key, ['a', Buffer.from('b')]), hmac('sha256', key, 'ab'));
    assert.equal(hash('md5', 'abc').toString('hex'), '900150983cd24fb0d6963f7d28e17f72');
    assert.deepEqual(hashParts('sha256', ['a', 'bc']), hash('sha256', 'abc'));
  });
  test('digest options are checked at construction', () => {
    assert.equal(assertDigest('sha256', 'digest'), 'sha256');
    assert.throws(() => assertDigest('sha3-256', 'digest'), RangeError);
    assert.equal(assertDigest('sha3-256', 'digest', 'any'), 'sha3-256');
    assert.throws(() => assertDigest('nope', 'digest', 'any'), RangeError);
    assert.throws(() => assertDigest(5, 'digest'), TypeError);
    assert.equal(isHashAvailable('SHA256'), true);
  });
  test('constant-time comparisons', () => {
    assert.equal(equalBytes(Buffer.from('ab'), Buffer.from('ab')), true);
    assert.equal(equalBytes(Buffer.from('ab'), Buffer.from('abc')), false);
    assert.equal(equalText('0a1b', '0a1b'), true);
    assert.equal(equalText('0a1b', '0A1B'), false);
    assert.equal(equalText('0a1b', '0a1'), false);
    assert.equal(equalText('ĀĀ', '\u0000\u0000'), false);
  });
});

describe('errors', () => {
  test('tree, codes and evidence', () => {
    const e = new errors.SignatureExpired('late', {
      payload: Buffer.from('p'),
      dateSigned: new Date(0),
      cause: 'x',
    });
    assert.ok(
      e instanceof errors.BadTimeSignature &&
        e instanceof errors.BadSignature &&
        e instanceof errors.BadData,
    );
    assert.ok(e instanceof errors.TesseraError && e instanceof Error);
    assert.equal(e.code, 'ERR_SIGNATURE_EXPIRED');
    assert.equal(errors.SignatureExpired.code, 'ERR_SIGNATURE_EXPIRED');
    assert.equal(e.name, 'SignatureExpired');
    assert.equal(e.cause, 'x');
    assert.equal(e.dateSigned?.getTime(), 0);
    assert.ok(new errors.PayloadTooLarge('big') instanceof errors.BadPayload);
    assert.ok(new errors.BadHeader('h') instanceof errors.BadSignature);
    const codes = new Set<string>();
    for (const cls of Object.values(errors)) {
      if (typeof cls !== 'function') continue;
      const inst = new (cls as typeof errors.TesseraError)('m');
      assert.equal(inst.code, (cls as typeof errors.TesseraError).code);
      assert.match(inst.code, /^ERR_[A-Z_]+$/);
      codes.add(inst.code);
    }
    assert.equal(
      codes.size,
      Object.values(errors).filter((c) => typeof c === 'function').length,
      'codes are unique',
    );
  });
});

describe('compress', () => {
  test('bounded inflate maps failures to typed errors', () => {
    const json = Buffer.from(JSON.stringify({ a: 'x'.repeat(1000) }));
    assert.deepEqual(Buffer.from(inflateBounded(deflate(json), DEFAULT_MAX_INFLATE, 'm')), json);
    assert.throws(() => inflateBounded(deflate(json), 100, 'm'), errors.PayloadTooLarge);
    assert.throws(
      () => inflateBounded(Buffer.from('not zlib'), 100, 'bad zlib'),
      (e: unknown) => e instanceof errors.BadPayload && e.message === 'bad zlib',
    );
    const bomb = deflateSync(Buffer.alloc(10 * 1024 * 1024));
    assert.throws(() => inflateBounded(bomb, DEFAULT_MAX_INFLATE, 'm'), errors.PayloadTooLarge);
  });
  test('maxInflate option', () => {
    assert.equal(maxInflateOption(undefined), 256 * 1024);
    assert.equal(maxInflateOption(10), 10);
    for (const bad of [0, -1, 1.5, '10', Number.NaN])
      assert.throws(() => maxInflateOption(bad), RangeError);
  });
});
