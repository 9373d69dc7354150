/**
 * The ReplayStore contract against every store: memory; SQLite opened by path (file and
 * `:memory:`) and wrapping an open better-sqlite3 database; Redis through node-redis and through
 * ioredis, on a private redis-server.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import Database from 'better-sqlite3';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { MemoryStore, RedisStore, SqliteStore } from '../../src/stores/index.ts';
import { betterSqliteSkip } from './helpers/better-sqlite.ts';
import { fakeClock, storeContract } from './helpers/contract.ts';
import { RedisServer, redisSkip, sleep } from './helpers/redis-server.ts';

const dir = mkdtempSync(join(tmpdir(), 'tessera-stores-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;

storeContract('MemoryStore', async () => {
  const clock = fakeClock();
  return { store: new MemoryStore({ now: clock.now }), ...clock };
});

storeContract('SqliteStore({ path }) file', async () => {
  const clock = fakeClock();
  const path = join(dir, `contract-${++files}.db`);
  return { store: new SqliteStore({ path, now: clock.now }), ...clock };
});

storeContract('SqliteStore({ path: ":memory:" })', async () => {
  const clock = fakeClock();
  return { store: new SqliteStore({ path: ':memory:', now: clock.now }), ...clock };
});

storeContract(
  'SqliteStore({ db }) over better-sqlite3',
  async () => {
    const clock = fakeClock();
    const db = new Database(join(dir, `wrapped-${++files}.db`));
    return {
      store: new SqliteStore({ db, table: 'one_time', now: clock.now }),
      ...clock,
      cleanup: async () => {
        db.close();
      },
    };
  },
  { skip: betterSqliteSkip },
);

// Redis: one private server for the file; real time, so short TTLs and real waits.
let server: RedisServer | undefined;
let nodeRedis: ReturnType<typeof createClient> | undefined;
let ioredis: Redis | undefined;
let prefixes = 0;

if (!redisSkip) {
  before(async () => {
    server = await RedisServer.start();
    nodeRedis = await createClient({ url: server.url, disableOfflineQueue: true }).connect();
    ioredis = new Redis({
      port: server.port,
      host: '127.0.0.1',
      enableOfflineQueue: false,
      lazyConnect: true,
    });
    await ioredis.connect();
  });
  after(async () => {
    nodeRedis?.destroy();
    ioredis?.disconnect();
    await server?.destroy();
  });
}

const realTime = {
  now: () => Date.now(),
  // Redis expires a key once its clock is past PXAT; wait a little beyond.
  advance: (ms: number) => sleep(ms + 30),
};

storeContract(
  'RedisStore over node-redis',
  async () => ({
    store: new RedisStore({ client: nodeRedis!, prefix: `contract:node:${++prefixes}:` }),
    ...realTime,
  }),
  { ttl: 200, skip: redisSkip },
);

storeContract(
  'RedisStore over ioredis',
  async () => ({
    store: new RedisStore({ client: ioredis!, prefix: `contract:io:${++prefixes}:` }),
    ...realTime,
  }),
  { ttl: 200, skip: redisSkip },
);
