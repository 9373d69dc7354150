/**
 * One-time use and revocation for tokens other than the ska login links (issue 6): the id of a
 * token is `tokenId` of the MAC bytes its verifier checked, never of its text, because several
 * formats accept more than one spelling of one signed message (stores `tokenId` explains). The
 * formats stay store-free; this module joins a verified token to a {@link ReplayStore}.
 *
 * Recipes:
 * - handoff: {@link decodeHandoffOnce} (or `handoff.decodeWithMac` + {@link consumeOnce}).
 * - itsdangerous: `loads` first, then `consumeOnce(store, itsdangerousMac(token), exp)`.
 * - mod_auth_tkt: `TktGuard` with a `store` (revocation; logout).
 */
import { Buffer } from 'node:buffer';
import { type Clock, clockOption } from '../core/clock.ts';
import {
  BadPayload,
  BadSignature,
  SignatureExpired,
  StoreUnavailable,
  TokenReplayed,
  TokenRevoked,
} from '../core/errors.ts';
import type { Decoded, Handoff, StandardSchemaV1 } from '../handoff/index.ts';
import { base64Decode } from '../itsdangerous/index.ts';
import { once, type ReplayStore } from '../stores/index.ts';

/** The outcome of {@link consumeOnce}. */
export type OnceResult =
  | { readonly ok: true; readonly id: string }
  | {
      readonly ok: false;
      /** `replayed`: used before; `revoked`: revoked; `store-unavailable`: refuse (503), never accept. */
      readonly code: 'replayed' | 'revoked' | 'store-unavailable';
      readonly error: TokenReplayed | TokenRevoked | StoreUnavailable;
    };

function checkMac(mac: unknown): asserts mac is Uint8Array {
  if (!(mac instanceof Uint8Array) || mac.length === 0) {
    throw new TypeError(
      'mac must be the verified MAC bytes (a non-empty Uint8Array), not the token text',
    );
  }
}

/**
 * Use a verified token once, as a result to branch on: consume `tokenId(mac)` until
 * `expiresAt` (ms, the token's own expiry). `{ ok: true, id }` the first time; then
 * `replayed`, or `revoked` if it was revoked; `store-unavailable` if the store could not answer
 * (refuse the request: never accept on doubt). Call it only after the token verified.
 *
 * @example
 * ```ts
 * import { consumeOnce, itsdangerousMac } from 'tessera/web';
 * const { uid, exp } = serializer.loads(token); // verify first
 * const used = await consumeOnce(store, itsdangerousMac(token), exp * 1000);
 * if (!used.ok) return new Response('This link was already used', { status: used.code === 'store-unavailable' ? 503 : 410 });
 * ```
 */
export async function consumeOnce(
  store: ReplayStore,
  mac: Uint8Array,
  expiresAt: number,
): Promise<OnceResult> {
  checkMac(mac);
  try {
    return { ok: true, id: await once(store, mac, expiresAt) };
  } catch (err) {
    if (err instanceof TokenRevoked) return { ok: false, code: 'revoked', error: err };
    if (err instanceof TokenReplayed) return { ok: false, code: 'replayed', error: err };
    if (err instanceof StoreUnavailable)
      return { ok: false, code: 'store-unavailable', error: err };
    throw err;
  }
}

/** Options of {@link decodeHandoffOnce}. */
export interface HandoffOnceOptions<S extends StandardSchemaV1 | undefined> {
  /**
   * The token's expiry in milliseconds, read from its decoded value (handoff tokens carry no
   * time of their own: put one in the payload, e.g. `(v) => v.exp * 1000`). The token is used
   * up until then; a value at or past now is refused as expired.
   */
  expiresAt: (value: Decoded<S>) => number;
  /** A Standard Schema checked on the decoded value (see `Handoff#decode`). */
  schema?: S;
  /** Clock in milliseconds (default `Date.now`). */
  now?: Clock | undefined;
}

