/** Serializer classes: behaviour beyond the vectors (schema, safeLoads, fallbacks, salts, zlib rule, caps). */
import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { describe, test } from 'node:test';
import { deflateSync } from 'node:zlib';
import {
  BadPayload,
  BadSignature,
  PayloadTooLarge,
  pythonJson,
  Serializer,
  SignatureExpired,
  Signer,
  type StandardSchemaV1,
  TimedSerializer,
  URLSafeSerializer,
  URLSafeTimedSerializer,
} from '../../src/itsdangerous/index.ts';

const at = (s: number) => () => s * 1000;

/** A minimal Standard Schema: an object with a numeric `uid`. */
const uidSchema: StandardSchemaV1<unknown, { uid: number }> = {
  '~standard': {
    version: 1,
    vendor: 'test',
    validate: (v) =>
      typeof v === 'object' && v !== null && typeof (v as { uid?: unknown }).uid === 'number'
        ? { value: { uid: (v as { uid: number }).uid } }
        : { issues: [{ message: 'uid must be a number' }] },
  },
};

describe('all four serializers', () => {
  const classes = [
    ['Serializer', (k: string | string[], o = {}) => new Serializer(k, o)],
    [
      'TimedSerializer',
      (k: string | string[], o = {}) => new TimedSerializer(k, { now: at(1000), ...o }),
    ],
    ['URLSafeSerializer', (k: string | string[], o = {}) => new URLSafeSerializer(k, o)],
    [
      'URLSafeTimedSerializer',
      (k: string | string[], o = {}) => new URLSafeTimedSerializer(k, { now: at(1000), ...o }),
    ],
  ] as const;
  for (const [name, make] of classes) {
    describe(name, () => {
      test('round trip, salts, schema', () => {
        const s = make('secret');
        const value = { uid: 42, name: 'Zoë', list: [1, 2.5, null, true], nested: { a: 'b' } };
        assert.deepEqual(s.loads(s.dumps(value)), value);
        const salted = s.dumps(value, { salt: 'other' });
        assert.throws(() => s.loads(salted), BadSignature);
        assert.deepEqual(s.loads(salted, { salt: 'other' }), value);
        assert.equal(s.loads(s.dumps({ uid: 7 }), { schema: uidSchema }).uid, 7);
        assert.throws(
          () => s.loads(s.dumps({ uid: 'x' }), { schema: uidSchema }),
          (e: unknown) =>
            e instanceof BadPayload && /uid must be a number/.test((e as Error).message),
        );
        assert.equal(s.makeSigner() instanceof Signer, true);
      });
      test('rotation, fallbacks and safeLoads', () => {
        const old = make('old');
        const both = make(['old', 'new']);
        const token = old.dumps({ v: 1 });
        assert.deepEqual(both.loads(token), { v: 1 });
        assert.deepEqual(both.safeLoads(token), { valid: true, value: { v: 1 }, renew: true });
        assert.deepEqual(both.safeLoads(both.dumps({ v: 1 })), {
          valid: true,
          value: { v: 1 },
          renew: false,
        });
        const legacy = make('k', { signer: { digestMethod: 'sha512' } }).dumps({ v: 2 });
        const withFallback = make('k', { fallbackSigners: [{ digestMethod: 'sha512' }] });
        assert.deepEqual(withFallback.safeLoads(legacy), {
          valid: true,
          value: { v: 2 },
          renew: true,
        });
        assert.throws(() => make('k').loads(legacy), BadSignature);
        const bad = both.safeLoads('garbage');
        assert.ok(!bad.valid && bad.error instanceof BadSignature);
      });
      test('loadsUnsafe never throws', () => {
        const s = make('secret');
        const token = s.dumps({ v: 1 });
        assert.deepEqual(s.loadsUnsafe(token), [true, { v: 1 }]);
        assert.deepEqual(make('wrong').loadsUnsafe(token), [false, { v: 1 }]);
        assert.deepEqual(s.loadsUnsafe('no-separator'), [false, undefined]);
        assert.deepEqual(s.loadsUnsafe(`${token.slice(0, 3)}!!!garbage.AAAA`), [false, undefined]);
      });
      test('misuse throws at construction', () => {
        assert.throws(() => make(''), RangeError);
        assert.throws(() => make('k', { signer: { digestMethod: 'md4' } }), RangeError);
        assert.throws(() => make('k', { fallbackSigners: [{ keyDerivation: 'x' }] }), RangeError);
        assert.throws(() => make('k', { serializer: {} }), TypeError);
      });
      test('non-string tokens are bad data, not crashes', () => {
        assert.throws(() => make('k').loads(5 as never), BadSignature);
      });
    });
  }
});

