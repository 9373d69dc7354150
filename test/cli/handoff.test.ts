/** `tessera handoff encode` / `tessera handoff decode`, spawned as a real process. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Handoff } from '../../src/handoff/index.ts';
import { tessera } from './spawn.ts';

const SECRET = 'cli-handoff-secret-77';
const env = { TESSERA_SECRET_KEY: SECRET };

describe('tessera handoff', { concurrency: true }, () => {
  test('encode (argv) → decode: the value comes back; variant A by default', async () => {
    const enc = await tessera(
      ['handoff', 'encode', '{"uid": 42, "name": "Zoë", "big": 12345678901234567890}'],
      { env },
    );
    assert.equal(enc.code, 0);
    assert.equal(enc.stderr, '');
    const token = enc.stdout.trim();
    assert.match(token, /^XHA[A-Za-z0-9_-]{27}[A-Za-z0-9_-]+HX$/);
    assert.deepEqual(new Handoff(SECRET).decode(token), {
      uid: 42,
      name: 'Zoë',
      big: 12345678901234567890n,
    });
    const dec = await tessera(['handoff', 'decode', token], { env });
    assert.deepEqual(dec, {
      code: 0,
      stdout: '{"uid":42,"name":"Zoë","big":12345678901234567890}\n',
      stderr: '',
    });
  });

  test('variant B from stdin is byte-identical to the library (and to Python, zlib permitting)', async () => {
    const enc = await tessera(['handoff', 'encode', '--variant', 'B'], {
      env,
      input: '{"a": [1, 2.5, null]}\n',
    });
    assert.equal(
      enc.stdout,
      `${new Handoff(SECRET, { variant: 'B' }).encode({ a: [1, 2.5, null] })}\n`,
    );
    const dec = await tessera(['handoff', 'decode', '--json'], { env, input: enc.stdout });
    assert.deepEqual(JSON.parse(dec.stdout), {
      valid: true,
      variant: 'B',
      value: { a: [1, 2.5, null] },
    });
  });

  test('a Python-written token decodes (NaN as Python writes it)', async () => {
    const token = new Handoff(SECRET, { variant: 'B' }).encode({ x: Number.NaN });
    const dec = await tessera(['handoff', 'decode', token], { env });
    assert.deepEqual(dec, { code: 0, stdout: '{"x":NaN}\n', stderr: '' });
  });

  test('bad tokens: exit 1, the reason on stderr; --json says why', async () => {
    const token = new Handoff(SECRET, { variant: 'A' }).encode({ a: 1 });
    const tampered = `${token.slice(0, 40)}${token[40] === 'A' ? 'B' : 'A'}${token.slice(41)}`;
    const cases: [string[], Record<string, string>, RegExp][] = [
      [['handoff', 'decode', tampered], env, /^invalid: ERR_BAD_SIGNATURE: /],
      [
        ['handoff', 'decode', token],
        { TESSERA_SECRET_KEY: 'other' },
        /^invalid: ERR_BAD_SIGNATURE: /,
      ],
      [['handoff', 'decode', 'XHnope'], env, /^invalid: ERR_BAD_DATA: /],
      [
        ['handoff', 'decode', token, '--variants', 'B'],
        env,
        /^invalid: ERR_BAD_DATA: .*not accepted/,
      ],
    ];
    const runs = await Promise.all(cases.map(([argv, e]) => tessera(argv, { env: e })));
    for (const [i, res] of runs.entries()) {
      assert.equal(res.code, 1, cases[i]?.[0].join(' '));
      assert.equal(res.stdout, '');
      assert.match(res.stderr, cases[i]?.[2] as RegExp);
    }
    const json = await tessera(['handoff', 'decode', '--json', tampered], { env });
    assert.equal(json.code, 1);
    assert.equal(JSON.parse(json.stdout).code, 'ERR_BAD_SIGNATURE');
  });

  test('a body that inflates past --max-inflate is a BadPayload (exit 1)', async () => {
    const token = new Handoff(SECRET, { variant: 'B' }).encode({ pad: 'x'.repeat(5000) });
    const res = await tessera(['handoff', 'decode', token, '--max-inflate', '1024'], { env });
    assert.equal(res.code, 1);
    assert.match(res.stderr, /^invalid: ERR_PAYLOAD_TOO_LARGE: /);
  });

  test('usage errors: exit 2, no secret echoed', async () => {
    const cases = [
      ['handoff', 'encode', '{not json'],
      ['handoff', 'encode', '{}', '--variant', 'C'],
      ['handoff', 'decode', 'x', '--variants', 'A,Z'],
      ['handoff', 'decode', 'x', '--max-inflate', 'lots'],
      ['handoff', 'encode', '{}', 'extra'],
    ];
    const runs = await Promise.all(cases.map((argv) => tessera(argv, { env })));
    for (const [i, res] of runs.entries()) {
      assert.equal(res.code, 2, cases[i]?.join(' '));
      assert.equal(res.stdout, '');
      assert.ok(!res.stderr.includes(SECRET));
    }
    assert.equal((await tessera(['handoff', 'encode', '{}'])).code, 2);
  });
});
