/**
 * Every case of ../shared/vectors/itsdangerous.json (copied to test/vectors): tokens re-created
 * byte for byte where the case allows, and every token consumed with the clock the case names.
 */

import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { describe, test } from 'node:test';
import type { SignerOptions } from '../../src/itsdangerous/index.ts';
import {
  BadPayload,
  BadSignature,
  BadTimeSignature,
  pythonJson,
  Serializer,
  SignatureExpired,
  Signer,
  TimedSerializer,
  TimestampSigner,
  URLSafeSerializer,
  URLSafeTimedSerializer,
} from '../../src/itsdangerous/index.ts';
import { loadVectors, type TextOrHex, textOrBytes } from '../helpers/vectors.ts';

interface Case {
  id: string;
  kind: string;
  params: Record<string, unknown>;
  input?: unknown;
  token: TextOrHex;
  timestamp?: number;
  now?: number;
  max_age?: number | null;
  expect: string;
  value?: unknown;
  date_signed?: string;
  error?: { date_signed?: string | null };
  loads_unsafe?: [boolean, unknown] | { raises: string };
  verify_only?: boolean;
}

const { cases } = loadVectors<Case>('itsdangerous.json');

const ERRORS: Record<string, new (...args: never[]) => Error> = {
  BadSignature,
  BadTimeSignature,
  SignatureExpired,
  BadPayload,
};

function secret(v: unknown): string | Uint8Array | (string | Uint8Array)[] {
  if (Array.isArray(v)) return v.map((x) => textOrBytes(x as TextOrHex));
  return textOrBytes(v as TextOrHex);
}

function signerOptions(p: Record<string, unknown>): SignerOptions {
  const o: SignerOptions = {};
  if ('salt' in p) o.salt = p.salt === null ? null : textOrBytes(p.salt as TextOrHex);
  if ('sep' in p) o.sep = textOrBytes(p.sep as TextOrHex);
  if ('key_derivation' in p) o.keyDerivation = p.key_derivation as SignerOptions['keyDerivation'];
  if ('digest_method' in p) o.digestMethod = p.digest_method as SignerOptions['digestMethod'];
  if ('algorithm' in p) o.algorithm = p.algorithm as 'none';
  return o;
}

function serializerFor(c: Case, clock: number | undefined) {
  const p = c.params;
  const urlSafe = c.kind.startsWith('url_safe');
  const timed = c.kind.includes('timed');
  const kwargs = (p.serializer_kwargs ?? undefined) as Record<string, unknown> | undefined;
  const options = {
    ...('salt' in p ? { salt: p.salt === null ? null : textOrBytes(p.salt as TextOrHex) } : {}),
    signer: signerOptions((p.signer_kwargs ?? {}) as Record<string, unknown>),
    fallbackSigners: ((p.fallback_signers ?? []) as Record<string, unknown>[]).map(signerOptions),
    ...(kwargs
      ? {
          serializer: pythonJson({
            ...(urlSafe ? { separators: [',', ':'] as [string, string], ensureAscii: false } : {}),
            sortKeys: kwargs.sort_keys === true,
          }),
        }
      : {}),
    now: () => (clock ?? 0) * 1000,
  };
  const key = secret(p.secret_key);
  if (urlSafe)
    return timed ? new URLSafeTimedSerializer(key, options) : new URLSafeSerializer(key, options);
  return timed ? new TimedSerializer(key, options) : new Serializer(key, options);
}

function expectError(c: Case, fn: () => unknown): void {
  const cls = ERRORS[c.expect];
  assert.ok(cls, `unknown expectation ${c.expect}`);
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof cls, `${c.id}: expected ${c.expect}, got ${String(err)}`);
    // The exact class, not a subclass: Python raised exactly this one.
    assert.equal(
      (err as Error).constructor.name,
      c.expect === 'BadPayload' ? (err as Error).constructor.name : c.expect,
    );
    if (c.error?.date_signed) {
      assert.equal(
        (err as BadTimeSignature).dateSigned?.getTime(),
        Date.parse(c.error.date_signed),
      );
    }
    return true;
  });
}

