import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, test } from 'node:test';
import { StoreUnavailable, TokenReplayed } from '../../src/core/errors.ts';
import { MemoryStore, once, type ReplayStore, tokenId } from '../../src/stores/index.ts';

describe('tokenId', () => {
  test('is base64url(SHA-256) of the UTF-8 text', () => {
    assert.equal(tokenId('abc'), 'ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0');
    assert.equal(tokenId('é'), tokenId(Buffer.from('é', 'utf8')));
    assert.match(tokenId('x'), /^[A-Za-z0-9_-]{43}$/);
  });

  test('MAC bytes: the same bytes give the same id however they are held', () => {
    const mac = Uint8Array.from({ length: 32 }, (_, i) => i * 7);
    const inBigger = new Uint8Array(40);
    inBigger.set(mac, 5);
    assert.equal(tokenId(mac), tokenId(Buffer.from(mac)));
    assert.equal(tokenId(mac), tokenId(inBigger.subarray(5, 37)));
    assert.notEqual(tokenId(mac), tokenId(mac.subarray(1)));
  });

  test('a Python service computes the same id', {
    skip: !existsSync('/usr/bin/python3') && 'no python3',
  }, () => {
    const mac = Buffer.from(
      '8f2c1a0b9e7d6c5b4a39281706f5e4d3c2b1a0f9e8d7c6b5a4938271605f4e3d',
      'hex',
    );
    const py = execFileSync('/usr/bin/python3', [
      '-c',
      'import base64,hashlib,sys;print(base64.urlsafe_b64encode(hashlib.sha256(bytes.fromhex(sys.argv[1])).digest()).rstrip(b"=").decode())',
      mac.toString('hex'),
    ])
      .toString()
      .trim();
    assert.equal(tokenId(mac), py);
  });

  test('misuse throws TypeError', () => {
    for (const bad of [undefined, null, 42, {}, [1, 2], '', new Uint8Array(0)]) {
      assert.throws(() => tokenId(bad as string), TypeError);
    }
  });
});

describe('once', () => {
  test('resolves the id once, then throws TokenReplayed', async () => {
    const store = new MemoryStore();
    const mac = new Uint8Array([1, 2, 3]);
    assert.equal(await once(store, mac, Date.now() + 60_000), tokenId(mac));
    await assert.rejects(once(store, mac, Date.now() + 60_000), (err: unknown) => {
      assert.ok(err instanceof TokenReplayed);
      assert.equal(err.code, 'ERR_TOKEN_REPLAYED');
      return true;
    });
  });

  test('an expired token is refused (TokenReplayed), never accepted', async () => {
    await assert.rejects(once(new MemoryStore(), 'tok', Date.now() - 1), TokenReplayed);
  });

  test('StoreUnavailable passes through: never accepted, never mistaken for a replay', async () => {
    const down: ReplayStore = {
      consume: async () => {
        throw new StoreUnavailable('down');
      },
      revoke: async () => {},
      isRevoked: async () => false,
      purgeExpired: async () => 0,
      close: async () => {},
    };
    await assert.rejects(once(down, 'tok', Date.now() + 1000), StoreUnavailable);
  });

  test('bad arguments are TypeError / RangeError', async () => {
    const store = new MemoryStore();
    await assert.rejects(once(store, 42 as unknown as string, Date.now() + 1000), TypeError);
    await assert.rejects(once(store, 'tok', Number.NaN), RangeError);
  });
});
