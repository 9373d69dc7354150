/**
 * `tessera revoke`, spawned as a real process, against a SQLite file and a private redis-server;
 * then the services reading the same store refuse the token: the auth_tkt guard of the web layer
 * (logout that really logs out), the handoff one-time decode, an itsdangerous consume.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { createClient } from 'redis';
import { TokenRevoked } from '../../src/core/errors.ts';
import { Handoff } from '../../src/handoff/index.ts';
import { URLSafeTimedSerializer } from '../../src/itsdangerous/index.ts';
import { RedisStore, SqliteStore } from '../../src/stores/index.ts';
import { AuthTicket } from '../../src/tkt/index.ts';
import { consumeOnce, decodeHandoffOnce, itsdangerousMac } from '../../src/web/once.ts';
import { TktGuard, tktTokenId } from '../../src/web/tkt.ts';
import { RedisServer, redisSkip } from '../stores/helpers/redis-server.ts';
import { tessera } from './spawn.ts';

const SECRET = 'cli-revoke-secret';
const NOW = 1_700_000_000;
const now = () => NOW * 1000;
const dir = mkdtempSync(join(tmpdir(), 'tessera-cli-revoke-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('tessera revoke', { concurrency: true }, () => {
  test('tkt in SQLite: the web layer with that store then refuses the ticket, every spelling', async () => {
    const db = join(dir, 'tkt.db');
    const tkt = new AuthTicket({ secret: SECRET, digest: 'sha256', now });
    const ticket = tkt.create({ uid: 'alice', tokens: ['admin'], ip: '203.0.113.9' });
    const cookie = tkt.cookieValue(ticket);
    const store = new SqliteStore({ path: db, now });
    const guard = new TktGuard({
      secret: SECRET,
      digest: 'sha256',
      loginUrl: '/login',
      store,
      now,
    });
    const request = (value: string) => ({
      url: 'https://app.test/',
      cookie: `auth_tkt=${value}`,
      remoteAddress: '203.0.113.9',
    });
    assert.equal((await guard.check(request(cookie))).ok, true);

    // The raw ticket is revoked; the service sees its base64 cookie: one id for both.
    const res = await tessera([
      'revoke',
      ticket,
      '--store',
      `sqlite:${db}`,
      '--format',
      'tkt',
      '--digest',
      'sha256',
      '--now',
      String(NOW),
      '--json',
    ]);
    assert.equal(res.code, 0, res.stderr);
    const out = JSON.parse(res.stdout);
    assert.deepEqual(out, {
      revoked: true,
      id: tktTokenId(cookie, 'sha256'),
      format: 'tkt',
      store: 'sqlite',
      expiresAt: (NOW + 7200 + 1) * 1000,
      expires: new Date((NOW + 7201) * 1000).toISOString(),
    });
    for (const value of [cookie, ticket, `"${cookie}"`]) {
      const result = await guard.check(request(value));
      assert.equal(result.ok, false);
      assert.equal(!result.ok && result.code, 'revoked');
    }
    // Another ticket of the same user still works.
    const other = tkt.cookieValue(tkt.create({ uid: 'alice', ip: '203.0.113.9', ts: NOW - 1 }));
    assert.equal((await guard.check(request(other))).ok, true);
    await store.close();
  });

  test('tkt: the expiry follows --timeout (0 = until 9999); --expires overrides', async () => {
    const db = join(dir, 'timeout.db');
    const tkt = new AuthTicket({ secret: SECRET, now });
    const cookie = tkt.cookieValue(tkt.create({ uid: 'u' }));
    const base = [
      'revoke',
      cookie,
      '--store',
      `sqlite:${db}`,
      '--format',
      'tkt',
      '--now',
      String(NOW),
      '--json',
    ];
    const hour = JSON.parse((await tessera([...base, '--timeout', '1h'])).stdout);
    assert.equal(hour.expiresAt, (NOW + 3601) * 1000);
    const never = JSON.parse((await tessera([...base, '--timeout', '0'])).stdout);
    assert.equal(never.expires, '9999-12-31T23:59:59.000Z');
    const given = JSON.parse(
      (await tessera([...base, '--expires', '2030-01-01T00:00:00Z'])).stdout,
    );
    assert.equal(given.expiresAt, Date.parse('2030-01-01T00:00:00Z'));
    const expired = await tessera([...base, '--now', String(NOW + 7201)]);
    assert.equal(expired.code, 1);
    assert.match(expired.stderr, /^expired: /);
  });

  test('handoff: a revoked token is refused by decodeHandoffOnce on the same store', async () => {
    const db = join(dir, 'handoff.db');
    const handoff = new Handoff(SECRET);
    const token = handoff.encode({ uid: 7, exp: NOW + 300 });
    const res = await tessera(
      [
        'revoke',
        '--store',
        `sqlite:${db}`,
        '--format',
        'handoff',
        '--expires',
        '10m',
        '--now',
        String(NOW),
      ],
      {
        input: `${token}\n`,
      },
    );
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /^revoked [A-Za-z0-9_-]{43} until 2023-11-14T22:23:20\.000Z\n$/);
    const store = new SqliteStore({ path: db, now });
    await assert.rejects(
      decodeHandoffOnce(handoff, token, store, {
        expiresAt: (v) => (v as { exp: number }).exp * 1000,
        now,
      }),
      TokenRevoked,
    );
    await store.close();
  });

  test('itsdangerous: consumeOnce reports the token revoked', async () => {
    const db = join(dir, 'its.db');
    const s = new URLSafeTimedSerializer('its-key', { now });
    const token = s.dumps({ reset: 'alice' });
    const res = await tessera([
      'revoke',
      token,
      '--store',
      `sqlite:${db}`,
      '--format',
      'itsdangerous',
      '--expires',
      String(NOW + 900),
      '--now',
      String(NOW),
    ]);
    assert.equal(res.code, 0, res.stderr);
    const store = new SqliteStore({ path: db, now });
    const used = await consumeOnce(store, itsdangerousMac(token), (NOW + 900) * 1000);
    assert.equal(!used.ok && used.code, 'revoked');
    await store.close();
  });

  test('redis: the id lands in the server under the prefix', { skip: redisSkip }, async () => {
    const server = await RedisServer.start('none');
    try {
      const tkt = new AuthTicket({ secret: SECRET });
      const cookie = tkt.cookieValue(tkt.create({ uid: 'r' }));
      const res = await tessera([
        'revoke',
        cookie,
        '--store',
        server.url,
        '--format',
        'tkt',
        '--prefix',
        'app:',
      ]);
      assert.equal(res.code, 0, res.stderr);
      const client = await createClient({ url: server.url }).connect();
      try {
        const store = new RedisStore({ client, prefix: 'app:' });
        assert.equal(await store.isRevoked(tktTokenId(cookie)), true);
        assert.ok((await client.pTTL(`app:${tktTokenId(cookie)}`)) > 7000_000);
      } finally {
        await client.close();
      }
    } finally {
      await server.destroy();
    }
  });

  test('failures: unreachable store or bad token exit 1; usage errors exit 2', async () => {
    const handoff = new Handoff(SECRET).encode({ a: 1 });
    const down = await tessera([
      'revoke',
      handoff,
      '--store',
      'redis://127.0.0.1:1',
      '--format',
      'handoff',
      '--expires',
      '1h',
    ]);
    assert.equal(down.code, 1);
    assert.match(down.stderr, /^store unavailable: /);
    const bad = await tessera([
      'revoke',
      'nope',
      '--store',
      'memory',
      '--format',
      'handoff',
      '--expires',
      '1h',
    ]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /^invalid: ERR_BAD_SIGNATURE: /);
    const mem = await tessera([
      'revoke',
      handoff,
      '--store',
      'memory',
      '--format',
      'handoff',
      '--expires',
      '1h',
    ]);
    assert.equal(mem.code, 0);
    assert.match(mem.stderr, /^warning: a memory store forgets/);
    const usage = [
      ['revoke', handoff, '--format', 'handoff', '--expires', '1h'],
      ['revoke', handoff, '--store', 'memory', '--format', 'jwt', '--expires', '1h'],
      ['revoke', handoff, '--store', 'memory', '--format', 'handoff'],
      ['revoke', handoff, '--store', 'memory', '--format', 'handoff', '--expires', 'someday'],
      ['revoke', handoff, '--store', 'mysql://x', '--format', 'handoff', '--expires', '1h'],
      ['revoke', handoff, '--store', 'sqlite:', '--format', 'handoff', '--expires', '1h'],
      ['revoke', handoff, '--store', 'memory', '--format', 'tkt', '--digest', 'sha1'],
    ];
    const runs = await Promise.all(usage.map((argv) => tessera(argv)));
    for (const [i, res] of runs.entries()) assert.equal(res.code, 2, usage[i]?.join(' '));
  });
});
