/** Signer and TimestampSigner contract suite, run over every digest × key derivation. */
import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { describe, test } from 'node:test';
import type { Digest } from '../../src/core/mac.ts';
import {
  BadSignature,
  BadTimeSignature,
  type KeyDerivation,
  SignatureExpired,
  Signer,
  TimestampSigner,
} from '../../src/itsdangerous/index.ts';

const DIGESTS: Digest[] = ['md5', 'sha1', 'sha224', 'sha256', 'sha384', 'sha512'];
const DERIVATIONS: KeyDerivation[] = ['concat', 'django-concat', 'hmac', 'none'];

for (const digestMethod of DIGESTS) {
  for (const keyDerivation of DERIVATIONS) {
    for (const Cls of [Signer, TimestampSigner]) {
      describe(`${Cls.name} ${digestMethod} ${keyDerivation}`, () => {
        const opts = { digestMethod, keyDerivation, now: () => 1_700_000_000_000 };
        const s = new Cls('secret', opts);
        test('round-trips text and bytes, keeping the type', () => {
          for (const v of ['', 'plain', 'with.dots.inside', 'Grüße 🚀 日本']) {
            const t = s.sign(v);
            assert.equal(typeof t, 'string');
            assert.equal(s.unsign(t), v);
            assert.equal(s.validate(t), true);
          }
          const bytes = new Uint8Array([0, 1, 0xff, 0x2e]);
          const tb = s.sign(bytes);
          assert.ok(tb instanceof Uint8Array);
          assert.deepEqual(Buffer.from(s.unsign(tb)), Buffer.from(bytes));
        });
        test('rejects a tampered value, signature or key', () => {
          const t = s.sign('value');
          assert.throws(() => s.unsign(`x${t}`), BadSignature);
          // Change the first signature character (the last may carry only unused bits).
          const at = t.lastIndexOf('.') + 1;
          assert.throws(
            () => s.unsign(`${t.slice(0, at)}${t[at] === 'A' ? 'B' : 'A'}${t.slice(at + 1)}`),
            BadSignature,
          );
          assert.throws(() => new Cls('other', opts).unsign(t), BadSignature);
          // 'none' uses the key as it is, so the salt plays no part (as in Python).
          if (keyDerivation !== 'none')
            assert.throws(
              () => new Cls('secret', { ...opts, salt: 'other' }).unsign(t),
              BadSignature,
            );
          assert.equal(s.validate('no separator'), false);
        });
      });
    }
  }
}

