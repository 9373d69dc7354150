/**
 * Live interop with Debian's python3-itsdangerous, both directions: Python signs → Tessera
 * verifies, Tessera signs → Python verifies, and both produce the same token byte for byte
 * (compressed payloads included: Tessera's deflate follows CPython's zlib 1.2.13, spec §9.1).
 *
 * Every scenario is built here, then the whole batch goes to ONE Python process
 * (itsdangerous_peer.py, JSON on stdin → JSON on stdout). Clocks are injected on both sides:
 * Tessera's `now`, Python's `TimestampSigner.get_timestamp` (spec §4).
 */

import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { EXACT_DEFLATE_LIMIT } from '../../src/core/deflate.ts';
import { TesseraError } from '../../src/core/errors.ts';
import {
  Serializer,
  Signer,
  type SignerOptions,
  TimedSerializer,
  TimestampSigner,
  URLSafeSerializer,
  URLSafeTimedSerializer,
} from '../../src/itsdangerous/index.ts';

const PYTHON = '/usr/bin/python3';
const PEER = fileURLToPath(new URL('./itsdangerous_peer.py', import.meta.url));

/** Why the peer cannot run here, or undefined when it can. */
function skipReason(): string | undefined {
  if (!existsSync(PYTHON))
    return `${PYTHON} not found (apt-get install python3 python3-itsdangerous)`;
  const probe = spawnSync(PYTHON, ['-c', 'import itsdangerous'], { encoding: 'utf8' });
  if (probe.status !== 0)
    return 'Python module itsdangerous not installed (apt-get install python3-itsdangerous)';
  return undefined;
}

// ---- scenario model (parameters spelled as in ../vectors/itsdangerous.json) ----

type Wire = string | { hex: string };
type Kind =
  | 'signer'
  | 'timestamp_signer'
  | 'serializer'
  | 'timed_serializer'
  | 'url_safe_serializer'
  | 'url_safe_timed_serializer';
type Digest = NonNullable<SignerOptions['digestMethod']>;
type KeyDerivation = NonNullable<SignerOptions['keyDerivation']>;

interface WireSigner {
  sep?: Wire;
  key_derivation?: KeyDerivation;
  digest_method?: Digest;
  algorithm?: 'none';
}

interface Params extends WireSigner {
  secret_key: Wire | Wire[];
  salt?: Wire | null;
  signer_kwargs?: WireSigner;
  fallback_signers?: WireSigner[];
}

interface Check {
  now: number;
  maxAge?: number;
  /** 'ok' or the exception class both sides must raise. */
  expect: string;
}

interface Scenario {
  name: string;
  kind: Kind;
  /** How the token is made (both sides). */
  sign: Params;
  /** How it is verified (both sides); default: `sign`. */
  verify?: Params;
  /** Signer input (text or hex bytes) or serializer JSON value. */
  input: unknown;
  signNow: number;
  checks: Check[];
  /** Whether a successful verification should say `renew` (older key or fallback matched). */
  renew?: boolean;
  /** Whether the URL-safe payload must be compressed (checked on the Python token). */
  compressed?: boolean;
  /** Whether both sides must make the same token (default true). */
  sameBytes?: boolean;
}

const KINDS: readonly Kind[] = [
  'signer',
  'timestamp_signer',
  'serializer',
  'timed_serializer',
  'url_safe_serializer',
  'url_safe_timed_serializer',
];
const DIGESTS: readonly Digest[] = ['md5', 'sha1', 'sha224', 'sha256', 'sha384', 'sha512'];
const DERIVATIONS: readonly KeyDerivation[] = ['concat', 'django-concat', 'hmac', 'none'];
const TIMED = new Set<Kind>(['timestamp_signer', 'timed_serializer', 'url_safe_timed_serializer']);
const SIGNERS = new Set<Kind>(['signer', 'timestamp_signer']);

const bytesOf = (w: Wire): Buffer =>
  typeof w === 'string' ? Buffer.from(w, 'utf8') : Buffer.from(w.hex, 'hex');
const hex = (b: Uint8Array): { hex: string } => ({ hex: Buffer.from(b).toString('hex') });
const tsValue = (w: Wire): string | Uint8Array =>
  typeof w === 'string' ? w : Buffer.from(w.hex, 'hex');

