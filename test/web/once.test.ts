/** tessera/web one-time helpers: consumeOnce, decodeHandoffOnce, itsdangerousMac, handoffMac. */
import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { describe, test } from 'node:test';
import {
  BadData,
  BadPayload,
  BadSignature,
  SignatureExpired,
  StoreUnavailable,
  TokenReplayed,
  TokenRevoked,
} from '../../src/core/errors.ts';
import { Handoff } from '../../src/handoff/index.ts';
import { Signer, URLSafeTimedSerializer } from '../../src/itsdangerous/index.ts';
import { MemoryStore, type ReplayStore, tokenId } from '../../src/stores/index.ts';
import { consumeOnce, decodeHandoffOnce, handoffMac, itsdangerousMac } from '../../src/web/once.ts';
import { NOW_S, now } from './fixtures.ts';

const LATER_MS = (NOW_S + 300) * 1000;
const down: ReplayStore = {
  consume: () => Promise.reject(new StoreUnavailable('down')),
  revoke: () => Promise.reject(new StoreUnavailable('down')),
  isRevoked: () => Promise.reject(new StoreUnavailable('down')),
  purgeExpired: () => Promise.resolve(0),
  close: () => Promise.resolve(),
};

describe('consumeOnce', () => {
  test('ok once, then replayed; revoked; store-unavailable', async () => {
    const store = new MemoryStore({ now });
    const mac = Uint8Array.of(1, 2, 3);
    assert.deepEqual(await consumeOnce(store, mac, LATER_MS), { ok: true, id: tokenId(mac) });
    const again = await consumeOnce(store, mac, LATER_MS);
    assert.ok(!again.ok && again.code === 'replayed' && again.error instanceof TokenReplayed);
    const other = Uint8Array.of(9);
    await store.revoke(tokenId(other), LATER_MS);
    const revoked = await consumeOnce(store, other, LATER_MS);
    assert.ok(!revoked.ok && revoked.code === 'revoked' && revoked.error instanceof TokenRevoked);
    const failed = await consumeOnce(down, mac, LATER_MS);
    assert.ok(!failed.ok && failed.code === 'store-unavailable');
  });

  test('takes MAC bytes, never text', async () => {
    const store = new MemoryStore({ now });
    await assert.rejects(consumeOnce(store, 'token' as unknown as Uint8Array, LATER_MS), TypeError);
    await assert.rejects(consumeOnce(store, new Uint8Array(0), LATER_MS), TypeError);
  });
});

describe('decodeHandoffOnce', () => {
  const handoff = new Handoff('once-secret');
  const expiresAt = (v: unknown) => (v as { exp: number }).exp * 1000;

  test('decodes once; the second use is TokenReplayed', async () => {
    const store = new MemoryStore({ now });
    const token = handoff.encode({ uid: 42, exp: NOW_S + 300 });
    const value = await decodeHandoffOnce(handoff, token, store, { expiresAt, now });
    assert.deepEqual(value, { uid: 42, exp: NOW_S + 300 });
    await assert.rejects(
      decodeHandoffOnce(handoff, token, store, { expiresAt, now }),
      TokenReplayed,
    );
  });

  test('the id is the MAC: the revoke side (handoffMac) and the decode side agree', async () => {
    const store = new MemoryStore({ now });
    const token = handoff.encode({ uid: 1, exp: NOW_S + 300 });
    assert.deepEqual(handoffMac(token), handoff.decodeWithMac(token).mac);
    await store.revoke(tokenId(handoffMac(token)), LATER_MS);
    await assert.rejects(
      decodeHandoffOnce(handoff, token, store, { expiresAt, now }),
      TokenRevoked,
    );
  });

  test('expired, no expiry, bad token, store down: typed errors, nothing consumed first', async () => {
    const store = new MemoryStore({ now });
    const old = handoff.encode({ exp: NOW_S });
    await assert.rejects(
      decodeHandoffOnce(handoff, old, store, { expiresAt, now }),
      SignatureExpired,
    );
    const none = handoff.encode({ uid: 1 });
    await assert.rejects(decodeHandoffOnce(handoff, none, store, { expiresAt, now }), BadPayload);
    const throwing = () => {
      throw new Error('no exp');
    };
    await assert.rejects(
      decodeHandoffOnce(handoff, none, store, { expiresAt: throwing, now }),
      BadPayload,
    );
    await assert.rejects(decodeHandoffOnce(handoff, 'XHAnope', store, { expiresAt, now }), BadData);
    const fresh = handoff.encode({ exp: NOW_S + 60 });
    await assert.rejects(
      decodeHandoffOnce(handoff, fresh, down, { expiresAt, now }),
      StoreUnavailable,
    );
    await assert.rejects(
      decodeHandoffOnce(handoff, fresh, store, {} as { expiresAt: typeof expiresAt }),
      TypeError,
    );
  });
});

describe('itsdangerousMac / handoffMac', () => {
  test('itsdangerous: the signature bytes, the same for every spelling itsdangerous accepts', () => {
    const signer = new Signer('key');
    const token = signer.sign('my string');
    const sig = token.slice(token.lastIndexOf('.') + 1);
    const bytes = Buffer.from(sig, 'base64url');
    assert.deepEqual(Buffer.from(itsdangerousMac(token)), bytes);
    // Padding and the standard alphabet decode to the same bytes.
    const std = `my string.${bytes.toString('base64')}`;
    assert.equal(signer.unsign(std), 'my string');
    assert.deepEqual(Buffer.from(itsdangerousMac(std)), bytes);
    const s = new URLSafeTimedSerializer('key', { now });
    const t = s.dumps({ a: 1 });
    assert.equal(itsdangerousMac(t).length, 20);
    assert.deepEqual(Buffer.from(itsdangerousMac('a:AQI', ':')), Buffer.of(1, 2));
  });

  test('refusals are BadSignature', () => {
    assert.throws(() => itsdangerousMac('no separator'), BadSignature);
    assert.throws(() => itsdangerousMac('value.'), BadSignature);
    assert.throws(() => itsdangerousMac('value.b'), BadSignature); // one character is not base64
    assert.throws(() => handoffMac('XHA'), BadSignature);
    assert.throws(() => handoffMac(`XHA${'A'.repeat(26)}BHX`), BadSignature); // non-canonical last char
    assert.throws(() => itsdangerousMac('a.b', ''), TypeError);
  });
});
