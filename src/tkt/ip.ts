/**
 * Client IP addresses as the two ticket formats hash them. mod_auth_tkt hashes 4 IPv4 bytes
 * (`inet_aton`); ticket_auth hashes Python's `ip.version` byte plus `ip.packed` (4 or 16 bytes).
 * Parsing is strict, as Python's `ipaddress` is: dotted decimal without leading zeros, and
 * RFC 4291 IPv6 text (with `::`, an embedded IPv4 tail and an optional `%zone`).
 */

const HEXTET = /^[0-9A-Fa-f]{1,4}$/;

/**
 * A dotted-quad IPv4 address as a uint32 (network order), or `undefined` if `text` is not one.
 * A character loop: this runs on every validation, and split + regex cost ten times as much.
 */
export function parseIPv4(text: string): number | undefined {
  if (text.length < 7 || text.length > 15) return undefined;
  let ip = 0;
  let parts = 0;
  let value = 0;
  let digits = 0;
  for (let i = 0; i <= text.length; i++) {
    const c = i === text.length ? 0x2e : text.charCodeAt(i);
    if (c === 0x2e) {
      // Each part: 1–3 digits, no leading zero, at most 255 (Python's ipaddress rules).
      if (digits === 0 || parts === 4) return undefined;
      ip = ip * 256 + value;
      parts++;
      value = 0;
      digits = 0;
    } else if (c >= 0x30 && c <= 0x39) {
      if (digits > 0 && value === 0) return undefined;
      value = value * 10 + (c - 0x30);
      if (++digits > 3 || value > 255) return undefined;
    } else {
      return undefined;
    }
  }
  return parts === 4 ? ip : undefined;
}

/** 16 bytes of an IPv6 address, or `undefined` if `text` is not one. The zone id is not hashed. */
export function parseIPv6(text: string): Uint8Array | undefined {
  // Python 3.9+: a scope id after `%` is accepted and left out of `packed`.
  const pct = text.indexOf('%');
  if (pct !== -1) {
    const zone = text.slice(pct + 1);
    if (zone.length === 0 || zone.includes('%')) return undefined;
    text = text.slice(0, pct);
  }
  let tail: number | undefined;
  const lastColon = text.lastIndexOf(':');
  if (lastColon === -1) return undefined;
  if (text.includes('.', lastColon)) {
    tail = parseIPv4(text.slice(lastColon + 1));
    if (tail === undefined) return undefined;
    // Keep the colon so that `::1.2.3.4` still splits into an empty head and tail.
    text = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groups = (half: string): string[] | undefined => {
    if (half === '') return [];
    const parts = half.split(':');
    return parts.every((p) => HEXTET.test(p)) ? parts : undefined;
  };
  const head = groups(halves[0] as string);
  const rest = halves.length === 2 ? groups(halves[1] as string) : [];
  if (head === undefined || rest === undefined) return undefined;
  const count = head.length + rest.length;
  // Without `::` there must be 8 groups; with it, `::` stands for at least one zero group.
  if (halves.length === 1 ? count !== 8 : count > 7) return undefined;
  const all = [...head, ...new Array<string>(8 - count).fill('0'), ...rest];
  const out = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    const value = Number.parseInt(all[i] as string, 16);
    out[2 * i] = value >> 8;
    out[2 * i + 1] = value & 0xff;
  }
  if (tail !== undefined) new DataView(out.buffer).setUint32(12, tail);
  return out;
}

/**
 * The IPv4 address mod_auth_tkt hashes for a client IP (a uint32), or `undefined` where Apache
 * cannot bind one: an IPv6 client (`inet_aton` fails) and `255.255.255.255` (equal to
 * `APR_INADDR_NONE`), spec mod_auth_tkt.md §5.4. An IPv4-mapped IPv6 address
 * (`::ffff:a.b.c.d`, which Node reports for IPv4 clients of a dual-stack socket) counts as its
 * IPv4 address.
 */
export function apacheClientIp(text: string): number | undefined {
  let ip = parseIPv4(text);
  if (ip === undefined && text.includes(':')) {
    const v6 = parseIPv6(text);
    if (v6 !== undefined && isV4Mapped(v6)) ip = new DataView(v6.buffer).getUint32(12);
  }
  return ip === 0xffffffff ? undefined : ip;
}

function isV4Mapped(v6: Uint8Array): boolean {
  for (let i = 0; i < 10; i++) if (v6[i] !== 0) return false;
  return v6[10] === 0xff && v6[11] === 0xff;
}

/** ticket_auth's address bytes: `bytes([ip.version]) + ip.packed`, or `undefined` if not an address. */
export function versionedIp(text: string): Uint8Array | undefined {
  const v4 = parseIPv4(text);
  if (v4 !== undefined) {
    const out = new Uint8Array(5);
    out[0] = 4;
    new DataView(out.buffer).setUint32(1, v4);
    return out;
  }
  const v6 = text.includes(':') ? parseIPv6(text) : undefined;
  if (v6 === undefined) return undefined;
  const out = new Uint8Array(17);
  out[0] = 6;
  out.set(v6, 1);
  return out;
}