/** Spread signer-level parameters into the place each kind takes them. */
function params(
  kind: Kind,
  secretKey: Wire | Wire[],
  signer: WireSigner & { salt?: Wire | null } = {},
): Params {
  const { salt, ...rest } = signer;
  const p: Params = { secret_key: secretKey };
  if (salt !== undefined) p.salt = salt;
  if (SIGNERS.has(kind)) Object.assign(p, rest);
  else p.signer_kwargs = rest;
  return p;
}

/** Timed kinds also check the max_age boundary, one second past it, and the future. */
function checksFor(kind: Kind, now: number): Check[] {
  const checks: Check[] = [{ now, expect: 'ok' }];
  if (TIMED.has(kind)) {
    checks.push(
      { now: now + 60, maxAge: 60, expect: 'ok' },
      { now: now + 61, maxAge: 60, expect: 'SignatureExpired' },
      { now: now - 1, maxAge: 60, expect: 'SignatureExpired' },
    );
  }
  return checks;
}

const TEXTS = [
  'my string',
  'héllo wörld ✓ — 日本語 𝄞 🙂',
  'a.b.c',
  '',
  'tabs\tand\nnewlines "quoted" \\ back',
];
const VALUES: unknown[] = [
  { user: 'ümlaut ✓', id: 42, roles: ['admin', 'ops'], nested: { x: [1, 2.5, null, true, false] } },
  ['emoji 🙂', 'cjk 日本語', 'rtl עברית', '\u2028\u2029', '\u0000\u001f\u007f', 'q"b\\s/'],
  { b: 1, 10: 'integer-like key', a: [0.1, -3.75, 1e-7, 1.5e300, 123456789012345] },
  'just a string',
  [],
  {},
  null,
];

function inputFor(kind: Kind, i: number): unknown {
  return SIGNERS.has(kind) ? TEXTS[i % TEXTS.length] : VALUES[i % VALUES.length];
}

/** Repetitive records, so zlib kicks in. */
function bigValue(records: number, unicode: boolean): unknown {
  return Array.from({ length: records }, (_, i) => ({
    id: i,
    name: unicode ? `ユーザー ${i % 17} — ✓` : `user-${i % 17}`,
    email: `user${i % 29}@example.com`,
    roles: ['reader', i % 3 === 0 ? 'writer' : 'guest'],
    active: i % 2 === 0,
    score: (i % 7) * 1.25,
  }));
}

