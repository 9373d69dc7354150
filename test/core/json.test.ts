import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  compactJson,
  JsonSyntaxError,
  parseJson,
  pyDumps,
  pyFloatRepr,
  pyString,
} from '../../src/core/json.ts';

describe('parseJson', () => {
  test('parses standard JSON', () => {
    assert.deepEqual(parseJson('{"a":[1,2.5,"x",null,true]}'), { a: [1, 2.5, 'x', null, true] });
  });
  test("accepts Python's NaN / Infinity literals", () => {
    assert.deepEqual(parseJson('[NaN, -Infinity, Infinity, {"k": NaN}]'), [
      NaN,
      -Infinity,
      Infinity,
      { k: NaN },
    ]);
  });
  test('drops __proto__ keys so merging cannot pollute prototypes', () => {
    const v = parseJson('{"__proto__": {"polluted": 1}, "a": {"__proto__": {"x": 1}}}') as Record<
      string,
      unknown
    >;
    assert.equal(Object.hasOwn(v, '__proto__'), false);
    assert.equal(Object.hasOwn(v.a as object, '__proto__'), false);
    const merged = Object.assign({}, v);
    assert.equal((merged as { polluted?: number }).polluted, undefined);
    const v2 = parseJson('{"__proto__": {"polluted": 1}, "n": NaN}') as Record<string, unknown>;
    assert.equal(Object.hasOwn(v2, '__proto__'), false);
  });
  test('rejects invalid text with JsonSyntaxError only', () => {
    for (const bad of [
      '',
      '{',
      '[1,]',
      'NaN NaN',
      '{"a" NaN}',
      '[Infinity',
      '"\\x"NaN',
      '[01, NaN]',
      'nan',
    ]) {
      assert.throws(() => parseJson(bad), JsonSyntaxError, bad);
    }
  });
  test('exactIntegers: unsafe integer literals become bigint, floats stay numbers', () => {
    assert.deepEqual(
      parseJson('[9007199254740993, 1.5e300, -12345678901234567890, 1]', { exactIntegers: true }),
      [9007199254740993n, 1.5e300, -12345678901234567890n, 1],
    );
    assert.deepEqual(parseJson('[9007199254740993]'), [9007199254740992]);
    assert.deepEqual(
      parseJson('{"__proto__": 1, "n": 12345678901234567890}', { exactIntegers: true }),
      {
        n: 12345678901234567890n,
      },
    );
    assert.throws(
      () => parseJson('[12345678901234567890,]', { exactIntegers: true }),
      JsonSyntaxError,
    );
  });
  test('deep nesting fails cleanly', () => {
    assert.throws(() => parseJson(`${'['.repeat(5000)}NaN${']'.repeat(5000)}`), JsonSyntaxError);
  });
  test('property: any JSON text round-trips; junk only throws JsonSyntaxError', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) =>
        assert.deepEqual(
          parseJson(JSON.stringify(v)),
          JSON.parse(JSON.stringify(v), (k, x) => (k === '__proto__' ? undefined : x)),
        ),
      ),
    );
    fc.assert(
      fc.property(fc.string(), (s) => {
        try {
          parseJson(s);
        } catch (err) {
          assert.ok(err instanceof JsonSyntaxError);
        }
      }),
    );
  });
});

