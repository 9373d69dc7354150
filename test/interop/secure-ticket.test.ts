/**
 * Live interop with a Python peer, both directions. pyTickets is Python-2-only and cannot be
 * installed here, so the peer is a small Python 3 re-implementation written from the spec
 * (../shared/specs/pytickets.md §2), using the `cryptography` package for AES-256-CBC and CPython's
 * zlib (1.2.x) and pickle (protocol 0, to check that Tessera refuses it). Skips when python3 or
 * cryptography is missing.
 */
import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, test } from 'node:test';
import {
  SecureTicketService,
  TicketDigestError,
  TicketExpired,
  UnsupportedPayload,
} from '../../src/secure-ticket/index.ts';

const PEER = String.raw`
import base64, hashlib, hmac, json, pickle, struct, sys, uuid, zlib
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

PREFIX = struct.pack('<I', 0x5ec71c37)

def fix_key(k):
    while len(k) < 32:
        k += hashlib.sha256(k).digest()
    return k[:32]

def mac(key, visible, salt, session, entropy):
    part = session + salt + entropy if session else entropy
    return hmac.new(key, visible + salt + part, hashlib.sha256).digest()[:20]

def create(key, session, entropy, data, encrypt, compress, serialize, lifespan, now, salt):
    salt = salt or uuid.uuid4().bytes
    flags = (1 if serialize else 0) | (2 if compress else 0)
    if serialize:
        data = pickle.dumps(data, 0)
    if compress:
        data = zlib.compress(data)
    fields = struct.pack('<BII', flags, int(now + lifespan), len(data)) + data
    if encrypt:
        fields += b'\0' * (-len(fields) % 16)
        enc = Cipher(algorithms.AES(fix_key(key)), modes.CBC(salt)).encryptor()
        fields = enc.update(fields) + enc.finalize()
    visible = salt + struct.pack('<IB', 45 + len(fields), 1 if encrypt else 0) + fields
    return base64.b64encode(PREFIX + mac(key, visible, salt, session, entropy) + visible).decode('ascii')

def validate(key, session, entropy, token, now):
    t = base64.b64decode(token)
    if t[:4] != PREFIX: return {'valid': False, 'error': 'InvalidTicketException'}
    if struct.unpack('<I', t[40:44])[0] != len(t): return {'valid': False, 'error': 'InvalidTicketException'}
    salt = t[24:40]
    if mac(key, t[24:], salt, session, entropy) != t[4:24]: return {'valid': False, 'reason': 'hmac_mismatch'}
    body = t[45:]
    if t[44] & 1:
        dec = Cipher(algorithms.AES(fix_key(key)), modes.CBC(salt)).decryptor()
        body = dec.update(body) + dec.finalize()
    flags, valid_until, data_len = struct.unpack('<BII', body[:9])
    if valid_until < now: return {'valid': False, 'reason': 'expired'}
    data = body[9:9 + data_len]
    if flags & 2: data = zlib.decompress(data)
    return {'valid': True, 'data_hex': data.hex(), 'valid_until': valid_until, 'flags': flags}

h = bytes.fromhex
out = []
for item in json.loads(sys.stdin.read()):
    if item['op'] == 'create':
        data = item['object'] if item.get('serialize') else h(item['data_hex'])
        out.append(create(h(item['key']), h(item['session']), h(item['entropy']), data, item['encrypt'],
                          item['compress'], item.get('serialize', False), item['lifespan'], item['now'],
                          h(item['salt']) if item.get('salt') else None))
    else:
        out.append(validate(h(item['key']), h(item['session']), h(item['entropy']), item['token'], item['now']))
print(json.dumps(out))
`;

function findPython(): { python?: string; reason?: string } {
  for (const python of ['/usr/bin/python3', 'python3']) {
    if (python.startsWith('/') && !existsSync(python)) continue;
    const probe = spawnSync(python, ['-c', 'import cryptography, zlib, json'], {
      encoding: 'utf8',
    });
    if (probe.error === undefined && probe.status === 0) return { python };
    if (probe.error === undefined) return { reason: `${python} lacks the cryptography package` };
  }
  return { reason: 'python3 is not installed' };
}

const { python, reason } = findPython();

function peer<T>(items: object[]): T[] {
  const run = spawnSync(python as string, ['-c', PEER], {
    input: JSON.stringify(items),
    encoding: 'utf8',
  });
  assert.equal(run.status, 0, run.stderr);
  return JSON.parse(run.stdout) as T[];
}

const hex = (b: string | Uint8Array): string => Buffer.from(b).toString('hex');
const NOW = 1_700_000_000;

interface Setup {
  key: Uint8Array | string;
  session: string;
  entropy: string;
  encrypt: boolean;
  compress: boolean;
  data: Uint8Array;
}

const KEYS: (Uint8Array | string)[] = [
  'k',
  'dev key',
  SecureTicketService.createRandomKey(),
  'q'.repeat(40),
];
const u8 = (text: string): Uint8Array => new Uint8Array(Buffer.from(text));
const DATA: Uint8Array[] = [
  new Uint8Array(0),
  u8('hello'),
  u8('QQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQ'),
  Uint8Array.from({ length: 300 }, (_, i) => (i * 37) & 0xff),
  u8('{"uid": 42, "scopes": ["read", "write"]}'.repeat(50)),
];
const SETUPS: Setup[] = [];
for (const key of KEYS) {
  for (const [encrypt, compress] of [
    [false, false],
    [true, false],
    [false, true],
    [true, true],
  ] as const) {
    for (const [i, data] of DATA.entries()) {
      SETUPS.push({
        key,
        session: i % 2 ? 'web-1' : '',
        entropy: i % 3 ? 'form-7' : '',
        encrypt,
        compress,
        data,
      });
    }
  }
}

