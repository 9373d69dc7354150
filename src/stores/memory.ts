/**
 * The in-process store: a Map of live entries plus a min-heap of expiries, so that expired
 * entries leave in order, a few at a time, on the calls that follow their expiry. No timer: an
 * idle store costs nothing and never keeps the process alive.
 */

import { type Clock, clockOption } from '../core/clock.ts';
import { StoreUnavailable } from '../core/errors.ts';
import { checkExpiresAt, checkId, closedError, type ReplayStore } from './replay-store.ts';

/** Options of {@link MemoryStore}. */
export interface MemoryStoreOptions {
  /**
   * Most live entries kept (default 100,000, roughly 25 MB). When every slot holds an entry that
   * has not expired, `consume` and `revoke` reject with {@link StoreUnavailable} rather than evict
   * one: forgetting a live entry would let its token be used again.
   */
  maxEntries?: number;
  /** Clock in milliseconds (default `Date.now`). */
  now?: () => number;
}

interface Entry {
  expiresAt: number;
  revoked: boolean;
}

/**
 * A {@link ReplayStore} for a single process: one-time links and revocation without a database.
 * Entries live until their `expiresAt`; the store is bounded by `maxEntries`. Every instance is
 * its own namespace, and nothing survives a restart: use {@link SqliteStore} or
 * {@link RedisStore} when several processes serve the same tokens.
 *
 * @example
 * ```ts
 * import { MemoryStore, once } from 'tessera/stores';
 * const store = new MemoryStore({ maxEntries: 50_000 });
 * await once(store, token, Date.now() + 15 * 60_000); // throws TokenReplayed the second time
 * ```
 */
export class MemoryStore implements ReplayStore {
  readonly #entries = new Map<string, Entry>();
  // Min-heap of (expiresAt, id) in two parallel arrays. A node is stale when its entry's expiry
  // has since been raised by revoke(); stale nodes are skipped when they surface.
  readonly #heapAt: number[] = [];
  readonly #heapId: string[] = [];
  readonly #max: number;
  readonly #now: Clock;
  #closed = false;

  constructor(options: MemoryStoreOptions = {}) {
    const { maxEntries = 100_000 } = options;
    if (!Number.isSafeInteger(maxEntries) || maxEntries < 1) {
      throw new RangeError('maxEntries must be a positive integer');
    }
    this.#max = maxEntries;
    this.#now = clockOption(options.now);
  }

  /** Live entries right now (expired ones are dropped first). */
  get size(): number {
    if (!this.#closed) this.#expire(this.#now());
    return this.#entries.size;
  }

  async consume(id: string, expiresAt: number): Promise<boolean> {
    checkId(id);
    const at = checkExpiresAt(expiresAt);
    const now = this.#open();
    if (at <= now || this.#entries.has(id)) return false;
    this.#insert(id, at, false);
    return true;
  }

  async revoke(id: string, expiresAt: number): Promise<void> {
    checkId(id);
    const at = checkExpiresAt(expiresAt);
    const now = this.#open();
    if (at <= now) return; // already expired: nothing to remember
    const entry = this.#entries.get(id);
    if (entry === undefined) {
      this.#insert(id, at, true);
      return;
    }
    entry.revoked = true;
    if (at > entry.expiresAt) {
      entry.expiresAt = at;
      this.#push(at, id);
    }
  }

  async isRevoked(id: string): Promise<boolean> {
    checkId(id);
    this.#open();
    return this.#entries.get(id)?.revoked === true;
  }

  async purgeExpired(): Promise<number> {
    if (this.#closed) throw closedError('MemoryStore');
    return this.#expire(this.#now());
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#entries.clear();
    this.#heapAt.length = 0;
    this.#heapId.length = 0;
  }

  /** Refuse use after close; drop what expired; return the time used for this call. */
  #open(): number {
    if (this.#closed) throw closedError('MemoryStore');
    const now = this.#now();
    this.#expire(now);
    return now;
  }

  #insert(id: string, at: number, revoked: boolean): void {
    if (this.#entries.size >= this.#max) {
      throw new StoreUnavailable(
        `MemoryStore is full: ${this.#max} live entries (raise maxEntries, or use a shared store)`,
      );
    }
    this.#entries.set(id, { expiresAt: at, revoked });
    this.#push(at, id);
  }

  /** Drop every entry whose expiry is ≤ now (an entry lives while now < expiresAt). */
  #expire(now: number): number {
    const at = this.#heapAt;
    const ids = this.#heapId;
    let dropped = 0;
    while (at.length > 0 && (at[0] as number) <= now) {
      const nodeAt = at[0] as number;
      const id = ids[0] as string;
      this.#pop();
      const entry = this.#entries.get(id);
      if (entry !== undefined && entry.expiresAt === nodeAt) {
        this.#entries.delete(id);
        dropped++;
      }
    }
    return dropped;
  }

  #push(expiresAt: number, id: string): void {
    const at = this.#heapAt;
    const ids = this.#heapId;
    let i = at.length;
    at.push(expiresAt);
    ids.push(id);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if ((at[parent] as number) <= expiresAt) break;
      at[i] = at[parent] as number;
      ids[i] = ids[parent] as string;
      i = parent;
    }
    at[i] = expiresAt;
    ids[i] = id;
    // Stale nodes only come from revoke() raising an expiry; rebuild if they ever dominate.
    if (at.length > 2 * this.#entries.size + 1024) this.#rebuild();
  }

  #pop(): void {
    const at = this.#heapAt;
    const ids = this.#heapId;
    const lastAt = at.pop() as number;
    const lastId = ids.pop() as string;
    const n = at.length;
    if (n === 0) return;
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      if (child + 1 < n && (at[child + 1] as number) < (at[child] as number)) child++;
      if ((at[child] as number) >= lastAt) break;
      at[i] = at[child] as number;
      ids[i] = ids[child] as string;
      i = child;
    }
    at[i] = lastAt;
    ids[i] = lastId;
  }

  #rebuild(): void {
    this.#heapAt.length = 0;
    this.#heapId.length = 0;
    for (const [id, entry] of this.#entries) this.#push(entry.expiresAt, id);
  }
}
