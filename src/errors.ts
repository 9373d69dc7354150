/**
 * `tessera/errors`: every error class Tessera throws for bad, stale or hostile data, with stable
 * `code`s. See the class docs for the tree (it mirrors itsdangerous).
 *
 * @example
 * ```ts
 * import { BadSignature, SignatureExpired } from 'tessera/errors';
 * try {
 *   serializer.loads(token, { maxAge: 3600 });
 * } catch (err) {
 *   if (err instanceof SignatureExpired) console.log('expired at', err.dateSigned);
 *   else if (err instanceof BadSignature) console.log('forged', err.code);
 * }
 * ```
 * @module
 */
export * from './core/errors.ts';