function buildScenarios(): Record<string, Scenario[]> {
  const groups: Record<string, Scenario[]> = {};
  let t = 1_700_000_000;
  const add = (
    group: string,
    s: Omit<Scenario, 'checks' | 'signNow'> & Partial<Scenario>,
  ): void => {
    const signNow = s.signNow ?? t++;
    const list = groups[group] ?? [];
    groups[group] = list;
    list.push({ checks: checksFor(s.kind, signNow), signNow, ...s });
  };

  // Every class × digest × key derivation.
  let i = 0;
  for (const kind of KINDS) {
    for (const digest of DIGESTS) {
      for (const kd of DERIVATIONS) {
        add('class × digest × key derivation', {
          name: `${kind} ${digest} ${kd}`,
          kind,
          sign: params(kind, `secret-${digest}-${kd}`, {
            digest_method: digest,
            key_derivation: kd,
          }),
          input: inputFor(kind, i++),
        });
      }
    }
  }

  // Custom salts and separators.
  const salts: (Wire | null)[] = ['custom-salt', '', null, { hex: '00ff10' }, 'sälz ✓'];
  const seps: Wire[] = ['.', ':', '::', '|', '~', 'é', '!#'];
  for (const kind of KINDS) {
    for (const salt of salts) {
      for (const sep of seps) {
        add('salt × sep', {
          name: `${kind} salt=${JSON.stringify(salt)} sep=${JSON.stringify(sep)}`,
          kind,
          sign: params(kind, 'salty-key', { salt, sep }),
          input: inputFor(kind, i++),
        });
      }
    }
    // A different salt or separator on the verifying side never verifies.
    const bad = TIMED.has(kind) ? 'BadTimeSignature' : 'BadSignature';
    add('salt × sep', {
      name: `${kind} wrong salt`,
      kind,
      sign: params(kind, 'salty-key', { salt: 'one' }),
      verify: params(kind, 'salty-key', { salt: 'two' }),
      input: inputFor(kind, i++),
      checks: [{ now: t, expect: bad }],
    });
    add('salt × sep', {
      name: `${kind} wrong sep`,
      kind,
      sign: params(kind, 'salty-key', { sep: ':' }),
      verify: params(kind, 'salty-key', { sep: '|' }),
      input: inputFor(kind, i++),
      checks: [{ now: t, expect: 'BadSignature' }], // no '|' in the token at all
    });
  }

  // Unicode payloads, raw bytes, byte keys, the none algorithm.
  for (const kind of KINDS) {
    const inputs = SIGNERS.has(kind) ? TEXTS : VALUES;
    for (const [n, input] of inputs.entries()) {
      add('unicode, bytes, none algorithm', {
        name: `${kind} unicode #${n}`,
        kind,
        sign: params(kind, 'ключ 🔑'),
        input,
      });
    }
    if (kind === 'serializer' || kind === 'timed_serializer') {
      // ensure_ascii escapes a lone surrogate; the URL-safe classes cannot encode one (Python raises).
      add('unicode, bytes, none algorithm', {
        name: `${kind} lone surrogate`,
        kind,
        sign: params(kind, 'k'),
        input: { s: '\ud800x\udfff' },
      });
    }
    const byteKey = { hex: 'ff00fe01c3' };
    add('unicode, bytes, none algorithm', {
      name: `${kind} byte key`,
      kind,
      sign: params(kind, [byteKey, { hex: '80818283' }], { salt: { hex: 'c0ffee' } }),
      input: SIGNERS.has(kind) ? { hex: 'ff00fe80c0' } : VALUES[0],
    });
    if (SIGNERS.has(kind)) {
      add('unicode, bytes, none algorithm', {
        name: `${kind} raw bytes, byte separator`,
        kind,
        sign: params(kind, 'k', { sep: { hex: 'ff' } }),
        input: { hex: '00017f80fe2e2e' },
      });
    }
    add('unicode, bytes, none algorithm', {
      name: `${kind} algorithm none`,
      kind,
      sign: params(kind, 'k', { algorithm: 'none' }),
      input: inputFor(kind, i++),
    });
  }

  // Key rotation (oldest → newest): an old key verifies with renew, the newest without.
  for (const kind of KINDS) {
    const bad = TIMED.has(kind) ? 'BadTimeSignature' : 'BadSignature';
    const input = inputFor(kind, i++);
    add('key rotation', {
      name: `${kind} old key → ring`,
      kind,
      sign: params(kind, 'k-old'),
      verify: params(kind, ['k-old', 'k-new']),
      input,
      renew: true,
    });
    add('key rotation', {
      name: `${kind} oldest of three`,
      kind,
      sign: params(kind, ['k-a']),
      verify: params(kind, ['k-a', 'k-b', 'k-c']),
      input,
      renew: true,
    });
    add('key rotation', {
      name: `${kind} ring signs with newest`,
      kind,
      sign: params(kind, ['k-old', 'k-new']),
      verify: params(kind, 'k-new'),
      input,
    });
    add('key rotation', {
      name: `${kind} newest of a longer ring`,
      kind,
      sign: params(kind, ['k-old', 'k-new']),
      verify: params(kind, ['k-older', 'k-old', 'k-new']),
      input,
      renew: false,
    });
    add('key rotation', {
      name: `${kind} retired key`,
      kind,
      sign: params(kind, ['k-a', 'k-b', 'k-c']),
      verify: params(kind, ['k-a', 'k-b']),
      input,
      checks: [{ now: t, expect: bad }],
    });
    add('key rotation', {
      name: `${kind} byte keys`,
      kind,
      sign: params(kind, [{ hex: '00' }], { digest_method: 'sha256' }),
      verify: params(kind, [{ hex: '00' }, { hex: '0000' }], { digest_method: 'sha256' }),
      input,
      renew: true,
    });
  }

  // Compressed payloads (URL-safe): below, around and above 16 KB; text and unicode.
  for (const kind of ['url_safe_serializer', 'url_safe_timed_serializer'] as const) {
    for (const records of [3, 40, 150, 400, 1000]) {
      for (const unicode of [false, true]) {
        for (const digest of ['sha1', 'sha512'] as const) {
          const value = bigValue(records, unicode);
          const size = Buffer.byteLength(JSON.stringify(value));
          add('compressed payloads', {
            name: `${kind} ${records} records${unicode ? ' unicode' : ''} ${digest} (${size} B)`,
            kind,
            sign: params(kind, 'zip-key', { digest_method: digest }),
            input: value,
            compressed: true,
            // core/deflate.ts reproduces zlib 1.2.13 exactly up to EXACT_DEFLATE_LIMIT bytes and
            // delegates bigger inputs to node:zlib (a different deflater): those only round-trip.
            sameBytes: size <= EXACT_DEFLATE_LIMIT,
          });
        }
      }
    }
    add('compressed payloads', {
      name: `${kind} spec example {"items":["xxxxx"]*20}`,
      kind,
      sign: params(kind, 'secret-key'),
      input: { items: Array(20).fill('xxxxx') },
      compressed: true,
    });
    add('compressed payloads', {
      name: `${kind} too short to gain from zlib`,
      kind,
      sign: params(kind, 'secret-key'),
      input: [1, 2, 3, 4], // spec §5: 'WzEsMiwzLDRd.wSPHqC0gR7VUqivlSukJ0IeTDgo'
      compressed: false,
    });
  }

  // Fallback signers (serializers): an old signer configuration still verifies, with renew.
  for (const kind of [
    'serializer',
    'timed_serializer',
    'url_safe_serializer',
    'url_safe_timed_serializer',
  ] as const) {
    const input = inputFor(kind, i++);
    const fallbacks: WireSigner[] = [
      { digest_method: 'sha512' },
      { key_derivation: 'hmac', sep: ':' },
    ];
    add('fallback signers', {
      name: `${kind} fallback sha512`,
      kind,
      sign: { secret_key: 'fb-key', signer_kwargs: { digest_method: 'sha512' } },
      verify: { secret_key: 'fb-key', fallback_signers: fallbacks },
      input,
      renew: true,
    });
    add('fallback signers', {
      name: `${kind} second fallback (hmac, ':')`,
      kind,
      sign: { secret_key: 'fb-key', signer_kwargs: { key_derivation: 'hmac', sep: ':' } },
      verify: { secret_key: 'fb-key', fallback_signers: fallbacks },
      input,
      renew: true,
    });
    add('fallback signers', {
      name: `${kind} fallback with an old key`,
      kind,
      sign: { secret_key: 'fb-old', signer_kwargs: { digest_method: 'sha512' } },
      verify: { secret_key: ['fb-old', 'fb-new'], fallback_signers: fallbacks },
      input,
      renew: true,
    });
    add('fallback signers', {
      name: `${kind} main signer preferred`,
      kind,
      sign: { secret_key: 'fb-key' },
      verify: { secret_key: 'fb-key', fallback_signers: fallbacks },
      input,
      renew: false,
    });
    add('fallback signers', {
      name: `${kind} no matching fallback`,
      kind,
      sign: { secret_key: 'fb-key', signer_kwargs: { digest_method: 'sha256' } },
      verify: { secret_key: 'fb-key', fallback_signers: fallbacks },
      input,
      // The last unsigner tried is the ':' fallback; no ':' in the token is a plain BadSignature
      // even for timed signers (spec §4 step 2), and loads re-raises the last error (spec §5).
      checks: [{ now: t, expect: 'BadSignature' }],
    });
    if (TIMED.has(kind)) {
      // SignatureExpired from a fallback is final (spec §5).
      add('fallback signers', {
        name: `${kind} expired via fallback`,
        kind,
        sign: { secret_key: 'fb-key', signer_kwargs: { digest_method: 'sha512' } },
        verify: { secret_key: 'fb-key', fallback_signers: fallbacks },
        input,
        signNow: 1_600_000_000,
        checks: [
          { now: 1_600_000_010, maxAge: 10, expect: 'ok' },
          { now: 1_600_000_011, maxAge: 10, expect: 'SignatureExpired' },
        ],
        renew: true,
      });
    }
  }

  // Timestamps: edge values of the minimal big-endian segment (spec §4), max_age boundaries.
  for (const kind of KINDS.filter((k) => TIMED.has(k))) {
    for (const ts of [0, 1, 255, 256, 65535, 2 ** 31 - 1, 2 ** 32, 1_700_000_000, 253402300799]) {
      add('timestamps and max_age', {
        name: `${kind} ts=${ts}`,
        kind,
        sign: params(kind, 'clock-key'),
        input: inputFor(kind, i++),
        signNow: ts,
        checks: [
          { now: ts, expect: 'ok' },
          { now: ts, maxAge: 0, expect: 'ok' },
          { now: ts + 3600, maxAge: 3600, expect: 'ok' },
          { now: ts + 3601, maxAge: 3600, expect: 'SignatureExpired' },
          ...(ts > 0 ? [{ now: ts - 1, maxAge: 3600, expect: 'SignatureExpired' }] : []),
          { now: ts + 10 ** 6, expect: 'ok' }, // no max_age: any age
        ],
      });
    }
  }
  return groups;
}