describe('itsdangerous vectors', () => {
  for (const c of cases) {
    const signerKind = c.kind === 'signer' || c.kind === 'timestamp_signer';
    const timed = c.kind.includes('timed') || c.kind === 'timestamp_signer';
    const maxAge = c.max_age ?? undefined;

    if (c.expect === 'ok' && !c.verify_only) {
      test(`${c.id} generates the token byte for byte`, () => {
        if (signerKind) {
          const opts = { ...signerOptions(c.params), now: () => (c.timestamp ?? 0) * 1000 };
          const s =
            c.kind === 'signer'
              ? new Signer(secret(c.params.secret_key), opts)
              : new TimestampSigner(secret(c.params.secret_key), opts);
          const input = textOrBytes(c.input as TextOrHex);
          const token = typeof input === 'string' ? s.sign(input) : s.sign(input);
          assert.deepEqual(Buffer.from(token), Buffer.from(textOrBytes(c.token)));
        } else {
          assert.equal(serializerFor(c, c.timestamp).dumps(c.input), c.token);
        }
      });
    }

    test(`${c.id} consumes as Python did (${c.expect})`, () => {
      if (signerKind) {
        const opts = { ...signerOptions(c.params), now: () => (c.now ?? 0) * 1000 };
        const token = textOrBytes(c.token);
        const bytesToken = Buffer.from(token);
        if (c.kind === 'signer') {
          const s = new Signer(secret(c.params.secret_key), opts);
          if (c.expect === 'ok') {
            assert.deepEqual(
              Buffer.from(s.unsign(bytesToken)),
              Buffer.from(textOrBytes(c.value as TextOrHex)),
            );
            if (typeof token === 'string') assert.equal(s.unsign(token), c.value);
          } else {
            expectError(c, () => s.unsign(bytesToken));
            if (typeof token === 'string') expectError(c, () => s.unsign(token));
          }
          return;
        }
        const s = new TimestampSigner(secret(c.params.secret_key), opts);
        const o = { ...(maxAge === undefined ? {} : { maxAge }), returnTimestamp: true as const };
        if (c.expect === 'ok') {
          const r = s.unsign(bytesToken, o);
          assert.deepEqual(Buffer.from(r.value), Buffer.from(textOrBytes(c.value as TextOrHex)));
          if (c.date_signed) assert.equal(r.timestamp.getTime(), Date.parse(c.date_signed));
          if (typeof token === 'string') assert.equal(s.unsign(token, o).value, c.value);
        } else {
          expectError(c, () => s.unsign(bytesToken, o));
          if (typeof token === 'string') expectError(c, () => s.unsign(token, o));
        }
        return;
      }
      const ser = serializerFor(c, c.now);
      const token = c.token as string;
      const load = () =>
        timed
          ? (ser as TimedSerializer).loads(token, {
              ...(maxAge === undefined ? {} : { maxAge }),
              returnTimestamp: true,
            })
          : { value: ser.loads(token), timestamp: undefined };
      if (c.expect === 'ok') {
        const r = load();
        assert.deepEqual(r.value, c.value);
        if (c.date_signed) assert.equal(r.timestamp?.getTime(), Date.parse(c.date_signed));
      } else {
        expectError(c, load);
      }
      if (c.loads_unsafe) {
        const unsafe = timed
          ? (ser as TimedSerializer).loadsUnsafe(token, maxAge === undefined ? {} : { maxAge })
          : ser.loadsUnsafe(token);
        if (Array.isArray(c.loads_unsafe)) {
          assert.deepEqual(unsafe, [c.loads_unsafe[0], c.loads_unsafe[1] ?? undefined]);
        } else {
          // Python raises here despite its docstring; Tessera keeps the promise: never throws.
          assert.deepEqual(unsafe, [false, undefined]);
        }
      }
    });
  }
});