describe('Signer options and misuse', () => {
  test('worked example and derived key (spec §3)', () => {
    const s = new Signer('secret-key');
    assert.equal(s.sign('my string'), 'my string.wh6tMHxLgJqB6oY1uT73iMlyrOA');
    assert.equal(
      Buffer.from(s.deriveKey()).toString('hex'),
      '95c1413ec52400db8a22b50e2f318e9204636448',
    );
    assert.equal(
      Buffer.from(s.deriveKey('secret-key')).toString('hex'),
      '95c1413ec52400db8a22b50e2f318e9204636448',
    );
    assert.equal(s.getSignature('my string'), 'wh6tMHxLgJqB6oY1uT73iMlyrOA');
    assert.deepEqual(
      Buffer.from(s.getSignature(Buffer.from('my string'))),
      Buffer.from('wh6tMHxLgJqB6oY1uT73iMlyrOA'),
    );
    assert.equal(s.verifySignature('my string', 'wh6tMHxLgJqB6oY1uT73iMlyrOA'), true);
    assert.equal(
      s.verifySignature('my string', Buffer.from('wh6tMHxLgJqB6oY1uT73iMlyrOA==')),
      true,
    );
    assert.equal(s.verifySignature('my string', 'A'), false);
  });
  test('salt null means the default salt, "" stays empty', () => {
    const t = new Signer('k').sign('v');
    assert.equal(new Signer('k', { salt: null }).sign('v'), t);
    assert.notEqual(new Signer('k', { salt: '' }).sign('v'), t);
  });
  test('separators: the alphabet rule is a substring test', () => {
    for (const bad of ['', 'a', 'Z', '9', '-', '_', '=', 'ab', '9-_'])
      assert.throws(() => new Signer('k', { sep: bad }), RangeError, bad);
    for (const ok of ['az', '::', 'é', '|']) {
      const s = new Signer('k', { sep: ok });
      assert.equal(s.unsign(s.sign(`x${ok}y`)), `x${ok}y`);
    }
    const raw = new Signer('k', { sep: new Uint8Array([0xff]) });
    assert.deepEqual(Buffer.from(raw.unsign(raw.sign(Buffer.from('v')))), Buffer.from('v'));
  });
  test('misuse throws at construction', () => {
    assert.throws(() => new Signer(''), RangeError);
    assert.throws(() => new Signer([]), RangeError);
    assert.throws(() => new Signer(undefined as never), TypeError);
    assert.throws(() => new Signer('k', { digestMethod: 'sha3' as never }), RangeError);
    assert.throws(() => new Signer('k', { keyDerivation: 'pbkdf2' as never }), RangeError);
    assert.throws(() => new Signer('k', { algorithm: 'rsa' as never }), RangeError);
    assert.throws(() => new Signer('k', { salt: 5 as never }), TypeError);
    assert.throws(() => new Signer('k', null as never), TypeError);
    assert.throws(() => new TimestampSigner('k', { now: 5 as never }), TypeError);
  });
  test('key rotation: newest signs, all verify, renew flags old keys', () => {
    const old = new Signer('old');
    const both = new Signer(['old', 'new']);
    assert.equal(both.sign('v'), new Signer('new').sign('v'));
    assert.equal(both.unsign(old.sign('v')), 'v');
    assert.deepEqual(both.safeUnsign(old.sign('v')), { valid: true, value: 'v', renew: true });
    assert.deepEqual(both.safeUnsign(both.sign('v')), { valid: true, value: 'v', renew: false });
    const bad = both.safeUnsign('v.AAAA');
    assert.equal(bad.valid, false);
    assert.ok(
      !bad.valid && bad.error instanceof BadSignature && bad.error.code === 'ERR_BAD_SIGNATURE',
    );
    const bytes = both.safeUnsign(Buffer.from(old.sign('v')));
    assert.ok(bytes.valid && bytes.renew && Buffer.from(bytes.value).toString() === 'v');
  });
  test("algorithm 'none' accepts any value. token (parity, never implicit)", () => {
    const s = new Signer('k', { algorithm: 'none' });
    assert.equal(s.sign('v'), 'v.');
    assert.equal(s.unsign('anything.'), 'anything');
    assert.throws(() => s.unsign('v.AAAA'), BadSignature);
  });
  test('error evidence: payload is the signed value, untrusted', () => {
    try {
      new Signer('k').unsign('payload.AAAA');
      assert.fail();
    } catch (err) {
      assert.ok(err instanceof BadSignature);
      assert.equal(Buffer.from(err.payload ?? []).toString(), 'payload');
      assert.equal(err.message, "Signature b'AAAA' does not match");
    }
    assert.throws(() => new Signer('k').unsign('nosep'), { message: "No b'.' found in value" });
  });
});