// ---- Tessera side ----

function signerOptions(p: WireSigner & { salt?: Wire | null }): SignerOptions {
  const o: SignerOptions = {};
  if (p.salt !== undefined) o.salt = p.salt === null ? null : tsValue(p.salt);
  if (p.sep !== undefined) o.sep = tsValue(p.sep);
  if (p.key_derivation !== undefined) o.keyDerivation = p.key_derivation;
  if (p.digest_method !== undefined) o.digestMethod = p.digest_method;
  if (p.algorithm !== undefined) o.algorithm = p.algorithm;
  return o;
}

type AnyTessera = Signer | Serializer;

function tessera(kind: Kind, p: Params, nowSeconds: number): AnyTessera {
  const key = Array.isArray(p.secret_key) ? p.secret_key.map(tsValue) : tsValue(p.secret_key);
  const now = (): number => nowSeconds * 1000;
  if (kind === 'signer') return new Signer(key, signerOptions(p));
  if (kind === 'timestamp_signer') return new TimestampSigner(key, { ...signerOptions(p), now });
  const options = {
    ...(p.salt === undefined ? {} : { salt: p.salt === null ? null : tsValue(p.salt) }),
    signer: signerOptions(p.signer_kwargs ?? {}),
    fallbackSigners: (p.fallback_signers ?? []).map(signerOptions),
    now,
  };
  switch (kind) {
    case 'serializer':
      return new Serializer(key, options);
    case 'timed_serializer':
      return new TimedSerializer(key, options);
    case 'url_safe_serializer':
      return new URLSafeSerializer(key, options);
    default:
      return new URLSafeTimedSerializer(key, options);
  }
}