describe('pyDumps', () => {
  test("writes Python's defaults", () => {
    assert.equal(pyDumps({ a: 'é', b: [1, 2.5] }), '{"a": "\\u00e9", "b": [1, 2.5]}');
    assert.equal(pyDumps('a\x7f\u2028\x01é😀/'), '"a\\u007f\\u2028\\u0001\\u00e9\\ud83d\\ude00/"');
    assert.equal(pyDumps('a\x7f\u2028\x01é', { ensureAscii: false }), '"a\x7f\u2028\\u0001é"');
    assert.equal(
      pyDumps([1e16, 1e-5, 1.5e300, 0.1, 123456789012345.6, 1e15 + 0.5, NaN, 2n ** 70n]),
      '[1e+16, 1e-05, 1.5e+300, 0.1, 123456789012345.6, 1000000000000000.5, NaN, 1180591620717411303424]',
    );
    assert.equal(
      pyDumps({ b: 1, a: { d: 1, c: 2 } }, { sortKeys: true, separators: [',', ':'] }),
      '{"a":{"c":2,"d":1},"b":1}',
    );
    assert.equal(
      pyDumps(
        new Map<string, number>([
          ['2', 1],
          ['1', 2],
        ]),
      ),
      '{"2": 1, "1": 2}',
    );
    assert.equal(pyDumps([undefined, () => 1]), '[null, null]');
    assert.equal(pyDumps({ u: undefined, d: new Date(0) }), '{"d": "1970-01-01T00:00:00.000Z"}');
    assert.equal(pyDumps('\b\f\n\r\t"\\'), '"\\b\\f\\n\\r\\t\\"\\\\"');
  });
  test('refuses what Python refuses', () => {
    const cyclic: unknown[] = [];
    cyclic.push(cyclic);
    assert.throws(() => pyDumps(cyclic), TypeError);
    assert.throws(() => pyDumps(undefined), TypeError);
    assert.throws(() => pyDumps(NaN, { allowNan: false }), RangeError);
  });
  test('float repr', () => {
    assert.equal(pyFloatRepr(0.5), '0.5');
    assert.equal(pyFloatRepr(-0), '-0.0');
    assert.equal(pyFloatRepr(0), '0.0');
    assert.equal(pyFloatRepr(1e-7), '1e-07');
    assert.equal(pyFloatRepr(-1.25e-10), '-1.25e-10');
    assert.equal(pyFloatRepr(1e22), '1e+22');
    assert.equal(pyFloatRepr(123.0), '123.0');
    assert.equal(pyFloatRepr(0.0001), '0.0001');
  });
  test('compactJson matches Python compact output, fast path and exact path', () => {
    assert.equal(compactJson({ a: [1, 'é'], b: null }), '{"a":[1,"é"],"b":null}');
    assert.equal(compactJson([1e-5, 1e21, NaN, 2 ** 53 + 2]), '[1e-05,1e+21,NaN,9007199254740994]');
    assert.equal(compactJson(10n), '10');
    assert.equal(compactJson([2 ** 60, 1e-5]), '[1152921504606846976,1e-05]');
    assert.equal(pyDumps([2 ** 60, 2 ** 53 - 1]), '[1.152921504606847e+18, 9007199254740991]');
    assert.equal(compactJson({ t: 'e+' }), '{"t":"e+"}');
    assert.throws(() => compactJson(undefined), TypeError);
    assert.equal(pyString('plain', true), '"plain"');
  });
  const python = '/usr/bin/python3';
  test('agrees with CPython json.dumps on random values', {
    skip: !existsSync(python) && 'no python3',
  }, () => {
    const values = fc
      .sample(fc.jsonValue({ maxDepth: 3 }), 200)
      .map((v) => JSON.parse(JSON.stringify(v)) as unknown);
    const floats = fc
      .sample(fc.double({ noNaN: true, noDefaultInfinity: true }), 300)
      .filter((x) => !Number.isInteger(x));
    const script =
      'import json,sys\nd=json.load(sys.stdin)\nprint(json.dumps([[json.dumps(v), json.dumps(v, separators=(",",":"), ensure_ascii=False, sort_keys=True)] for v in d["values"]] + [[json.dumps(x), ""] for x in d["floats"]]))';
    const r = spawnSync(python, ['-c', script], {
      input: pyDumps({ values, floats }),
      encoding: 'utf8',
    });
    assert.equal(r.status, 0, r.stderr);
    const expected = JSON.parse(r.stdout) as [string, string][];
    values.forEach((v, i) => {
      const [a, b] = expected[i] as [string, string];
      // Python reads what pyDumps wrote (floats as floats), then writes it back.
      assert.equal(pyDumps(v), a);
      assert.equal(pyDumps(v, { separators: [',', ':'], ensureAscii: false, sortKeys: true }), b);
    });
    floats.forEach((x, i) => {
      assert.equal(pyDumps(x), (expected[values.length + i] as [string, string])[0]);
    });
  });
});
