/**
 * `tessera/stores`: one-time tokens and revocation for every format, without touching any wire
 * format. A token's id is a hash of its MAC (or text); a store remembers ids until the token
 * expires. {@link MemoryStore} for one process, {@link SqliteStore} for one machine,
 * {@link RedisStore} for many. A store that cannot answer rejects with `StoreUnavailable`:
 * callers fail closed.
 *
 * @example
 * ```ts
 * import { SqliteStore, once } from 'tessera/stores';
 * import { TokenReplayed } from 'tessera/errors';
 * const store = new SqliteStore({ path: 'tokens.db' });
 * const { uid } = serializer.loads(token, { maxAge: '15m' }); // verify first
 * try {
 *   await once(store, token, Date.now() + 15 * 60_000);
 * } catch (err) {
 *   if (err instanceof TokenReplayed) return res.status(410).end('link already used');
 *   throw err; // StoreUnavailable: refuse, never accept
 * }
 * ```
 * @module
 */

export { StoreUnavailable, TokenReplayed, TokenRevoked } from '../core/errors.ts';
export { MemoryStore, type MemoryStoreOptions } from './memory.ts';
export {
  type IoredisLikeClient,
  type NodeRedisLikeClient,
  type RedisClientLike,
  RedisStore,
  type RedisStoreOptions,
} from './redis.ts';
export { ensureNotRevoked, once, type ReplayStore, tokenId } from './replay-store.ts';
export {
  type SqliteDatabase,
  type SqliteDriver,
  type SqliteStatement,
  SqliteStore,
  type SqliteStoreCommonOptions,
  type SqliteStoreDbOptions,
  type SqliteStoreOptions,
  type SqliteStorePathOptions,
} from './sqlite.ts';
