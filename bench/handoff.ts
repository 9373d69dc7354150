/**
 * Encrypted envelopes (issue 5; perf-notes.md T5, T6): Ax_Handoff A and B, and pyTickets-style
 * secure tickets with and without encryption, each beside a raw node:crypto floor of the same
 * construction, and the encrypted paths beside @hapi/iron (password mode and a Buffer key) and
 * jose JWE `dir` A256GCM (CryptoKey), both awaited one at a time. Every subject does the same job
 * on the same object: JSON → token → JSON.
 */
import { Buffer } from 'node:buffer';
import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  createSecretKey,
  randomBytes,
  timingSafeEqual,
} from 'node:crypto';
import { deflateSync, inflateSync } from 'node:zlib';
import * as Iron from '@hapi/iron';
import * as jose from 'jose';
import { Handoff } from '../src/handoff/index.ts';
import { SecureTicketService } from '../src/secure-ticket/index.ts';
import type { BenchCase, BenchGroup } from './harness.ts';
import { payloads } from './harness.ts';

const SECRET = 'bench-secret-key-0123456789abcdef';
const NOW = 1_700_000_100_000;

interface Subject {
  name: string;
  encode: (obj: unknown) => string;
  decode: (token: string) => unknown;
  floor?: boolean;
}

interface AsyncSubject {
  name: string;
  encode: (obj: Record<string, unknown>) => Promise<string>;
  decode: (token: string) => Promise<unknown>;
}

/** Ax_Handoff the plain node:crypto way: JSON.stringify, zlib level 9, randomBytes IV. */
function rawHandoff(variant: 'A' | 'B'): Omit<Subject, 'name'> {
  const secret = Buffer.from(SECRET);
  const hmacKey = createSecretKey(createHash('sha512').update(secret).digest());
  const aesKey = createHash('sha256').update(secret).digest().subarray(0, 16);
  return {
    encode: (obj) => {
      const z = deflateSync(Buffer.from(JSON.stringify(obj)), { level: 9 });
      let body: string;
      if (variant === 'A') {
        const iv = randomBytes(16);
        const c = createCipheriv('aes-128-cbc', aesKey, iv);
        body = Buffer.concat([iv, c.update(z), c.final()]).toString('base64url');
      } else {
        body = z.toString('base64url');
      }
      const mac = createHmac('sha1', hmacKey).update(body).digest('base64url');
      return `XH${variant}${mac}${body}HX`;
    },
    decode: (token) => {
      const body = token.slice(30, -2);
      const mac = createHmac('sha1', hmacKey).update(body).digest();
      const header = Buffer.from(token.slice(3, 30), 'base64url');
      if (header.length !== mac.length || !timingSafeEqual(header, mac)) throw new Error('bad');
      const raw = Buffer.from(body, 'base64url');
      let z = raw;
      if (variant === 'A') {
        const d = createDecipheriv('aes-128-cbc', aesKey, raw.subarray(0, 16));
        z = Buffer.concat([d.update(raw.subarray(16)), d.final()]);
      }
      return JSON.parse(inflateSync(z).toString('utf8'));
    },
  };
}

/** A pyTickets ticket the plain node:crypto way (same layout, randomBytes salt, base64 text). */
function rawTicket(encrypt: boolean): Omit<Subject, 'name'> {
  const key = Buffer.from(SECRET);
  const hmacKey = createSecretKey(key);
  const aesKey = key.subarray(0, 32);
  const mac = (t: Buffer): Buffer =>
    createHmac('sha256', hmacKey).update(t.subarray(24)).update(t.subarray(24, 40)).digest();
  return {
    encode: (obj) => {
      const data = Buffer.from(JSON.stringify(obj));
      const fields = Buffer.alloc(
        encrypt ? Math.ceil((9 + data.length) / 16) * 16 : 9 + data.length,
      );
      fields.writeUInt32LE(Math.trunc(NOW / 1000) + 1200, 1);
      fields.writeUInt32LE(data.length, 5);
      data.copy(fields, 9);
      const salt = randomBytes(16);
      const head = Buffer.alloc(45);
      head.writeUInt32LE(0x5ec71c37, 0);
      salt.copy(head, 24);
      head.writeUInt32LE(45 + fields.length, 40);
      head[44] = encrypt ? 1 : 0;
      const body = encrypt
        ? createCipheriv('aes-256-cbc', aesKey, salt).setAutoPadding(false).update(fields)
        : fields;
      const t = Buffer.concat([head, body]);
      mac(t).copy(t, 4, 0, 20);
      return t.toString('base64');
    },
    decode: (token) => {
      const t = Buffer.from(token, 'base64');
      if (t.readUInt32LE(0) !== 0x5ec71c37 || t.readUInt32LE(40) !== t.length)
        throw new Error('bad');
      if (!timingSafeEqual(mac(t).subarray(0, 20), t.subarray(4, 24))) throw new Error('bad');
      let plain = t.subarray(45);
      if (t[44] === 1) {
        plain = createDecipheriv('aes-256-cbc', aesKey, t.subarray(24, 40))
          .setAutoPadding(false)
          .update(plain);
      }
      if (plain.readUInt32LE(1) < NOW / 1000) throw new Error('expired');
      return JSON.parse(plain.subarray(9, 9 + plain.readUInt32LE(5)).toString('utf8'));
    },
  };
}

