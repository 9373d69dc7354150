import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { pyQuote, pyUnquote } from '../../src/tkt/quote.ts';

describe('Python urllib.parse quote/unquote', () => {
  // Outputs of CPython 3.11.
  test('quote', () => {
    const cases: [string, string][] = [
      ['alice', 'alice'],
      ['a b!c,d/e~f_g.h-i', 'a%20b%21c%2Cd/e~f_g.h-i'],
      ['müller', 'm%C3%BCller'],
      ['用户', '%E7%94%A8%E6%88%B7'],
      ['😀', '%F0%9F%98%80'],
      ["!'()*", '%21%27%28%29%2A'],
      ['%', '%25'],
      ['x\0y', 'x%00y'],
      ['', ''],
    ];
    for (const [text, quoted] of cases) assert.equal(pyQuote(text), quoted, text);
  });

  test('unquote', () => {
    const cases: [string, string][] = [
      ['%2c', ','],
      ['%2C%2c', ',,'],
      ['%zz%4', '%zz%4'],
      ['%F0%9F%98%80', '😀'],
      ['%ff', '\uFFFD'],
      ['a%2', 'a%2'],
      ['%e9t%C3%A9', '\uFFFDt\u00e9'],
      ['%C3é%A9', '\uFFFDé\uFFFD'],
      ['%EF%BB%BFx', '\uFEFFx'],
      ['plain', 'plain'],
    ];
    for (const [text, unquoted] of cases) assert.equal(pyUnquote(text), unquoted, text);
  });
});

describe('against CPython (test/tkt/quote-python.json)', () => {
  const fixture = JSON.parse(
    readFileSync(new URL('./quote-python.json', import.meta.url), 'utf8'),
  ) as { quote: [string, string][]; unquote: [string, string][] };

  test('unquote: every case', () => {
    for (const [text, unquoted] of fixture.unquote) assert.equal(pyUnquote(text), unquoted, text);
  });

  test('quote: every case', () => {
    for (const [text, quoted] of fixture.quote) assert.equal(pyQuote(text), quoted, text);
  });

  test('a lone surrogate quotes as its UTF-8 replacement (callers refuse it first)', () => {
    assert.equal(pyQuote('a\uD800'), 'a%EF%BF%BD');
  });
});
