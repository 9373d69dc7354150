/**
 * Auth tickets (perf-notes.md T3): mod_auth_tkt `create`/`validate` and ticket_auth
 * `new`/`validate`, beside a raw node:crypto floor that does the same double hash and builds or
 * reads the same ticket (one-shot `crypto.hash`), and the `createHash` shape perf-notes measured.
 * The ticket carries uid `user-12345`, tokens `admin,staff` and the small payload's JSON (95 B)
 * as user data. Every subject's output is checked against the floor's before timing.
 */
import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import * as crypto from 'node:crypto';
import { AuthTicket, TicketFactory } from '../src/tkt/index.ts';
import type { BenchCase, BenchGroup } from './harness.ts';
import { payloads } from './harness.ts';

const SECRET = 'bench-secret-key-0123456789abcdef';
const SECRET_BYTES = Buffer.from(SECRET);
const UID = 'user-12345';
const TOKENS = ['admin', 'staff'];
const DATA = JSON.stringify(payloads().small);
const TS = 1_700_000_000;
const CLIENT_IP = '203.0.113.7';
const now = () => (TS + 10) * 1000;

type Hash = (alg: string, data: string | Uint8Array, enc: 'hex' | 'buffer') => string | Buffer;
const oneShot: Hash = (crypto as unknown as { hash: Hash }).hash;
const viaCreateHash: Hash = (alg, data, enc) => {
  const h = crypto.createHash(alg).update(data);
  return enc === 'hex' ? h.digest('hex') : h.digest();
};

/** Raw mod_auth_tkt: digest = H(H(ip‖ts‖secret‖uid\0tokens\0data) hex ‖ secret) hex; cookie = base64. */
function rawModAuthTkt(alg: string, hash: Hash) {
  const hexLength = (hash(alg, '', 'hex') as string).length;
  const ip = Buffer.from(CLIENT_IP.split('.').map(Number));
  const create = (): string => {
    const head = Buffer.allocUnsafe(8);
    ip.copy(head);
    head.writeUInt32BE(TS, 4);
    const tokens = TOKENS.join(',');
    const data0 = Buffer.concat([head, SECRET_BYTES, Buffer.from(`${UID}\0${tokens}\0${DATA}`)]);
    const digest = hash(alg, `${hash(alg, data0, 'hex')}${SECRET}`, 'hex');
    return Buffer.from(`${digest}${TS.toString(16)}${UID}!${tokens}!${DATA}`).toString('base64');
  };
  const validate = (cookie: string) => {
    const t = Buffer.from(cookie, 'base64');
    const start = hexLength + 8;
    const s1 = t.indexOf(0x21, start);
    const s2 = t.indexOf(0x21, s1 + 1);
    const ts = Number.parseInt(t.toString('latin1', hexLength, start), 16);
    const body = Buffer.from(t.subarray(start));
    body[s1 - start] = 0;
    body[s2 - start] = 0;
    const head = Buffer.allocUnsafe(8);
    ip.copy(head);
    head.writeUInt32BE(ts, 4);
    const data0 = Buffer.concat([head, SECRET_BYTES, body]);
    const digest = Buffer.from(
      hash(alg, `${hash(alg, data0, 'hex')}${SECRET}`, 'hex') as string,
      'latin1',
    );
    if (!crypto.timingSafeEqual(digest, t.subarray(0, hexLength))) throw new Error('bad digest');
    if (ts + 7200 < Math.floor(now() / 1000)) throw new Error('expired');
    return {
      uid: t.toString('utf8', start, s1),
      tokens: t.toString('utf8', s1 + 1, s2).split(','),
      userData: t.toString('utf8', s2 + 1),
      ts,
    };
  };
  return { create, validate };
}

/** Python's quote(safe='/') and unquote for these ASCII fields, via the URI functions. */
const quote = (s: string) =>
  encodeURIComponent(s)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replaceAll('%2F', '/');