async function encryptedPeers(): Promise<AsyncSubject[]> {
  const ironKey = Buffer.from(SECRET).subarray(0, 32); // a 32-byte Buffer: iron skips key derivation
  const jweKey = await crypto.subtle.importKey(
    'raw',
    Buffer.from(SECRET).subarray(0, 32),
    'AES-GCM',
    false,
    ['encrypt', 'decrypt'],
  );
  const enc = new TextEncoder();
  const dec = new TextDecoder();
  return [
    {
      name: '@hapi/iron (password: 2 × PBKDF2 per call)',
      encode: (obj) => Iron.seal(obj, SECRET, Iron.defaults),
      decode: (t) => Iron.unseal(t, SECRET, Iron.defaults),
    },
    {
      name: '@hapi/iron (Buffer key)',
      encode: (obj) => Iron.seal(obj, ironKey, Iron.defaults),
      decode: (t) => Iron.unseal(t, ironKey, Iron.defaults),
    },
    {
      name: 'jose JWE dir A256GCM (CryptoKey)',
      encode: (obj) =>
        new jose.CompactEncrypt(enc.encode(JSON.stringify(obj)))
          .setProtectedHeader({ alg: 'dir', enc: 'A256GCM' })
          .encrypt(jweKey),
      decode: async (t) => JSON.parse(dec.decode((await jose.compactDecrypt(t, jweKey)).plaintext)),
    },
  ];
}

function ticketSubject(name: string, encrypt: boolean, json: boolean): Subject {
  const options = { encrypt, now: () => NOW };
  if (json) {
    const s = new SecureTicketService(SECRET, { ...options, serialize: 'json' });
    return { name, encode: (o) => s.createTicket(o).toBase64(), decode: (t) => s.getData(t) };
  }
  const s = new SecureTicketService(SECRET, { ...options, serialize: 'text' });
  return {
    name,
    encode: (o) => s.createTicket(JSON.stringify(o)).toBase64(),
    decode: (t) => JSON.parse(s.getData(t)),
  };
}

function groupsFor(
  title: string,
  sync: Subject[],
  async: AsyncSubject[],
  obj: Record<string, unknown>,
): Promise<BenchGroup[]> {
  const ops = ['encode', 'decode', 'round trip'] as const;
  return Promise.all(
    ops.map(async (op) => {
      const cases: BenchCase[] = sync.map((s) => {
        const token = s.encode(obj);
        const fn =
          op === 'encode'
            ? () => s.encode(obj)
            : op === 'decode'
              ? () => s.decode(token)
              : () => s.decode(s.encode(obj));
        return { name: s.name, fn, floor: s.floor === true, bytes: token.length };
      });
      for (const a of async) {
        const token = await a.encode(obj);
        const run =
          op === 'encode'
            ? () => a.encode(obj)
            : op === 'decode'
              ? () => a.decode(token)
              : async () => a.decode(await a.encode(obj));
        cases.push({
          name: `${a.name}, awaited one at a time`,
          fn: () => undefined,
          async: run,
          inFlight: 1,
          bytes: token.length,
        });
      }
      return { title: `${title} — ${op}`, cases };
    }),
  );
}

/** Handoff A/B and secure-ticket groups for both payloads. */
export async function groups(): Promise<BenchGroup[]> {
  const peers = await encryptedPeers();
  const handoffA = new Handoff(SECRET, { variant: 'A' });
  const handoffB = new Handoff(SECRET, { variant: 'B' });
  const out: BenchGroup[] = [];
  for (const [label, obj] of Object.entries(payloads())) {
    out.push(
      ...(await groupsFor(
        `handoff A — ${label} payload`,
        [
          {
            name: 'raw floor: JSON → zlib 9 → AES-128-CBC (randomBytes IV) → HMAC-SHA1',
            floor: true,
            ...rawHandoff('A'),
          },
          {
            name: 'Tessera Handoff A',
            encode: (o) => handoffA.encode(o),
            decode: (t) => handoffA.decode(t),
          },
        ],
        peers,
        obj,
      )),
      ...(await groupsFor(
        `handoff B — ${label} payload`,
        [
          { name: 'raw floor: JSON → zlib 9 → HMAC-SHA1', floor: true, ...rawHandoff('B') },
          {
            name: 'Tessera Handoff B',
            encode: (o) => handoffB.encode(o),
            decode: (t) => handoffB.decode(t),
          },
        ],
        [],
        obj,
      )),
      ...(await groupsFor(
        `secure ticket, plain — ${label} payload`,
        [
          {
            name: 'raw floor: ticket layout → HMAC-SHA256 → base64',
            floor: true,
            ...rawTicket(false),
          },
          ticketSubject('Tessera SecureTicketService (JSON.stringify text)', false, false),
          ticketSubject("Tessera SecureTicketService serialize: 'json'", false, true),
        ],
        [],
        obj,
      )),
      ...(await groupsFor(
        `secure ticket, encrypted — ${label} payload`,
        [
          {
            name: 'raw floor: ticket layout → AES-256-CBC (randomBytes salt) → HMAC-SHA256 → base64',
            floor: true,
            ...rawTicket(true),
          },
          ticketSubject('Tessera SecureTicketService encrypt (JSON.stringify text)', true, false),
          ticketSubject("Tessera SecureTicketService encrypt, serialize: 'json'", true, true),
        ],
        peers,
        obj,
      )),
    );
  }
  return out;
}
