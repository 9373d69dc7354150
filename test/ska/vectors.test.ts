/**
 * Every case of test/vectors/ska.json (ska 1.11.2, copied from ../shared/vectors): generate and
 * compare byte for byte, then run the round trips, with the clock each case names.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { BadSignature, SignatureExpired, TesseraError } from '../../src/core/errors.ts';
import {
  type Digest,
  extractSignedRequestData,
  generateSignature,
  getBase,
  parseSkaSignUrlArgv,
  type SignatureValidationResult,
  signatureToDict,
  signUrl,
  skaSignUrlOutput,
  type ValidUntil,
  validateSignedRequestData,
} from '../../src/ska/index.ts';

interface Case {
  id: string;
  kind: 'signature' | 'sign_url' | 'signature_to_dict' | 'validate' | 'extract' | 'cli';
  params?: Record<string, unknown>;
  input: Record<string, unknown>;
  now?: number;
  expect: string;
  [key: string]: unknown;
}

const file = JSON.parse(readFileSync(new URL('../vectors/ska.json', import.meta.url), 'utf8')) as {
  schema: string;
  count: number;
  cases: Case[];
};

const DIGESTS: Record<string, Digest> = {
  HMACMD5Signature: 'md5',
  HMACSHA1Signature: 'sha1',
  HMACSHA224Signature: 'sha224',
  HMACSHA256Signature: 'sha256',
  HMACSHA384Signature: 'sha384',
  HMACSHA512Signature: 'sha512',
};

const digestOf = (c: Case): Digest => {
  const cls = (c.params?.signature_cls as string | undefined) ?? 'HMACSHA1Signature';
  const d = DIGESTS[cls];
  assert.ok(d, `unknown signature_cls ${cls}`);
  return d;
};
const encodingOf = (c: Case) => ({
  valueDumper: c.params?.value_dumper as 'default' | 'javascript' | undefined,
  quoter: c.params?.quoter as 'default' | 'javascript' | undefined,
});
const clock = (seconds: number | undefined) => () => (seconds ?? 0) * 1000;

/**
 * The `validUntil` to pass for the text Python `str()`-ed: the text itself (always exact), except
 * that a falsy Python int/float (`0`) means "not given". A float also goes in as a JS number, to
 * exercise the `str(float)` writer.
 */
function validUntilOf(input: Record<string, unknown>): ValidUntil | undefined {
  const text = input.valid_until as string | undefined;
  if (text === undefined) return undefined;
  const type = input.valid_until_type;
  if ((type === 'int' || type === 'float') && Number(text) === 0) return 0;
  // The number path must reproduce the text exactly (Python repr); otherwise sign the text.
  if (type === 'float' && getBase({ authUser: '', validUntil: Number(text) }) === `${text}_`) {
    return Number(text);
  }
  return text;
}

function assertResult(actual: SignatureValidationResult, expected: Record<string, unknown>): void {
  if (expected.expect !== 'ok' && expected.expect !== 'invalid') {
    // ska raised (e.g. TypeError for an unreadable valid_until): Tessera answers "not valid".
    assert.equal(actual.result, false);
    assert.ok(actual.reason.length > 0);
    return;
  }
  assert.equal(actual.result, expected.result);
  assert.deepEqual(actual.reason, expected.reason);
  assert.equal(actual.message, expected.message);
  assert.deepEqual(
    actual.errors.map((e) => e.code),
    expected.error_codes,
  );
  if (expected.expect === 'ok') assert.equal(actual.result, true);
  else assert.equal(actual.result, false); // 'invalid', or an exception ska raised (TypeError)
}

/** The query of a URL parsed like Django's `request.GET.dict()`. */
const queryDict = (url: string): Record<string, string> =>
  Object.fromEntries(new URL(url).searchParams);