/** Raw ticket_auth: h0 = H(4‖ip‖valid_until‖secret‖quoted fields); digest = H(h0 ‖ secret) hex. */
function rawTicketAuth(alg: string, hash: Hash) {
  const size = (hash(alg, '', 'buffer') as Buffer).length;
  const ip = Buffer.from([4, ...CLIENT_IP.split('.').map(Number)]);
  const validUntil = TS + 120;
  const digestOf = (vu: number, uid: string, tokens: string, data: string) => {
    const head = Buffer.allocUnsafe(4);
    head.writeUInt32BE(vu);
    const data0 = Buffer.concat([
      ip,
      head,
      SECRET_BYTES,
      Buffer.from(`${uid}\0${tokens}\0${data}`),
    ]);
    const h0 = hash(alg, data0, 'buffer') as Buffer;
    return hash(alg, Buffer.concat([h0, SECRET_BYTES]), 'hex') as string;
  };
  const create = (): string => {
    const uid = quote(UID);
    const tokens = TOKENS.map(quote).join(',');
    const data = quote(DATA);
    return `${digestOf(validUntil, uid, tokens, data)}${validUntil.toString(16)}${uid}!${tokens}!${data}`;
  };
  const validate = (ticket: string) => {
    const d = 2 * size;
    const vu = Number.parseInt(ticket.slice(d, d + 8), 16);
    const [u, t, x] = ticket.slice(d + 8).split('!') as [string, string, string];
    const userId = decodeURIComponent(u);
    const tokens = t ? t.split(',').map(decodeURIComponent) : [];
    const userData = decodeURIComponent(x);
    const expected = digestOf(vu, quote(userId), tokens.map(quote).join(','), quote(userData));
    const given = ticket.slice(0, d);
    if (!crypto.timingSafeEqual(Buffer.from(expected, 'latin1'), Buffer.from(given, 'latin1'))) {
      throw new Error('bad digest');
    }
    if (vu <= now() / 1000) throw new Error('expired');
    return { digest: given, userId, tokens, userData, validUntil: vu };
  };
  return { create, validate };
}

interface Subject {
  name: string;
  create: () => string;
  validate: (token: string) => unknown;
  floor?: boolean;
}

function pair(title: string, subjects: Subject[]): BenchGroup[] {
  const reference = subjects.find((s) => s.floor) as Subject;
  const token = reference.create();
  for (const s of subjects) {
    assert.equal(s.create(), token, `${s.name} writes the floor's ticket`);
    assert.deepEqual(
      JSON.parse(JSON.stringify(s.validate(token))),
      JSON.parse(JSON.stringify(reference.validate(token))),
      `${s.name} reads what the floor reads`,
    );
  }
  const group = (op: 'create' | 'validate'): BenchGroup => ({
    title: `${title} — ${op}`,
    cases: subjects.map(
      (s): BenchCase => ({
        name: s.name,
        fn: op === 'create' ? s.create : () => s.validate(token),
        floor: s.floor === true,
        bytes: token.length,
      }),
    ),
  });
  return [group('create'), group('validate')];
}

export function groups(): BenchGroup[] {
  const out: BenchGroup[] = [];
  for (const digest of ['md5', 'sha256'] as const) {
    const tkt = new AuthTicket({ secret: SECRET, digest, now });
    const fields = { uid: UID, ip: CLIENT_IP, ts: TS, tokens: TOKENS, userData: DATA };
    const floor = rawModAuthTkt(digest, oneShot);
    const shape = rawModAuthTkt(digest, viaCreateHash);
    const strip = ({
      uid,
      tokens,
      userData,
      ts,
    }: {
      uid: string;
      tokens: string[];
      userData: string;
      ts: number;
    }) => ({ uid, tokens, userData, ts });
    out.push(
      ...pair(`tkt — mod_auth_tkt ${digest} (cookie)`, [
        { name: `raw floor: double ${digest}, crypto.hash one-shot`, floor: true, ...floor },
        { name: `raw mod_auth_tkt shape, createHash`, ...shape },
        {
          name: 'Tessera AuthTicket',
          create: () => tkt.cookieValue(tkt.create(fields)),
          validate: (c) => strip(tkt.validate(c, { clientIp: CLIENT_IP })),
        },
      ]),
    );
  }
  for (const hashalg of ['sha512', 'sha256'] as const) {
    const factory = new TicketFactory(SECRET, { hashalg, now });
    const options = { tokens: TOKENS, userData: DATA, validUntil: TS + 120, clientIp: CLIENT_IP };
    out.push(
      ...pair(`tkt — ticket_auth ${hashalg}`, [
        {
          name: `raw floor: double ${hashalg}, crypto.hash one-shot`,
          floor: true,
          ...rawTicketAuth(hashalg, oneShot),
        },
        { name: 'raw ticket_auth shape, createHash', ...rawTicketAuth(hashalg, viaCreateHash) },
        {
          name: 'Tessera TicketFactory',
          create: () => factory.new(UID, options),
          validate: (t) => factory.validate(t, { clientIp: CLIENT_IP }),
        },
      ]),
    );
  }
  return out;
}
