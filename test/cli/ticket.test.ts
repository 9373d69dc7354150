/** `tessera ticket create` / `tessera ticket open`, spawned as a real process. */
import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { describe, test } from 'node:test';
import { SecureTicketService } from '../../src/secure-ticket/index.ts';
import { tessera } from './spawn.ts';

const SECRET = 'cli-ticket-key-0123456789abcdef';
const env = { TESSERA_SECRET_KEY: SECRET };
const NOW = 1_700_000_000;
const key = Buffer.from(SECRET, 'utf8');

describe('tessera ticket', { concurrency: true }, () => {
  test('create → open round trip, encrypted and compressed, bound to entropy and session', async () => {
    const args = ['--encrypt', '--compress', '--entropy', 'form-7', '--session', 'web-1'];
    const made = await tessera(['ticket', 'create', 'hello world', ...args, '--now', String(NOW)], {
      env,
    });
    assert.equal(made.code, 0);
    const ticket = made.stdout.trim();
    const service = new SecureTicketService(key, {
      session: 'web-1',
      serialize: 'text',
      now: () => NOW * 1000,
    });
    assert.deepEqual(service.openTicket(ticket, { entropy: 'form-7' }), {
      data: 'hello world',
      validUntil: NOW + 1200,
      flags: { encrypt: true, compress: true, serialize: false },
    });
    const open = [
      'ticket',
      'open',
      ticket,
      '--entropy',
      'form-7',
      '--session',
      'web-1',
      '--now',
      String(NOW + 1),
    ];
    assert.deepEqual(await tessera(open, { env }), {
      code: 0,
      stdout: 'hello world\n',
      stderr: '',
    });
    const json = await tessera([...open, '--json'], { env });
    assert.deepEqual(JSON.parse(json.stdout), {
      valid: true,
      data: 'hello world',
      validUntil: NOW + 1200,
      flags: { encrypt: true, compress: true, serialize: false },
    });
  });

  test('a library-made ticket opens; --serialize json; data from stdin; --lifespan', async () => {
    const service = new SecureTicketService(key, { serialize: 'json', now: () => NOW * 1000 });
    const ticket = service.createTicket({ uid: 42 }).toBase64();
    const res = await tessera(['ticket', 'open', '--serialize', 'json', '--now', String(NOW)], {
      env,
      input: ticket,
    });
    assert.deepEqual(res, { code: 0, stdout: '{"uid":42}\n', stderr: '' });
    const made = await tessera(
      [
        'ticket',
        'create',
        '--serialize',
        'json',
        '--lifespan',
        '1m',
        '--json',
        '--now',
        String(NOW),
      ],
      {
        env,
        input: '{"a": [1, 2]}\n',
      },
    );
    const out = JSON.parse(made.stdout);
    assert.equal(out.validUntil, NOW + 60);
    assert.deepEqual(service.getData(out.ticket), { a: [1, 2] });
    const bytes = await tessera(
      ['ticket', 'open', out.ticket, '--serialize', 'bytes', '--now', String(NOW)],
      { env },
    );
    assert.equal(Buffer.from(bytes.stdout.trim(), 'base64').toString(), '{"a":[1,2]}');
  });

  test('wrong entropy, wrong key, expired, garbage: exit 1 with the code on stderr', async () => {
    const made = await tessera(['ticket', 'create', 'x', '--entropy', 'e', '--now', String(NOW)], {
      env,
    });
    const ticket = made.stdout.trim();
    const cases: [string[], Record<string, string>, string][] = [
      [
        ['ticket', 'open', ticket, '--entropy', 'f', '--now', String(NOW)],
        env,
        'ERR_TICKET_DIGEST',
      ],
      [
        ['ticket', 'open', ticket, '--entropy', 'e', '--now', String(NOW)],
        { TESSERA_SECRET_KEY: 'other' },
        'ERR_TICKET_DIGEST',
      ],
      [
        ['ticket', 'open', ticket, '--entropy', 'e', '--now', String(NOW + 1201)],
        env,
        'ERR_TICKET_EXPIRED',
      ],
      [['ticket', 'open', 'bm90IGEgdGlja2V0'], env, 'ERR_TICKET_PARSE'],
    ];
    const runs = await Promise.all(cases.map(([argv, e]) => tessera(argv, { env: e })));
    for (const [i, res] of runs.entries()) {
      assert.equal(res.code, 1, cases[i]?.[0].join(' '));
      assert.equal(res.stdout, '');
      assert.match(res.stderr, new RegExp(`^invalid: ${cases[i]?.[2]}: `));
    }
  });

  test('usage errors: exit 2', async () => {
    const cases = [
      ['ticket', 'create', 'x', '--serialize', 'pickle'],
      ['ticket', 'create', '{', '--serialize', 'json'],
      ['ticket', 'create', 'x', '--lifespan', 'forever'],
      ['ticket', 'open', 'x', '--max-inflate', '-1'],
    ];
    const runs = await Promise.all(cases.map((argv) => tessera(argv, { env })));
    for (const [i, res] of runs.entries()) {
      assert.equal(res.code, 2, cases[i]?.join(' '));
      assert.ok(!res.stderr.includes(SECRET));
    }
    assert.equal((await tessera(['ticket', 'create', 'x'])).code, 2);
  });
});