/**
 * Decode a handoff token and use it up: verify and decode (`Handoff#decodeWithMac`), check the
 * expiry the payload carries, then consume the MAC's id in the store. Throws what `decode`
 * throws, `SignatureExpired` past the expiry, `BadPayload` when `expiresAt` gives no number,
 * `TokenReplayed`/`TokenRevoked` on reuse, and `StoreUnavailable` when the store cannot answer.
 *
 * @example
 * ```ts
 * import { Handoff } from 'tessera/handoff';
 * import { SqliteStore } from 'tessera/stores';
 * import { decodeHandoffOnce } from 'tessera/web';
 * const handoff = new Handoff(process.env.HANDOFF_SECRET!);
 * const store = new SqliteStore({ path: 'tokens.db' });
 * // sender: handoff.encode({ uid: 42, exp: Math.floor(Date.now() / 1000) + 300 })
 * const { uid } = await decodeHandoffOnce(handoff, token, store, {
 *   expiresAt: (v) => (v as { exp: number }).exp * 1000,
 * });
 * ```
 */
export async function decodeHandoffOnce<S extends StandardSchemaV1 | undefined = undefined>(
  handoff: Handoff,
  token: string,
  store: ReplayStore,
  options: HandoffOnceOptions<S>,
): Promise<Decoded<S>> {
  if (typeof options?.expiresAt !== 'function') {
    throw new TypeError('expiresAt must be a function of the decoded value returning milliseconds');
  }
  const now = clockOption(options.now);
  const { value, mac } = handoff.decodeWithMac(token, { schema: options.schema as S });
  let at: unknown;
  try {
    at = options.expiresAt(value);
  } catch (cause) {
    throw new BadPayload('handoff payload carries no expiry', { cause });
  }
  if (typeof at !== 'number' || !Number.isFinite(at)) {
    throw new BadPayload('handoff payload carries no expiry');
  }
  if (at <= now()) throw new SignatureExpired('handoff token expired');
  await once(store, mac, at);
  return value;
}

/**
 * The signature bytes of an itsdangerous token (`Signer`, `TimestampSigner` and the
 * serializers): the text after the last separator, base64-decoded as itsdangerous decodes it
 * (so every spelling it accepts gives the same bytes). Reads, does not verify: call it on a token
 * that `unsign`/`loads` accepted (or to revoke one). Throws `BadSignature` when there is none.
 *
 * @example
 * ```ts
 * import { itsdangerousMac } from 'tessera/web';
 * import { tokenId } from 'tessera/stores';
 * const id = tokenId(itsdangerousMac('my string.wh6tMHxLgJqB6oY1uT73iMlyrOA'));
 * ```
 */
export function itsdangerousMac(token: string, sep = '.'): Uint8Array {
  if (typeof token !== 'string') throw new TypeError('token must be a string');
  if (typeof sep !== 'string' || sep.length === 0)
    throw new TypeError('sep must be a non-empty string');
  const at = token.lastIndexOf(sep);
  if (at === -1) throw new BadSignature(`No "${sep}" found in value`);
  const mac = base64Decode(Buffer.from(token.slice(at + sep.length), 'utf8'));
  if (mac === undefined || mac.length === 0) throw new BadSignature('Signature is not base64');
  return mac;
}

// token = "XH" variant(1) UB64(HMAC-SHA1)(27) body "HX"   (ax_handoff.md §2)
const HANDOFF = /^XH[AB]([A-Za-z0-9_-]{27})[A-Za-z0-9_+/-]*HX$/;

/**
 * The HMAC-SHA1 bytes in a handoff token's header, as `Handoff#decodeWithMac` gives them for a
 * valid token (the header must be canonical base64url). Reads, does not verify: for revoking a
 * token without its secret. Throws `BadSignature` when the token has no such header.
 *
 * @example
 * ```ts
 * import { handoffMac } from 'tessera/web';
 * import { tokenId } from 'tessera/stores';
 * await store.revoke(tokenId(handoffMac(token)), exp * 1000);
 * ```
 */
export function handoffMac(token: string): Uint8Array {
  if (typeof token !== 'string') throw new TypeError('token must be a string');
  const m = HANDOFF.exec(token);
  const text = m?.[1];
  const mac = text === undefined ? undefined : Buffer.from(text, 'base64url');
  if (mac === undefined || mac.toString('base64url') !== text) {
    throw new BadSignature('not a handoff token (XH, variant, 27-character MAC, body, HX)');
  }
  return mac;
}
