/**
 * itsdangerous paths beside the raw node:crypto floor and the JS peers (perf-notes.md T1, T1b, T2).
 * Every subject does the same job on the same object: JSON → token → JSON.
 */
import { Buffer } from 'node:buffer';
import { createHmac, createSecretKey, timingSafeEqual } from 'node:crypto';
import cookieSignature from 'cookie-signature';
import { createSigner, createVerifier } from 'fast-jwt';
import * as jose from 'jose';
import Keygrip from 'keygrip';
import {
  Signer,
  TimestampSigner,
  URLSafeSerializer,
  URLSafeTimedSerializer,
} from '../src/itsdangerous/index.ts';
import type { BenchCase, BenchGroup } from './harness.ts';
import { payloads } from './harness.ts';

const SECRET = 'bench-secret-key-0123456789abcdef';

function floor(digest: 'sha1' | 'sha256') {
  const key = createSecretKey(Buffer.from(SECRET));
  const sign = (obj: unknown): string => {
    const body = Buffer.from(JSON.stringify(obj)).toString('base64url');
    return `${body}.${createHmac(digest, key).update(body).digest('base64url')}`;
  };
  const verify = (token: string): unknown => {
    const at = token.lastIndexOf('.');
    const body = token.slice(0, at);
    const sig = Buffer.from(token.slice(at + 1), 'base64url');
    const mac = createHmac(digest, key).update(body).digest();
    if (sig.length !== mac.length || !timingSafeEqual(sig, mac)) throw new Error('bad');
    return JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  };
  return { sign, verify };
}

/** Signer over the same JSON → base64url text the floor signs, so the work is identical. */
function viaSigner(s: Signer) {
  return {
    sign: (obj: unknown) => s.sign(Buffer.from(JSON.stringify(obj)).toString('base64url')),
    verify: (t: string) => JSON.parse(Buffer.from(s.unsign(t), 'base64url').toString('utf8')),
  };
}

interface Subject {
  name: string;
  sign: (obj: unknown) => string;
  verify: (token: string) => unknown;
  floor?: boolean;
}

interface AsyncSubject {
  name: string;
  sign: (obj: Record<string, unknown>) => Promise<string>;
  verify: (token: string) => Promise<unknown>;
  inFlight: number;
}