const run: Record<Case['kind'], (c: Case) => void> = {
  signature(c) {
    const { input } = c;
    const opts = {
      authUser: input.auth_user as string,
      validUntil: validUntilOf(input) as ValidUntil,
      extra: input.extra as Record<string, unknown> | undefined,
      ...encodingOf(c),
    };
    assert.equal(getBase(opts), c.base);
    const sig = generateSignature({
      ...opts,
      secretKey: input.secret_key as string,
      digest: digestOf(c),
    });
    assert.equal(sig.signature, c.signature);
    assert.equal(sig.validUntil, input.valid_until);
  },

  sign_url(c) {
    const { input } = c;
    const url = signUrl({
      authUser: input.auth_user as string,
      secretKey: input.secret_key as string,
      validUntil: validUntilOf(input),
      lifetime: input.lifetime as number | undefined,
      url: input.url as string | undefined,
      suffix: input.suffix as string | undefined,
      signatureParam: input.signature_param as string | undefined,
      authUserParam: input.auth_user_param as string | undefined,
      validUntilParam: input.valid_until_param as string | undefined,
      extraParam: input.extra_param as string | undefined,
      extra: input.extra as Record<string, unknown> | undefined,
      digest: digestOf(c),
      now: clock(c.now),
    });
    assert.equal(url, c.url);
    const vup = (input.valid_until_param as string | undefined) ?? 'valid_until';
    assert.equal(new URL(url).searchParams.get(vup), c.valid_until_effective);
    const rt = c.roundtrip as Record<string, unknown>;
    assert.deepEqual(queryDict(url), rt.data);
    const names = {
      signatureParam: input.signature_param as string | undefined,
      authUserParam: input.auth_user_param as string | undefined,
      validUntilParam: input.valid_until_param as string | undefined,
      extraParam: input.extra_param as string | undefined,
    };
    for (const data of [rt.data as Record<string, string>, url, new URL(url).searchParams]) {
      const res = validateSignedRequestData({
        data,
        secretKey: input.secret_key as string,
        digest: digestOf(c),
        now: clock(rt.now as number),
        ...names,
      });
      assertResult(res, rt);
    }
  },

  signature_to_dict(c) {
    const { input } = c;
    const dict = signatureToDict({
      authUser: input.auth_user as string,
      secretKey: input.secret_key as string,
      validUntil: validUntilOf(input),
      lifetime: input.lifetime as number | undefined,
      extra: input.extra as Record<string, unknown> | undefined,
      digest: digestOf(c),
      now: clock(c.now),
      ...encodingOf(c),
    });
    assert.deepEqual(dict, c.dict);
    const rt = c.roundtrip as Record<string, unknown>;
    const res = validateSignedRequestData({
      data: dict,
      secretKey: input.secret_key as string,
      digest: digestOf(c),
      now: clock(rt.now as number),
      ...encodingOf(c),
    });
    assertResult(res, rt);
  },

  validate(c) {
    const { input } = c;
    const names = {
      signatureParam: c.params?.signature_param as string | undefined,
      authUserParam: c.params?.auth_user_param as string | undefined,
      validUntilParam: c.params?.valid_until_param as string | undefined,
      extraParam: c.params?.extra_param as string | undefined,
    };
    const data = input.data as Record<string, string>;
    const forms: (Record<string, string> | string | URLSearchParams)[] = [
      data,
      new URLSearchParams(data),
    ];
    if (typeof c.url === 'string') {
      forms.push(c.url);
      assert.deepEqual(queryDict(c.url), data);
    }
    for (const form of forms) {
      const res = validateSignedRequestData({
        data: form,
        secretKey: input.secret_key as string,
        digest: digestOf(c),
        now: clock(c.now),
        ...names,
        ...encodingOf(c),
      });
      assertResult(res, c as unknown as Record<string, unknown>);
    }
  },

  extract(c) {
    const { input } = c;
    const call = () =>
      extractSignedRequestData({
        data: input.data as Record<string, string>,
        secretKey: input.secret_key as string,
        validate: c.params?.validate as boolean,
        failSilently: c.params?.fail_silently as boolean,
        digest: digestOf(c),
        now: clock(c.now),
      });
    if (c.expect === 'ok') assert.deepEqual(call(), c.value);
    else if (c.expect === 'InvalidData') {
      assert.throws(call, (err: unknown) => {
        assert.ok(err instanceof BadSignature);
        assert.equal(err.message, c.error);
        // Expired-only is SignatureExpired; any bad signature is a plain BadSignature.
        assert.equal(
          err instanceof SignatureExpired,
          !String(c.error).includes('Invalid signature!'),
        );
        return true;
      });
    } else if (c.expect === 'ImproperlyConfigured') {
      assert.throws(call, (err: unknown) => err instanceof TypeError && err.message === c.error);
    } else {
      // ska crashed: Tessera refuses with one of its own errors.
      assert.throws(call, (err: unknown) => err instanceof TesseraError);
    }
  },

  cli(c) {
    // ska prints the URL, or sign_url()'s error, on stdout; argparse errors print nothing there.
    const parsed = parseSkaSignUrlArgv(c.input.argv as string[]);
    const stdout = parsed.ok ? skaSignUrlOutput(parsed.args, { now: clock(c.now) }).stdout : '';
    assert.equal(stdout, c.stdout);
  },
};

/**
 * `verify_only` (vectors/README.md): values whose Python `str()` JS cannot re-create (an integral
 * float extra). Nothing is generated; what arrived as text is validated.
 */
function consumeOnly(c: Case): void {
  if (c.kind === 'validate' || c.kind === 'extract') {
    run[c.kind](c);
    return;
  }
  const rt = c.roundtrip as Record<string, unknown> | undefined;
  if (c.kind === 'sign_url' && rt) {
    for (const data of [rt.data as Record<string, string>, c.url as string]) {
      const res = validateSignedRequestData({
        data,
        secretKey: c.input.secret_key as string,
        digest: digestOf(c),
        now: clock(rt.now as number),
        signatureParam: c.input.signature_param as string | undefined,
        authUserParam: c.input.auth_user_param as string | undefined,
        validUntilParam: c.input.valid_until_param as string | undefined,
        extraParam: c.input.extra_param as string | undefined,
      });
      assertResult(res, rt);
    }
  }
}

describe('ska vectors (ska 1.11.2)', () => {
  test('file shape', () => {
    assert.equal(file.schema, 'ska-vectors/1');
    assert.equal(file.cases.length, file.count);
    const kinds: Record<string, number> = {};
    for (const c of file.cases) kinds[c.kind] = (kinds[c.kind] ?? 0) + 1;
    assert.deepEqual(kinds, {
      signature: 10,
      sign_url: 6,
      signature_to_dict: 2,
      validate: 11,
      extract: 2,
      cli: 1,
    });
  });

  for (const c of file.cases) {
    test(`${c.id}${c.note ? ` — ${c.note}` : ''}`, () => {
      if (c.verify_only) return consumeOnly(c);
      const fn = run[c.kind];
      assert.ok(fn, `unknown kind ${c.kind}`);
      fn(c);
    });
  }
});
