import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { StoreUnavailable } from '../../src/core/errors.ts';
import { once, type SqliteDatabase, SqliteStore } from '../../src/stores/index.ts';
import { betterSqliteSkip } from './helpers/better-sqlite.ts';
import { fakeClock } from './helpers/contract.ts';

const dir = mkdtempSync(join(tmpdir(), 'tessera-sqlite-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const file = () => join(dir, `s${++n}.db`);
const hour = () => Date.now() + 3_600_000;

describe('SqliteStore', () => {
  test('entries persist in the file across reopening', async () => {
    const path = file();
    const a = new SqliteStore({ path });
    assert.equal(await a.consume('tok', hour()), true);
    await a.revoke('rev', hour());
    await a.close();
    const b = new SqliteStore({ path });
    assert.equal(await b.consume('tok', hour()), false);
    assert.equal(await b.isRevoked('rev'), true);
    await b.close();
  });

  test('two connections to one file see each other at once', async () => {
    const path = file();
    const a = new SqliteStore({ path });
    const b = new SqliteStore({ path });
    assert.equal(await a.consume('x', hour()), true);
    assert.equal(await b.consume('x', hour()), false);
    await b.revoke('y', hour());
    assert.equal(await a.isRevoked('y'), true);
    await a.close();
    await b.close();
  });

  test('opening by path sets WAL on the file', { skip: betterSqliteSkip }, async () => {
    const path = file();
    const store = new SqliteStore({ path, synchronous: 'normal' });
    const db = new Database(path);
    assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
    db.close();
    await store.close();
  });

  test('{ db }: uses the table given, and close() leaves your database open', {
    skip: betterSqliteSkip,
  }, async () => {
    const db = new Database(file());
    const store = new SqliteStore({ db, table: 'my_tokens' });
    assert.equal(await store.consume('x', hour()), true);
    assert.deepEqual(db.prepare('SELECT id, revoked FROM my_tokens').all(), [
      { id: 'x', revoked: 0 },
    ]);
    await store.close();
    assert.equal(db.open, true);
    db.close();
  });

  test('purgeExpired deletes expired rows and counts them; writes also purge now and then', {
    skip: betterSqliteSkip,
  }, async () => {
    const clock = fakeClock();
    const db = new Database(':memory:');
    const store = new SqliteStore({ db, now: clock.now });
    const count = () =>
      (db.prepare('SELECT count(*) AS c FROM tessera_replay').get() as { c: number }).c;
    await store.consume('a', clock.now() + 10);
    await store.revoke('b', clock.now() + 10);
    await store.consume('c', clock.now() + 1000);
    await clock.advance(10);
    assert.equal(await store.purgeExpired(), 2);
    assert.equal(count(), 1);
    // 1,024 writes in, expired rows go without anyone calling purgeExpired().
    for (let i = 0; i < 1000; i++) await store.consume(`old${i}`, clock.now() + 5);
    await clock.advance(5);
    for (let i = 0; i < 30; i++) await store.consume(`new${i}`, clock.now() + 1000);
    assert.ok(count() <= 31, `expired rows were purged (${count()} left)`);
    await store.close();
  });

  test('a driver returning bigint changes (node:sqlite does) works', {
    skip: betterSqliteSkip,
  }, async () => {
    const inner = new Database(':memory:');
    // node:sqlite's StatementSync.run() may report `changes` as a bigint.
    const db: SqliteDatabase = {
      exec: (sql) => inner.exec(sql),
      close: () => inner.close(),
      prepare: (sql) => {
        const st = inner.prepare(sql);
        return {
          run: (...p) => ({ changes: BigInt(st.run(...p).changes) }),
          get: (...p) => st.get(...p),
        };
      },
    };
    const store = new SqliteStore({ db });
    assert.equal(await store.consume('x', hour()), true);
    assert.equal(await store.consume('x', hour()), false);
    await store.close();
    inner.close();
  });

  test('a failing periodic purge does not change the answer just given', {
    skip: betterSqliteSkip,
  }, async () => {
    const inner = new Database(':memory:');
    const db: SqliteDatabase = {
      exec: (sql) => inner.exec(sql),
      close: () => inner.close(),
      prepare: (sql) => {
        const st = inner.prepare(sql);
        if (!sql.startsWith('DELETE')) return st;
        return {
          run: () => {
            throw new Error('SQLITE_BUSY: database is locked');
          },
          get: () => undefined,
        };
      },
    };
    const store = new SqliteStore({ db });
    for (let i = 0; i < 1100; i++) assert.equal(await store.consume(`t${i}`, hour()), true);
    await assert.rejects(store.purgeExpired(), StoreUnavailable);
    await store.close();
    inner.close();
  });

  test('driver choice', { skip: betterSqliteSkip }, async (t) => {
    const store = new SqliteStore({ path: ':memory:', driver: 'better-sqlite3' });
    assert.equal(await store.consume('x', hour()), true);
    await store.close();
    assert.throws(
      () => new SqliteStore({ path: ':memory:', driver: 'sqlite3' as 'node:sqlite' }),
      TypeError,
    );
    const builtin = (process as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule?.(
      'node:sqlite',
    );
    if (builtin === undefined) {
      assert.throws(
        () => new SqliteStore({ path: ':memory:', driver: 'node:sqlite' }),
        /not available/,
      );
    } else {
      const native = new SqliteStore({ path: file(), driver: 'node:sqlite' });
      assert.equal(await native.consume('x', hour()), true);
      assert.equal(await native.consume('x', hour()), false);
      await native.close();
      t.diagnostic('node:sqlite driver exercised');
    }
  });

  test('misuse throws at construction', () => {
    const bad: unknown[] = [
      undefined,
      null,
      {},
      { path: 42 },
      { db: {} },
      { db: null },
      { path: ':memory:', busyTimeout: -1 },
      { path: ':memory:', busyTimeout: 1.5 },
      { path: ':memory:', synchronous: 'off' },
      { path: ':memory:', table: 'x; DROP TABLE y' },
      { path: ':memory:', table: '' },
      { path: ':memory:', now: 'soon' },
    ];
    for (const options of bad) {
      assert.throws(
        () => new SqliteStore(options as { path: string }),
        (err: unknown) => err instanceof TypeError || err instanceof RangeError,
        JSON.stringify(options),
      );
    }
  });

  describe('fails closed', () => {
    test('a file that cannot be opened: StoreUnavailable at construction', () => {
      assert.throws(
        () => new SqliteStore({ path: join(dir, 'no', 'such', 'dir', 'x.db') }),
        StoreUnavailable,
      );
    });

    test('a database locked longer than busyTimeout: consume rejects, then recovers', {
      skip: betterSqliteSkip,
    }, async () => {
      const path = file();
      const store = new SqliteStore({ path, busyTimeout: 20 });
      const locker = new Database(path);
      locker.exec('BEGIN EXCLUSIVE');
      await assert.rejects(store.consume('x', hour()), (err: unknown) => {
        assert.ok(err instanceof StoreUnavailable);
        assert.match(err.message, /SqliteStore unavailable/);
        assert.ok(err.cause instanceof Error);
        return true;
      });
      await assert.rejects(once(store, 'token', hour()), StoreUnavailable);
      await assert.rejects(store.revoke('x', hour()), StoreUnavailable);
      locker.exec('COMMIT');
      locker.close();
      assert.equal(await store.consume('x', hour()), true);
      await store.close();
    });

    test('a wrapped database closed under the store: StoreUnavailable', {
      skip: betterSqliteSkip,
    }, async () => {
      const db = new Database(':memory:');
      const store = new SqliteStore({ db });
      db.close();
      await assert.rejects(store.consume('x', hour()), StoreUnavailable);
      await assert.rejects(store.isRevoked('x'), StoreUnavailable);
      await assert.rejects(store.purgeExpired(), StoreUnavailable);
    });

    test('a wrapped database that cannot hold the table: StoreUnavailable at construction', {
      skip: betterSqliteSkip,
    }, () => {
      const path = file();
      new Database(path).close();
      const db = new Database(path, { readonly: true });
      assert.throws(() => new SqliteStore({ db }), StoreUnavailable);
      db.close();
    });
  });
});
