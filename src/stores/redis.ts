/**
 * The store for many machines: one Redis key per token id, written with a single atomic
 * `SET key 1 NX PXAT expiresAt` (Redis >= 6.2). Redis expires the keys itself. The client is
 * typed structurally, so node-redis (>= 5) and ioredis both fit without Tessera depending on
 * either.
 *
 * What the one-time guarantee needs from the server (see {@link RedisStore}): persistence that
 * survives a crash (`appendonly yes`, `appendfsync always`), no eviction of keys
 * (`maxmemory-policy noeviction`), and no failover to a replica that may lag.
 */
import { type Clock, clockOption } from '../core/clock.ts';
import { StoreUnavailable } from '../core/errors.ts';
import {
  checkExpiresAt,
  checkId,
  closedError,
  type ReplayStore,
  unavailable,
} from './replay-store.ts';

/** An ioredis client (`Redis` or `Cluster`): anything with `call(command, ...args)`. */
export interface IoredisLikeClient {
  call(command: string, ...args: string[]): Promise<unknown>;
}

/** A node-redis client (`createClient()`): anything with `sendCommand([command, ...args])`. */
export interface NodeRedisLikeClient {
  sendCommand(args: string[]): Promise<unknown>;
}

/**
 * A Redis client {@link RedisStore} can drive: an ioredis client (`Redis` or `Cluster`), a
 * node-redis client, or your own adapter with either method. The store sends `SET`/`GET` (key at
 * `args[1]`) and `EVAL` (key at `args[3]`), one key each, so an adapter over a node-redis
 * cluster routes by that key: `cluster.sendCommand(key, false, args)`.
 */
export type RedisClientLike = IoredisLikeClient | NodeRedisLikeClient;

/** Options of {@link RedisStore}. */
export interface RedisStoreOptions {
  /** A connected client. The store never connects, quits or reconfigures it. */
  client: RedisClientLike;
  /** Key prefix (default `'tessera:'`): a key is `prefix + id`. */
  prefix?: string;
  /**
   * Milliseconds to wait for a reply before rejecting with {@link StoreUnavailable} (default
   * 2000). A command that times out may still reach Redis later; then its token is burnt, never
   * accepted twice.
   */
  timeout?: number;
  /** Clock in milliseconds (default `Date.now`), used to refuse an `expiresAt` already past. */
  now?: () => number;
}

interface InFlight {
  deadline: number;
  reject: (err: unknown) => void;
  settled: boolean;
}

// Raise to the later of the existing and the new expiry, atomically. TIME + PTTL (not Redis 7's
// PEXPIRETIME) keeps Redis 6.2 working; scripts replicate by effects there, so TIME is allowed.
const REVOKE_SCRIPT = `local at = tonumber(ARGV[1])
local pttl = redis.call('PTTL', KEYS[1])
if pttl > 0 then
  local t = redis.call('TIME')
  local cur = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) + pttl + 1
  if cur > at then at = cur end
end
redis.call('SET', KEYS[1], 'r', 'PXAT', string.format('%d', at))
return 1`;

/**
 * A {@link ReplayStore} in Redis, shared by every process and machine that uses the same server
 * and prefix. `consume` is one `SET prefix+id 1 NX PXAT expiresAt`; a revoked id holds `r`.
 * Every error, and every reply slower than `timeout`, rejects with {@link StoreUnavailable}
 * (fail closed).
 *
 * Configure the client to fail fast while disconnected, so requests are refused during an outage
 * instead of queueing: node-redis `createClient({ disableOfflineQueue: true })`, ioredis
 * `new Redis({ enableOfflineQueue: false })`.
 *
 * **Server configuration the guarantee needs** ("true exactly once per id"):
 * - `appendonly yes` and `appendfsync always`: Redis then writes the key to the AOF and fsyncs
 *   it before it replies, so a key whose `SET` was acknowledged survives a crash or restart.
 *   With `appendfsync everysec` (the default) a crash can forget up to a second of consumed
 *   tokens, and RDB snapshots alone (`save …`) can forget minutes: those tokens can be used again.
 * - `maxmemory-policy noeviction`: every key has a TTL, so any `volatile-*` or `allkeys-*`
 *   policy may evict live entries. Under `noeviction`, a full Redis refuses writes and `consume`
 *   rejects with {@link StoreUnavailable}.
 * - One primary. Replication is asynchronous: after a failover (Sentinel, Cluster) the new
 *   primary may lack recently acknowledged keys, so those tokens could be used once more.
 * - Clocks: keys expire by the Redis server's clock at `expiresAt`; keep servers NTP-synced.
 *
 * Redis >= 6.2 (for `PXAT`). `purgeExpired()` resolves 0: Redis expires keys itself.
 *
 * @example
 * ```ts
 * import { createClient } from 'redis';
 * import { RedisStore, once } from 'tessera/stores';
 * const client = await createClient({ url: 'redis://127.0.0.1:6379', disableOfflineQueue: true }).connect();
 * const store = new RedisStore({ client, prefix: 'myapp:once:' });
 * await once(store, token, validUntil * 1000);
 *
 * // ioredis works the same:
 * import { Redis } from 'ioredis';
 * const viaIoredis = new RedisStore({ client: new Redis({ enableOfflineQueue: false }) });
 * ```
 */
