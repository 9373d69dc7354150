/**
 * Replay stores: `consume` ops/s of a fresh token (the id derived with tokenId, as `once` does)
 * per store, beside the raw floor of the same construction on the same backend — a Map; a
 * prepared better-sqlite3 upsert on the same schema and pragmas; a bare node-redis
 * SET NX PXAT on the same server — and `isRevoked`, the read every request of a revocable
 * session pays.
 *
 * Redis: a private redis-server on a free loopback port with the documented persistence (AOF,
 * appendfsync always), started here and killed when the process exits. Skipped if
 * /usr/bin/redis-server is missing. Run alone: `node --import tsx bench/stores.ts`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { MemoryStore, RedisStore, SqliteStore, tokenId } from '../src/stores/index.ts';
import type { BenchCase, BenchGroup } from './harness.ts';

const REDIS_SERVER = '/usr/bin/redis-server';
// Entries outlive a measuring slot only briefly, so stores stay small however fast they go.
const TTL = 250;
let n = 0;
const nextToken = () => `bench-token-${process.pid}-${++n}`;
const rawId = (token: string) => createHash('sha256').update(token).digest('base64url');

const dir = mkdtempSync(join(tmpdir(), 'tessera-bench-stores-'));
const cleanups: (() => void)[] = [() => rmSync(dir, { recursive: true, force: true })];
process.once('exit', () => {
  for (const clean of cleanups.reverse()) {
    try {
      clean();
    } catch {
      // best effort at exit
    }
  }
});

const asyncCase = (
  name: string,
  fn: () => Promise<unknown>,
  extra: Partial<BenchCase> = {},
): BenchCase => ({
  name,
  fn: () => undefined,
  async: fn,
  ...extra,
});

function memoryGroup(): BenchGroup {
  const map = new Map<string, number>();
  const store = new MemoryStore({ maxEntries: 50_000_000 });
  return {
    title: 'consume, memory (fresh token each op)',
    cases: [
      {
        name: 'raw floor: sha256 → base64url → Map has/set',
        floor: true,
        fn: () => {
          const id = rawId(nextToken());
          if (map.has(id)) return false;
          map.set(id, Date.now() + TTL);
          if (map.size > 1_000_000) map.clear();
          return true;
        },
      },
      asyncCase('MemoryStore.consume(tokenId(t)), awaited', () =>
        store.consume(tokenId(nextToken()), Date.now() + TTL),
      ),
    ],
  };
}

function sqliteGroups(): BenchGroup[] {
  const groups: BenchGroup[] = [];
  for (const synchronous of ['full', 'normal'] as const) {
    const rawPath = join(dir, `raw-${synchronous}.db`);
    const raw = new Database(rawPath);
    raw.exec(`PRAGMA journal_mode = WAL; PRAGMA synchronous = ${synchronous.toUpperCase()}`);
    // The same table, index and statement the store uses: the floor is the SQL alone.
    raw.exec(
      `CREATE TABLE t (id TEXT PRIMARY KEY NOT NULL, revoked INTEGER NOT NULL, expires_at INTEGER NOT NULL) WITHOUT ROWID;
       CREATE INDEX t_expires_at ON t (expires_at)`,
    );
    const insert = raw.prepare(
      `INSERT INTO t (id, revoked, expires_at) VALUES (?, 0, ?)
       ON CONFLICT (id) DO UPDATE SET revoked = 0, expires_at = excluded.expires_at WHERE t.expires_at <= ?`,
    );
    const store = new SqliteStore({ path: join(dir, `store-${synchronous}.db`), synchronous });
    cleanups.push(() => raw.close());
    groups.push({
      title: `consume, SQLite file, WAL, synchronous=${synchronous.toUpperCase()}${synchronous === 'full' ? ' (default)' : ''}`,
      cases: [
        {
          name: 'raw floor: better-sqlite3, the same upsert, same table and index',
          floor: true,
          fn: () => {
            const now = Date.now();
            return insert.run(rawId(nextToken()), now + TTL, now).changes === 1;
          },
        },
        asyncCase(`SqliteStore.consume, better-sqlite3`, () =>
          store.consume(tokenId(nextToken()), Date.now() + TTL),
        ),
      ],
    });
  }
  // isRevoked: the read a revocable ticket pays on every request.
  const path = join(dir, 'revoked.db');
  const store = new SqliteStore({ path });
  const raw = new Database(path);
  const select = raw.prepare(
    'SELECT 1 AS r FROM tessera_replay WHERE id = ? AND revoked = 1 AND expires_at > ?',
  );
  cleanups.push(() => raw.close());
  const id = tokenId('not-revoked');
  groups.push({
    title: 'isRevoked, SQLite file (a miss: the common case)',
    cases: [
      {
        name: 'raw floor: better-sqlite3 SELECT by primary key',
        floor: true,
        fn: () => select.get(id, Date.now()) !== undefined,
      },
      asyncCase('SqliteStore.isRevoked, awaited', () => store.isRevoked(id)),
    ],
  });
  return groups;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      srv.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

// The Redis sockets are unref'd so that the bench process can exit when it is done (nothing
// tells this module it is); while Redis cases run, this timer keeps the process alive, and it
// lapses a second after the last Redis operation.
let redisOps = 0;
let alive = false;
function keepAlive(): void {
  redisOps++;
  if (alive) return;
  alive = true;
  let seen = redisOps;
  const check = () => {
    if (redisOps === seen) {
      alive = false;
      return;
    }
    seen = redisOps;
    setTimeout(check, 1000);
  };
  setTimeout(check, 1000);
}

const redisCase = (
  name: string,
  fn: () => Promise<unknown>,
  extra: Partial<BenchCase> = {},
): BenchCase =>
  asyncCase(
    name,
    () => {
      keepAlive();
      return fn();
    },
    extra,
  );

async function redisGroups(): Promise<BenchGroup[]> {
  if (!existsSync(REDIS_SERVER)) return [];
  const port = await freePort();
  const child: ChildProcess = spawn(
    REDIS_SERVER,
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--dir',
      dir,
      '--save',
      '',
      '--appendonly',
      'yes',
      '--appendfsync',
      'always',
      '--maxmemory-policy',
      'noeviction',
    ],
    { stdio: 'ignore' },
  );
  child.unref();
  cleanups.push(() => child.kill('SIGKILL'));

  let client: ReturnType<typeof createClient> | undefined;
  for (let tries = 0; client === undefined; tries++) {
    try {
      client = await createClient({
        url: `redis://127.0.0.1:${port}`,
        socket: { reconnectStrategy: false },
        disableOfflineQueue: true,
      }).connect();
    } catch (err) {
      if (tries > 250) throw err;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  client.unref();
  const io = new Redis({ port, host: '127.0.0.1', lazyConnect: true, enableOfflineQueue: false });
  await io.connect();
  (io.stream as { unref?: () => void }).unref?.();
  const viaNode = new RedisStore({ client, prefix: 'bench:' });
  const viaIo = new RedisStore({ client: io, prefix: 'bench:' });
  const c = client;
  const rawSet = () =>
    c.sendCommand([
      'SET',
      `bench:${rawId(nextToken())}`,
      '1',
      'NX',
      'PXAT',
      String(Date.now() + TTL),
    ]);

  const groups: BenchGroup[] = [];
  for (const inFlight of [1, 32]) {
    groups.push({
      title: `consume, Redis on loopback (AOF appendfsync always), ${inFlight === 1 ? 'awaited one at a time' : `${inFlight} in flight`}`,
      cases: [
        redisCase('raw floor: node-redis SET NX PXAT', rawSet, { floor: true, inFlight }),
        redisCase(
          'RedisStore.consume, node-redis',
          () => viaNode.consume(tokenId(nextToken()), Date.now() + TTL),
          { inFlight },
        ),
        redisCase(
          'RedisStore.consume, ioredis',
          () => viaIo.consume(tokenId(nextToken()), Date.now() + TTL),
          { inFlight },
        ),
      ],
    });
  }
  const id = tokenId('not-revoked');
  groups.push({
    title: 'isRevoked, Redis on loopback (a miss), awaited one at a time',
    cases: [
      redisCase('raw floor: node-redis GET', () => c.sendCommand(['GET', `bench:${id}`]), {
        floor: true,
      }),
      redisCase('RedisStore.isRevoked, node-redis', () => viaNode.isRevoked(id)),
    ],
  });
  return groups;
}

/** The stores' bench groups (Redis ones only when redis-server is installed). */
export async function groups(): Promise<BenchGroup[]> {
  return [memoryGroup(), ...sqliteGroups(), ...(await redisGroups())];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { formatResults, runGroups } = await import('./harness.ts');
  console.log(formatResults(await runGroups(await groups(), { rounds: 3, ms: 300 })));
}
