"""Python itsdangerous figures for `npm run bench`: the same two payloads, medians of rounds."""
import json
import time

import itsdangerous

SECRET = "bench-secret-key-0123456789abcdef"
SMALL = {"uid": "user-12345", "role": "admin", "iat": 1700000000, "exp": 1700003600, "scopes": ["read", "write"]}
LARGE = dict(SMALL, items=[{"id": i, "name": f"item-{i}-" + "x" * 40, "tags": ["alpha", "beta", "gamma"], "price": i * 3} for i in range(36)])


def rate(fn, ms=150, rounds=5):
    n = 1
    while True:
        t0 = time.perf_counter()
        for _ in range(n):
            fn()
        if time.perf_counter() - t0 > ms / 20000 or n > 1 << 22:
            break
        n *= 2
    samples = []
    for _ in range(rounds):
        ops = 0
        start = time.perf_counter()
        while time.perf_counter() - start < ms / 1000:
            for _ in range(n):
                fn()
            ops += n
        samples.append(ops / (time.perf_counter() - start))
    samples.sort()
    return samples[len(samples) // 2]


def fmt(x):
    return f"{x / 1000:.1f}k"


s = itsdangerous.URLSafeTimedSerializer(SECRET)
ts = itsdangerous.TimestampSigner(SECRET)
print(f"itsdangerous {getattr(itsdangerous, '__version__', '?')}, python {__import__('sys').version.split()[0]}\n")
print("| case | bytes | ops/s (median) |")
print("|---|---:|---:|")
for label, obj in (("small", SMALL), ("large", LARGE)):
    tok = s.dumps(obj)
    print(f"| URLSafeTimedSerializer {label} dumps | {len(tok)} | {fmt(rate(lambda: s.dumps(obj)))} |")
    print(f"| URLSafeTimedSerializer {label} loads | {len(tok)} | {fmt(rate(lambda: s.loads(tok, max_age=3600)))} |")
    print(f"| URLSafeTimedSerializer {label} round trip | {len(tok)} | {fmt(rate(lambda: s.loads(s.dumps(obj), max_age=3600)))} |")
text = json.dumps(SMALL, separators=(",", ":"))[:95]
t2 = ts.sign(text)
print(f"| TimestampSigner 95 B string sign | {len(t2)} | {fmt(rate(lambda: ts.sign(text)))} |")
print(f"| TimestampSigner 95 B string unsign | {len(t2)} | {fmt(rate(lambda: ts.unsign(t2, max_age=3600)))} |")
