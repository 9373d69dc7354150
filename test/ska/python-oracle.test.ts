/**
 * Differential test against CPython itself: Python's `quote`, `urlencode`, `repr`, `json.dumps`,
 * `float()`, `int()` and `datetime`, driven by ska's algorithm as ska.md §2–§4 describe it (ska is
 * not packaged for Debian, so the oracle below is stdlib only). Random extras cover nesting,
 * bytes, quotes, control and non-ASCII characters, lone surrogates and both value dumpers.
 * Skips when no python3 is installed.
 */
import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { spawnSync } from 'node:child_process';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { getBase, signUrl } from '../../src/ska/index.ts';
import { pyFloat, pyInt } from '../../src/ska/python-text.ts';
import { isLive } from '../../src/ska/signature.ts';

const PYTHON = ['/usr/bin/python3', 'python3'].find(
  (bin) => spawnSync(bin, ['-c', 'pass']).status === 0,
);

const ORACLE = `
import sys, json, hmac, hashlib, base64
from urllib.parse import quote, urlencode
from datetime import datetime, timedelta

def ordered(obj):  # ska.md §2 dict_to_ordered_dict, including the in-place list rewrite
    if isinstance(obj, dict):
        obj = dict(sorted(obj.items()))
        for k, v in obj.items():
            if isinstance(v, (dict, list)):
                obj[k] = ordered(v)
    if isinstance(obj, list):
        for i, v in enumerate(obj):
            if isinstance(v, (dict, list)):
                obj[i] = ordered(v)
    return obj

def js_dump(v):
    return v if isinstance(v, (int, float, str)) else json.dumps(v, separators=(",", ":"))

def conv(v):
    if isinstance(v, dict):
        if set(v) == {"$bytes"}: return bytes.fromhex(v["$bytes"])
        return {k: conv(x) for k, x in v.items()}
    if isinstance(v, list): return [conv(x) for x in v]
    return v

def sign(case):
    extra = conv(case["extra"])
    dump = js_dump if case["dumper"] == "javascript" else (lambda v: v)
    q = (lambda s: quote(s, safe="~()*!.'")) if case["quoter"] == "javascript" else quote
    parts = [str(case["vu"]), case["auth_user"]]
    if extra:
        s = q("&".join(f"{k}={dump(v)}" for k, v in ordered(extra).items()))
        if s: parts.append(s)
    base = "_".join(parts)
    base.encode()  # raises for a lone surrogate, as ska's get_base does
    # sign_url has no quoter: its signature always uses quote()
    url_parts = [str(case["vu"]), case["auth_user"]]
    if extra:
        url_parts.append(quote("&".join(f"{k}={dump(v)}" for k, v in ordered(extra).items())))
    mac = hmac.new(b"k", "_".join(url_parts).encode(), hashlib.sha1).digest()
    params = {"signature": base64.b64encode(mac), "auth_user": case["auth_user"],
              "valid_until": case["vu"], "extra": ",".join(sorted(extra.keys()))}
    params.update(extra)
    return {"base": base, "url": urlencode(params)}

out = {"sign": [], "num": [], "live": []}
req = json.load(sys.stdin)
for case in req["sign"]:
    try: out["sign"].append(sign(case))
    except Exception as e: out["sign"].append({"error": type(e).__name__})
for s in req["num"]:
    r = {}
    try: r["f"] = repr(float(s))
    except Exception: r["f"] = None
    try: r["i"] = str(int(s))
    except Exception: r["i"] = None
    out["num"].append(r)
epoch = datetime(1970, 1, 1)
for v, now_us in req["live"]:
    try: out["live"].append(datetime.utcfromtimestamp(v) > epoch + timedelta(microseconds=now_us))
    except Exception: out["live"].append(None)
json.dump(out, sys.stdout)
`;

