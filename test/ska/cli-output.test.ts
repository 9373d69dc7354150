/** What ska's `ska-sign-url` prints, computed without running a CLI. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  parseSkaSignUrlArgv,
  SKA_SIGN_URL_OPTIONS,
  type SkaSignUrlArgs,
  signUrl,
  skaSignUrlOutput,
} from '../../src/ska/index.ts';

const now = () => 1600000000_000;
const out = (args: SkaSignUrlArgs) => skaSignUrlOutput(args, { now });
const argv = (list: string[]) => {
  const parsed = parseSkaSignUrlArgv(list);
  assert.ok(parsed.ok, JSON.stringify(parsed));
  return out(parsed.args);
};

describe('skaSignUrlOutput', () => {
  test('prints the URL and a newline', () => {
    const res = out({
      authUser: 'user',
      secretKey: 'secret',
      validUntil: '1378045287',
      url: 'http://e.com/api/',
    });
    assert.deepEqual(res, {
      ok: true,
      url: 'http://e.com/api/?signature=YlZpLFsjUKBalL4x5trhkeEgqE8%3D&auth_user=user&valid_until=1378045287.0&extra=',
      stdout:
        'http://e.com/api/?signature=YlZpLFsjUKBalL4x5trhkeEgqE8%3D&auth_user=user&valid_until=1378045287.0&extra=\n',
    });
  });

  test('-vu is read as a Python float', () => {
    const vu = (text: string) =>
      new URL(
        `http://x/${(out({ authUser: 'u', secretKey: 'k', validUntil: text }) as { url: string }).url}`,
      ).searchParams.get('valid_until');
    assert.equal(vu('1766003600'), '1766003600.0');
    assert.equal(vu(' 1_766_003_600.5 '), '1766003600.5');
    assert.equal(vu('1e16'), '1e+16');
    assert.equal(vu('inf'), 'inf');
    assert.equal(vu('-nan'), 'nan');
  });

  test('only truthy options are passed on', () => {
    const plain = signUrl({ authUser: 'u', secretKey: 'k', now });
    assert.equal(
      out({ authUser: 'u', secretKey: 'k', validUntil: '0', lifetime: '0', suffix: '', url: '' })
        .stdout,
      `${plain}\n`,
    );
    assert.equal(out({ authUser: 'u', secretKey: 'k', validUntil: '-0.0' }).stdout, `${plain}\n`);
    assert.equal(
      out({ authUser: 'u', secretKey: 'k', lifetime: '60' }).stdout,
      `${signUrl({ authUser: 'u', secretKey: 'k', lifetime: 60, now })}\n`,
    );
    assert.equal(
      out({ authUser: 'u', secretKey: 'k', lifetime: '-5' }).stdout,
      `${signUrl({ authUser: 'u', secretKey: 'k', lifetime: -5, now })}\n`,
    );
    // valid_until wins over lifetime.
    assert.match(
      out({ authUser: 'u', secretKey: 'k', validUntil: '5', lifetime: '60' }).stdout,
      /valid_until=5\.0&/,
    );
  });

  test('missing arguments: ska prints the TypeError on stdout (exit 0)', () => {
    assert.deepEqual(out({ authUser: 'u' }), {
      ok: false,
      kind: 'error',
      message: "sign_url() missing 1 required positional argument: 'secret_key'",
      stdout: "sign_url() missing 1 required positional argument: 'secret_key'\n",
    });
    assert.equal(
      (out({ secretKey: 'k', authUser: '' }) as { message: string }).message,
      "sign_url() missing 1 required positional argument: 'auth_user'",
    );
    assert.equal(
      (out({}) as { message: string }).message,
      "sign_url() missing 2 required positional arguments: 'auth_user' and 'secret_key'",
    );
  });

  test('bad numbers are argparse usage errors (nothing on stdout)', () => {
    assert.deepEqual(out({ authUser: 'u', secretKey: 'k', validUntil: 'abc' }), {
      ok: false,
      kind: 'usage',
      message: "argument -vu/--valid-until: invalid float value: 'abc'",
      stdout: '',
    });
    assert.equal(
      (out({ authUser: 'u', secretKey: 'k', lifetime: '1.5' }) as { message: string }).message,
      "argument -l/--lifetime: invalid int value: '1.5'",
    );
  });

  test("a lifetime Python's datetime cannot add: Python's messages", () => {
    const msg = (lifetime: string) =>
      (out({ authUser: 'u', secretKey: 'k', lifetime }) as { message: string }).message;
    assert.equal(msg(String(86400 * 999999999)), 'date value out of range');
    assert.equal(
      msg(String(86400 * 1000000000)),
      'days=1000000000; must have magnitude <= 999999999',
    );
    assert.equal(msg(String(10n ** 30n)), 'Python int too large to convert to C int');
  });

  test('Tessera additions: extra and digest', () => {
    const res = out({
      authUser: 'u',
      secretKey: 'k',
      validUntil: '5',
      extra: { provider: 'p1' },
      digest: 'sha256',
    });
    assert.equal(
      res.stdout,
      `${signUrl({ authUser: 'u', secretKey: 'k', validUntil: 5, extra: { provider: 'p1' }, digest: 'sha256' })}\n`,
    );
  });
});

describe('parseSkaSignUrlArgv', () => {
  test('short, long and --long=value spellings; last wins', () => {
    const parsed = parseSkaSignUrlArgv([
      '-au',
      'first',
      '--auth-user=second',
      '--secret-key',
      'k',
      '-vu',
      '-5',
      '-l=60',
      '-sp',
      's',
      '-aup',
      'a',
      '-vup',
      'v',
      '-u',
      'https://e.com/',
      '-s',
      '&',
    ]);
    assert.deepEqual(parsed, {
      ok: true,
      args: {
        authUser: 'second',
        secretKey: 'k',
        validUntil: '-5',
        lifetime: '60',
        signatureParam: 's',
        authUserParam: 'a',
        validUntilParam: 'v',
        url: 'https://e.com/',
        suffix: '&',
      },
    });
  });

  test('argparse errors', () => {
    assert.deepEqual(parseSkaSignUrlArgv(['-au']), {
      ok: false,
      message: 'argument -au/--auth-user: expected one argument',
    });
    assert.deepEqual(parseSkaSignUrlArgv(['-au', '-sk', 'x']), {
      ok: false,
      message: 'argument -au/--auth-user: expected one argument',
    });
    assert.deepEqual(parseSkaSignUrlArgv(['--extra', 'a=b']), {
      ok: false,
      message: 'unrecognized arguments: --extra a=b',
    });
  });

  test('the option table maps every ska spelling', () => {
    assert.deepEqual(
      SKA_SIGN_URL_OPTIONS.map((o) => o.short),
      ['-au', '-sk', '-vu', '-l', '-u', '-s', '-sp', '-aup', '-vup'],
    );
    assert.equal(argv(['-au', 'user', '-sk', 'secret', '-vu', '1378045287']).ok, true);
  });
});
