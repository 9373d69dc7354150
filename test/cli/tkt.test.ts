/**
 * `tessera tkt new` / `tessera tkt validate`, spawned as a real process: tickets identical to
 * the library's, every exit code, stdin, secrets from a file or the environment, never echoed.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { AuthTicket, TicketFactory } from '../../src/tkt/index.ts';
import { tessera } from './spawn.ts';

const SECRET = 'cli-tkt-secret-4c1f';
const env = { TESSERA_SECRET_KEY: SECRET };
const NOW = 1_700_000_000;
const at = (s: number) => () => s * 1000;

const dir = mkdtempSync(join(tmpdir(), 'tessera-cli-tkt-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('tessera tkt new', { concurrency: true }, () => {
  test('mod_auth_tkt: the ticket AuthTicket creates, byte for byte; --cookie its base64', async () => {
    const args = ['tkt', 'new', 'alice', '--tokens', 'admin,staff', '--user-data', 'x!y'];
    const more = ['--ip', '203.0.113.9', '--digest', 'sha256', '--now', String(NOW)];
    const tkt = new AuthTicket({ secret: SECRET, digest: 'sha256', now: at(NOW) });
    const expected = tkt.create({
      uid: 'alice',
      tokens: ['admin', 'staff'],
      userData: 'x!y',
      ip: '203.0.113.9',
    });
    const res = await tessera([...args, ...more], { env });
    assert.deepEqual(res, { code: 0, stdout: `${expected}\n`, stderr: '' });
    const cookie = await tessera([...args, ...more, '--cookie'], { env });
    assert.equal(cookie.stdout, `${tkt.cookieValue(expected)}\n`);
  });

  test('--json, --ts, the secret from --secret-file', async () => {
    const file = join(dir, 'tkt.key');
    writeFileSync(file, `${SECRET}\n`, { mode: 0o600 });
    const res = await tessera([
      'tkt',
      'new',
      'bob',
      '--ts',
      '1600000000',
      '--json',
      '--secret-file',
      file,
    ]);
    assert.equal(res.code, 0);
    const out = JSON.parse(res.stdout);
    const tkt = new AuthTicket({ secret: SECRET });
    assert.equal(out.ticket, tkt.create({ uid: 'bob', ts: 1600000000 }));
    assert.deepEqual(
      { ...out, ticket: undefined },
      {
        format: 'mod_auth_tkt',
        ticket: undefined,
        cookie: tkt.cookieValue(out.ticket),
        uid: 'bob',
        tokens: [],
        userData: '',
        ip: '0.0.0.0',
        ts: 1600000000,
        digest: 'md5',
      },
    );
  });

  test('ticket_auth: IPv6, a hashlib name, --lifetime', async () => {
    const res = await tessera(
      [
        'tkt',
        'new',
        'jörg',
        '--format',
        'ticket_auth',
        '--digest',
        'sha3_256',
        '--ip',
        '2001:db8::1',
        '--lifetime',
        '60',
        '--now',
        String(NOW),
      ],
      { env },
    );
    assert.equal(res.code, 0);
    const factory = new TicketFactory(SECRET, { hashalg: 'sha3_256', now: at(NOW) });
    const ticket = res.stdout.trim();
    assert.equal(ticket, factory.new('jörg', { validUntil: NOW + 60, clientIp: '2001:db8::1' }));
    assert.equal(factory.validate(ticket, { clientIp: '2001:db8::1' }).userId, 'jörg');
  });

  test('usage errors: exit 2, stderr only, the secret never shown', async () => {
    const cases = [
      ['tkt', 'new'],
      ['tkt', 'new', 'a!b'],
      ['tkt', 'new', 'u', '--tokens', 'a b'],
      ['tkt', 'new', 'u', '--digest', 'sha1'],
      ['tkt', 'new', 'u', '--ip', '2001:db8::1'],
      ['tkt', 'new', 'u', '--format', 'jwt'],
      ['tkt', 'new', 'u', '--format', 'ticket_auth', '--cookie'],
      ['tkt', 'new', 'u', '--ts', 'soon'],
      ['tkt', 'new', 'u', '--secret', SECRET],
    ];
    const runs = await Promise.all(cases.map((argv) => tessera(argv, { env })));
    for (const [i, res] of runs.entries()) {
      assert.equal(res.code, 2, cases[i]?.join(' '));
      assert.equal(res.stdout, '');
      assert.match(res.stderr, /^tessera tkt new: .*\nUsage: tessera tkt new/s);
      assert.ok(!res.stderr.includes(SECRET), 'the secret is never echoed');
    }
    const none = await tessera(['tkt', 'new', 'u']);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /no secret: give --secret-file FILE or set TESSERA_SECRET_KEY/);
  });
});

describe('tessera tkt validate', { concurrency: true }, () => {
  const tkt = new AuthTicket({ secret: SECRET, now: at(NOW) });
  const ticket = tkt.create({ uid: 'alice', tokens: ['admin'], userData: 'hi', ip: '203.0.113.9' });
  const cookie = tkt.cookieValue(ticket);
  const base = ['tkt', 'validate', '--now', String(NOW + 10), '--ip', '203.0.113.9'];

  test('valid cookie: the fields on stdout, exit 0; --json', async () => {
    const res = await tessera([...base, cookie], { env });
    assert.deepEqual(res, {
      code: 0,
      stdout: `valid\nuid: alice\ntokens: admin\nuser_data: hi\nts: ${NOW} (2023-11-14T22:13:20.000Z)\n`,
      stderr: '',
    });
    const json = await tessera([...base, '--json', ticket.replaceAll('!', '%21')], { env });
    assert.deepEqual(JSON.parse(json.stdout), {
      valid: true,
      format: 'mod_auth_tkt',
      uid: 'alice',
      tokens: ['admin'],
      userData: 'hi',
      ts: NOW,
      refresh: false,
      oldSecret: false,
    });
  });

  test('from stdin; refresh due is reported', async () => {
    const res = await tessera(
      ['tkt', 'validate', '--now', String(NOW + 5000), '--ip', '203.0.113.9'],
      {
        env,
        input: `${cookie}\n`,
      },
    );
    assert.equal(res.code, 0);
    assert.match(res.stdout, /\nrefresh: due\n$/);
  });

  test('wrong IP, expired, tampered, missing token: exit 1 with the code on stderr', async () => {
    const tampered = ticket.replace('alice', 'alicf');
    const cases: [string[], string][] = [
      [
        ['tkt', 'validate', cookie, '--ip', '203.0.113.10', '--now', String(NOW)],
        'ERR_TICKET_DIGEST',
      ],
      [['tkt', 'validate', cookie, '--now', String(NOW)], 'ERR_TICKET_DIGEST'],
      [[...base, cookie, '--timeout', '5'], 'ERR_TICKET_EXPIRED'],
      [
        ['tkt', 'validate', cookie, '--ip', '203.0.113.9', '--now', String(NOW + 7201)],
        'ERR_TICKET_EXPIRED',
      ],
      [[...base, tampered], 'ERR_TICKET_DIGEST'],
      [[...base, 'not-a-ticket'], 'ERR_TICKET_PARSE'],
      [[...base, cookie, '--required-tokens', 'finance,hr'], 'ERR_TICKET_TOKEN_MISMATCH'],
      [[...base, cookie, '--digest', 'sha512'], 'ERR_TICKET_PARSE'],
    ];
    const runs = await Promise.all(cases.map(([argv]) => tessera(argv, { env })));
    for (const [i, res] of runs.entries()) {
      const [argv, code] = cases[i] as [string[], string];
      assert.equal(res.code, 1, argv.join(' '));
      assert.equal(res.stdout, '');
      assert.match(res.stderr, new RegExp(`^invalid: ${code}: `), argv.join(' '));
    }
  });

  test('--timeout in Apache units, --old-secret-file, --json on a refusal', async () => {
    const long = await tessera([...base, cookie, '--timeout', '1d 2h'], { env });
    assert.equal(long.code, 0);
    const oldFile = join(dir, 'old.key');
    writeFileSync(oldFile, SECRET);
    const rotated = await tessera([...base, cookie, '--old-secret-file', oldFile, '--json'], {
      env: { TESSERA_SECRET_KEY: 'the-new-secret' },
    });
    assert.equal(rotated.code, 0);
    assert.equal(JSON.parse(rotated.stdout).oldSecret, true);
    const bad = await tessera([...base, cookie, '--json'], {
      env: { TESSERA_SECRET_KEY: 'wrong' },
    });
    assert.equal(bad.code, 1);
    assert.deepEqual(JSON.parse(bad.stdout), {
      valid: false,
      format: 'mod_auth_tkt',
      code: 'ERR_TICKET_DIGEST',
      message: 'ticket digest does not match',
    });
    const usage = await tessera([...base, cookie, '--timeout', '2 fortnights'], { env });
    assert.equal(usage.code, 2);
  });

  test('ticket_auth: valid for its IPv6 client, expired later, exit codes', async () => {
    const factory = new TicketFactory(SECRET, { now: at(NOW) });
    const t = factory.new('bob', { tokens: ['a', 'b c'], userData: 'd', clientIp: '2001:db8::7' });
    const args = ['tkt', 'validate', t, '--format', 'ticket_auth', '--ip', '2001:DB8::7'];
    const ok = await tessera([...args, '--now', String(NOW + 1)], { env });
    assert.deepEqual(ok, {
      code: 0,
      stdout: `valid\nuid: bob\ntokens: a,b c\nuser_data: d\nvalid_until: ${NOW + 120} (2023-11-14T22:15:20.000Z)\n`,
      stderr: '',
    });
    const late = await tessera([...args, '--now', String(NOW + 120)], { env });
    assert.equal(late.code, 1);
    assert.match(late.stderr, /^invalid: ERR_TICKET_EXPIRED: Ticket expired/);
    const wrong = await tessera([...args.slice(0, -1), '2001:db8::8', '--now', String(NOW)], {
      env,
    });
    assert.equal(wrong.code, 1);
    const mixed = await tessera([...args, '--timeout', '5'], { env });
    assert.equal(mixed.code, 2);
  });
});