/** Token bytes as Tessera makes them. */
function tesseraSign(s: Scenario): Buffer {
  const t = tessera(s.kind, s.sign, s.signNow);
  if (t instanceof Signer) {
    const input = s.input as Wire;
    return Buffer.from(typeof input === 'string' ? t.sign(input) : t.sign(bytesOf(input)));
  }
  return Buffer.from(t.dumps(s.input), 'utf8');
}

type Outcome =
  | { ok: true; value: unknown; timestamp: number | null; renew: boolean }
  | { ok: false; error: string };

/** Verify a token with Tessera; as text and (for signers) also as bytes, which must agree. */
function tesseraLoad(s: Scenario, check: Check, token: Buffer): Outcome {
  const t = tessera(s.kind, s.verify ?? s.sign, check.now);
  const opts = check.maxAge === undefined ? {} : { maxAge: check.maxAge };
  try {
    if (t instanceof TimestampSigner) {
      const asText = typeof s.input === 'string';
      const r = asText
        ? t.unsign(token.toString('utf8'), { ...opts, returnTimestamp: true })
        : t.unsign(token, { ...opts, returnTimestamp: true });
      const safe = asText ? t.safeUnsign(token.toString('utf8'), opts) : t.safeUnsign(token, opts);
      if (!safe.valid) throw new Error('safeUnsign disagrees with unsign');
      const viaBytes = t.unsign(token, opts);
      assert.equal(Buffer.from(viaBytes).toString('hex'), Buffer.from(r.value).toString('hex'));
      return {
        ok: true,
        value: hex(Buffer.from(r.value)),
        timestamp: r.timestamp.getTime() / 1000,
        renew: safe.renew,
      };
    }
    if (t instanceof Signer) {
      const asText = typeof s.input === 'string';
      const value = asText ? t.unsign(token.toString('utf8')) : t.unsign(token);
      const safe = asText ? t.safeUnsign(token.toString('utf8')) : t.safeUnsign(token);
      if (!safe.valid) throw new Error('safeUnsign disagrees with unsign');
      const viaBytes = t.unsign(token);
      assert.equal(Buffer.from(viaBytes).toString('hex'), Buffer.from(value).toString('hex'));
      return { ok: true, value: hex(Buffer.from(value)), timestamp: null, renew: safe.renew };
    }
    const text = token.toString('utf8');
    if (t instanceof TimedSerializer) {
      const r = t.loads(text, { ...opts, returnTimestamp: true });
      const safe = t.safeLoads(text, opts);
      if (!safe.valid) throw new Error('safeLoads disagrees with loads');
      return {
        ok: true,
        value: r.value,
        timestamp: r.timestamp.getTime() / 1000,
        renew: safe.renew,
      };
    }
    const value = t.loads(text);
    const safe = t.safeLoads(text);
    if (!safe.valid) throw new Error('safeLoads disagrees with loads');
    return { ok: true, value, timestamp: null, renew: safe.renew };
  } catch (err) {
    if (err instanceof TesseraError) return { ok: false, error: err.name };
    return { ok: false, error: `CRASH ${(err as Error).name}: ${(err as Error).message}` };
  }
}

