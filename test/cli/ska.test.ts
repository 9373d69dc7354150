/**
 * `tessera ska sign-url` / `tessera ska validate`, spawned as a real process (the TypeScript
 * entry through tsx, since dist/ may not be built): outputs byte-identical to ska's
 * `ska-sign-url` for the CLI vectors, exit codes, stdin, secrets from a file and the environment,
 * and the argv warning.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { signUrl } from '../../src/ska/index.ts';
import { loadVectors } from '../helpers/vectors.ts';
import { tessera } from './spawn.ts';

const WARNING =
  'warning: -sk/--secret-key on the command line is visible to other users; prefer --secret-file or TESSERA_SECRET_KEY\n';

interface CliCase {
  id: string;
  kind: string;
  input: { argv: string[] };
  now: number;
  stdout: string;
  expect: string;
}

const CLI_CASES = loadVectors<CliCase>('ska.json').cases.filter((c) => c.kind === 'cli');

/** Take `-sk VALUE` out of a vector's argv. */
function withoutSecret(argv: string[]): { argv: string[]; secret: string } {
  const i = argv.indexOf('-sk');
  assert.ok(i !== -1);
  return { argv: [...argv.slice(0, i), ...argv.slice(i + 2)], secret: argv[i + 1] as string };
}

const dir = mkdtempSync(join(tmpdir(), 'tessera-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('tessera ska sign-url', { concurrency: true }, () => {
  test('the CLI vectors exist', () => {
    assert.ok(CLI_CASES.length >= 1);
  });

  for (const c of CLI_CASES) {
    test(`${c.id}: byte-identical to ska-sign-url, -sk warns on stderr`, async () => {
      const res = await tessera(['ska', 'sign-url', ...c.input.argv, '--now', String(c.now)]);
      assert.equal(res.stdout, c.stdout);
      assert.equal(res.stderr, WARNING);
      assert.equal(res.code, 0);
    });

    test(`${c.id}: the secret from --secret-file (one trailing newline dropped), no warning`, async () => {
      const { argv, secret } = withoutSecret(c.input.argv);
      const file = join(dir, `${c.id}.key`);
      writeFileSync(file, `${secret}\n`, { mode: 0o600 });
      const res = await tessera([
        'ska',
        'sign-url',
        ...argv,
        '--secret-file',
        file,
        '--now',
        String(c.now),
      ]);
      assert.deepEqual(res, { code: 0, stdout: c.stdout, stderr: '' });
    });

    test(`${c.id}: the secret from TESSERA_SECRET_KEY, no warning`, async () => {
      const { argv, secret } = withoutSecret(c.input.argv);
      const res = await tessera(['ska', 'sign-url', ...argv, '--now', String(c.now)], {
        env: { TESSERA_SECRET_KEY: secret },
      });
      assert.deepEqual(res, { code: 0, stdout: c.stdout, stderr: '' });
    });
  }

  test('--extra (repeatable), --digest, long and = spellings, --json', async () => {
    const args = [
      'ska',
      'sign-url',
      '--auth-user=jane',
      '-u',
      'https://e.com/login/',
      '-vu=1766003600',
      '--extra',
      'provider=p1',
      '--extra',
      'email=a b=c@x.org',
      '--digest',
      'sha256',
    ];
    const expected = signUrl({
      authUser: 'jane',
      secretKey: 'k',
      url: 'https://e.com/login/',
      validUntil: 1766003600,
      extra: { provider: 'p1', email: 'a b=c@x.org' },
      digest: 'sha256',
    });
    const res = await tessera(args, { env: { TESSERA_SECRET_KEY: 'k' } });
    assert.deepEqual(res, { code: 0, stdout: `${expected}\n`, stderr: '' });
    const json = await tessera([...args, '--json'], { env: { TESSERA_SECRET_KEY: 'k' } });
    assert.deepEqual(JSON.parse(json.stdout), { url: expected });
  });

  test("a missing secret or auth user: ska's message on stderr, exit 2, nothing on stdout", async () => {
    const res = await tessera(['ska', 'sign-url', '-au', 'jane']);
    assert.equal(res.code, 2);
    assert.equal(res.stdout, '');
    assert.match(res.stderr, /sign_url\(\) missing 1 required positional argument: 'secret_key'/);
    assert.match(res.stderr, /--secret-file/);
    const noUser = await tessera(['ska', 'sign-url'], { env: { TESSERA_SECRET_KEY: 'k' } });
    assert.equal(noUser.code, 2);
    assert.match(noUser.stderr, /missing 1 required positional argument: 'auth_user'/);
  });

  test('usage errors: exit 2, stderr only', async () => {
    const cases = [
      ['-au', 'u', '-vu', 'soon'],
      ['-au', 'u', '-l', '1.5'],
      ['-au', 'u', '--digest', 'md4'],
      ['-au', 'u', '--extra', 'novalue'],
      ['-au', 'u', '--now', 'yesterday'],
      ['-au', 'u', '--bogus'],
      ['-au', 'u', '--secret-file', join(dir, 'missing.key')],
    ];
    const runs = await Promise.all(
      cases.map((argv) =>
        tessera(['ska', 'sign-url', ...argv], { env: { TESSERA_SECRET_KEY: 'k' } }),
      ),
    );
    for (const [i, res] of runs.entries()) {
      assert.equal(res.code, 2, cases[i]?.join(' '));
      assert.equal(res.stdout, '');
      assert.match(res.stderr, /^tessera ska sign-url: .*\nUsage: tessera ska sign-url/s);
    }
  });

  test('--extra naming a parameter warns (ska overwrites it and the URL fails)', async () => {
    const res = await tessera(['ska', 'sign-url', '-au', 'u', '--extra', 'auth_user=x'], {
      env: { TESSERA_SECRET_KEY: 'k' },
    });
    assert.equal(res.code, 0);
    assert.match(res.stderr, /warning: --extra auth_user replaces the auth_user parameter/);
  });
});

