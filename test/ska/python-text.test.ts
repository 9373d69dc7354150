import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  codePointCompare,
  jsDump,
  pyFloat,
  pyFloatStr,
  pyInt,
  pyRepr,
  pyReprBytes,
  pyReprStr,
  pyStr,
  UnsupportedValue,
} from '../../src/ska/python-text.ts';
import { jsQuote, NotUtf8, pyQuote, quotePlus, quotePlusBytes } from '../../src/ska/quote.ts';

describe('Python float() of text', () => {
  const ok: [string, number][] = [
    ['1600000900.0', 1600000900],
    ['1600000900', 1600000900],
    ['1.6000009e9', 1600000900],
    [' 1766003600.0\n', 1766003600],
    ['1_766_003_600', 1766003600],
    ['1e1_0', 1e10],
    ['+.5', 0.5],
    ['5.', 5],
    ['1.e5', 1e5],
    ['007', 7],
    ['1e400', Number.POSITIVE_INFINITY],
    ['-Infinity', Number.NEGATIVE_INFINITY],
    ['iNf', Number.POSITIVE_INFINITY],
    ['\u3000\u00a01\u2000', 1], // non-ASCII spaces are stripped
    ['\u0661\u0662', 12], // Arabic-Indic digits
    ['\u{1d7d9}', 1], // MATHEMATICAL DOUBLE-STRUCK DIGIT ONE (a run of ten inside a run of fifty)
  ];
  for (const [text, value] of ok) {
    test(`float(${JSON.stringify(text)}) = ${value}`, () => assert.equal(pyFloat(text), value));
  }
  test('nan', () => assert.ok(Number.isNaN(pyFloat('-NaN'))));
  const bad = [
    '',
    ' ',
    'abc',
    '0x10',
    '1__0',
    '_1',
    '1_',
    '1_.5',
    '1e',
    '.',
    'e5',
    '1\x1c',
    '\x7f1',
    '1\ufeff',
    '--1',
    'in f',
  ];
  for (const text of bad) {
    test(`float(${JSON.stringify(text)}) raises`, () => assert.equal(pyFloat(text), undefined));
  }
});

describe('Python int() of text', () => {
  test('accepts what Python accepts', () => {
    assert.equal(pyInt(' 12 '), 12n);
    assert.equal(pyInt('1_0'), 10n);
    assert.equal(pyInt('+5'), 5n);
    assert.equal(pyInt('-0_1'), -1n);
    assert.equal(pyInt('\u0661\u0662'), 12n);
    assert.equal(pyInt('99999999999999999999999'), 99999999999999999999999n);
  });
  test('refuses what Python refuses', () => {
    for (const t of ['', '1.0', '1e3', '_1', '1_', 'x', '0x1'])
      assert.equal(pyInt(t), undefined, t);
  });
});