// ---- the peer ----

interface PeerOp {
  op: 'sign' | 'load';
  kind: Kind;
  params: Params;
  input?: unknown;
  token?: Wire;
  now: number;
  max_age?: number;
}

type PeerResult =
  | { token: Wire }
  | { ok: true; value: unknown; timestamp: number | null; key_index: number | null }
  | { ok: false; error: string; message: string }
  | { crash: string };

function runPeer(ops: PeerOp[]): { version: string; results: PeerResult[] } {
  const r = spawnSync(PYTHON, [PEER], {
    input: JSON.stringify({ ops }),
    encoding: 'utf8',
    maxBuffer: 512 * 1024 * 1024,
  });
  if (r.status !== 0) throw new Error(`peer failed (${r.status}): ${r.stderr}`);
  const out = JSON.parse(r.stdout) as { version: string; results: PeerResult[] };
  assert.equal(out.results.length, ops.length);
  return out;
}

/** What a successful verification must return for this scenario. */
function expectedValue(s: Scenario): unknown {
  return SIGNERS.has(s.kind) ? hex(bytesOf(s.input as Wire)) : s.input;
}

function wireOfToken(kind: Kind, token: Buffer): Wire {
  return SIGNERS.has(kind) ? hex(token) : token.toString('utf8');
}

function tokenOfWire(w: Wire): Buffer {
  return bytesOf(w);
}

/** Compare one outcome with what the check expects; a description of the mismatch, or undefined. */
function mismatch(
  s: Scenario,
  check: Check,
  o: Outcome | PeerResult,
  side: string,
): string | undefined {
  const at = `${side} now=${check.now} maxAge=${check.maxAge ?? '-'}`;
  if ('crash' in o) return `${at}: peer crashed: ${o.crash}`;
  if (!('ok' in o)) return `${at}: unexpected result`;
  if (check.expect !== 'ok') {
    if (o.ok) return `${at}: accepted, expected ${check.expect}`;
    if (o.error !== check.expect) return `${at}: ${o.error}, expected ${check.expect}`;
    return undefined;
  }
  if (!o.ok) return `${at}: ${o.error}${'message' in o ? ` (${o.message})` : ''}, expected ok`;
  if (!isDeepStrictEqual(o.value, expectedValue(s))) {
    return `${at}: value ${JSON.stringify(o.value).slice(0, 200)} ≠ ${JSON.stringify(expectedValue(s)).slice(0, 200)}`;
  }
  const wantTs = TIMED.has(s.kind) ? s.signNow : null;
  if (o.timestamp !== wantTs) return `${at}: timestamp ${o.timestamp} ≠ ${wantTs}`;
  const renew = s.renew ?? false;
  if ('renew' in o && o.renew !== renew) return `${at}: renew ${o.renew} ≠ ${renew}`;
  const verify = s.verify ?? s.sign;
  if (
    'key_index' in o &&
    Array.isArray(verify.secret_key) &&
    verify.fallback_signers === undefined
  ) {
    if ((o.key_index ?? -1) > 0 !== renew)
      return `${at}: Python matched key #${o.key_index} (0 = newest), renew ${renew}`;
  }
  return undefined;
}

// ---- mutated tokens: Tessera must accept exactly what Python accepts (spec §2 leniency) ----

