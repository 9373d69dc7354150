/**
 * The replay/revocation store interface, and how a token becomes a store id (issue 6).
 *
 * Signed tokens are stateless: one-time use and revocation need a little state. A store keeps
 * one entry per token id until the token's own expiry, after which the token is refused by its
 * format anyway and the entry can vanish. Two kinds of entry share one namespace: "consumed"
 * (written by {@link ReplayStore.consume}) and "revoked" (written by {@link ReplayStore.revoke});
 * both make a later `consume` of the same id return `false`.
 */

import { encodeBase64Url } from '../core/base64.ts';
import { StoreUnavailable, TokenReplayed, TokenRevoked } from '../core/errors.ts';
import { hash } from '../core/mac.ts';

/**
 * A replay/revocation store. Every method is async; a store that cannot answer rejects with
 * {@link StoreUnavailable} (fail closed: never "accepted" on doubt).
 *
 * `expiresAt` is in **milliseconds** since the Unix epoch (a format's Unix seconds × 1000). Pass
 * the token's own expiry: the entry must outlive the token, or the token could be used again
 * once its entry vanished.
 *
 * @example
 * ```ts
 * import { MemoryStore, tokenId, type ReplayStore } from 'tessera/stores';
 * const store: ReplayStore = new MemoryStore();
 * const id = tokenId(token);
 * if (!(await store.consume(id, Date.now() + 15 * 60_000))) throw new Error('link already used');
 * ```
 */
export interface ReplayStore {
  /**
   * Record `id` as used until `expiresAt`. Resolves `true` exactly once per id while its entry
   * lives (atomically, across processes for the shared stores); `false` if the id was already
   * consumed or revoked, or if `expiresAt` is not in the future (an expired token is never
   * accepted, and a seconds-for-milliseconds mistake refuses everything instead of silently
   * remembering nothing).
   */
  consume(id: string, expiresAt: number): Promise<boolean>;
  /** Mark `id` revoked until `expiresAt` (an existing entry's expiry is never shortened). */
  revoke(id: string, expiresAt: number): Promise<void>;
  /** Whether `id` is revoked now. */
  isRevoked(id: string): Promise<boolean>;
  /** Drop expired entries now; resolves how many were dropped (0 where the server expires keys itself). */
  purgeExpired(): Promise<number>;
  /** Release what the store opened. Later calls reject with {@link StoreUnavailable}. */
  close(): Promise<void>;
}

/**
 * The store id of a token: `base64url(SHA-256(input))`, 43 characters, where `input` is the
 * token's MAC/signature bytes (a `Uint8Array`) or the token's text (a `string`, hashed as UTF-8).
 *
 * Why a hash: fixed-size keys, and a leaked store (a Redis dump, a copied SQLite file) holds no
 * usable token. The derivation is plain so that a Python service sharing the store can compute
 * the same id: `base64.urlsafe_b64encode(hashlib.sha256(mac).digest()).rstrip(b'=')`.
 *
 * **MAC bytes or text?** One-time semantics need one id per *signed message*, whatever spelling
 * of it arrives. The MAC covers everything else in the token, so two tokens that verify with the
 * same MAC bytes carry the same signed message (anything else is a forgery), and two different
 * signed messages never share a MAC: the verified, decoded MAC bytes are always a correct id.
 * Hashing the whole text is equivalent only when the format accepts exactly one spelling per
 * message. Several do not: itsdangerous decodes base64 leniently (padding, junk characters,
 * non-canonical last bits — itsdangerous spec §2), a mod_auth_tkt cookie arrives raw,
 * `%21`-escaped, quoted, or base64 with or without padding (mod_auth_tkt spec §4), ticket_auth
 * reads an uppercase time field and percent-unquotes its fields (ticket_auth spec §4–5), and ska
 * verifies a dict of query parameters, so a reordered query still verifies (ska spec §4). With text ids, each respelling is a fresh id and the token can be
 * replayed. So: pass the text only for tokens your own code issued and compares canonically (or
 * that you re-encode canonically first); otherwise pass the MAC bytes the verifier checked. Use
 * one derivation per store: the two never give the same id for the same token.
 *
 * @example
 * ```ts
 * import { tokenId } from 'tessera/stores';
 * tokenId('abc'); // 'ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0'
 * tokenId(verified.mac); // from the MAC bytes a verifier checked
 * ```
 */