describe('Python str() and repr()', () => {
  test('str(float)', () => {
    assert.equal(pyFloatStr(1378045287), '1378045287.0');
    assert.equal(pyFloatStr(1766003600.5), '1766003600.5');
    assert.equal(pyFloatStr(1e16), '1e+16');
    assert.equal(pyFloatStr(Number.POSITIVE_INFINITY), 'inf');
    assert.equal(pyFloatStr(Number.NEGATIVE_INFINITY), '-inf');
    assert.equal(pyFloatStr(Number.NaN), 'nan');
  });
  test('repr(str) quote choice and escapes', () => {
    assert.equal(pyReprStr('abc'), "'abc'");
    assert.equal(pyReprStr("a'b"), `"a'b"`);
    assert.equal(pyReprStr(`a"b'c`), `'a"b\\'c'`);
    assert.equal(pyReprStr('\\\t\n\r\x00\x1f'), "'\\\\\\t\\n\\r\\x00\\x1f'");
    assert.equal(
      pyReprStr('\x7f\x80\xa0\u00ad\u2028\u{1f600}\u{e0001}\ud800é'),
      "'\\x7f\\x80\\xa0\\xad\\u2028\u{1f600}\\U000e0001\\ud800é'",
    );
  });
  test('repr(bytes)', () => {
    assert.equal(pyReprBytes(new Uint8Array([0x61, 0x27, 0x00, 0xff])), `b"a'\\x00\\xff"`);
    assert.equal(pyReprBytes(new TextEncoder().encode('x y')), "b'x y'");
    assert.equal(pyReprBytes(new Uint8Array([0x27, 0x22, 0x5c])), "b'\\'\"\\\\'");
  });
  test('values', () => {
    assert.equal(pyStr('as is', true, true), 'as is');
    assert.equal(pyStr(7, true, true), '7');
    assert.equal(pyStr(-0, true, true), '0');
    assert.equal(pyStr(0.75, true, true), '0.75');
    assert.equal(pyStr(2 ** 70, true, true), '1180591620717411303424');
    assert.equal(pyStr(12345678901234567890n, true, true), '12345678901234567890');
    assert.equal(pyStr(true, true, true), 'True');
    assert.equal(pyStr(null, true, true), 'None');
    assert.equal(
      pyStr({ name: 'Hôld', roles: ['a', 'b'], skip: undefined }, true, true),
      "{'name': 'Hôld', 'roles': ['a', 'b']}",
    );
    assert.equal(pyStr([undefined, [], {}], true, true), '[None, [], {}]');
  });
  test('dict order: the base sorts all; the URL sorts only inside lists', () => {
    const v = { b: { d: 1, c: 2 }, a: [{ y: 1, x: { q: 1, p: 2 } }] };
    assert.equal(
      pyRepr(v, true, true),
      "{'a': [{'x': {'p': 2, 'q': 1}, 'y': 1}], 'b': {'c': 2, 'd': 1}}",
    );
    assert.equal(
      pyRepr(v, false, true),
      "{'b': {'d': 1, 'c': 2}, 'a': [{'x': {'p': 2, 'q': 1}, 'y': 1}]}",
    );
  });
  test('unsupported values are refused', () => {
    for (const v of [new Date(0), new Map(), () => 1, Symbol('x'), new (class X {})()]) {
      assert.throws(() => pyStr(v, true, true), UnsupportedValue);
    }
    const deep: unknown[] = [];
    let cur = deep;
    for (let i = 0; i < 1000; i++) {
      const next: unknown[] = [];
      cur.push(next);
      cur = next;
    }
    assert.throws(() => pyStr(deep, true, true), UnsupportedValue);
  });
  test('javascript_value_dumper', () => {
    assert.equal(jsDump('s'), 's');
    assert.equal(jsDump(true), 'True');
    assert.equal(jsDump(2.5), '2.5');
    assert.equal(jsDump(null), 'null');
    assert.equal(
      jsDump({ y: 2, x: 'é', z: [{ b: 1, a: '😀' }] }),
      '{"x":"\\u00e9","y":2,"z":[{"a":"\\ud83d\\ude00","b":1}]}',
    );
    assert.throws(() => jsDump(new Uint8Array(1)), UnsupportedValue);
    assert.throws(() => jsDump({ b: new Uint8Array(1) }), UnsupportedValue);
  });
});

describe('code point order', () => {
  test('astral characters sort after U+E000–U+FFFF, as in Python', () => {
    assert.ok(codePointCompare('\u{1f600}', '\uffff') > 0);
    assert.ok('\u{1f600}' < '\uffff'); // what JS does
    assert.ok(codePointCompare('a', 'b') < 0);
    assert.ok(codePointCompare('ab', 'a') > 0);
    assert.equal(codePointCompare('x', 'x'), 0);
  });
  test('a lone surrogate is its own code point', () => {
    assert.ok(codePointCompare('\udc00', '\ue000') < 0);
    assert.ok(codePointCompare('\u{1f600}', '\ud83d') > 0);
    assert.ok(codePointCompare('\ud83d\ude00', '\ud83dx') > 0);
    assert.ok(codePointCompare('\ud83d\ude00', '\ud83d\uffff') > 0);
  });
});

describe('percent-encoders', () => {
  const all = ' !"#$%&\'()*+,-./09:;<=>?@AZ[\\]^_`az{|}~é😀';
  test('quote() keeps / and always-safe characters', () => {
    assert.equal(
      pyQuote(all),
      '%20%21%22%23%24%25%26%27%28%29%2A%2B%2C-./09%3A%3B%3C%3D%3E%3F%40AZ%5B%5C%5D%5E_%60az%7B%7C%7D~%C3%A9%F0%9F%98%80',
    );
  });
  test('quote_plus() encodes / and turns spaces into +', () => {
    assert.equal(
      quotePlus(all),
      '+%21%22%23%24%25%26%27%28%29%2A%2B%2C-.%2F09%3A%3B%3C%3D%3E%3F%40AZ%5B%5C%5D%5E_%60az%7B%7C%7D~%C3%A9%F0%9F%98%80',
    );
  });
  test('javascript_quoter is encodeURIComponent', () => {
    assert.equal(jsQuote(all), encodeURIComponent(all));
  });
  test('quote_plus of bytes', () => {
    assert.equal(
      quotePlusBytes(new Uint8Array([0x78, 0x20, 0x79, 0x2f, 0xff, 0x7e])),
      'x+y%2F%FF~',
    );
  });
  test('a lone surrogate has no UTF-8 form', () => {
    for (const f of [pyQuote, quotePlus, jsQuote]) assert.throws(() => f('a\ud800'), NotUtf8);
  });
});
