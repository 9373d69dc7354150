/**
 * `tessera`: the package root. Each wire format lives in its own subpath so that an application
 * loads only what it uses — `tessera/itsdangerous`, and the other format modules as they land —
 * and every error class is here and in `tessera/errors`.
 *
 * @example
 * ```ts
 * import { BadSignature, type Secret } from 'tessera';
 * import { URLSafeTimedSerializer } from 'tessera/itsdangerous';
 * const key: Secret = process.env.SECRET_KEY ?? 'dev-only-secret';
 * const s = new URLSafeTimedSerializer(key);
 * try { s.loads(token, { maxAge: 600 }); } catch (err) { if (err instanceof BadSignature) deny(); }
 * ```
 * @module
 */

export type { BytesLike } from './core/bytes.ts';
export type { Clock, Duration } from './core/clock.ts';
export * from './core/errors.ts';
export type { Secret, SecretOrRing } from './core/keys.ts';
