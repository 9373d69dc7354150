/**
 * The embedded store for one machine: a SQLite table shared by every process that opens the
 * file. Each operation is one SQL statement, so SQLite's write lock makes it atomic across
 * processes; WAL lets readers run beside the writer and the busy timeout makes writers queue
 * instead of failing. Duck-typed over `exec`/`prepare`/`run`/`get`, so it runs on better-sqlite3
 * and on `node:sqlite` (Node ≥ 22.13, or 22.5 with `--experimental-sqlite`).
 */
import { createRequire } from 'node:module';
import { type Clock, clockOption } from '../core/clock.ts';
import {
  checkExpiresAt,
  checkId,
  closedError,
  type ReplayStore,
  unavailable,
} from './replay-store.ts';

/** A prepared statement, as better-sqlite3 and `node:sqlite` both shape it. */
export interface SqliteStatement {
  run(...params: (string | number)[]): { changes: number | bigint };
  get(...params: (string | number)[]): unknown;
}

/** An open database, as better-sqlite3's `Database` and `node:sqlite`'s `DatabaseSync` both shape it. */
export interface SqliteDatabase {
  exec(sql: string): unknown;
  prepare(sql: string): SqliteStatement;
  close(): unknown;
}

/** The drivers {@link SqliteStore} can open a file with. */
export type SqliteDriver = 'better-sqlite3' | 'node:sqlite';

/** Options shared by both ways of making a {@link SqliteStore}. */
export interface SqliteStoreCommonOptions {
  /** Table name (default `tessera_replay`); created if missing. */
  table?: string;
  /** Clock in milliseconds (default `Date.now`). Every process sharing the file must agree on time. */
  now?: () => number;
}

/** Open a file: `new SqliteStore({ path })`. */
export interface SqliteStorePathOptions extends SqliteStoreCommonOptions {
  /** Database file (created if missing), or `':memory:'` for a private in-memory database. */
  path: string;
  /** Driver to use; default better-sqlite3 when it is installed, else `node:sqlite`. */
  driver?: SqliteDriver;
  /** How long a writer waits for another process's write lock, in ms (default 5000). */
  busyTimeout?: number;
  /**
   * `'full'` (default): every consume/revoke is fsynced before it resolves, so an accepted token
   * stays consumed even through an OS crash or power loss. `'normal'`: WAL is synced at
   * checkpoints only, which survives a crash of any process but may forget the last writes on an
   * OS crash or power loss (those tokens could be used once more); much faster on a slow disk,
   * where `'full'` blocks the event loop for the length of an fsync on each write.
   */
  synchronous?: 'full' | 'normal';
}

/** Wrap an open database: `new SqliteStore({ db })`. */
export interface SqliteStoreDbOptions extends SqliteStoreCommonOptions {
  /** An open better-sqlite3 `Database` or `node:sqlite` `DatabaseSync`. The store never closes it. */
  db: SqliteDatabase;
}

/** Options of {@link SqliteStore}. */
export type SqliteStoreOptions = SqliteStorePathOptions | SqliteStoreDbOptions;

const TABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
// Purge expired rows every so many writes, so a busy table stays small without a timer.
const PURGE_EVERY = 1024;

interface Statements {
  consume: SqliteStatement;
  revoke: SqliteStatement;
  isRevoked: SqliteStatement;
  purge: SqliteStatement;
}

/**
 * A {@link ReplayStore} in a SQLite file, safe across the processes of one machine (and the
 * embedded default there). Two ways to make one, both synchronous:
 *
 * - `new SqliteStore({ path })` opens the file with better-sqlite3 if it is installed, else with
 *   `node:sqlite`, and sets `busy_timeout`, `journal_mode=WAL` and `synchronous` (FULL unless
 *   you choose `'normal'`; see {@link SqliteStorePathOptions.synchronous}). A file that cannot be opened
 *   throws {@link StoreUnavailable} here, at startup. The store closes the file in `close()`.
 * - `new SqliteStore({ db })` wraps a database you opened (and keep: `close()` leaves it open).
 *   Its pragmas are yours: for several processes set `journal_mode=WAL` and a `busy_timeout`
 *   (without one, contention rejects with {@link StoreUnavailable} instead of waiting), and
 *   `synchronous=FULL` if a consumed token must stay consumed through a power loss.
 *
 * One machine only: the file must be on a local disk (WAL needs shared memory; network file
 * systems do not give SQLite's locks). SQLite >= 3.24 (upsert); both drivers bundle newer.
 *
 * Drivers are loaded synchronously (`createRequire` for better-sqlite3,
 * `process.getBuiltinModule` for `node:sqlite`), which is why no `await SqliteStore.open()` is
 * needed. Every failure of the database after construction rejects with
 * {@link StoreUnavailable} (fail closed).
 *
 * @example
 * ```ts
 * import { SqliteStore, once } from 'tessera/stores';
 * const store = new SqliteStore({ path: '/var/lib/myapp/tokens.db' });
 * await once(store, token, validUntil * 1000);
 *
 * // or over a database you already have:
 * import Database from 'better-sqlite3';
 * const shared = new SqliteStore({ db: new Database('app.db') });
 * ```
 */
