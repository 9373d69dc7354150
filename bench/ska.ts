/**
 * ska signed URLs (perf-notes.md T4: ≥ 60 % of the raw HMAC-SHA1 floor on the same bytes).
 * The floor HMACs the exact base text ska signs and base64s it (and, to verify, compares in
 * constant time); Tessera builds that base from the fields, percent-encodes, and for validation
 * parses the URL and checks expiry on top.
 * Payloads: perf-notes' small object as a login link (uid → auth_user, the other fields as
 * extras), and the large one with its 36 items as one JSON-text extra (≈ 4 KB).
 */
import { Buffer } from 'node:buffer';
import { createHmac, createSecretKey, timingSafeEqual } from 'node:crypto';
import {
  getBase,
  RequestHelper,
  signatureToDict,
  signUrl,
  validateSignedRequestData,
} from '../src/ska/index.ts';
import type { BenchGroup } from './harness.ts';
import { payloads } from './harness.ts';

const SECRET = 'bench-secret-key-0123456789abcdef';
const VALID_UNTIL = '1700003600.0';
const now = () => 1_700_000_000_000;

function fields(size: 'small' | 'large') {
  const p = payloads()[size] as Record<string, unknown>;
  const extra: Record<string, string | number> = {
    role: p.role as string,
    iat: p.iat as number,
    exp: p.exp as number,
    scopes: (p.scopes as string[]).join(','),
  };
  if (p.items) extra.items = JSON.stringify(p.items);
  return { authUser: p.uid as string, extra };
}

export function groups(): BenchGroup[] {
  const out: BenchGroup[] = [];
  const key = createSecretKey(Buffer.from(SECRET));
  for (const size of ['small', 'large'] as const) {
    const { authUser, extra } = fields(size);
    const opts = { authUser, secretKey: SECRET, validUntil: VALID_UNTIL, extra, now };
    const base = getBase({ authUser, validUntil: VALID_UNTIL, extra });
    const url = signUrl({ ...opts, url: 'https://example.com/login/' });
    const query = new URL(url).searchParams;
    const dict = Object.fromEntries(query);
    const signature = dict.signature as string;
    const helper = new RequestHelper({ secretKey: SECRET });
    const check = (ok: boolean) => {
      if (!ok) throw new Error('bench: validation failed');
      return ok;
    };
    check(validateSignedRequestData({ data: url, secretKey: SECRET, now }).result);

    const floorSign = () => createHmac('sha1', key).update(base).digest('base64');
    const floorVerify = () => {
      const mac = Buffer.from(createHmac('sha1', key).update(base).digest('base64'));
      const got = Buffer.from(signature);
      return check(mac.length === got.length && timingSafeEqual(mac, got));
    };

    out.push({
      title: `ska sign — ${size} (${base.length} B base, ${url.length} B URL)`,
      cases: [
        { name: 'raw floor: HMAC-SHA1 + base64 of the base text', floor: true, fn: floorSign },
        { name: 'Tessera signUrl (sha1)', bytes: url.length, fn: () => signUrl(opts) },
        { name: 'Tessera signatureToDict (sha1)', fn: () => signatureToDict(opts) },
      ],
    });
    out.push({
      title: `ska validate — ${size} (${url.length} B URL)`,
      cases: [
        { name: 'raw floor: HMAC-SHA1 + base64 + timingSafeEqual', floor: true, fn: floorVerify },
        {
          name: 'Tessera validateSignedRequestData (URL string)',
          bytes: url.length,
          fn: () => check(validateSignedRequestData({ data: url, secretKey: SECRET, now }).result),
        },
        {
          name: 'Tessera validateSignedRequestData (URLSearchParams)',
          fn: () =>
            check(validateSignedRequestData({ data: query, secretKey: SECRET, now }).result),
        },
        {
          name: 'Tessera validateSignedRequestData (dict)',
          fn: () => check(validateSignedRequestData({ data: dict, secretKey: SECRET, now }).result),
        },
        {
          name: 'Tessera RequestHelper.validateRequestData (URL string, helper holds the key)',
          fn: () => check(helper.validateRequestData({ data: url, now }).result),
        },
      ],
    });
  }
  return out;
}
