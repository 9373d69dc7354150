import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { describe, test } from 'node:test';
import { apacheClientIp, parseIPv4, parseIPv6, versionedIp } from '../../src/tkt/ip.ts';

const hex = (b: Uint8Array | undefined) =>
  b === undefined ? undefined : Buffer.from(b).toString('hex');

// [text, ip.version, ip.packed.hex()] from CPython 3.11's ipaddress.ip_address.
const PYTHON: [string, number, string][] = [
  ['::', 6, '00000000000000000000000000000000'],
  ['::1', 6, '00000000000000000000000000000001'],
  ['1::', 6, '00010000000000000000000000000000'],
  ['2001:db8::1', 6, '20010db8000000000000000000000001'],
  ['2001:DB8:85a3::8a2e:370:7334', 6, '20010db885a3000000008a2e03707334'],
  ['::ffff:1.2.3.4', 6, '00000000000000000000ffff01020304'],
  ['::1.2.3.4', 6, '00000000000000000000000001020304'],
  ['1:2:3:4:5:6:7::', 6, '00010002000300040005000600070000'],
  ['1:2:3:4:5:6:7:8', 6, '00010002000300040005000600070008'],
  ['fe80::1%eth0', 6, 'fe800000000000000000000000000001'],
  ['0:0:0:0:0:ffff:7f00:1', 6, '00000000000000000000ffff7f000001'],
  ['1:2:3:4:5:6:1.2.3.4', 6, '00010002000300040005000601020304'],
  ['10.1.1.1', 4, '0a010101'],
  ['0.0.0.0', 4, '00000000'],
];
// Rejected by ipaddress.ip_address.
const INVALID = [
  '1:2:3:4:5:6:7:8:9',
  '1::2::3',
  ':1::',
  '1:2:3:4:5:6:7',
  '12345::',
  '::ffff:1.2.3',
  '::ffff:01.2.3.4',
  '010.1.1.1',
  '1.2.3.256',
  '1.2.3',
  'fe80::1%',
  'g::1',
  '::1.2.3.4:5',
  '1:2:3:4:5:6:7::8',
  '',
  ' 1.2.3.4',
  '1.2.3.4.',
  'localhost',
];

describe('IP parsing', () => {
  test('versionedIp agrees with Python ipaddress (version byte + packed)', () => {
    for (const [text, version, packed] of PYTHON) {
      assert.equal(hex(versionedIp(text)), version.toString(16).padStart(2, '0') + packed, text);
    }
    for (const text of INVALID) assert.equal(versionedIp(text), undefined, text);
  });

  test('parseIPv4 / parseIPv6 take only their own family', () => {
    assert.equal(parseIPv4('255.255.255.255'), 0xffffffff);
    assert.equal(parseIPv4('1.2.3.4'), 0x01020304);
    assert.equal(parseIPv6('1.2.3.4'), undefined);
    assert.equal(parseIPv4('::1'), undefined);
    assert.equal(parseIPv6('::1%a%b'), undefined);
  });

  test('apacheClientIp: IPv4 (also IPv4-mapped); never IPv6 or 255.255.255.255', () => {
    assert.equal(apacheClientIp('127.0.0.1'), 0x7f000001);
    assert.equal(apacheClientIp('::ffff:127.0.0.1'), 0x7f000001);
    assert.equal(apacheClientIp('::FFFF:7f00:1'), 0x7f000001);
    assert.equal(apacheClientIp('0.0.0.0'), 0);
    for (const text of [
      '::1',
      '2001:db8::1',
      '255.255.255.255',
      '::ffff:255.255.255.255',
      'x',
      '',
    ]) {
      assert.equal(apacheClientIp(text), undefined, text);
    }
  });
});