/** The subjects, built once (keys imported once, as each library recommends). */
export async function subjects(): Promise<{ sync: Subject[]; async: AsyncSubject[] }> {
  const sha1 = floor('sha1');
  const sha256 = floor('sha256');
  const signer = viaSigner(new Signer(SECRET));
  const tsSigner = viaSigner(new TimestampSigner(SECRET));
  const ust = new URLSafeTimedSerializer(SECRET);
  const ustPlain = new URLSafeTimedSerializer(SECRET, { compress: false });
  const us = new URLSafeSerializer(SECRET);
  const cs = {
    sign: (obj: unknown) => cookieSignature.sign(JSON.stringify(obj), SECRET),
    verify: (t: string) => {
      const v = cookieSignature.unsign(t, SECRET);
      if (v === false) throw new Error('bad');
      return JSON.parse(v);
    },
  };
  const kg = new Keygrip([SECRET], 'sha256', 'base64url');
  const keygrip = {
    sign: (obj: unknown) => {
      const body = Buffer.from(JSON.stringify(obj)).toString('base64url');
      return `${body}.${kg.sign(body)}`;
    },
    verify: (t: string) => {
      const at = t.lastIndexOf('.');
      const body = t.slice(0, at);
      if (!kg.verify(body, t.slice(at + 1))) throw new Error('bad');
      return JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
    },
  };
  const fjSign = createSigner({ key: SECRET, algorithm: 'HS256', noTimestamp: true });
  // The payloads carry iat/exp of 2023: verify at that time, as every subject here ignores them.
  const fjVerify = createVerifier({
    key: SECRET,
    algorithms: ['HS256'],
    clockTimestamp: 1_700_000_100_000,
  });
  const fastJwt = {
    sign: (obj: unknown) => fjSign(obj as Record<string, unknown>),
    verify: (t: string) => fjVerify(t),
  };
  const cryptoKey = await crypto.subtle.importKey(
    'raw',
    Buffer.from(SECRET),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign', 'verify'],
  );
  const joseSign = (obj: Record<string, unknown>) =>
    new jose.SignJWT(obj).setProtectedHeader({ alg: 'HS256' }).sign(cryptoKey);
  const joseVerify = async (t: string) =>
    (await jose.jwtVerify(t, cryptoKey, { currentDate: new Date(1_700_000_100_000) })).payload;
  return {
    sync: [
      { name: 'raw floor HMAC-SHA1 (JSON → b64url → HMAC → b64url)', floor: true, ...sha1 },
      { name: 'raw floor HMAC-SHA256', ...sha256 },
      { name: 'Tessera Signer (sha1, same JSON → b64url text)', ...signer },
      { name: 'Tessera TimestampSigner (same text)', ...tsSigner },
      {
        name: 'Tessera URLSafeTimedSerializer (zlib rule)',
        sign: (o) => ust.dumps(o),
        verify: (t) => ust.loads(t, { maxAge: 3600 }),
      },
      {
        name: 'Tessera URLSafeTimedSerializer compress: false',
        sign: (o) => ustPlain.dumps(o),
        verify: (t) => ustPlain.loads(t, { maxAge: 3600 }),
      },
      {
        name: 'Tessera URLSafeSerializer (zlib rule)',
        sign: (o) => us.dumps(o),
        verify: (t) => us.loads(t),
      },
      { name: 'cookie-signature (sha256, raw JSON value)', ...cs },
      { name: 'keygrip (sha256)', ...keygrip },
      { name: 'fast-jwt HS256', ...fastJwt },
    ],
    async: [
      {
        name: 'jose HS256 (CryptoKey), awaited one at a time',
        sign: joseSign,
        verify: joseVerify,
        inFlight: 1,
      },
      {
        name: 'jose HS256 (CryptoKey), 32 in flight',
        sign: joseSign,
        verify: joseVerify,
        inFlight: 32,
      },
    ],
  };
}

/** sign / verify / round trip groups for both payloads. */
export async function groups(): Promise<BenchGroup[]> {
  const { sync, async } = await subjects();
  const out: BenchGroup[] = [];
  for (const [label, obj] of Object.entries(payloads())) {
    const ops = ['sign', 'verify', 'round trip'] as const;
    for (const op of ops) {
      const cases: BenchCase[] = sync.map((s) => {
        const token = s.sign(obj);
        const fn =
          op === 'sign'
            ? () => s.sign(obj)
            : op === 'verify'
              ? () => s.verify(token)
              : () => s.verify(s.sign(obj));
        return { name: s.name, fn, floor: s.floor === true, bytes: token.length };
      });
      for (const a of async) {
        const token = await a.sign(obj);
        const run =
          op === 'sign'
            ? () => a.sign(obj)
            : op === 'verify'
              ? () => a.verify(token)
              : async () => a.verify(await a.sign(obj));
        cases.push({
          name: a.name,
          fn: () => undefined,
          async: run,
          inFlight: a.inFlight,
          bytes: token.length,
        });
      }
      out.push({ title: `itsdangerous — ${label} payload — ${op}`, cases });
    }
  }
  // perf-notes T1c: a 95-byte string, no JSON, beside Python's TimestampSigner rows printed below.
  const text = JSON.stringify(payloads().small).slice(0, 95);
  const ts = new TimestampSigner(SECRET);
  const token = ts.sign(text);
  const key = createSecretKey(Buffer.from(SECRET));
  out.push({
    title: 'TimestampSigner — 95 B string, no JSON (compare with Python below)',
    cases: [
      {
        name: 'raw floor: HMAC-SHA1 → base64url of the string',
        floor: true,
        fn: () => `${text}.${createHmac('sha1', key).update(text).digest('base64url')}`,
      },
      { name: 'Tessera TimestampSigner.sign', fn: () => ts.sign(text), bytes: token.length },
      {
        name: 'Tessera TimestampSigner.unsign (maxAge)',
        fn: () => ts.unsign(token, { maxAge: 3600 }),
        bytes: token.length,
      },
    ],
  });
  return out;
}
