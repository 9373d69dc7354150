/**
 * The middleware row (issue 3): the same tiny Fastify route, unprotected and protected by
 * tessera/fastify's ska hook, under autocannon on loopback, in one run. Target: the protected
 * route keeps ≥ 90 % of the unprotected route's requests/s.
 *
 * The server runs in a child process (this file with `--serve`), so that the load generator
 * and the server do not share an event loop; the two routes are measured in alternating
 * rounds against the same server, and the medians are compared. The protected request carries
 * perf-notes' small payload as a ska login link (uid → auth_user, the rest as signed extras).
 *
 * `report()` returns a markdown table; run alone: `node --import tsx bench/web.ts`.
 */
import { Buffer } from 'node:buffer';
import { type ChildProcess, spawn } from 'node:child_process';
import { createHmac, createSecretKey } from 'node:crypto';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { signUrl } from '../src/ska/index.ts';
import { payloads } from './harness.ts';

const SECRET = 'bench-secret-key-0123456789abcdef';

/**
 * The server side: one Fastify instance, the same tiny route four times: unprotected; behind a
 * hook doing only the raw HMAC-SHA1 of the query (the floor any signed-URL check pays); behind a
 * bare hook calling ska's `RequestHelper.validateRequestData` (ska's own cost); and behind
 * tessera/fastify's hook (what users get).
 */
async function serve(): Promise<void> {
  const { default: Fastify } = await import('fastify');
  const { skaPlugin } = await import('../src/fastify/index.ts');
  const { RequestHelper } = await import('../src/ska/index.ts');
  const app = Fastify({ logger: false });
  await app.register(skaPlugin, { secretKey: SECRET });
  const key = createSecretKey(Buffer.from(SECRET));
  const helper = new RequestHelper({ secretKey: SECRET });
  app.get('/open', async () => 'ok');
  app.get(
    '/hmac',
    {
      preHandler: (request, _reply, done) => {
        createHmac('sha1', key)
          .update(request.url.slice(request.url.indexOf('?') + 1))
          .digest('base64');
        done();
      },
    },
    async () => 'ok',
  );
  app.get(
    '/ska',
    {
      preHandler: (request, reply, done) => {
        if (helper.validateRequestData({ data: request.url }).result) done();
        else reply.code(401).send();
      },
    },
    async () => 'ok',
  );
  app.get('/protected', { preHandler: app.skaProtect }, async () => 'ok');
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  process.stdout.write(`${address}\n`);
  process.on('SIGTERM', () => {
    void app.close().then(() => process.exit(0));
  });
}

/** perf-notes' small payload as a signed query (`?signature=…`, ≈ 200 bytes). */
function smallQuery(): string {
  const p = payloads().small as Record<string, unknown>;
  return signUrl({
    authUser: p.uid as string,
    secretKey: SECRET,
    lifetime: 3600,
    extra: {
      role: p.role as string,
      iat: p.iat as number,
      exp: p.exp as number,
      scopes: (p.scopes as string[]).join(','),
    },
  });
}

async function startServer(): Promise<{ child: ChildProcess; base: string }> {
  const self = fileURLToPath(import.meta.url);
  const child = spawn(process.execPath, ['--import', 'tsx', self, '--serve'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  child.stdout?.setEncoding('utf8');
  let out = '';
  for await (const chunk of child.stdout as AsyncIterable<string>) {
    out += chunk;
    if (out.includes('\n')) break;
  }
  const base = out.trim();
  if (!base.startsWith('http://')) throw new Error(`bench server did not start: ${out}`);
  return { child, base };
}

interface Round {
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
}

async function load(url: string, duration: number, connections: number): Promise<Round> {
  const r = await autocannon({ url, duration, connections, pipelining: 1 });
  return {
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    non2xx: r.non2xx,
    errors: r.errors,
  };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

/** Options of {@link report}. */
export interface WebBenchOptions {
  /** Seconds per measured round (default 3). */
  duration?: number;
  /** Rounds per route, alternating (default 3). */
  rounds?: number;
  /** Concurrent connections (default 10). */
  connections?: number;
}

/** Run the middleware bench and return a markdown table. */
export async function report(options: WebBenchOptions = {}): Promise<string> {
  const { duration = 3, rounds = 3, connections = 10 } = options;
  const { child, base } = await startServer();
  try {
    // Every route gets the same request bytes: the signed query.
    const q = smallQuery();
    const targets = [
      { name: 'Fastify route, unprotected', url: `${base}/open${q}` },
      { name: 'hook: raw HMAC-SHA1 of the query only (floor)', url: `${base}/hmac${q}` },
      { name: "hook: ska RequestHelper.validateRequestData (ska's cost)", url: `${base}/ska${q}` },
      { name: 'tessera/fastify skaPlugin hook (protected)', url: `${base}/protected${q}` },
    ];
    // Warm both paths (JIT, connection setup) before measuring.
    for (const t of targets) await load(t.url, 1, connections);
    const results = targets.map(() => [] as Round[]);
    for (let i = 0; i < rounds; i++) {
      for (const [j, t] of targets.entries())
        results[j]?.push(await load(t.url, duration, connections));
    }
    const rows = targets.map((t, j) => {
      const rs = results[j] as Round[];
      return {
        name: t.name,
        rps: median(rs.map((r) => r.rps)),
        min: Math.min(...rs.map((r) => r.rps)),
        max: Math.max(...rs.map((r) => r.rps)),
        p50: median(rs.map((r) => r.p50)),
        p99: median(rs.map((r) => r.p99)),
        bad: rs.reduce((n, r) => n + r.non2xx + r.errors, 0),
      };
    });
    const floor = rows[0]?.rps ?? 1;
    const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
    const lines = [
      `### Middleware: ska-protected vs unprotected Fastify route (autocannon, ${connections} connections, ${rounds}×${duration}s per route, loopback)`,
      '',
      '| route | req/s (median) | min–max | p50 ms | p99 ms | non-2xx/errors | ratio |',
      '|---|---:|---:|---:|---:|---:|---:|',
      ...rows.map(
        (r) =>
          `| ${r.name} | ${fmt(r.rps)} | ${fmt(r.min)}–${fmt(r.max)} | ${r.p50} | ${r.p99} | ${r.bad} | ${((r.rps / floor) * 100).toFixed(1)} % |`,
      ),
      '',
      `Target: the protected route keeps ≥ 90 % of the unprotected route's requests/s — ${
        (rows[3]?.rps ?? 0) / floor >= 0.9 ? 'met' : 'NOT met'
      }. Ratios are to the unprotected route; every route gets the same signed query.`,
    ];
    return lines.join('\n');
  } finally {
    child.kill('SIGTERM');
    await once(child, 'exit');
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv.includes('--serve')) await serve();
  else console.log(await report());
}
