import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  decodeBase64Strict,
  decodeBase64UrlStrict,
  encodeBase64,
  encodeBase64Url,
} from '../../src/core/base64.ts';

describe('strict base64', () => {
  test('round-trips any bytes, both alphabets', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        assert.deepEqual(decodeBase64UrlStrict(encodeBase64Url(bytes)), Buffer.from(bytes));
        assert.deepEqual(decodeBase64Strict(encodeBase64(bytes)), Buffer.from(bytes));
        assert.deepEqual(
          decodeBase64Strict(encodeBase64(bytes, false), 'forbidden'),
          Buffer.from(bytes),
        );
        assert.deepEqual(decodeBase64Strict(encodeBase64(bytes), 'optional'), Buffer.from(bytes));
      }),
    );
  });
  test('rejects non-canonical and foreign text', () => {
    for (const bad of ['A', 'AB=', 'AB==', 'AB+/', 'AB CD', 'QR', 'QQ='])
      assert.equal(decodeBase64UrlStrict(bad), undefined, bad);
    assert.deepEqual(decodeBase64UrlStrict('QQ'), Buffer.from('A'));
    assert.equal(decodeBase64UrlStrict('QR'), undefined); // unused bits set
    for (const bad of ['QQ', 'QQ=', 'QQ===', 'Q===', 'QR==', 'QQ-_', 'QQ==QQ=='])
      assert.equal(decodeBase64Strict(bad), undefined, bad);
    assert.equal(decodeBase64Strict('QQ==', 'forbidden'), undefined);
    assert.deepEqual(decodeBase64Strict('QQ', 'optional'), Buffer.from('A'));
  });
});
