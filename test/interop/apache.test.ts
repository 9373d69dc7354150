/**
 * Live interop with Apache 2.4 + mod_auth_tkt (Debian's libapache2-mod-auth-tkt), per
 * ../shared/specs/apache-interop.md. One private Apache on a free 127.0.0.1 port, started
 * detached from a temp dir and stopped by PID in `after`:
 * - Tessera's tickets (md5/sha256/sha512, bound and ignore-IP, tokens, user data, unicode uid)
 *   are accepted by Apache, which reads back the same REMOTE_USER / tokens / data;
 * - tampered, wrong-secret, wrong-IP, IPv6, broadcast and expired tickets are refused by both;
 * - a cookie Apache refreshes (timeout or old secret) is accepted by Tessera, and equals
 *   Tessera's own refresh byte for byte;
 * - every case of test/vectors/mod_auth_tkt.json gets the same outcome from both.
 * Skips when apache2 or mod_auth_tkt is not installed (CI installs them).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import {
  AuthTicket,
  type AuthTicketDigest,
  type AuthTicketFields,
  TicketDigestError,
  TicketExpired,
  TicketParseError,
  TicketTokenMismatch,
} from '../../src/tkt/index.ts';
import {
  type ApachePeer,
  type PeerResponse,
  skipReason,
  startApache,
  type VirtualHost,
} from './apache/peer.ts';

const DIGESTS = ['MD5', 'SHA256', 'SHA512'] as const;
const SECRET = 'interop secret 1';
const OLD = 'interop secret 0';

interface VectorCase {
  id: string;
  params: { digest: 'MD5' | 'SHA256' | 'SHA512'; uid: string; tokens: string[]; user_data: string };
  token: string;
  input: {
    secret: string;
    old_secret?: string;
    client_ip: string;
    ignore_ip: boolean;
    timeout: number;
    required_tokens: string[];
  };
  now?: number;
  expect: 'ok' | 'digest_mismatch' | 'expired' | 'token_mismatch' | 'parse_error';
  value?: { uid: string; tokens: string[]; user_data: string };
}
const vectors = (
  JSON.parse(readFileSync(new URL('../vectors/mod_auth_tkt.json', import.meta.url), 'utf8')) as {
    cases: VectorCase[];
  }
).cases;

// One virtual host per digest, one with an old secret, one per vector (digest, secret, old secret).
const groupOf = (c: VectorCase) =>
  JSON.stringify([c.params.digest, c.input.secret, c.input.old_secret ?? '']);
const vectorGroups = [...new Set(vectors.map(groupOf))];
const HOSTS: VirtualHost[] = [
  ...DIGESTS.map((digest) => ({ host: `${digest.toLowerCase()}.test`, secret: SECRET, digest })),
  { host: 'rotated.test', secret: SECRET, oldSecret: OLD, digest: 'MD5' },
  ...vectorGroups.map((g, i) => {
    const [digest, secret, oldSecret] = JSON.parse(g) as [VirtualHost['digest'], string, string];
    return { host: `v${i}.test`, secret, oldSecret: oldSecret || undefined, digest };
  }),
];

const nowSeconds = () => Math.floor(Date.now() / 1000);
const tessera = (
  digest: string,
  options: Partial<ConstructorParameters<typeof AuthTicket>[0]> = {},
) => new AuthTicket({ secret: SECRET, digest: digest as AuthTicketDigest, ...options });

/** Tessera's verdict as Apache reports it: 200, or 307 to the URL for that failure. */
function tesseraOutcome(fn: () => unknown): string {
  try {
    fn();
    return 'ok';
  } catch (err) {
    if (err instanceof TicketTokenMismatch) return 'token_mismatch';
    if (err instanceof TicketExpired) return 'expired';
    if (err instanceof TicketDigestError || err instanceof TicketParseError) return 'login';
    throw err;
  }
}
function apacheOutcome(res: PeerResponse): string {
  if (res.status === 200) return 'ok';
  if (res.status === 307 && res.redirect === '/unauth') return 'token_mismatch';
  if (res.status === 307 && res.redirect === '/timedout') return 'expired';
  if (res.status === 307 && res.redirect === '/login') return 'login';
  return `unexpected ${res.status} ${res.redirect}`;
}

