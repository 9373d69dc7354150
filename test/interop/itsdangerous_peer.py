"""Interop peer for test/interop/itsdangerous.test.ts: Debian's python3-itsdangerous.

Reads one JSON batch on stdin, {"ops": [...]}, and prints {"results": [...]} (same order).
Each op names a class ("kind"), its constructor arguments ("params", as in
../vectors/itsdangerous.json) and what to do:

  {"op": "sign", "kind", "params", "input", "now"}                 -> {"token"}
  {"op": "load", "kind", "params", "token", "now", "max_age"}      -> {"ok": true, "value", "timestamp", "key_index"}
                                                                     | {"ok": false, "error": "<exception class>"}

Bytes travel as {"hex": "..."}; signer values and tokens always do, serializer tokens are text.
"now" is the clock in whole seconds, returned by a patched TimestampSigner.get_timestamp (the
documented clock hook, spec section 4). "key_index" says which key verified (0 = newest), found by
retrying with each key alone, so the test can compare it with Tessera's `renew`.
"""

import hashlib
import json
import sys

import itsdangerous
from itsdangerous import (
    BadData,
    NoneAlgorithm,
    Serializer,
    Signer,
    TimedSerializer,
    TimestampSigner,
    URLSafeSerializer,
    URLSafeTimedSerializer,
)

CLOCK = [0]


class ClockSigner(TimestampSigner):
    """A TimestampSigner on the injected clock."""

    def get_timestamp(self):
        return CLOCK[0]


SERIALIZERS = {
    "serializer": Serializer,
    "timed_serializer": TimedSerializer,
    "url_safe_serializer": URLSafeSerializer,
    "url_safe_timed_serializer": URLSafeTimedSerializer,
}
TIMED = {"timestamp_signer", "timed_serializer", "url_safe_timed_serializer"}


def wire(v):
    """A JSON wire value ({"hex"} or text) as bytes/str, as the vectors encode them."""
    if isinstance(v, dict):
        return bytes.fromhex(v["hex"])
    return v


def to_wire(b):
    return {"hex": b.hex()}


def signer_kwargs(p):
    kw = {}
    if "sep" in p:
        kw["sep"] = wire(p["sep"])
    if "key_derivation" in p:
        kw["key_derivation"] = p["key_derivation"]
    if "digest_method" in p:
        kw["digest_method"] = getattr(hashlib, p["digest_method"])
    if p.get("algorithm") == "none":
        kw["algorithm"] = NoneAlgorithm()
    return kw


def secret(v):
    if isinstance(v, list):
        return [wire(k) for k in v]
    return wire(v)


def build(kind, params, key=None):
    sk = secret(params["secret_key"]) if key is None else key
    if kind in ("signer", "timestamp_signer"):
        kw = signer_kwargs(params)
        if "salt" in params:
            kw["salt"] = None if params["salt"] is None else wire(params["salt"])
        return (ClockSigner if kind == "timestamp_signer" else Signer)(sk, **kw)
    kw = {"signer_kwargs": signer_kwargs(params.get("signer_kwargs", {}))}
    if "salt" in params:
        kw["salt"] = None if params["salt"] is None else wire(params["salt"])
    if "fallback_signers" in params:
        kw["fallback_signers"] = [signer_kwargs(f) for f in params["fallback_signers"]]
    if kind in TIMED:
        kw["signer"] = ClockSigner
    return SERIALIZERS[kind](sk, **kw)


def load(obj, kind, token, max_age):
    """(value, timestamp) of a token, both JSON-ready."""
    if kind == "signer":
        return to_wire(obj.unsign(token)), None
    if kind == "timestamp_signer":
        value, ts = obj.unsign(token, max_age=max_age, return_timestamp=True)
        return to_wire(value), int(ts.timestamp())
    if kind in TIMED:
        value, ts = obj.loads(token, max_age=max_age, return_timestamp=True)
        return value, int(ts.timestamp())
    return obj.loads(token), None


def run(op):
    kind, params = op["kind"], op["params"]
    CLOCK[0] = op.get("now", 0)
    if op["op"] == "sign":
        obj = build(kind, params)
        if kind in SERIALIZERS:
            return {"token": obj.dumps(op["input"])}
        return {"token": to_wire(obj.sign(wire(op["input"])))}
    token = wire(op["token"])
    try:
        value, ts = load(build(kind, params), kind, token, op.get("max_age"))
    except BadData as e:
        return {"ok": False, "error": type(e).__name__, "message": str(e)}
    key_index = None
    keys = params["secret_key"]
    if isinstance(keys, list):
        for i, k in enumerate(reversed(keys)):
            try:
                load(build(kind, params, key=wire(k)), kind, token, op.get("max_age"))
                key_index = i
                break
            except BadData:
                pass
    return {"ok": True, "value": value, "timestamp": ts, "key_index": key_index}


def main():
    batch = json.load(sys.stdin)
    results = []
    for op in batch["ops"]:
        try:
            results.append(run(op))
        except Exception as e:  # reported, so one bad op does not hide the rest
            results.append({"crash": f"{type(e).__name__}: {e}"})
    json.dump({"version": getattr(itsdangerous, "__version__", "?"), "results": results}, sys.stdout)


if __name__ == "__main__":
    main()