export function tokenId(token: string | Uint8Array): string {
  if (typeof token !== 'string' && !(token instanceof Uint8Array)) {
    throw new TypeError('tokenId() takes the token text (string) or its MAC bytes (Uint8Array)');
  }
  if (token.length === 0) throw new TypeError('tokenId() of an empty token or MAC');
  return encodeBase64Url(hash('sha256', token));
}

/**
 * Use a verified token once: consume its id (see {@link tokenId}) until `expiresAt` (ms) and
 * resolve the id; throw {@link TokenRevoked} if it was revoked, {@link TokenReplayed} if it was
 * already used (or `expiresAt` is past), and let {@link StoreUnavailable} through (fail closed).
 * Call it **after** the token verified, so that only genuine tokens take space in the store.
 *
 * @example
 * ```ts
 * import { MemoryStore, once } from 'tessera/stores';
 * import { TokenReplayed } from 'tessera/errors';
 * const store = new MemoryStore();
 * const { uid, exp } = serializer.loads(token, { maxAge: '15m' }); // verify first
 * try {
 *   await once(store, token, exp * 1000);
 * } catch (err) {
 *   if (err instanceof TokenReplayed) res.status(410).end('this link was already used');
 * }
 * ```
 */
export async function once(
  store: ReplayStore,
  token: string | Uint8Array,
  expiresAt: number,
): Promise<string> {
  const id = tokenId(token);
  if (await store.consume(id, expiresAt)) return id;
  // Only the refusal pays for the second look-up; it chooses the error, not the outcome.
  if (await store.isRevoked(id)) throw new TokenRevoked('token was revoked');
  throw new TokenReplayed('token was already used');
}

/**
 * Refuse a revoked token: throw {@link TokenRevoked} if its id (see {@link tokenId}) is revoked.
 * For tokens used many times (a session ticket) where logout must really log out.
 *
 * @example
 * ```ts
 * import { ensureNotRevoked } from 'tessera/stores';
 * await ensureNotRevoked(store, ticket); // after the ticket verified
 * // on logout:
 * await store.revoke(tokenId(ticket), validUntil * 1000);
 * ```
 */
export async function ensureNotRevoked(
  store: ReplayStore,
  token: string | Uint8Array,
): Promise<void> {
  if (await store.isRevoked(tokenId(token))) throw new TokenRevoked('token was revoked');
}

// ---- shared argument checks (internal) ----

/** Check an id argument (programmer misuse → TypeError). */
export function checkId(id: unknown): string {
  if (typeof id !== 'string' || id.length === 0) {
    throw new TypeError('id must be a non-empty string (see tokenId())');
  }
  return id;
}

/**
 * Check an `expiresAt` argument and round it up to a whole millisecond (Redis' PXAT takes
 * integers, and rounding up never lets an entry vanish before the token expires).
 */
export function checkExpiresAt(expiresAt: unknown): number {
  if (typeof expiresAt !== 'number' || !Number.isFinite(expiresAt)) {
    throw new RangeError('expiresAt must be a finite number of milliseconds since the epoch');
  }
  return Math.ceil(expiresAt);
}

/** The error of a store used after `close()`. */
export function closedError(store: string): StoreUnavailable {
  return new StoreUnavailable(`${store} is closed`);
}

/** Wrap a driver/client failure as {@link StoreUnavailable}, keeping it as `cause`. */
export function unavailable(store: string, err: unknown): StoreUnavailable {
  if (err instanceof StoreUnavailable) return err;
  const reason = err instanceof Error ? err.message : String(err);
  return new StoreUnavailable(`${store} unavailable: ${reason}`, { cause: err });
}