/** mulberry32: a small seeded PRNG, so the mutation set is the same on every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

// No lone surrogates: Python cannot even encode them (and Tessera rejects them, see signer.ts).
const MUTATION_CHARS = [
  ...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_',
  ...'+/===..::!* ~\u0000',
  'é',
  '𝄞',
  '\ufffd',
];

interface Mutant {
  scenario: Scenario;
  token: Buffer;
  what: string;
}

/** Mutations (one-character changes, insertions, deletions, truncations, appends) of a token. */
function mutants(s: Scenario, token: Buffer, count: number, random: () => number): Mutant[] {
  const text = token.toString('utf8');
  const chars = [...text];
  const pick = (): string => MUTATION_CHARS[Math.floor(random() * MUTATION_CHARS.length)] as string;
  const out: Mutant[] = [];
  for (let n = 0; n < count; n++) {
    // Half the positions fall in the last 32 characters, where the timestamp and signature are.
    const span = random() < 0.5 ? Math.min(chars.length, 32) : chars.length;
    const i = chars.length - 1 - Math.floor(random() * span);
    const c = [...chars];
    const op = Math.floor(random() * 5);
    let what: string;
    if (op === 0) {
      c[i] = pick();
      what = `replace #${i}`;
    } else if (op === 1) {
      c.splice(i, 0, pick());
      what = `insert at #${i}`;
    } else if (op === 2) {
      c.splice(i, 1);
      what = `delete #${i}`;
    } else if (op === 3) {
      c.length = i;
      what = `truncate to ${i}`;
    } else {
      const k = 1 + Math.floor(random() * 3);
      for (let j = 0; j < k; j++) c.push(pick());
      what = `append ${k}`;
    }
    const mutated = Buffer.from(c.join(''), 'utf8');
    if (!mutated.equals(token)) out.push({ scenario: s, token: mutated, what });
  }
  return out;
}

function mutationScenarios(): Scenario[] {
  const list: Scenario[] = [];
  for (const kind of KINDS) {
    const configs: [string, WireSigner & { salt?: Wire | null }][] = [
      ['default', {}],
      ['sha256 hmac sep ":"', { digest_method: 'sha256', key_derivation: 'hmac', sep: ':' }],
    ];
    for (const [name, cfg] of configs) {
      const input = SIGNERS.has(kind)
        ? 'héllo.world'
        : { user: 'ümlaut', n: 42, list: [1, 2.5, null] };
      list.push({
        name: `${kind} ${name}`,
        kind,
        sign: params(kind, 'mutant-key', cfg),
        input,
        signNow: 1_700_000_000,
        checks: [
          { now: 1_700_000_010, ...(TIMED.has(kind) ? { maxAge: 3600 } : {}), expect: 'ok' },
        ],
      });
    }
  }
  return list;
}

const reason = skipReason();