export class SqliteStore implements ReplayStore {
  readonly #db: SqliteDatabase;
  readonly #owned: boolean;
  readonly #sql: Statements;
  readonly #now: Clock;
  #writes = 0;
  #closed = false;

  constructor(options: SqliteStoreOptions) {
    if (typeof options !== 'object' || options === null) {
      throw new TypeError('SqliteStore needs { path } or { db }');
    }
    const table = options.table ?? 'tessera_replay';
    if (typeof table !== 'string' || !TABLE_NAME.test(table)) {
      throw new TypeError('table must be a plain SQL identifier ([A-Za-z_][A-Za-z0-9_]*)');
    }
    this.#now = clockOption(options.now);
    if ('db' in options && options.db !== undefined) {
      const { db } = options;
      if (
        typeof db !== 'object' ||
        db === null ||
        typeof db.prepare !== 'function' ||
        typeof db.exec !== 'function'
      ) {
        throw new TypeError(
          'db must be an open better-sqlite3 Database or node:sqlite DatabaseSync',
        );
      }
      this.#db = db;
      this.#owned = false;
    } else if ('path' in options && typeof options.path === 'string') {
      const busyTimeout = options.busyTimeout ?? 5000;
      if (!Number.isSafeInteger(busyTimeout) || busyTimeout < 0) {
        throw new RangeError('busyTimeout must be a whole number of milliseconds >= 0');
      }
      const synchronous = options.synchronous ?? 'full';
      if (synchronous !== 'full' && synchronous !== 'normal') {
        throw new TypeError("synchronous must be 'full' or 'normal'");
      }
      this.#db = openDatabase(options.path, options.driver, busyTimeout, synchronous);
      this.#owned = true;
    } else {
      throw new TypeError('SqliteStore needs { path: string } or { db }');
    }
    try {
      this.#sql = prepare(this.#db, table);
    } catch (err) {
      if (this.#owned) closeQuietly(this.#db);
      throw unavailable('SqliteStore', err);
    }
  }

  async consume(id: string, expiresAt: number): Promise<boolean> {
    checkId(id);
    const at = checkExpiresAt(expiresAt);
    const now = this.#open();
    if (at <= now) return false;
    try {
      // One statement: insert, or take over a row that has expired; a live row is left alone
      // and `changes` is 0. SQLite's write lock makes it atomic across processes.
      const won = Number(this.#sql.consume.run(id, at, now).changes) === 1;
      if (++this.#writes % PURGE_EVERY === 0) this.#housekeeping(now);
      return won;
    } catch (err) {
      throw unavailable('SqliteStore', err);
    }
  }

  /** The periodic purge: a failure here (a busy file) must not change the answer just given. */
  #housekeeping(now: number): void {
    try {
      this.#sql.purge.run(now);
    } catch {
      // the next purge, or purgeExpired(), will do it
    }
  }

  async revoke(id: string, expiresAt: number): Promise<void> {
    checkId(id);
    const at = checkExpiresAt(expiresAt);
    const now = this.#open();
    if (at <= now) return; // already expired: nothing to remember
    try {
      this.#sql.revoke.run(id, at);
    } catch (err) {
      throw unavailable('SqliteStore', err);
    }
  }

  async isRevoked(id: string): Promise<boolean> {
    checkId(id);
    const now = this.#open();
    try {
      return this.#sql.isRevoked.get(id, now) !== undefined;
    } catch (err) {
      throw unavailable('SqliteStore', err);
    }
  }

  async purgeExpired(): Promise<number> {
    const now = this.#open();
    try {
      return Number(this.#sql.purge.run(now).changes);
    } catch (err) {
      throw unavailable('SqliteStore', err);
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#owned) closeQuietly(this.#db);
  }

  #open(): number {
    if (this.#closed) throw closedError('SqliteStore');
    return this.#now();
  }
}

function prepare(db: SqliteDatabase, table: string): Statements {
  // id: a tokenId(); revoked: 0 consumed, 1 revoked; expires_at: ms since the epoch.
  db.exec(
    `CREATE TABLE IF NOT EXISTS ${table} (id TEXT PRIMARY KEY NOT NULL, revoked INTEGER NOT NULL, expires_at INTEGER NOT NULL) WITHOUT ROWID;
     CREATE INDEX IF NOT EXISTS ${table}_expires_at ON ${table} (expires_at);`,
  );
  return {
    // Params: id, expiresAt, now. A row that expired (expires_at <= now) is gone by definition.
    consume: db.prepare(
      `INSERT INTO ${table} (id, revoked, expires_at) VALUES (?, 0, ?)
       ON CONFLICT (id) DO UPDATE SET revoked = 0, expires_at = excluded.expires_at
       WHERE ${table}.expires_at <= ?`,
    ),
    // Params: id, expiresAt. Never shortens a row's life (an expired row is always shorter).
    revoke: db.prepare(
      `INSERT INTO ${table} (id, revoked, expires_at) VALUES (?, 1, ?)
       ON CONFLICT (id) DO UPDATE SET revoked = 1, expires_at = max(${table}.expires_at, excluded.expires_at)`,
    ),
    // Params: id, now.
    isRevoked: db.prepare(
      `SELECT 1 AS r FROM ${table} WHERE id = ? AND revoked = 1 AND expires_at > ?`,
    ),
    // Params: now.
    purge: db.prepare(`DELETE FROM ${table} WHERE expires_at <= ?`),
  };
}

type DatabaseConstructor = new (path: string) => SqliteDatabase;

/** Open `path` with the chosen (or first available) driver; busy_timeout, WAL and synchronous set. */
function openDatabase(
  path: string,
  driver: SqliteDriver | undefined,
  busyTimeout: number,
  synchronous: 'full' | 'normal',
): SqliteDatabase {
  if (driver !== undefined && driver !== 'better-sqlite3' && driver !== 'node:sqlite') {
    throw new TypeError("driver must be 'better-sqlite3' or 'node:sqlite'");
  }
  const Driver =
    driver === 'node:sqlite'
      ? nodeSqlite()
      : driver === 'better-sqlite3'
        ? betterSqlite3()
        : (betterSqlite3() ?? nodeSqlite());
  if (Driver === undefined) {
    throw new TypeError(
      driver === undefined
        ? 'SqliteStore needs better-sqlite3 (npm install better-sqlite3) or node:sqlite (Node >= 22.13)'
        : `SqliteStore: driver ${driver} is not available in this Node.js`,
    );
  }
  let db: SqliteDatabase | undefined;
  try {
    db = newDatabase(Driver, path, driver === undefined);
    // busy_timeout first: switching to WAL itself needs the lock another process may hold.
    db.exec(`PRAGMA busy_timeout = ${busyTimeout}`);
    db.exec('PRAGMA journal_mode = WAL');
    // Set explicitly: better-sqlite3 is built with WAL synchronous=NORMAL, node:sqlite with FULL.
    db.exec(`PRAGMA synchronous = ${synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
    return db;
  } catch (err) {
    if (db !== undefined) closeQuietly(db);
    throw unavailable(`SqliteStore (${path})`, err);
  }
}

/**
 * Construct the database. better-sqlite3 loads its native binding lazily, here; when it was built
 * for another Node.js (ERR_DLOPEN_FAILED: e.g. installed under Node 20, run under Node 24) and the
 * driver was not chosen explicitly, `node:sqlite` takes over where it exists.
 */
function newDatabase(
  Driver: DatabaseConstructor,
  path: string,
  mayFallBack: boolean,
): SqliteDatabase {
  try {
    return new Driver(path);
  } catch (err) {
    const fallback = mayFallBack ? nodeSqlite() : undefined;
    if (
      (err as { code?: unknown }).code === 'ERR_DLOPEN_FAILED' &&
      fallback !== undefined &&
      fallback !== Driver
    ) {
      return new fallback(path);
    }
    throw err;
  }
}

const require = createRequire(import.meta.url);

function betterSqlite3(): DatabaseConstructor | undefined {
  try {
    return require('better-sqlite3') as DatabaseConstructor;
  } catch (err) {
    if ((err as { code?: unknown }).code === 'MODULE_NOT_FOUND') return undefined;
    throw err; // installed but broken (e.g. built for another Node): say so, don't hide it
  }
}

function nodeSqlite(): DatabaseConstructor | undefined {
  // process.getBuiltinModule: Node >= 20.16 / 22.3; node:sqlite itself: Node >= 22.5.
  const getBuiltin = (process as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule;
  const mod = getBuiltin?.call(process, 'node:sqlite') as
    | { DatabaseSync?: DatabaseConstructor }
    | undefined;
  return mod?.DatabaseSync;
}

function closeQuietly(db: SqliteDatabase): void {
  try {
    db.close();
  } catch {
    // closing is best effort; the store is unusable either way
  }
}