const skip = skipReason();

describe('Apache mod_auth_tkt interop', { skip }, () => {
  let peer: ApachePeer;
  before(async () => {
    peer = await startApache(HOSTS);
  });
  after(async () => {
    await peer?.stop();
  });

  for (const digest of DIGESTS) {
    const host = `${digest.toLowerCase()}.test`;

    describe(`${digest}: Tessera's tickets in Apache`, () => {
      const accepted: [string, string, AuthTicketFields, string | undefined][] = [
        [
          'bound to the client IP, tokens, data',
          'tkt',
          {
            uid: 'alice',
            ip: '203.0.113.7',
            tokens: ['admin', 'staff'],
            userData: 'hello world; x=1',
          },
          '203.0.113.7',
        ],
        ['bound to 127.0.0.1 (no proxy header)', 'tkt', { uid: 'bob', ip: '127.0.0.1' }, undefined],
        [
          'unicode uid and data',
          'tkt',
          { uid: 'jörg 用户', ip: '203.0.113.7', userData: 'naïve 😀' },
          '203.0.113.7',
        ],
        [
          'unbound, with TKTAuthIgnoreIP',
          'tkt-ignoreip',
          { uid: 'carol', tokens: ['ops'] },
          '198.51.100.20',
        ],
        [
          'no tokens and "!" in the data (uid!!data)',
          'tkt',
          { uid: 'dave', ip: '203.0.113.7', userData: 'a!b!c' },
          '203.0.113.7',
        ],
        ['empty uid', 'tkt-ignoreip', { uid: '', userData: 'guest' }, '198.51.100.20'],
        [
          'a required token',
          'tkt-token',
          { uid: 'erin', ip: '203.0.113.7', tokens: ['staff', 'finance'] },
          '203.0.113.7',
        ],
      ];
      for (const [name, location, fields, clientIp] of accepted) {
        test(`accepts: ${name}`, async () => {
          const tkt = tessera(digest);
          const ticket = tkt.create(fields);
          const res = await peer.get(host, location, tkt.cookieValue(ticket), clientIp);
          assert.equal(
            res.status,
            200,
            `${res.status} ${res.redirect}\n${peer.errorLog().slice(-500)}`,
          );
          assert.deepEqual(
            [res.user, res.tokens, res.data],
            [fields.uid, (fields.tokens ?? []).join(','), fields.userData ?? ''],
          );
          // And Tessera agrees with what Apache exported.
          const info = tessera(digest, { ignoreIp: location === 'tkt-ignoreip' }).validate(
            tkt.cookieValue(ticket),
            { clientIp: clientIp ?? '127.0.0.1' },
          );
          assert.deepEqual(
            [info.uid, info.tokens.join(','), info.userData],
            [res.user, res.tokens, res.data],
          );
        });
      }

      test('accepts the raw and quoted cookie forms', async () => {
        const tkt = tessera(digest);
        const ticket = tkt.create({
          uid: 'frank',
          ip: '127.0.0.1',
          tokens: ['a'],
          userData: 'raw',
        });
        for (const cookie of [
          ticket,
          `"${tkt.cookieValue(ticket)}"`,
          tkt.cookieValue(ticket).replace(/=+$/, ''),
        ]) {
          const res = await peer.get(host, 'tkt', cookie);
          assert.deepEqual([res.status, res.user, res.data], [200, 'frank', 'raw'], cookie);
        }
      });
    });

    describe(`${digest}: refused by both`, () => {
      const tkt = tessera(digest, { timeout: 60 });
      const fields = { uid: 'alice', ip: '203.0.113.7', tokens: ['staff'], userData: 'd' };

      const cases: [
        string,
        () => {
          cookie: string;
          location: string;
          clientIp: string;
          check: AuthTicket;
          requiredTokens?: string[];
        },
      ][] = [
        [
          'a tampered uid',
          () => {
            const t = tkt.create(fields).replace('alice', 'alicf');
            return {
              cookie: tkt.cookieValue(t),
              location: 'tkt',
              clientIp: '203.0.113.7',
              check: tessera(digest, { timeout: 0 }),
            };
          },
        ],
        [
          'another secret',
          () => ({
            cookie: tkt.cookieValue(tessera(digest, { secret: 'not the secret' }).create(fields)),
            location: 'tkt',
            clientIp: '203.0.113.7',
            check: tessera(digest, { timeout: 0 }),
          }),
        ],
        [
          'another client IP',
          () => ({
            cookie: tkt.cookieValue(tkt.create(fields)),
            location: 'tkt',
            clientIp: '203.0.113.8',
            check: tessera(digest, { timeout: 0 }),
          }),
        ],
        [
          'an IPv6 client',
          () => ({
            cookie: tkt.cookieValue(tkt.create({ ...fields, ip: '0.0.0.0' })),
            location: 'tkt',
            clientIp: '2001:db8::1',
            check: tessera(digest, { timeout: 0 }),
          }),
        ],
        [
          'client 255.255.255.255',
          () => ({
            cookie: tkt.cookieValue(tkt.create({ ...fields, ip: '255.255.255.255' })),
            location: 'tkt',
            clientIp: '255.255.255.255',
            check: tessera(digest, { timeout: 0 }),
          }),
        ],
        [
          'a bound ticket where the IP is ignored',
          () => ({
            cookie: tkt.cookieValue(tkt.create(fields)),
            location: 'tkt-ignoreip',
            clientIp: '203.0.113.7',
            check: tessera(digest, { timeout: 0, ignoreIp: true }),
          }),
        ],
        [
          'an expired ticket (61 s old, timeout 60)',
          () => ({
            cookie: tkt.cookieValue(tkt.create({ ...fields, ts: nowSeconds() - 61 })),
            location: 'timeout',
            clientIp: '203.0.113.7',
            check: tkt,
          }),
        ],
        [
          'a ticket without a required token',
          () => ({
            cookie: tkt.cookieValue(tkt.create(fields)),
            location: 'tkt-token',
            clientIp: '203.0.113.7',
            check: tessera(digest, { timeout: 0 }),
            requiredTokens: ['admin', 'finance'],
          }),
        ],
      ];
      for (const [name, make] of cases) {
        test(name, async () => {
          const { cookie, location, clientIp, check, requiredTokens } = make();
          const res = await peer.get(host, location, cookie, clientIp);
          const apache = apacheOutcome(res);
          assert.notEqual(apache, 'ok');
          assert.equal(
            tesseraOutcome(() => check.validate(cookie, { clientIp, requiredTokens })),
            apache,
          );
          if (apache === 'expired') assert.equal(res.setCookie, ''); // Apache deletes the cookie
        });
      }
    });

    test(`${digest}: a cookie Apache refreshes is accepted by Tessera`, async () => {
      const tkt = tessera(digest, { timeout: 60 });
      const fields = { uid: 'grace', ip: '203.0.113.7', tokens: ['a', 'b'], userData: 'x!y' };
      const old = tkt.cookieValue(tkt.create({ ...fields, ts: nowSeconds() - 45 }));
      const res = await peer.get(host, 'timeout', old, '203.0.113.7');
      assert.equal(res.status, 200);
      assert.ok(res.setCookie, 'Apache sent a refreshed cookie');
      const info = tkt.validate(res.setCookie, { clientIp: '203.0.113.7' });
      assert.deepEqual([info.uid, info.tokens, info.userData], ['grace', ['a', 'b'], 'x!y']);
      assert.ok(Math.abs(info.ts - nowSeconds()) <= 2);
      // Tessera's own refresh at Apache's clock writes the same bytes.
      const before = tkt.validate(old, { clientIp: '203.0.113.7' });
      assert.equal(before.refresh, true);
      const same = tessera(digest, { timeout: 60, now: () => info.ts * 1000 });
      assert.equal(
        same.cookieValue(same.refresh(before, { clientIp: '203.0.113.7' })),
        res.setCookie,
      );
    });
  }

  test('old secret: Apache refreshes with the new one; Tessera agrees byte for byte', async () => {
    const old = new AuthTicket({ secret: OLD, timeout: 0 });
    const cookie = old.cookieValue(
      old.create({ uid: 'heidi', ip: '127.0.0.1', userData: 'rotated' }),
    );
    const res = await peer.get('rotated.test', 'tkt', cookie);
    assert.deepEqual([res.status, res.user, res.data], [200, 'heidi', 'rotated']);
    assert.ok(res.setCookie);
    const fresh = new AuthTicket({ secret: SECRET, timeout: 0 }).validate(res.setCookie, {
      clientIp: '127.0.0.1',
    });
    assert.deepEqual([fresh.uid, fresh.userData, fresh.oldSecret], ['heidi', 'rotated', false]);
    const rotating = new AuthTicket({
      secret: SECRET,
      oldSecret: OLD,
      timeout: 0,
      now: () => fresh.ts * 1000,
    });
    const info = rotating.validate(cookie, { clientIp: '127.0.0.1' });
    assert.deepEqual([info.oldSecret, info.refresh], [true, true]);
    assert.equal(
      rotating.cookieValue(rotating.refresh(info, { clientIp: '127.0.0.1' })),
      res.setCookie,
    );
  });

  describe('every vector: the same outcome from Apache and Tessera', () => {
    for (const c of vectors) {
      test(`${c.id} ${c.expect}`, async () => {
        const i = c.input;
        const host = `v${vectorGroups.indexOf(groupOf(c))}.test`;
        const location =
          i.required_tokens.length > 0 ? 'tkt-token' : i.ignore_ip ? 'tkt-ignoreip' : 'tkt';
        const res = await peer.get(host, location, c.token, i.client_ip);
        const tkt = new AuthTicket({
          secret: i.secret,
          oldSecret: i.old_secret,
          digest: c.params.digest,
          timeout: i.timeout,
          ignoreIp: i.ignore_ip,
          requiredTokens: i.required_tokens,
          now: () => (c.now ?? 0) * 1000,
        });
        const ours = tesseraOutcome(() => tkt.validate(c.token, { clientIp: i.client_ip }));
        const want = {
          ok: 'ok',
          expired: 'expired',
          token_mismatch: 'token_mismatch',
          digest_mismatch: 'login',
          parse_error: 'login',
        }[c.expect];
        assert.equal(ours, want);
        // These Apache locations run with TKTAuthTimeout 0 (Apache reads the wall clock), so an
        // `expired` vector is a valid ticket there: the digest and identity are what is compared.
        assert.equal(apacheOutcome(res), c.expect === 'expired' ? 'ok' : want);
        if (res.status === 200) {
          const v = c.value ?? c.params;
          assert.deepEqual(
            [res.user, res.tokens, res.data],
            [v.uid, v.tokens.join(','), v.user_data],
          );
        }
        if (i.old_secret !== undefined && c.expect === 'ok') {
          assert.ok(res.setCookie, 'refreshed cookie for an old-secret ticket');
          assert.equal(
            new AuthTicket({ secret: i.secret, digest: c.params.digest, timeout: 0 }).validate(
              res.setCookie,
              { clientIp: i.client_ip },
            ).uid,
            c.value?.uid,
          );
        }
      });
    }
  });
});
