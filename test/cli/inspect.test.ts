/**
 * `tessera inspect`: spawned as a real process over tokens of all six formats built with the
 * library (valid, tampered, expired; with and without the secret; argv, stdin, --json), then
 * `inspectToken` in-process over the vector files' tokens.
 */
import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { type InspectReport, inspectToken, type Reading } from '../../src/cli/inspect.ts';
import { Handoff } from '../../src/handoff/index.ts';
import { URLSafeTimedSerializer } from '../../src/itsdangerous/index.ts';
import { SecureTicketService } from '../../src/secure-ticket/index.ts';
import { signUrl } from '../../src/ska/index.ts';
import { AuthTicket, TicketFactory } from '../../src/tkt/index.ts';
import { loadVectors } from '../helpers/vectors.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SECRET = 'inspect-test-secret-7Qz';
const T = 1_700_000_000;
const now = () => T * 1000;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Spawn `tessera inspect …`; the secret goes in TESSERA_SECRET_KEY only when given. */
function inspect(args: string[], options: { secret?: string; input?: string } = {}): Promise<Run> {
  const env = { ...process.env };
  delete env.TESSERA_SECRET_KEY;
  if (options.secret !== undefined) env.TESSERA_SECRET_KEY = options.secret;
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'src/cli/main.ts', 'inspect', ...args],
      {
        cwd: ROOT,
        env,
        stdio: ['pipe', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}

/** Flip one byte of a standard-base64 token. */
function flipBase64(token: string, at: number): string {
  const bytes = Buffer.from(token, 'base64');
  bytes[at] = (bytes[at] as number) ^ 0x01;
  return bytes.toString('base64');
}

/** Replace the character at `at` with another of the base64url alphabet. */
function swapChar(token: string, at: number): string {
  return token.slice(0, at) + (token[at] === 'A' ? 'B' : 'A') + token.slice(at + 1);
}

const its = new URLSafeTimedSerializer(SECRET, { salt: 'inspect-test', now });
const tkt = new AuthTicket({ secret: SECRET, digest: 'sha256', now });
const factory = new TicketFactory(SECRET, { hashalg: 'sha384', now });
const tickets = new SecureTicketService(Buffer.from(SECRET), { serialize: 'json', now });

interface FormatCase {
  format: string;
  token: string;
  /** Extra options every run needs (salt, entropy…). */
  args: string[];
  /** Text the UNVERIFIED part shows without the secret. */
  shows: RegExp;
  tampered: string;
  /** A `--now` past the expiry, when the format has one. */
  expiredAt?: number;
}

const ticketRaw = tkt.create({ uid: 'alice', tokens: ['admin'], userData: 'hi', ts: T });
const CASES: FormatCase[] = [
  {
    format: 'itsdangerous',
    token: its.dumps({ user: 'zoë', role: 'admin' }),
    args: ['--salt', 'inspect-test', '--max-age', '1h'],
    shows: /payload: +\{"user":"zoë","role":"admin"\}/,
    tampered: its
      .dumps({ user: 'zoë', role: 'admin' })
      .replace(/^eyJ1c2VyIjoiem/, 'eyJ1c2VyIjoiam'),
    expiredAt: T + 3601,
  },
  {
    format: 'ska',
    token: signUrl({
      authUser: 'jane',
      secretKey: SECRET,
      validUntil: `${T + 600}.0`,
      url: 'https://support.example/login/',
      extra: { provider: 'portal' },
    }),
    args: [],
    shows: /auth user: +jane/,
    tampered: signUrl({
      authUser: 'jane',
      secretKey: SECRET,
      validUntil: `${T + 600}.0`,
      url: 'https://support.example/login/',
      extra: { provider: 'portal' },
    }).replace('auth_user=jane', 'auth_user=mallory'),
    expiredAt: T + 600,
  },
  {
    format: 'mod_auth_tkt',
    token: tkt.cookieValue(ticketRaw),
    args: [],
    shows: /user: +alice/,
    tampered: tkt.cookieValue(ticketRaw.replace('alice!', 'alicf!')),
    expiredAt: T + 7201,
  },
  {
    format: 'ticket_auth',
    token: factory.new('bob', { tokens: ['ops'], userData: 'x!y', validUntil: T + 120 }),
    args: [],
    shows: /user data: +x!y/,
    tampered: factory
      .new('bob', { tokens: ['ops'], userData: 'x!y', validUntil: T + 120 })
      .replace('bob!', 'bod!'),
    expiredAt: T + 120,
  },
  {
    format: 'handoff',
    token: new Handoff(SECRET).encode({ uid: 42, name: 'Zoë' }),
    args: [],
    shows: /encryption: +AES-128-CBC/,
    tampered: swapChar(new Handoff(SECRET).encode({ uid: 42, name: 'Zoë' }), 40),
  },
  {
    format: 'pytickets',
    token: tickets.createTicket({ uid: 42 }, { entropy: 'form-7' }).toBase64(),
    args: ['--entropy', 'form-7'],
    shows: /data: +\{"uid":42\}/,
    tampered: flipBase64(tickets.createTicket({ uid: 42 }, { entropy: 'form-7' }).toBase64(), 60),
    expiredAt: T + 1201,
  },
];

const dir = mkdtempSync(join(tmpdir(), 'tessera-inspect-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('tessera inspect (spawned)', { concurrency: true }, () => {
  for (const c of CASES) {
    test(`${c.format}: recognised and decoded, UNVERIFIED without a secret (exit 0)`, async () => {
      const res = await inspect([c.token, '--now', String(T), ...c.args]);
      assert.equal(res.code, 0, res.stderr);
      // A SHA-384 ticket_auth ticket also reads as a mod_auth_tkt one: both are listed.
      assert.match(res.stdout, new RegExp(`^format: ${c.format}( or |$)`, 'm'));
      assert.match(res.stdout, /UNVERIFIED/);
      assert.match(res.stdout, c.shows);
      assert.match(res.stdout, /Not verified: give the secret/);
    });

    test(`${c.format}: verified with the secret (exit 0)`, async () => {
      const res = await inspect([c.token, '--now', String(T + 1), ...c.args], { secret: SECRET });
      assert.equal(res.code, 0, res.stdout + res.stderr);
      assert.match(res.stdout, /^ {2}VERIFIED: /m);
      const json = await inspect([c.token, '--now', String(T + 1), '--json', ...c.args], {
        secret: SECRET,
      });
      const report = JSON.parse(json.stdout) as InspectReport;
      assert.equal(report.verified, true);
      assert.equal(report.readings.find((x) => x.format === c.format)?.verification?.valid, true);
    });

    test(`${c.format}: tampered → exit 1, the signature check failed`, async () => {
      const res = await inspect([c.tampered, '--now', String(T + 1), ...c.args], {
        secret: SECRET,
      });
      assert.equal(res.code, 1, res.stdout + res.stderr);
      assert.match(res.stdout, new RegExp(`^format: (.+ or )?${c.format}`, 'm'));
      assert.match(res.stdout, /INVALID \(signature check failed\)/);
      assert.doesNotMatch(res.stdout, /VERIFIED:/);
    });

    test(`${c.format}: wrong secret → exit 1 (--json)`, async () => {
      const res = await inspect([c.token, '--now', String(T + 1), '--json', ...c.args], {
        secret: `${SECRET}x`,
      });
      assert.equal(res.code, 1, res.stderr);
      const report = JSON.parse(res.stdout) as InspectReport;
      assert.equal(report.recognised, true);
      assert.equal(report.verified, false);
      const r = report.readings.find((x) => x.format === c.format) as Reading;
      assert.equal(r.verification?.valid, false);
      assert.equal(r.verification?.failed, 'signature');
    });

    if (c.expiredAt !== undefined) {
      const at = c.expiredAt;
      test(`${c.format}: expired → exit 1, the expiry check failed`, async () => {
        const res = await inspect([c.token, '--now', String(at), '--json', ...c.args], {
          secret: SECRET,
        });
        assert.equal(res.code, 1, res.stderr);
        const report = JSON.parse(res.stdout) as InspectReport;
        const r = report.readings.find((x) => x.format === c.format) as Reading;
        assert.equal(r.verification?.failed, 'expiry', JSON.stringify(r.verification));
      });
    }
  }

  test('--json without a secret: formats, UNVERIFIED parts, no verification', async () => {
    const res = await inspect([CASES[3]!.token, '--now', String(T), '--json']);
    assert.equal(res.code, 0);
    const report = JSON.parse(res.stdout) as InspectReport;
    // SHA-384 is ticket_auth's; the first 72 hex digits would also make a SHA-256 mod_auth_tkt.
    assert.deepEqual(report.formats, ['ticket_auth', 'mod_auth_tkt']);
    assert.equal(report.verified, undefined);
    const [r] = report.readings as [Reading];
    assert.equal(r.unverified.user, 'bob');
    assert.deepEqual(r.unverified.tokens, ['ops']);
    assert.equal(r.unverified.validUntil, '2023-11-14T22:15:20.000Z (in 2 minutes)');
    assert.equal(r.verification, undefined);
  });

  test('a raw ticket reads as both mod_auth_tkt and ticket_auth; the secret tells which', async () => {
    const res = await inspect([ticketRaw, '--now', String(T), '--json'], { secret: SECRET });
    assert.equal(res.code, 0, res.stderr);
    const report = JSON.parse(res.stdout) as InspectReport;
    assert.deepEqual(report.formats, ['mod_auth_tkt', 'ticket_auth']);
    const byFormat = Object.fromEntries(report.readings.map((r) => [r.format, r]));
    assert.equal(byFormat.mod_auth_tkt?.verification?.valid, true);
    assert.equal(byFormat.ticket_auth?.verification?.failed, 'signature');
    assert.match(byFormat.mod_auth_tkt?.notes.join(' ') ?? '', /look alike/);
    const text = await inspect([ticketRaw, '--now', String(T)]);
    assert.match(text.stdout, /^format: mod_auth_tkt or ticket_auth/m);
  });

  test('the token from stdin ("-" or absent), the secret from --secret-file', async () => {
    const file = join(dir, 'secret');
    writeFileSync(file, `${SECRET}\n`);
    const token = CASES[4]!.token;
    for (const args of [['-'], []]) {
      const res = await inspect([...args, '--secret-file', file], { input: `${token}\n` });
      assert.equal(res.code, 0, res.stderr);
      assert.match(res.stdout, /VERIFIED: HMAC-SHA1 matches/);
      assert.match(res.stdout, /payload: +\{"uid":42,"name":"Zoë"\}/);
    }
  });

  test('an unrecognised token is exit 2 with a helpful message', async () => {
    for (const token of ['hello', 'a.b', 'XHAshort', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abc']) {
      const res = await inspect([token]);
      assert.equal(res.code, 2, token);
      assert.equal(res.stdout, '');
      assert.match(res.stderr, /not a token of a format Tessera knows/);
      assert.match(res.stderr, /itsdangerous +value\[\.timestamp\]\.signature/);
    }
    const jwt = await inspect(['eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abc', '--json']);
    assert.equal(jwt.code, 2);
    assert.equal((JSON.parse(jwt.stdout) as InspectReport).recognised, false);
    assert.match(jwt.stderr, /JWT/);
  });

  test('usage errors are exit 2', async () => {
    assert.equal((await inspect(['a', 'b'])).code, 2);
    assert.equal((await inspect([CASES[0]!.token, '--now', 'soon'])).code, 2);
    assert.equal((await inspect([CASES[0]!.token, '--max-age', 'forever'])).code, 2);
    assert.equal((await inspect([CASES[0]!.token, '--secret-key', 'x'])).code, 2);
    const empty = await inspect([]);
    assert.equal(empty.code, 2);
    assert.match(empty.stderr, /no token given/);
  });

  test('--help lists the formats', async () => {
    const res = await inspect(['--help']);
    assert.equal(res.code, 0);
    assert.match(res.stdout, /itsdangerous, ska, mod_auth_tkt, ticket_auth, handoff, pytickets/);
  });

  test('control characters in a payload never reach the terminal raw', async () => {
    const token = new Handoff(SECRET, { variant: 'B' }).encode({
      x: '\u001b]0;owned\u0007\u001b[2J\u009b',
    });
    const res = await inspect([token]);
    assert.equal(res.code, 0);
    assert.doesNotMatch(res.stdout, /[\u001b\u0007\u009b]/);
    assert.match(res.stdout, /\\u001b/);
    const json = await inspect([token, '--json']);
    assert.doesNotMatch(json.stdout, /[\u001b\u0007\u009b]/);
    assert.deepEqual((JSON.parse(json.stdout) as InspectReport).readings[0]?.unverified.payload, {
      x: '\u001b]0;owned\u0007\u001b[2J\u009b',
    });
  });
});

// ---------------------------------------------------------------------------------------------
// In-process: the vector files' tokens.

function reading(report: InspectReport, format: string): Reading | undefined {
  return report.readings.find((r) => r.format === format);
}

const clock = (seconds: number | undefined) =>
  seconds === undefined ? undefined : () => seconds * 1000;

describe('inspectToken over the vectors', () => {
  test('itsdangerous: every default-separator token is recognised and verifies as Python decided', () => {
    interface C {
      id: string;
      kind: string;
      params: Record<string, unknown> & { secret_key: unknown; salt?: string | null; sep?: string };
      token: string | { hex: string };
      now?: number;
      max_age?: number | null;
      expect: string;
      error?: { message: string };
      note?: string;
    }
    let checked = 0;
    for (const c of loadVectors<C>('itsdangerous.json').cases) {
      const p = c.params;
      if (typeof c.token !== 'string' || typeof p.secret_key !== 'string') continue;
      if (
        p.sep !== undefined ||
        p.algorithm === 'none' ||
        p.fallback_signers ||
        p.serializer_kwargs
      )
        continue;
      if (!c.token.includes('.')) continue; // no separator: not an itsdangerous shape at all
      // inspect tries every key derivation and reads the digest from the signature's length,
      // so tokens Python refuses only for the verifier's other derivation or digest verify here.
      if (/wrong key_derivation|without fallback/.test(c.note ?? '')) continue;
      const salt =
        p.salt === null
          ? 'itsdangerous.Signer'
          : (p.salt ?? (c.kind.includes('serializer') ? 'itsdangerous' : 'itsdangerous.Signer'));
      const report = inspectToken(c.token, {
        secret: p.secret_key,
        salt,
        maxAge: c.max_age ?? undefined,
        now: clock(c.now),
      });
      const r = reading(report, 'itsdangerous');
      if (r === undefined) {
        // Only crafted tokens may fail the shape (a removed timestamp, a truncated signature).
        assert.notEqual(c.expect, 'ok', c.id);
        continue;
      }
      checked++;
      const v = r.verification;
      if (c.expect === 'ok') assert.equal(v?.valid, true, `${c.id}: ${JSON.stringify(v)}`);
      else if (c.expect === 'BadPayload') {
        // inspect picks the class by the payload's shape: a payload Python's class could not
        // load reads as another class's (a plain Signer value, a URL-safe payload), genuinely signed.
        assert.notEqual(r.kind.toLowerCase(), c.kind.replaceAll('_', ''), c.id);
        assert.equal(v?.valid, true, c.id);
      } else if (c.expect === 'SignatureExpired' && r.unverified.signedAt !== undefined) {
        assert.equal(v?.failed, 'expiry', c.id);
      } else if (/does not match/.test(c.error?.message ?? ''))
        assert.equal(v?.failed, 'signature', c.id);
      else assert.equal(v?.valid, false, c.id);
    }
    assert.ok(checked >= 30, `checked ${checked}`);
  });

  test('itsdangerous: the report names the key derivation and digest that matched', () => {
    // S-signer-015: Python with key_derivation "hmac" refuses a django-concat token.
    const token = 'hi developer.A0UtkwjPWgWAbN8w7uwBoZAPcc0';
    const r = reading(inspectToken(token, { secret: 'shared-dev-secret-9Xc2' }), 'itsdangerous');
    assert.equal(r?.verification?.valid, true);
    assert.equal(r?.verification?.details?.keyDerivation, 'django-concat');
    assert.equal(r?.verification?.details?.salt, 'itsdangerous.Signer');
    assert.equal(r?.verification?.details?.value, 'hi developer');
  });

  test('ska: sign_url and validate vectors', () => {
    interface C {
      id: string;
      kind: string;
      params: { signature_cls: string };
      input: { secret_key: string; data?: Record<string, string>; signature_param?: string };
      url?: string;
      now?: number;
      expect: string;
      reason?: string[];
      roundtrip?: { now: number; result: boolean };
    }
    let checked = 0;
    for (const c of loadVectors<C>('ska.json').cases) {
      let token: string;
      let at: number | undefined;
      let valid: boolean;
      if (c.kind === 'sign_url' && c.url && !c.input.signature_param && c.roundtrip) {
        token = c.url;
        at = c.roundtrip.now;
        valid = c.roundtrip.result;
      } else if (c.kind === 'validate' && c.input.data?.valid_until !== undefined) {
        token = new URLSearchParams(c.input.data).toString();
        at = c.now;
        valid = c.expect === 'ok';
      } else continue;
      const report = inspectToken(token, { secret: c.input.secret_key, now: clock(at) });
      const r = reading(report, 'ska');
      assert.ok(r, `${c.id} recognised`);
      checked++;
      assert.equal(r.verification?.valid, valid, `${c.id}: ${JSON.stringify(r.verification)}`);
      if (!valid) {
        const expected = c.reason?.includes('Invalid signature!') ? 'signature' : 'expiry';
        assert.equal(r.verification?.failed, expected, c.id);
      }
    }
    assert.ok(checked >= 12, `checked ${checked}`);
  });

  test('mod_auth_tkt: cookies as Apache decided', () => {
    interface C {
      id: string;
      kind: string;
      token: string;
      input: { secret: string; client_ip: string; ignore_ip: boolean; timeout: number };
      now?: number;
      expect: string;
      value?: { uid: string; user_data: string };
    }
    let checked = 0;
    for (const c of loadVectors<C>('mod_auth_tkt.json').cases) {
      if (c.kind === 'old_secret' || c.kind === 'required_tokens') continue;
      const report = inspectToken(c.token, {
        secret: c.input.secret,
        clientIp: c.input.ignore_ip ? undefined : c.input.client_ip,
        timeout: c.input.timeout,
        now: clock(c.now),
      });
      const r = reading(report, 'mod_auth_tkt');
      if (c.expect === 'parse_error') {
        assert.ok(r === undefined || r.verification?.failed === 'shape', c.id);
        continue;
      }
      assert.ok(r, `${c.id} recognised`);
      checked++;
      if (c.expect === 'ok') {
        assert.equal(r.verification?.valid, true, `${c.id}: ${JSON.stringify(r.verification)}`);
        assert.equal(r.unverified.user, c.value?.uid, c.id);
        assert.equal(r.unverified.userData, c.value?.user_data, c.id);
      } else {
        assert.equal(r.verification?.failed, c.expect === 'expired' ? 'expiry' : 'signature', c.id);
      }
    }
    assert.ok(checked >= 40, `checked ${checked}`);
  });

  test('ticket_auth: tickets as the Python library decided', () => {
    interface C {
      id: string;
      kind: string;
      token: string;
      input: { secret: string | null; client_ip: string | null };
      now: number;
      expect: string;
      value?: { user_id: string; tokens: string[]; user_data: string };
    }
    let checked = 0;
    for (const c of loadVectors<C>('ticket_auth.json').cases) {
      // inspect tries every hash of the digest's length: a wrong_hashalg ticket verifies with its own.
      if (c.input.secret === null || c.kind === 'wrong_hashalg') continue;
      const report = inspectToken(c.token, {
        secret: c.input.secret,
        clientIp: c.input.client_ip ?? undefined,
        now: clock(c.now),
      });
      const r = reading(report, 'ticket_auth');
      if (c.expect === 'TicketParseError') {
        assert.ok(r === undefined || r.verification?.failed === 'shape', c.id);
        continue;
      }
      checked++;
      if (c.kind === 'uppercase_time_field' || c.kind === 'uppercase_digest' || r === undefined) {
        // An uppercase digest is not a ticket_auth digest shape; the library still refuses it.
        if (c.expect === 'ok') assert.equal(r?.verification?.valid, true, c.id);
        else assert.notEqual(r?.verification?.valid, true, c.id);
        continue;
      }
      if (c.expect === 'ok') {
        assert.equal(r.verification?.valid, true, `${c.id}: ${JSON.stringify(r.verification)}`);
        assert.equal(r.unverified.user, c.value?.user_id, c.id);
        assert.deepEqual(r.unverified.tokens, c.value?.tokens, c.id);
      } else {
        assert.equal(
          r.verification?.failed,
          c.expect === 'TicketExpired' ? 'expiry' : 'signature',
          c.id,
        );
      }
    }
    assert.ok(checked >= 35, `checked ${checked}`);
  });

  test('handoff: envelopes as Ax_Handoff decided', () => {
    interface C {
      id: string;
      kind: string;
      params: { secret: string; decode_secret?: string; quirk?: boolean };
      token: string;
      expect: string;
      value?: unknown;
    }
    let checked = 0;
    for (const c of loadVectors<C>('ax_handoff.json').cases) {
      const secret = c.params.decode_secret ?? c.params.secret;
      if (!secret) continue;
      const report = inspectToken(c.token, { secret });
      const r = reading(report, 'handoff');
      if (r === undefined) {
        assert.notEqual(c.expect, 'ok', c.id);
        continue;
      }
      checked++;
      const v = r.verification;
      if (c.expect === 'ok') {
        assert.equal(v?.valid, true, `${c.id}: ${JSON.stringify(v)}`);
        if (!c.params.quirk) assert.deepEqual(v?.details?.payload, c.value, c.id);
      } else if (c.expect === 'DataTamperedError') assert.equal(v?.failed, 'signature', c.id);
      else assert.equal(v?.valid, false, c.id);
    }
    assert.ok(checked >= 35, `checked ${checked}`);
  });

  test('pytickets: tickets as pyTickets decided', () => {
    interface C {
      id: string;
      kind: string;
      token: string;
      input: { key_hex: string; session_hex: string; entropy_hex: string };
      now: number;
      expect: string;
      value?: { data_utf8?: string };
    }
    const text = (hex: string) => Buffer.from(hex, 'hex').toString('utf8');
    let checked = 0;
    for (const c of loadVectors<C>('pytickets.json').cases) {
      const report = inspectToken(c.token, {
        secret: text(c.input.key_hex),
        session: text(c.input.session_hex),
        entropy: text(c.input.entropy_hex),
        now: clock(c.now),
      });
      const r = reading(report, 'pytickets');
      if (r === undefined) {
        assert.notEqual(c.expect, 'ok', c.id);
        continue;
      }
      checked++;
      const v = r.verification;
      if (c.kind === 'valid_pickled') assert.equal(v?.failed, 'payload', c.id);
      else if (c.expect === 'ok') {
        assert.equal(v?.valid, true, `${c.id}: ${JSON.stringify(v)}`);
        if (c.value?.data_utf8 !== undefined && !r.unverified.encrypted) {
          // Data that parses as JSON is shown parsed.
          const shown = r.unverified.data;
          if (typeof shown === 'string') assert.equal(shown, c.value.data_utf8, c.id);
          else assert.deepEqual(shown, JSON.parse(c.value.data_utf8), c.id);
        }
      } else if (c.kind === 'expired') assert.equal(v?.failed, 'expiry', c.id);
      else assert.equal(v?.valid, false, c.id);
    }
    assert.ok(checked >= 40, `checked ${checked}`);
  });

  test('random junk is never recognised as valid and never throws', () => {
    for (const junk of [
      '',
      '.',
      '!',
      'XHAHX',
      'Nxz=',
      '?signature=&auth_user=&valid_until=',
      '%21',
      'a'.repeat(5000),
    ]) {
      const report = inspectToken(junk, { secret: SECRET });
      assert.notEqual(report.verified, true, junk);
    }
  });
});

describe('inspectToken (property)', () => {
  test('any text, and any one-character change of a valid token, never throws', () => {
    const tokens = CASES.map((c) => c.token);
    fc.assert(
      fc.property(
        fc.string({ maxLength: 300 }),
        fc.nat(),
        fc.integer({ min: 0, max: 127 }),
        (junk, i, code) => {
          const base = tokens[i % tokens.length] as string;
          const at = i % base.length;
          const mutated = base.slice(0, at) + String.fromCharCode(code) + base.slice(at + 1);
          for (const token of [junk, mutated]) {
            const report = inspectToken(token, { secret: SECRET, now });
            assert.equal(report.recognised, report.readings.length > 0);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  test('a secret a format cannot use is reported, not thrown', () => {
    const report = inspectToken(CASES[2]!.token, { secret: 'nul\0secret', now });
    assert.equal(report.verified, false);
    assert.match(
      reading(report, 'mod_auth_tkt')?.verification?.message ?? '',
      /cannot be a mod_auth_tkt key/,
    );
  });
});
