/** RedisStore specifics: what it writes, the client shapes it accepts, misuse. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { StoreUnavailable } from '../../src/core/errors.ts';
import { RedisStore } from '../../src/stores/index.ts';
import { RedisServer, redisSkip } from './helpers/redis-server.ts';

describe('RedisStore', () => {
  test('misuse throws at construction', () => {
    const client = { sendCommand: async () => 'OK' };
    const bad: unknown[] = [
      undefined,
      null,
      {},
      { client: null },
      { client: {} },
      { client: { set: () => {} } },
      { client, prefix: 5 },
      { client, timeout: 0 },
      { client, timeout: -5 },
      { client, timeout: Number.POSITIVE_INFINITY },
      { client, timeout: '100' },
      { client, now: 1 },
    ];
    for (const options of bad) {
      assert.throws(
        () => new RedisStore(options as { client: typeof client }),
        (err: unknown) => err instanceof TypeError || err instanceof RangeError,
        String(JSON.stringify(options)),
      );
    }
  });

  test('sends one SET NX PXAT per consume, through sendCommand or call', async () => {
    const sent: string[][] = [];
    const viaSend = new RedisStore({
      client: {
        sendCommand: async (args: string[]) => {
          sent.push(args);
          return 'OK';
        },
      },
    });
    const viaCall = new RedisStore({
      client: {
        call: async (...args: string[]) => {
          sent.push(args);
          return null;
        },
      },
      prefix: 'p:',
    });
    const at = Date.now() + 60_000.4;
    assert.equal(await viaSend.consume('id1', at), true);
    assert.equal(await viaCall.consume('id2', at), false);
    const pxat = String(Math.ceil(at)); // rounded up: never shorter than the token
    assert.deepEqual(sent, [
      ['SET', 'tessera:id1', '1', 'NX', 'PXAT', pxat],
      ['SET', 'p:id2', '1', 'NX', 'PXAT', pxat],
    ]);
  });

  test('timeouts with many commands in flight: each answered once, no timer left behind', async () => {
    // A client that answers by key: `hang*` never, `slow*` after 60 ms, everything else at once.
    const client = {
      sendCommand: (args: string[]) => {
        const key = args[1] as string;
        if (key.includes('hang')) return new Promise(() => {});
        if (key.includes('slow')) return new Promise((r) => setTimeout(() => r('OK'), 60));
        return Promise.resolve('OK');
      },
    };
    const store = new RedisStore({ client, timeout: 30 });
    const at = Date.now() + 60_000;
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const before = timers();
    const ids = [
      'hang-1',
      ...Array.from({ length: 2000 }, (_, i) => `fast-${i}`),
      'slow-1',
      'hang-2',
    ];
    const results = await Promise.allSettled(ids.map((id) => store.consume(id, at)));
    const outcome = (i: number) => {
      const r = results[i] as PromiseSettledResult<boolean>;
      return r.status === 'fulfilled' ? r.value : (r.reason as Error).constructor.name;
    };
    assert.equal(outcome(0), 'StoreUnavailable');
    for (let i = 1; i <= 2000; i++) assert.equal(outcome(i), true);
    assert.equal(outcome(2001), 'StoreUnavailable'); // replied after the timeout: too late
    assert.equal(outcome(2002), 'StoreUnavailable');
    await new Promise((r) => setTimeout(r, 80)); // the slow reply lands now, and is ignored
    assert.equal(await store.consume('fast-after', at), true);
    // Many answered commands ahead of a hung one: the queue sheds them as they are answered.
    const tail = await Promise.allSettled(
      [...Array.from({ length: 2000 }, (_, i) => `fast-b${i}`), 'hang-3'].map((id) =>
        store.consume(id, at),
      ),
    );
    assert.equal(tail.filter((r) => r.status === 'fulfilled' && r.value === true).length, 2000);
    assert.equal(tail.at(-1)?.status, 'rejected');
    assert.equal(timers(), before);
  });

  test('an unexpected reply fails closed', async () => {
    const store = new RedisStore({ client: { sendCommand: async () => 'QUEUED' } });
    await assert.rejects(store.consume('x', Date.now() + 1000), StoreUnavailable);
  });

  describe('on a real redis-server', { skip: redisSkip }, () => {
    let server: RedisServer;
    let client: ReturnType<typeof createClient>;
    let io: Redis;
    before(async () => {
      server = await RedisServer.start();
      client = await createClient({ url: server.url }).connect();
      io = new Redis({ port: server.port, host: '127.0.0.1', lazyConnect: true });
      await io.connect();
    });
    after(async () => {
      client?.destroy();
      io?.disconnect();
      await server?.destroy();
    });

    test('a consumed id is the key prefix+id = "1", expiring exactly at expiresAt', async () => {
      const store = new RedisStore({ client, prefix: 'layout:' });
      const at = Date.now() + 60_000;
      assert.equal(await store.consume('abc', at), true);
      assert.equal(await client.get('layout:abc'), '1');
      assert.equal(await client.pExpireTime('layout:abc'), at);
    });

    test('a revoked id holds "r"; revoke keeps the later expiry', async () => {
      const store = new RedisStore({ client: io, prefix: 'layout:' });
      const at = Date.now() + 60_000;
      await store.revoke('rev', at);
      assert.equal(await io.get('layout:rev'), 'r');
      assert.equal(Number(await io.call('PEXPIRETIME', 'layout:rev')), at);
      await store.revoke('rev', at - 30_000);
      assert.ok(Number(await io.call('PEXPIRETIME', 'layout:rev')) >= at);
      await store.revoke('rev', at + 30_000);
      assert.equal(Number(await io.call('PEXPIRETIME', 'layout:rev')), at + 30_000);
    });

    test('prefixes are separate namespaces', async () => {
      const a = new RedisStore({ client, prefix: 'app-a:' });
      const b = new RedisStore({ client, prefix: 'app-b:' });
      const at = Date.now() + 60_000;
      assert.equal(await a.consume('same', at), true);
      assert.equal(await b.consume('same', at), true);
      assert.equal(await a.consume('same', at), false);
    });

    test('an adapter over another client shape works (e.g. a cluster)', async () => {
      const store = new RedisStore({
        client: { sendCommand: (args: string[]) => client.sendCommand(args) },
        prefix: 'adapter:',
      });
      assert.equal(await store.consume('x', Date.now() + 60_000), true);
      assert.equal(await store.consume('x', Date.now() + 60_000), false);
    });

    test('close() leaves the client connected', async () => {
      const store = new RedisStore({ client });
      await store.close();
      assert.equal(client.isReady, true);
      assert.equal(await client.ping(), 'PONG');
    });
  });
});
