/**
 * A store that cannot answer makes `consume` (and `once`) reject with StoreUnavailable: fail
 * closed, never "accepted". Redis unreachable from the start, gone in the middle, hung, full.
 * (SQLite: sqlite.test.ts "fails closed"; memory: memory.test.ts "bounded".)
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { StoreUnavailable, TesseraError } from '../../src/core/errors.ts';
import { once, RedisStore } from '../../src/stores/index.ts';
import { freePort, RedisServer, redisSkip } from './helpers/redis-server.ts';

const soon = () => Date.now() + 60_000;

/** Assert the store refuses every operation with StoreUnavailable. */
async function assertFailsClosed(store: RedisStore): Promise<void> {
  await assert.rejects(store.consume('x', soon()), (err: unknown) => {
    assert.ok(err instanceof StoreUnavailable && err instanceof TesseraError);
    assert.equal(err.code, 'ERR_STORE_UNAVAILABLE');
    return true;
  });
  await assert.rejects(once(store, 'token', soon()), StoreUnavailable);
  await assert.rejects(store.revoke('x', soon()), StoreUnavailable);
  await assert.rejects(store.isRevoked('x'), StoreUnavailable);
}

describe('RedisStore fails closed', () => {
  test('node-redis client that never connected', async () => {
    const client = createClient({ url: `redis://127.0.0.1:${await freePort()}` });
    await assertFailsClosed(new RedisStore({ client }));
  });

  test('ioredis to a port nobody listens on (offline queue off)', async () => {
    const client = new Redis({
      port: await freePort(),
      host: '127.0.0.1',
      enableOfflineQueue: false,
      retryStrategy: () => null,
    });
    client.on('error', () => {});
    try {
      await assertFailsClosed(new RedisStore({ client }));
    } finally {
      client.disconnect();
    }
  });

  test('ioredis queueing commands offline: the store timeout answers', async () => {
    const client = new Redis({
      port: await freePort(),
      host: '127.0.0.1',
      retryStrategy: () => 50,
    });
    client.on('error', () => {});
    try {
      await assertFailsClosed(new RedisStore({ client, timeout: 50 }));
    } finally {
      client.disconnect();
    }
  });

  test('a client that never replies, or throws at once', async () => {
    const hung = new RedisStore({
      client: { sendCommand: () => new Promise(() => {}) },
      timeout: 20,
    });
    await assert.rejects(hung.consume('x', soon()), /no reply within 20 ms/);
    const throwing = new RedisStore({
      client: {
        call: () => {
          throw new Error('socket gone');
        },
      },
    });
    await assert.rejects(throwing.consume('x', soon()), (err: unknown) => {
      assert.ok(err instanceof StoreUnavailable);
      assert.equal((err.cause as Error).message, 'socket gone');
      return true;
    });
  });

  describe('on a real redis-server', { skip: redisSkip }, () => {
    let server: RedisServer;
    before(async () => {
      server = await RedisServer.start();
    });
    after(async () => {
      await server?.destroy();
    });

    test('server stopped mid-use: refused during the outage, remembered after it', async () => {
      const client = createClient({
        url: server.url,
        disableOfflineQueue: true,
        socket: { reconnectStrategy: () => 20 },
      });
      client.on('error', () => {});
      await client.connect();
      try {
        const store = new RedisStore({ client, prefix: 'outage:' });
        assert.equal(await store.consume('before', soon()), true);
        await server.stop();
        await assertFailsClosed(store);
        await server.restart();
        while (!client.isReady) await new Promise((r) => setTimeout(r, 10));
        assert.equal(await store.consume('before', soon()), false);
        assert.equal(await store.consume('after', soon()), true);
      } finally {
        client.destroy();
      }
    });

    test('Redis out of memory under noeviction: refused, not accepted', async () => {
      const client = await createClient({ url: server.url }).connect();
      try {
        const store = new RedisStore({ client, prefix: 'oom:' });
        await client.configSet('maxmemory', '1');
        await assert.rejects(store.consume('x', soon()), (err: unknown) => {
          assert.ok(err instanceof StoreUnavailable);
          assert.match(err.message, /OOM/);
          return true;
        });
        await client.configSet('maxmemory', '0');
        assert.equal(await store.consume('x', soon()), true);
      } finally {
        client.destroy();
      }
    });
  });
});
