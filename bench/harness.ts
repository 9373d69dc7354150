/**
 * A small interleaved benchmark harness. Every case of a group runs in the same process, in
 * rounds that interleave the cases (so drift and GC hit them alike); the figure reported is the
 * median ops/s over rounds, with the spread (min–max), and a ratio to the group's floor.
 * Timing is reported, never asserted.
 */

/** One measured operation. `fn` is called repeatedly; return something so it is not optimised away. */
export interface BenchCase {
  name: string;
  fn: () => unknown;
  /** Marks the raw platform floor the group's ratios are taken against. */
  floor?: boolean;
  /** Token bytes, for the table. */
  bytes?: number;
  /** An async operation (jose): awaited one at a time, or `inFlight` at a time. */
  async?: () => Promise<unknown>;
  inFlight?: number;
}

/** Cases compared with each other. */
export interface BenchGroup {
  title: string;
  cases: BenchCase[];
}

/** A result row. */
export interface BenchResult {
  group: string;
  name: string;
  opsPerSec: number;
  min: number;
  max: number;
  ratio: number | undefined;
  bytes: number | undefined;
}

let sink: unknown;

function timeSync(fn: () => unknown, ms: number): number {
  // Calibrate a batch that takes ~1/20 of the slot, then run batches until the slot is used.
  let n = 1;
  for (;;) {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) sink = fn();
    const dt = performance.now() - t0;
    if (dt > ms / 20 || n > 1 << 24) break;
    n *= 2;
  }
  let ops = 0;
  const start = performance.now();
  let now = start;
  while (now - start < ms) {
    for (let i = 0; i < n; i++) sink = fn();
    ops += n;
    now = performance.now();
  }
  return (ops * 1000) / (now - start);
}

async function timeAsync(
  fn: () => Promise<unknown>,
  inFlight: number,
  ms: number,
): Promise<number> {
  let ops = 0;
  const start = performance.now();
  let now = start;
  while (now - start < ms) {
    const batch: Promise<unknown>[] = [];
    for (let i = 0; i < inFlight; i++) batch.push(fn());
    sink = await Promise.all(batch);
    ops += inFlight;
    now = performance.now();
  }
  return (ops * 1000) / (now - start);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/** Run groups: `rounds` interleaved rounds of `ms` per case. */
export async function runGroups(
  groups: BenchGroup[],
  { rounds = 5, ms = 200 }: { rounds?: number; ms?: number } = {},
): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  for (const group of groups) {
    const samples = new Map<BenchCase, number[]>(group.cases.map((c) => [c, []]));
    for (const c of group.cases) {
      // Warm up (JIT) before the first measured round.
      if (c.async) await timeAsync(c.async, c.inFlight ?? 1, 50);
      else timeSync(c.fn, 50);
    }
    for (let r = 0; r < rounds; r++) {
      for (const c of group.cases) {
        const ops = c.async ? await timeAsync(c.async, c.inFlight ?? 1, ms) : timeSync(c.fn, ms);
        samples.get(c)?.push(ops);
      }
    }
    const floorCase = group.cases.find((c) => c.floor);
    const floorOps = floorCase ? median(samples.get(floorCase) ?? []) : undefined;
    for (const c of group.cases) {
      const s = samples.get(c) ?? [];
      const ops = median(s);
      results.push({
        group: group.title,
        name: c.name,
        opsPerSec: ops,
        min: Math.min(...s),
        max: Math.max(...s),
        ratio: floorOps ? ops / floorOps : undefined,
        bytes: c.bytes,
      });
    }
  }
  void sink;
  return results;
}

function fmtOps(n: number): string {
  return n >= 1e6
    ? `${(n / 1e6).toFixed(2)}M`
    : n >= 1e3
      ? `${(n / 1e3).toFixed(1)}k`
      : n.toFixed(0);
}

/** Markdown table of results, one section per group. */
export function formatResults(results: BenchResult[]): string {
  const lines: string[] = [];
  let group = '';
  for (const r of results) {
    if (r.group !== group) {
      group = r.group;
      lines.push(
        '',
        `### ${group}`,
        '',
        '| case | bytes | ops/s (median) | spread | × floor |',
        '|---|---:|---:|---:|---:|',
      );
    }
    const ratio = r.ratio === undefined ? '' : `${(r.ratio * 100).toFixed(0)} %`;
    lines.push(
      `| ${r.name} | ${r.bytes ?? ''} | ${fmtOps(r.opsPerSec)} | ${fmtOps(r.min)}–${fmtOps(r.max)} | ${ratio} |`,
    );
  }
  return lines.join('\n');
}

/** The two payloads of ../shared/perf-notes.md: small (95 B JSON) and large (≈4 KB JSON). */
export function payloads(): { small: Record<string, unknown>; large: Record<string, unknown> } {
  const small = {
    uid: 'user-12345',
    role: 'admin',
    iat: 1700000000,
    exp: 1700003600,
    scopes: ['read', 'write'],
  };
  const items = Array.from({ length: 36 }, (_, i) => ({
    id: i,
    name: `item-${i}-${'x'.repeat(40)}`,
    tags: ['alpha', 'beta', 'gamma'],
    price: i * 3,
  }));
  return { small, large: { ...small, items } };
}