export class RedisStore implements ReplayStore {
  readonly #send: (args: string[]) => Promise<unknown>;
  readonly #prefix: string;
  readonly #timeout: number;
  readonly #now: Clock;
  #closed = false;
  // Commands awaiting a reply, in send order, from #head on.
  readonly #inFlight: InFlight[] = [];
  #head = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(options: RedisStoreOptions) {
    if (typeof options !== 'object' || options === null) {
      throw new TypeError('RedisStore needs { client }');
    }
    const { client, prefix = 'tessera:', timeout = 2000 } = options;
    const c = client as Partial<IoredisLikeClient & NodeRedisLikeClient> | null | undefined;
    if (typeof c?.call === 'function') {
      // ioredis (its own sendCommand takes a Command object, so `call` is checked first).
      const call = c.call;
      this.#send = (args) => call.apply(c, args as [string, ...string[]]);
    } else if (typeof c?.sendCommand === 'function') {
      const sendCommand = c.sendCommand;
      this.#send = (args) => sendCommand.call(c, args);
    } else {
      throw new TypeError(
        'client must be a node-redis client (sendCommand) or an ioredis client (call)',
      );
    }
    if (typeof prefix !== 'string') throw new TypeError('prefix must be a string');
    if (typeof timeout !== 'number' || !(timeout > 0) || !Number.isFinite(timeout)) {
      throw new RangeError('timeout must be a positive number of milliseconds');
    }
    this.#prefix = prefix;
    this.#timeout = timeout;
    this.#now = clockOption(options.now);
  }

  async consume(id: string, expiresAt: number): Promise<boolean> {
    checkId(id);
    const at = checkExpiresAt(expiresAt);
    if (this.#closed) throw closedError('RedisStore');
    if (at <= this.#now()) return false;
    const reply = await this.#command(['SET', this.#prefix + id, '1', 'NX', 'PXAT', String(at)]);
    if (reply === null) return false;
    if (String(reply) === 'OK') return true;
    throw new StoreUnavailable(
      `RedisStore: unexpected reply to SET: ${String(reply).slice(0, 40)}`,
    );
  }

  async revoke(id: string, expiresAt: number): Promise<void> {
    checkId(id);
    const at = checkExpiresAt(expiresAt);
    if (this.#closed) throw closedError('RedisStore');
    // Past expiry: nothing to remember (and SET … PXAT <past> would delete a live key).
    if (at <= this.#now()) return;
    await this.#command(['EVAL', REVOKE_SCRIPT, '1', this.#prefix + id, String(at)]);
  }

  async isRevoked(id: string): Promise<boolean> {
    checkId(id);
    if (this.#closed) throw closedError('RedisStore');
    const reply = await this.#command(['GET', this.#prefix + id]);
    return reply !== null && String(reply) === 'r';
  }

  async purgeExpired(): Promise<number> {
    if (this.#closed) throw closedError('RedisStore');
    return 0;
  }

  /** Stop using the client; it stays connected (it is yours). */
  async close(): Promise<void> {
    this.#closed = true;
  }

  /**
   * Send one command; any failure or a reply later than `timeout` is StoreUnavailable. One
   * timer serves every command in flight (a timer per command cost more than the rest of the
   * store when commands are pipelined): commands wait in send order, and as all share one
   * timeout their deadlines come in that order too. No timer runs while nothing is in flight.
   */
  #command(args: string[]): Promise<unknown> {
    return new Promise((resolve, reject) => {
      let reply: unknown;
      try {
        reply = this.#send(args);
      } catch (err) {
        reject(unavailable('RedisStore', err));
        return;
      }
      const op: InFlight = { deadline: performance.now() + this.#timeout, reject, settled: false };
      this.#inFlight.push(op);
      this.#timer ??= setTimeout(this.#onTimer, this.#timeout);
      Promise.resolve(reply).then(
        (value) => {
          if (!op.settled) {
            op.settled = true;
            resolve(value);
          }
          this.#drop(false);
        },
        (err: unknown) => {
          if (!op.settled) {
            op.settled = true;
            reject(unavailable('RedisStore', err));
          }
          this.#drop(false);
        },
      );
    });
  }

  readonly #onTimer = (): void => {
    this.#timer = undefined;
    this.#drop(true);
  };

  /**
   * Forget settled commands at the head of the queue and, from the timer only (`expire`), fail
   * those past their deadline: a reply already received but not yet handled is never timed out
   * by another command's reply. Keep the timer armed for the next deadline, or stop it when
   * nothing is in flight.
   */
  #drop(expire: boolean): void {
    const now = performance.now();
    const queue = this.#inFlight;
    let head = this.#head;
    while (head < queue.length) {
      const op = queue[head] as InFlight;
      if (!op.settled) {
        if (!expire || op.deadline > now) break;
        op.settled = true;
        op.reject(new StoreUnavailable(`RedisStore: no reply within ${this.#timeout} ms`));
      }
      head++;
    }
    if (head === queue.length) {
      queue.length = 0;
      head = 0;
      if (this.#timer !== undefined) {
        clearTimeout(this.#timer);
        this.#timer = undefined;
      }
    } else {
      if (head > 1024 && head * 2 > queue.length) {
        queue.splice(0, head);
        head = 0;
      }
      this.#timer ??= setTimeout(
        this.#onTimer,
        Math.max(1, (queue[head] as InFlight).deadline - now),
      );
    }
    this.#head = head;
  }
}