// Characters whose Unicode category is the same in Python 3.11 (Unicode 14) and in Node 20's
// newer tables (repr escapes non-printable characters, so their category matters).
const POOL = [
  ...'aZ09 _.-~/+=&,;%!*()\'"\\\n\t\r',
  '\x00',
  '\x1f',
  '\x7f',
  '\x80',
  '\x9f',
  '\xa0',
  '\xad',
  'é',
  'ÿ',
  'Ā',
  'ж',
  '日',
  '\u2028',
  '\u2029',
  '\u200b',
  '\u3000',
  '\ufeff',
  '\ue000',
  '\uffff',
  '\ufffd',
  '😀',
  '\u{e0001}',
  '\u{10fffd}',
  '\u{20000}',
  '\ud800',
  '\udc00',
];
const str = fc.string({ unit: fc.constantFrom(...POOL), maxLength: 6 });
const leaf = fc.oneof(
  str,
  fc.integer({ min: -1e9, max: 1e9 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }).filter((x) => !Number.isInteger(x)),
  fc.boolean(),
  fc.constant(null),
  fc.uint8Array({ maxLength: 4 }),
);
const { tree } = fc.letrec((tie) => ({
  tree: fc.oneof(
    { depthSize: 'small' },
    leaf,
    fc.array(tie('tree'), { maxLength: 3 }),
    fc.dictionary(str, tie('tree'), { maxKeys: 3 }),
  ),
}));
const SIGN_CASES = fc.sample(
  fc.record({
    auth_user: str,
    vu: fc.constantFrom('1600000900.0', '1e+16', ' 1_0 ', 'abc'),
    extra: fc.dictionary(str, tree, { maxKeys: 4 }),
    dumper: fc.constantFrom('default', 'javascript'),
    quoter: fc.constantFrom('default', 'javascript'),
  }),
  { numRuns: 800, seed: 20240611 },
);
const NUM_POOL = [
  ...'0123456789._eE+- ',
  'inf',
  'nan',
  'infinity',
  'INF',
  '\t',
  '\x0b',
  '\x1c',
  '\xa0',
  '\u3000',
  '\u0660',
  '\u0669',
  '\u{1d7ce}',
  'x',
  '\x85',
  '\x7f',
  '\ufeff',
];
const NUM_CASES = fc.sample(fc.string({ unit: fc.constantFrom(...NUM_POOL), maxLength: 10 }), {
  numRuns: 3000,
  seed: 7,
});
const BASE_S = 1600000000;
const LIVE_CASES = fc.sample(
  fc.tuple(
    fc.double({ min: BASE_S - 2, max: BASE_S + 2, noNaN: true }),
    fc.integer({ min: -2e6, max: 2e6 }),
  ),
  { numRuns: 3000, seed: 3 },
);

const toJson = (v: unknown): unknown => {
  if (v instanceof Uint8Array) return { $bytes: Buffer.from(v).toString('hex') };
  if (Array.isArray(v)) return v.map(toJson);
  if (v && typeof v === 'object')
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toJson(x)]));
  return v;
};

function runOracle(): {
  sign: Record<string, string>[];
  num: { f: string | null; i: string | null }[];
  live: (boolean | null)[];
} {
  const req = {
    sign: SIGN_CASES.map((c) => ({ ...c, extra: toJson(c.extra) })),
    num: NUM_CASES,
    live: LIVE_CASES.map(([v, us]) => [v, BASE_S * 1e6 + us]),
  };
  const py = spawnSync(PYTHON as string, ['-c', ORACLE], {
    input: JSON.stringify(req),
    encoding: 'utf8',
    maxBuffer: 1 << 28,
    env: { ...process.env, TZ: 'UTC' },
  });
  assert.equal(py.status, 0, py.stderr);
  return JSON.parse(py.stdout);
}

describe('ska against CPython', { skip: PYTHON ? false : 'python3 is not installed' }, () => {
  const expected = PYTHON ? runOracle() : { sign: [], num: [], live: [] };

  test('base and URL for random extras, both dumpers and quoters', () => {
    let compared = 0;
    SIGN_CASES.forEach((c, i) => {
      const e = expected.sign[i] as Record<string, string>;
      const opts = {
        authUser: c.auth_user,
        validUntil: c.vu,
        extra: c.extra,
        valueDumper: c.dumper as 'default' | 'javascript',
      };
      const ours = () => ({
        base: getBase({ ...opts, quoter: c.quoter as 'default' | 'javascript' }),
        url: signUrl({ ...opts, secretKey: 'k', url: '', suffix: '' }),
      });
      if (e.error) {
        // Python raised (a lone surrogate, bytes in json.dumps): Tessera refuses with TypeError.
        assert.throws(ours, TypeError, JSON.stringify(c));
        return;
      }
      const got = ours();
      assert.equal(got.base, e.base, JSON.stringify(c));
      assert.equal(got.url, e.url, JSON.stringify(c));
      compared++;
    });
    assert.ok(compared > 300, `only ${compared} cases compared`);
  });

  test('float() and int() of text', () => {
    const repr = (x: number) =>
      Number.isNaN(x)
        ? 'nan'
        : x === Number.POSITIVE_INFINITY
          ? 'inf'
          : x === Number.NEGATIVE_INFINITY
            ? '-inf'
            : undefined;
    NUM_CASES.forEach((t, i) => {
      const e = expected.num[i] as { f: string | null; i: string | null };
      const f = pyFloat(t);
      if (e.f === null) assert.equal(f, undefined, JSON.stringify(t));
      else {
        assert.notEqual(f, undefined, JSON.stringify(t));
        const special = ['inf', '-inf', 'nan'].includes(e.f);
        if (special) assert.equal(repr(f as number), e.f, JSON.stringify(t));
        else assert.equal(f, Number(e.f), JSON.stringify(t));
      }
      assert.equal(pyInt(t)?.toString() ?? null, e.i, JSON.stringify(t));
    });
  });

  test('expiry: datetime.fromtimestamp(v) > now, to the microsecond', () => {
    LIVE_CASES.forEach(([v, us], i) => {
      assert.equal(isLive(v, BASE_S * 1000 + us / 1000), expected.live[i], `${v} ${us}`);
    });
  });
});