describe('tessera ska validate', { concurrency: true }, () => {
  const NOW = '1600000000';
  const url = signUrl({
    authUser: 'jane',
    secretKey: 'k',
    url: 'https://e.com/login/',
    extra: { provider: 'p1' },
    now: () => 1600000000_000,
  });
  const env = { TESSERA_SECRET_KEY: 'k' };

  test('valid (URL argument): the signed data on stdout, exit 0; unsigned params ignored', async () => {
    const res = await tessera(['ska', 'validate', `${url}&role=admin`, '--now', NOW], { env });
    assert.deepEqual(res, {
      code: 0,
      stdout: 'valid\nauth_user: jane\nvalid_until: 1600000600.0\nextra.provider: p1\n',
      stderr: '',
    });
  });

  test('valid from stdin (absent argument and "-"), --json', async () => {
    const res = await tessera(['ska', 'validate', '--now', NOW, '--json'], {
      env,
      input: `${url}\n`,
    });
    assert.equal(res.code, 0);
    assert.deepEqual(JSON.parse(res.stdout), {
      result: true,
      reason: [],
      errors: [],
      message: '',
      signed: { authUser: 'jane', validUntil: '1600000600.0', extra: { provider: 'p1' } },
    });
    const dash = await tessera(['ska', 'validate', '-', '--now', NOW], { env, input: url });
    assert.equal(dash.code, 0);
  });

  test('tampered: exit 1, the reason on stderr, nothing on stdout', async () => {
    const res = await tessera(['ska', 'validate', url.replace('jane', 'joan'), '--now', NOW], {
      env,
    });
    assert.deepEqual(res, { code: 1, stdout: '', stderr: 'invalid: Invalid signature!\n' });
  });

  test('expired: exit 1; --json still prints the result object', async () => {
    const res = await tessera(['ska', 'validate', url, '--now', '1600000600', '--json'], { env });
    assert.equal(res.code, 1);
    assert.deepEqual(JSON.parse(res.stdout), {
      result: false,
      reason: ['Signature timestamp expired!'],
      errors: [{ code: 2, message: 'Signature timestamp expired!' }],
      message: 'Signature timestamp expired!',
    });
    assert.equal(res.stderr, 'invalid: Signature timestamp expired!\n');
  });

  test('secret from a file, from -sk (warned), the wrong secret', async () => {
    const file = join(dir, 'validate.key');
    writeFileSync(file, 'k', { mode: 0o600 });
    const fromFile = await tessera(['ska', 'validate', url, '--secret-file', file, '--now', NOW]);
    assert.equal(fromFile.code, 0);
    const inline = await tessera(['ska', 'validate', url, '-sk', 'k', '--now', NOW]);
    assert.equal(inline.code, 0);
    assert.equal(inline.stderr, WARNING);
    const wrong = await tessera(['ska', 'validate', url, '--now', NOW], {
      env: { TESSERA_SECRET_KEY: 'x' },
    });
    assert.equal(wrong.code, 1);
  });

  test('custom names and digest', async () => {
    const custom = signUrl({
      authUser: 'u',
      secretKey: 'k',
      signatureParam: 's',
      authUserParam: 'a',
      validUntilParam: 'v',
      extraParam: 'x',
      digest: 'sha512',
      validUntil: '1600000600.0',
    });
    const args = ['-sp', 's', '-aup', 'a', '-vup', 'v', '--extra-param', 'x', '--digest', 'sha512'];
    const res = await tessera(['ska', 'validate', custom, ...args, '--now', NOW], { env });
    assert.equal(res.code, 0, res.stderr);
  });

  test('usage errors: no URL, no secret, two URLs, bad options → exit 2', async () => {
    const runs = await Promise.all([
      tessera(['ska', 'validate'], { env }),
      tessera(['ska', 'validate', url]),
      tessera(['ska', 'validate', url, url], { env }),
      tessera(['ska', 'validate', url, '--quoter', 'php'], { env }),
      tessera(['ska', 'validate', url, '--value-dumper', 'php'], { env }),
    ]);
    for (const res of runs) {
      assert.equal(res.code, 2);
      assert.equal(res.stdout, '');
      assert.match(res.stderr, /^tessera ska validate: /);
    }
  });
});

describe('tessera (table)', { concurrency: true }, () => {
  test('--help lists the ska commands; no arguments is a usage error', async () => {
    const help = await tessera(['--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /ska sign-url/);
    assert.match(help.stdout, /ska validate/);
    const none = await tessera([]);
    assert.equal(none.code, 2);
    assert.equal(none.stdout, '');
    const sub = await tessera(['ska', 'sign-url', '--help']);
    assert.equal(sub.code, 0);
    assert.match(sub.stdout, /^Usage: tessera ska sign-url -au AUTH_USER/);
  });

  test('--version, an unknown command', async () => {
    const version = await tessera(['--version']);
    assert.equal(version.code, 0);
    assert.match(version.stdout, /^\d+\.\d+\.\d+/);
    const unknown = await tessera(['ska', 'frobnicate']);
    assert.equal(unknown.code, 2);
    assert.equal(unknown.stdout, '');
    assert.match(unknown.stderr, /unknown command "ska frobnicate"/);
  });

  test('keygen is still there', async () => {
    const res = await tessera(['keygen', '--json']);
    assert.equal(res.code, 0);
    assert.equal(JSON.parse(res.stdout).bytes, 32);
  });
});