describe('TimestampSigner', () => {
  const at = (s: number) => () => s * 1000;
  test('worked example (spec §4) and timestamp encodings', () => {
    assert.equal(
      new TimestampSigner('secret-key', { now: at(1700000000) }).sign('my string'),
      'my string.ZVPxAA.jr6oPKNI4x66_7OoEQCvO5o789s',
    );
    const enc = (ts: number) => new TimestampSigner('k', { now: at(ts) }).sign('v').split('.')[1];
    assert.deepEqual([0, 1, 255, 256, 2 ** 31 - 1, 2 ** 32].map(enc), [
      '',
      'AQ',
      '_w',
      'AQA',
      'f____w',
      'AQAAAAA',
    ]);
    assert.equal(
      new TimestampSigner('k', { now: () => 1_700_000_000_999.9 }).getTimestamp(),
      1700000000,
    );
  });
  test('maxAge boundaries: age == maxAge passes, future is expired only with maxAge', () => {
    const token = new TimestampSigner('k', { now: at(1000) }).sign('v');
    assert.equal(new TimestampSigner('k', { now: at(1060) }).unsign(token, { maxAge: 60 }), 'v');
    assert.equal(new TimestampSigner('k', { now: at(1060) }).unsign(token, { maxAge: '1m' }), 'v');
    assert.throws(
      () => new TimestampSigner('k', { now: at(1061) }).unsign(token, { maxAge: 60 }),
      SignatureExpired,
    );
    assert.throws(
      () => new TimestampSigner('k', { now: at(999) }).unsign(token, { maxAge: 60 }),
      /age -1 < 0/,
    );
    assert.equal(new TimestampSigner('k', { now: at(999) }).unsign(token), 'v');
    assert.equal(
      new TimestampSigner('k', { now: at(1061) }).validate(token, { maxAge: 60 }),
      false,
    );
    const r = new TimestampSigner('k', { now: at(1001) }).unsign(token, { returnTimestamp: true });
    assert.deepEqual(r, { value: 'v', timestamp: new Date(1_000_000) });
    const rb = new TimestampSigner('k', { now: at(1001) }).unsign(Buffer.from(token), {
      returnTimestamp: true,
      maxAge: 5,
    });
    assert.equal(Buffer.from(rb.value).toString(), 'v');
    try {
      new TimestampSigner('k', { now: at(2000) }).unsign(token, { maxAge: 60 });
    } catch (err) {
      assert.ok(err instanceof SignatureExpired);
      assert.equal(err.dateSigned?.getTime(), 1_000_000);
      assert.equal(err.code, 'ERR_SIGNATURE_EXPIRED');
    }
    const safe = new TimestampSigner(['old', 'k'], { now: at(1001) }).safeUnsign(token, {
      maxAge: 5,
    });
    assert.deepEqual(safe, { valid: true, value: 'v', renew: false });
    const late = new TimestampSigner('k', { now: at(5000) }).safeUnsign(token, { maxAge: 5 });
    assert.ok(!late.valid && late.error instanceof SignatureExpired);
  });
  test('error classes as Python raises them', () => {
    const s = new TimestampSigner('k', { now: at(1000) });
    assert.throws(
      () => s.unsign('nosep'),
      (e: unknown) => e instanceof BadSignature && !(e instanceof BadTimeSignature),
    );
    // A plain Signer token for a value without a separator: timestamp missing.
    assert.throws(
      () => s.unsign(new Signer('k').sign('plain')),
      (e: unknown) => e instanceof BadTimeSignature && (e as Error).message === 'timestamp missing',
    );
    // A TimestampSigner token verifies under a plain Signer with the same salt.
    assert.equal(new Signer('k').unsign(s.sign('v')), `v.${s.sign('v').split('.')[1]}`);
    // Bad signature with a readable timestamp: BadTimeSignature with dateSigned.
    const t = s.sign('v');
    try {
      s.unsign(`w${t.slice(1)}`);
      assert.fail();
    } catch (err) {
      assert.ok(err instanceof BadTimeSignature && !(err instanceof SignatureExpired));
      assert.equal(err.dateSigned?.getTime(), 1_000_000);
    }
    // Good signature over a malformed timestamp (> 8 bytes): Malformed timestamp.
    const signer = new Signer('k');
    assert.throws(() => s.unsign(signer.sign('v.AAAAAAAAAAAAAA')), {
      message: 'Malformed timestamp',
    });
  });
  test('a validly signed timestamp beyond year 9999 is typed, never a crash', () => {
    const signer = new Signer('k');
    const huge = Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]).toString(
      'base64url',
    );
    const token = signer.sign(`v.${huge}`);
    const s = new TimestampSigner('k', { now: at(1000) });
    assert.equal(s.unsign(token), 'v');
    assert.throws(() => s.unsign(token, { maxAge: 60 }), SignatureExpired);
    assert.throws(() => s.unsign(token, { returnTimestamp: true }), BadTimeSignature);
    assert.throws(
      () => s.unsign(`${token}x`, { maxAge: 60 }),
      (e: unknown) =>
        e instanceof BadTimeSignature && (e as Error).message === 'Malformed timestamp',
    );
  });
  test('a clock before 1970 is misuse', () => {
    assert.throws(() => new TimestampSigner('k', { now: () => -5000 }).sign('v'), RangeError);
  });
});
