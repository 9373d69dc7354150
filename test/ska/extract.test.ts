/** extractSignedRequestData: ska's InvalidData → Tessera errors, ImproperlyConfigured → TypeError. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BadSignature, SignatureExpired, TesseraError } from '../../src/core/errors.ts';
import { extractSignedRequestData, signUrl } from '../../src/ska/index.ts';

const KEY = 'k';
const at = (seconds: number) => () => seconds * 1000;
const url = signUrl({
  authUser: 'jane',
  secretKey: KEY,
  validUntil: '1600000900.0',
  url: 'https://e.com/login/',
  extra: { provider: 'p1', email: 'j@e.com' },
});

describe('extractSignedRequestData', () => {
  test('validated: the listed extras only', () => {
    const extra = extractSignedRequestData({
      data: `${url}&role=admin`,
      secretKey: KEY,
      validate: true,
      now: at(1600000000),
    });
    assert.deepEqual(extra, { provider: 'p1', email: 'j@e.com' });
  });

  test('not validated (ska default): listed extras, unchecked', () => {
    const forged = url.replace('provider=p1', 'provider=evil');
    assert.deepEqual(extractSignedRequestData({ data: forged }), {
      provider: 'evil',
      email: 'j@e.com',
    });
    assert.deepEqual(extractSignedRequestData({ data: { extra: ['x'], x: '1' } }), {});
  });

  test('invalid signature → BadSignature with the joined reasons', () => {
    const call = () =>
      extractSignedRequestData({
        data: url,
        secretKey: 'wrong',
        validate: true,
        now: at(1600000901),
      });
    assert.throws(call, (err: unknown) => {
      assert.ok(err instanceof BadSignature && err instanceof TesseraError);
      assert.ok(!(err instanceof SignatureExpired));
      assert.equal(err.message, 'Invalid signature! Signature timestamp expired!');
      assert.equal(err.code, 'ERR_BAD_SIGNATURE');
      return true;
    });
  });

  test('genuine but expired → SignatureExpired', () => {
    assert.throws(
      () =>
        extractSignedRequestData({
          data: url,
          secretKey: KEY,
          validate: true,
          now: at(1600000900),
        }),
      (err: unknown) =>
        err instanceof SignatureExpired &&
        err.message === 'Signature timestamp expired!' &&
        err.code === 'ERR_SIGNATURE_EXPIRED',
    );
  });

  test('hostile data never escapes as anything but a Tessera error', () => {
    for (const data of [{ extra: ['x'] }, { auth_user: 5 }, { valid_until: 'nan' }, 'a=%ZZ&&==']) {
      assert.throws(
        () => extractSignedRequestData({ data, secretKey: KEY, validate: true }),
        (err: unknown) => err instanceof BadSignature,
      );
    }
  });

  test("validate without a secret → TypeError with ska's message", () => {
    for (const secretKey of [undefined, null, '', new Uint8Array(0)]) {
      assert.throws(
        () => extractSignedRequestData({ data: url, secretKey, validate: true }),
        (err: unknown) =>
          err instanceof TypeError &&
          err.message === 'You should provide `secret_key` if `validate` is set to True.',
      );
    }
  });

  test('failSilently → {}', () => {
    assert.deepEqual(
      extractSignedRequestData({ data: url, validate: true, failSilently: true }),
      {},
    );
    assert.deepEqual(
      extractSignedRequestData({
        data: url,
        secretKey: 'wrong',
        validate: true,
        failSilently: true,
      }),
      {},
    );
  });

  test('custom parameter names', () => {
    const custom = signUrl({
      authUser: 'jane',
      secretKey: KEY,
      validUntil: '1600000900.0',
      extra: { provider: 'p1' },
      signatureParam: 's',
      extraParam: 'signed',
    });
    assert.deepEqual(
      extractSignedRequestData({
        data: custom,
        secretKey: KEY,
        validate: true,
        signatureParam: 's',
        extraParam: 'signed',
        now: at(1600000000),
      }),
      { provider: 'p1' },
    );
  });
});
