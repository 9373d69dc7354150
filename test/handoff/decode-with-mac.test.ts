/** Handoff#decodeWithMac: the verified HMAC bytes, for one-time use and revocation ids. */
import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { createHash, createHmac } from 'node:crypto';
import { test } from 'node:test';
import { BadSignature } from '../../src/core/errors.ts';
import { Handoff } from '../../src/handoff/index.ts';

test('decodeWithMac gives the value and the HMAC-SHA1 of the body', () => {
  for (const variant of ['A', 'B'] as const) {
    const handoff = new Handoff('mac-secret', { variant });
    const token = handoff.encode({ uid: 42 });
    const { value, mac } = handoff.decodeWithMac(token);
    assert.deepEqual(value, { uid: 42 });
    const key = createHash('sha512').update('mac-secret').digest();
    const body = token.slice(30, -2);
    assert.deepEqual(Buffer.from(mac), createHmac('sha1', key).update(body).digest());
    assert.equal(Buffer.from(mac).toString('base64url'), token.slice(3, 30));
  }
});

test('decodeWithMac throws what decode throws, and applies the schema', () => {
  const handoff = new Handoff('mac-secret', { variant: 'B' });
  const token = handoff.encode({ uid: 42 });
  assert.throws(
    () => handoff.decodeWithMac(`${token.slice(0, 31)}x${token.slice(32)}`),
    BadSignature,
  );
  const schema = {
    '~standard': {
      version: 1 as const,
      vendor: 'test',
      validate: (v: unknown) => ({ value: (v as { uid: number }).uid }),
    },
  };
  assert.equal(handoff.decodeWithMac(token, { schema }).value, 42);
});