describe('itsdangerous interop with Debian python3-itsdangerous', { skip: reason ?? false }, () => {
  const groups = buildScenarios();
  const all = Object.values(groups).flat();

  // Tessera tokens first, then one batch: Python signs every scenario and verifies every
  // Tessera token under every check.
  const tesseraTokens = new Map<Scenario, Buffer>();
  const ops: PeerOp[] = [];
  const index = new Map<Scenario, { sign: number; loads: number[] }>();
  for (const s of all) {
    const token = tesseraSign(s);
    tesseraTokens.set(s, token);
    const sign =
      ops.push({ op: 'sign', kind: s.kind, params: s.sign, input: s.input, now: s.signNow }) - 1;
    const loads = s.checks.map(
      (c) =>
        ops.push({
          op: 'load',
          kind: s.kind,
          params: s.verify ?? s.sign,
          token: wireOfToken(s.kind, token),
          now: c.now,
          ...(c.maxAge === undefined ? {} : { max_age: c.maxAge }),
        }) - 1,
    );
    index.set(s, { sign, loads });
  }
  // Mutations of Tessera tokens, verified by both sides.
  const random = prng(0x17d4);
  const mutantOps: { mutant: Mutant; op: number }[] = [];
  for (const s of mutationScenarios()) {
    for (const mutant of mutants(s, tesseraSign(s), 150, random)) {
      const check = s.checks[0] as Check;
      const op =
        ops.push({
          op: 'load',
          kind: s.kind,
          params: s.sign,
          token: wireOfToken(s.kind, mutant.token),
          now: check.now,
          ...(check.maxAge === undefined ? {} : { max_age: check.maxAge }),
        }) - 1;
      mutantOps.push({ mutant, op });
    }
  }
  const peer = runPeer(ops);

  for (const [group, scenarios] of Object.entries(groups)) {
    test(`${group} (${scenarios.length} scenarios)`, () => {
      const failures: string[] = [];
      for (const s of scenarios) {
        const at = index.get(s) as { sign: number; loads: number[] };
        const signed = peer.results[at.sign] as PeerResult;
        if (!('token' in signed)) {
          failures.push(`${s.name}: Python could not sign: ${JSON.stringify(signed)}`);
          continue;
        }
        const pyToken = tokenOfWire(signed.token);
        const tsToken = tesseraTokens.get(s) as Buffer;
        // Same inputs, same clock → the same token, byte for byte.
        if (s.sameBytes !== false && !pyToken.equals(tsToken)) {
          failures.push(
            `${s.name}: tokens differ\n  python  ${pyToken.toString('latin1').slice(0, 160)}\n  tessera ${tsToken.toString('latin1').slice(0, 160)}`,
          );
        }
        if (s.compressed !== undefined) {
          const payload = pyToken.toString('latin1');
          if (payload.startsWith('.') !== s.compressed)
            failures.push(`${s.name}: compressed=${!s.compressed} in Python's token`);
        }
        s.checks.forEach((check, k) => {
          // Python → Tessera.
          const fromPython = mismatch(
            s,
            check,
            tesseraLoad(s, check, pyToken),
            'Python token in Tessera',
          );
          if (fromPython) failures.push(`${s.name}: ${fromPython}`);
          // Tessera → Python.
          const toPython = mismatch(
            s,
            check,
            peer.results[at.loads[k] as number] as PeerResult,
            'Tessera token in Python',
          );
          if (toPython) failures.push(`${s.name}: ${toPython}`);
        });
      }
      assert.deepEqual(
        failures,
        [],
        `${failures.length} failures:\n${failures.slice(0, 30).join('\n')}`,
      );
    });
  }

  test(`mutated tokens: Tessera accepts exactly what Python accepts (${mutantOps.length} mutations)`, (t) => {
    const failures: string[] = [];
    let accepted = 0;
    for (const { mutant, op } of mutantOps) {
      const s = mutant.scenario;
      const check = s.checks[0] as Check;
      const py = peer.results[op] as PeerResult;
      const ts = tesseraLoad(s, check, mutant.token);
      const at = `${s.name}, ${mutant.what}: ${JSON.stringify(mutant.token.toString('utf8'))}`;
      if ('crash' in py || !('ok' in py)) {
        failures.push(`${at}: peer: ${JSON.stringify(py)}`);
      } else if (py.ok !== ts.ok) {
        failures.push(
          `${at}: Python ${py.ok ? 'accepts' : `rejects (${py.error})`}, Tessera ${ts.ok ? 'accepts' : `rejects (${ts.error})`}`,
        );
      } else if (py.ok && ts.ok) {
        accepted++;
        if (
          !isDeepStrictEqual(py.value, ts.value) ||
          !isDeepStrictEqual(ts.value, expectedValue(s))
        ) {
          failures.push(`${at}: values differ`);
        }
        if (py.timestamp !== ts.timestamp) failures.push(`${at}: timestamps differ`);
      } else if (!py.ok && !ts.ok && py.error !== ts.error) {
        failures.push(`${at}: Python raises ${py.error}, Tessera ${ts.error}`);
      }
    }
    assert.deepEqual(
      failures,
      [],
      `${failures.length} failures:\n${failures.slice(0, 30).join('\n')}`,
    );
    assert.ok(accepted > 0, 'some mutations are lenient forms both sides accept');
    t.diagnostic(
      `${accepted} mutations accepted by both (lenient base64), the rest rejected by both`,
    );
  });

  test('payloads past maxInflate: PayloadTooLarge by default, readable with a higher cap', () => {
    // ~600 KB of JSON; Python inflates without a limit (spec §9.1), Tessera caps at 256 KiB.
    const value = bigValue(5000, false);
    const ours = new URLSafeSerializer('big').dumps(value);
    const [signed, loaded] = runPeer([
      {
        op: 'sign',
        kind: 'url_safe_serializer',
        params: { secret_key: 'big' },
        input: value,
        now: 0,
      },
      {
        op: 'load',
        kind: 'url_safe_serializer',
        params: { secret_key: 'big' },
        token: ours,
        now: 0,
      },
    ]).results;
    assert.ok(signed && 'token' in signed);
    const token = tokenOfWire(signed.token).toString('utf8');
    assert.ok(token.startsWith('.'));
    assert.throws(() => new URLSafeSerializer('big').loads(token), { name: 'PayloadTooLarge' });
    assert.deepEqual(
      new URLSafeSerializer('big', { maxInflate: 4 * 1024 * 1024 }).loads(token),
      value,
    );
    // Python reads Tessera's (node:zlib-compressed, past EXACT_DEFLATE_LIMIT) token.
    assert.ok(loaded && 'ok' in loaded && loaded.ok);
    assert.deepEqual(loaded.value, value);
  });

  test('the peer is the Debian build the spec names', () => {
    assert.match(peer.version, /^2\./);
  });
});