describe('JSON text', () => {
  test("Serializer writes Python's json.dumps text", () => {
    assert.equal(
      new Serializer('secret-key').dumps({ a: 'é', b: [1, 2.5] }).split('.')[0],
      '{"a": "\\u00e9", "b": [1, 2',
    );
    const sorted = new Serializer('k', { serializer: pythonJson({ sortKeys: true }) });
    assert.match(sorted.dumps({ b: 1, a: 2 }), /^\{"a": 2, "b": 1\}\./);
  });
  test('URL-safe payload: compress only when 2+ bytes shorter (the original rule)', () => {
    const s = new URLSafeSerializer('secret-key');
    assert.equal(s.dumps([1, 2, 3, 4]), 'WzEsMiwzLDRd.wSPHqC0gR7VUqivlSukJ0IeTDgo');
    assert.equal(
      s.dumps({ items: Array(20).fill('xxxxx') }),
      '.eJyrVsosSc0tVrKKVqoAASWdQUrH1gIAB2A7xQ.O1EaaJcvaEX2SRG9cdxz8ZahRo4',
    );
    const plain = new URLSafeSerializer('secret-key', { compress: false });
    const t = plain.dumps({ items: Array(20).fill('xxxxx') });
    assert.ok(!t.startsWith('.'));
    assert.deepEqual(s.loads(t), { items: Array(20).fill('xxxxx') });
    const custom = new URLSafeSerializer('secret-key', {
      compress: (json) => deflateSync(json, { level: 9 }),
    });
    assert.deepEqual(s.loads(custom.dumps({ items: Array(20).fill('xxxxx') })), {
      items: Array(20).fill('xxxxx'),
    });
    assert.throws(() => new URLSafeSerializer('k', { compress: 'yes' as never }), TypeError);
    assert.throws(() => new URLSafeSerializer('k', { maxInflate: 0 }), RangeError);
  });
  test('a genuine payload that cannot be read is BadPayload, at once', () => {
    const signer = new Signer('k', { salt: 'itsdangerous' });
    const s = new URLSafeSerializer('k');
    for (const payload of [
      '!!!!',
      '.AAAA',
      Buffer.from([0xff, 0xfe]).toString('base64url'),
      Buffer.from('{bad').toString('base64url'),
    ]) {
      assert.throws(() => s.loads(signer.sign(payload)), BadPayload, payload);
    }
  });
  test('a validly signed zip bomb fails with PayloadTooLarge', () => {
    const signer = new Signer('k', { salt: 'itsdangerous' });
    const bomb = `.${deflateSync(Buffer.alloc(8 * 1024 * 1024, 0x20)).toString('base64url')}`;
    const token = signer.sign(bomb);
    assert.throws(() => new URLSafeSerializer('k').loads(token), PayloadTooLarge);
    assert.throws(
      () =>
        new URLSafeSerializer('k', { maxInflate: 1024 }).loads(
          signer.sign(
            `.${deflateSync(Buffer.from(`"${'x'.repeat(2000)}"`)).toString('base64url')}`,
          ),
        ),
      PayloadTooLarge,
    );
  });
});

describe('timed serializers', () => {
  test('maxAge, returnTimestamp and SignatureExpired short-circuit', () => {
    for (const Cls of [TimedSerializer, URLSafeTimedSerializer]) {
      const token = new Cls('k', { now: at(1000) }).dumps({ v: 1 });
      const later = new Cls('k', { now: at(1100) });
      assert.deepEqual(later.loads(token, { maxAge: 100 }), { v: 1 });
      assert.deepEqual(later.loads(token, { maxAge: 100, returnTimestamp: true }), {
        value: { v: 1 },
        timestamp: new Date(1_000_000),
      });
      assert.throws(() => later.loads(token, { maxAge: 99 }), SignatureExpired);
      const r = later.safeLoads(token, { maxAge: '1m' });
      assert.ok(!r.valid && r.error instanceof SignatureExpired);
      assert.deepEqual(later.loadsUnsafe(token, { maxAge: 10 }), [false, { v: 1 }]);
      // Expiry is final: a fallback signer is not tried after SignatureExpired (as in Python).
      const fb = new Cls('k', { now: at(5000), fallbackSigners: [{}] });
      assert.throws(() => fb.loads(token, { maxAge: 10 }), SignatureExpired);
    }
  });
});