function service(s: Setup, now = NOW): SecureTicketService {
  return new SecureTicketService(s.key, {
    session: s.session,
    encrypt: s.encrypt,
    compress: s.compress,
    now: () => now * 1000,
  });
}

describe('secure tickets ↔ Python peer', { skip: python === undefined ? reason : false }, () => {
  test('Tessera creates, Python validates and reads', () => {
    const tokens = SETUPS.map((s) =>
      service(s).createTicket(s.data, { entropy: s.entropy }).toBase64(),
    );
    const results = peer<{ valid: boolean; data_hex?: string; valid_until?: number }>(
      SETUPS.map((s, i) => ({
        op: 'validate',
        key: hex(s.key),
        session: hex(s.session),
        entropy: hex(s.entropy),
        token: tokens[i],
        now: NOW + 1200,
      })),
    );
    results.forEach((r, i) => {
      const s = SETUPS[i] as Setup;
      assert.equal(r.valid, true, `setup ${i}`);
      assert.equal(r.data_hex, hex(s.data));
      assert.equal(r.valid_until, NOW + 1200);
    });
    // ...and Python agrees on a wrong entropy and on expiry
    const s = SETUPS[7] as Setup;
    const [wrong, expired] = peer<{ valid: boolean; reason: string }>([
      {
        op: 'validate',
        key: hex(s.key),
        session: hex(s.session),
        entropy: hex('other'),
        token: tokens[7],
        now: NOW,
      },
      {
        op: 'validate',
        key: hex(s.key),
        session: hex(s.session),
        entropy: hex(s.entropy),
        token: tokens[7],
        now: NOW + 1201,
      },
    ]);
    assert.deepEqual([wrong?.reason, expired?.reason], ['hmac_mismatch', 'expired']);
  });

  test('Python creates, Tessera validates and reads; byte-exact with the same salt', () => {
    const salt = '00112233445566778899aabbccddeeff';
    const items = SETUPS.flatMap((s) => {
      const base = {
        op: 'create',
        key: hex(s.key),
        session: hex(s.session),
        entropy: hex(s.entropy),
        data_hex: hex(s.data),
        encrypt: s.encrypt,
        compress: s.compress,
        lifespan: 1200,
        now: NOW + 0.75,
      };
      return [base, { ...base, salt }];
    });
    const tokens = peer<string>(items);
    tokens.forEach((token, j) => {
      const s = SETUPS[j >> 1] as Setup;
      const svc = service(s, NOW + 1200);
      assert.ok(svc.validateTicket(token, { entropy: s.entropy }), `setup ${j}`);
      const opened = svc.openTicket(token, { entropy: s.entropy });
      assert.deepEqual(opened.data, s.data);
      assert.equal(opened.validUntil, NOW + 1200);
      assert.deepEqual(opened.flags, {
        encrypt: s.encrypt,
        compress: s.compress,
        serialize: false,
      });
      assert.throws(
        () => service(s, NOW + 1201).openTicket(token, { entropy: s.entropy }),
        TicketExpired,
      );
      assert.throws(() => svc.openTicket(token, { entropy: `${s.entropy}x` }), TicketDigestError);
      if (j % 2 === 1) {
        // same salt, clock and inputs: the same bytes (zlib level 6 matches CPython's below 16 KB)
        const mine = new SecureTicketService(s.key, {
          session: s.session,
          encrypt: s.encrypt,
          compress: s.compress,
          now: () => (NOW + 0.75) * 1000,
          random: () => Buffer.from(salt, 'hex'),
        }).createTicket(s.data, { entropy: s.entropy });
        assert.equal(mine.toBase64(), token, `setup ${j >> 1} byte-exact`);
      }
    });
  });

  test('JSON mode is compact JSON text to Python', () => {
    const json = new SecureTicketService('dev key', {
      serialize: 'json',
      encrypt: true,
      now: () => NOW * 1000,
    });
    const token = json.createTicket({ uid: 42, name: 'é' }).toBase64();
    const [r] = peer<{ valid: boolean; data_hex: string }>([
      { op: 'validate', key: hex('dev key'), session: '', entropy: '', token, now: NOW },
    ]);
    assert.equal(Buffer.from(r?.data_hex ?? '', 'hex').toString(), '{"uid":42,"name":"é"}');
  });

  test('a pickled Python ticket is genuine but refused with UnsupportedPayload', () => {
    const [token] = peer<string>([
      {
        op: 'create',
        key: hex('dev key'),
        session: '',
        entropy: '',
        object: ['asd', 123, true, null, ['yay']],
        serialize: true,
        encrypt: false,
        compress: false,
        lifespan: 1200,
        now: NOW,
      },
    ]);
    const svc = new SecureTicketService('dev key', { now: () => NOW * 1000 });
    assert.equal(svc.validateTicket(token as string), true);
    assert.throws(
      () => svc.getData(token as string),
      (e: unknown) => e instanceof UnsupportedPayload && /pickle/.test(e.message),
    );
  });
});
