/**
 * Issue 6 "must show": 8 worker processes race to consume the same 1,000 tokens → exactly one
 * success per token, and nothing else (no error, no double win). On a SQLite file on disk, and on
 * a real redis-server (half the workers on node-redis, half on ioredis).
 */
import assert from 'node:assert/strict';
import { type ChildProcess, fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { SqliteStore } from '../../src/stores/index.ts';
import { RedisServer, redisSkip } from './helpers/redis-server.ts';

const WORKERS = 8;
const TOKENS = 1000;
const worker = new URL('./helpers/race-worker.ts', import.meta.url);

interface Outcome {
  won: number[];
  answered: number;
  errors: string[];
}

/**
 * Fork the workers, wait until all are ready, start them together, collect their outcomes, and
 * return only once every worker has exited (so none still holds the files being cleaned up).
 */
async function race(jobs: Record<string, unknown>[]): Promise<Outcome[]> {
  const children: ChildProcess[] = jobs.map((job) =>
    fork(worker, [JSON.stringify(job)], { execArgv: ['--import', 'tsx'], stdio: 'inherit' }),
  );
  const exited = children.map((child) => new Promise<void>((r) => child.once('exit', () => r())));
  const early = (i: number, code: number | null) =>
    new Error(`worker ${i} exited with ${code} before it reported`);
  const ready = children.map(
    (child, i) =>
      new Promise<void>((resolve, reject) => {
        child.once('message', () => resolve());
        child.once('exit', (code) => reject(early(i, code)));
      }),
  );
  const results = children.map(
    (child, i) =>
      new Promise<Outcome>((resolve, reject) => {
        child.on('message', (msg: Partial<Outcome>) => {
          if (msg.won) {
            resolve({ won: msg.won, answered: msg.answered ?? 0, errors: msg.errors ?? [] });
          }
        });
        child.once('exit', (code) => reject(early(i, code)));
      }),
  );
  for (const p of [...ready, ...results]) p.catch(() => {}); // awaited below; never unhandled
  try {
    await Promise.all(ready);
    for (const child of children) child.send('go');
    return await Promise.all(results);
  } finally {
    for (const child of children) if (child.exitCode === null) child.kill();
    await Promise.all(exited);
  }
}

function assertExactlyOnce(outcomes: Outcome[]): void {
  assert.deepEqual(
    outcomes.flatMap((o) => o.errors),
    [],
    'no worker saw an error',
  );
  const wins = new Array<number>(TOKENS).fill(0);
  for (const o of outcomes) for (const i of o.won) wins[i] = (wins[i] as number) + 1;
  const notOnce = wins.flatMap((n, i) => (n === 1 ? [] : [`token ${i}: ${n} wins`]));
  assert.deepEqual(notOnce, [], 'every token is won exactly once');
  // Every worker got an answer for every token: 8,000 answers, 1,000 of them true.
  for (const o of outcomes) assert.equal(o.answered, TOKENS);
}

/** How the wins spread over the workers (a diagnostic: SQLite's lock may favour one writer). */
const spread = (outcomes: Outcome[]) =>
  `wins per worker: ${outcomes.map((o) => o.won.length).join(' ')}`;

const tokens = (label: string) =>
  Array.from({ length: TOKENS }, (_, i) => `${label}-${process.pid}-${Date.now()}-${i}`);

describe('8 processes race for 1,000 tokens', { timeout: 180_000 }, () => {
  test('SqliteStore on a file: exactly one success per token', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-race-'));
    try {
      const path = join(dir, 'race.db');
      // Every worker opens the file itself (busy_timeout, WAL, CREATE TABLE IF NOT EXISTS racing too).
      const job = {
        kind: 'sqlite',
        target: path,
        tokens: tokens('sqlite'),
        expiresAt: Date.now() + 3_600_000,
        inFlight: 1,
      };
      const outcomes = await race(Array.from({ length: WORKERS }, () => job));
      assertExactlyOnce(outcomes);
      t.diagnostic(spread(outcomes));
      // And the file holds exactly those 1,000 entries.
      const check = new SqliteStore({ path });
      assert.equal(await check.purgeExpired(), 0);
      await check.close();
    } finally {
      rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
    }
  });

  describe('RedisStore on a real redis-server', { skip: redisSkip }, () => {
    let server: RedisServer;
    before(async () => {
      server = await RedisServer.start();
    });
    after(async () => {
      await server?.destroy();
    });

    test('node-redis and ioredis workers: exactly one success per token', async (t) => {
      const list = tokens('redis');
      const jobs = Array.from({ length: WORKERS }, (_, w) => ({
        kind: w % 2 === 0 ? 'node-redis' : 'ioredis',
        target: server.port,
        prefix: 'race:',
        tokens: list,
        expiresAt: Date.now() + 3_600_000,
        inFlight: 16,
      }));
      const outcomes = await race(jobs);
      assertExactlyOnce(outcomes);
      t.diagnostic(spread(outcomes));
    });
  });
});
