/**
 * One racing process of the concurrency test. Opens its own store (its own SQLite connection or
 * Redis client), reports `ready`, waits for `go` so that every worker starts at once, then tries
 * to consume every token in the same order as the others and reports which ones it won.
 *
 * argv[2]: JSON { kind: 'sqlite' | 'node-redis' | 'ioredis', target: path | port, prefix,
 * tokens: string[], expiresAt, inFlight }
 */
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { RedisStore, type ReplayStore, SqliteStore, tokenId } from '../../../src/stores/index.ts';

interface Job {
  kind: 'sqlite' | 'node-redis' | 'ioredis';
  target: string | number;
  prefix: string;
  tokens: string[];
  expiresAt: number;
  inFlight: number;
}

const job = JSON.parse(process.argv[2] as string) as Job;
const send = (msg: unknown) => new Promise<void>((resolve) => process.send?.(msg, () => resolve()));

let store: ReplayStore;
let shutdown: () => Promise<void> = async () => {};
if (job.kind === 'sqlite') {
  // A long busy timeout: SQLite's lock is not fair, and on a loaded CI machine a writer can wait
  // for the others' whole run. (A timeout would fail closed, but the test wants every answer.)
  store = new SqliteStore({ path: String(job.target), busyTimeout: 30_000 });
} else if (job.kind === 'node-redis') {
  const client = await createClient({
    url: `redis://127.0.0.1:${job.target}`,
    disableOfflineQueue: true,
  }).connect();
  store = new RedisStore({ client, prefix: job.prefix });
  shutdown = async () => client.destroy();
} else {
  const client = new Redis({ port: Number(job.target), host: '127.0.0.1', lazyConnect: true });
  await client.connect();
  store = new RedisStore({ client, prefix: job.prefix });
  shutdown = async () => client.disconnect();
}

const ids = job.tokens.map((t) => tokenId(t));
await new Promise<void>((resolve) => {
  process.once('message', () => resolve());
  void send({ ready: true });
});

const won: number[] = [];
const errors: string[] = [];
let answered = 0;
let next = 0;
// `inFlight` consumers share one cursor: with 1 they go in order, with more they pipeline.
await Promise.all(
  Array.from({ length: job.inFlight }, async () => {
    while (next < ids.length) {
      const i = next++;
      try {
        if (await store.consume(ids[i] as string, job.expiresAt)) won.push(i);
        answered++;
      } catch (err) {
        errors.push(`${i}: ${(err as Error).message}`);
      }
    }
  }),
);
await store.close();
await shutdown();
await send({ won, answered, errors });
process.disconnect();
