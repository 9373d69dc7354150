/**
 * A private Apache 2.4 + mod_auth_tkt on 127.0.0.1 for interop tests, after
 * ../shared/specs/apache-interop.md: config in a temp dir (nothing from /etc/apache2), one
 * name-based virtual host per (secret, old secret, digest) — those directives are per server —
 * the client IP chosen per request with X-Forwarded-For (mod_remoteip), identity read back from
 * a CGI, started as its own process-group leader and stopped by PID.
 */
import { Buffer } from 'node:buffer';
import { type ChildProcess, spawn } from 'node:child_process';
import {
  chmodSync,
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const APACHE = '/usr/sbin/apache2';
export const MODULES = '/usr/lib/apache2/modules';
const INSTALL = 'apt-get install -y apache2 libapache2-mod-auth-tkt';

/** Why the peer cannot run here, or undefined when it can. */
export function skipReason(): string | undefined {
  if (!existsSync(APACHE)) return `${APACHE} not found (${INSTALL})`;
  if (!existsSync(join(MODULES, 'mod_auth_tkt.so'))) {
    return `mod_auth_tkt not installed (${INSTALL})`;
  }
  return undefined;
}

/** One virtual host: the per-server mod_auth_tkt directives. */
export interface VirtualHost {
  /** Host header that selects it. */
  host: string;
  secret: string;
  oldSecret?: string | undefined;
  digest: 'MD5' | 'SHA256' | 'SHA512';
}

/** A response, with the headers Apache's module sets. */
export interface PeerResponse {
  status: number;
  /** Path of the `Location` redirect (`/login`, `/unauth`, `/timedout`), if any. */
  redirect: string | undefined;
  /** Value of a `Set-Cookie: auth_tkt=…`, if any. */
  setCookie: string | undefined;
  /** REMOTE_USER, REMOTE_USER_TOKENS, REMOTE_USER_DATA (on 200). */
  user: string | undefined;
  tokens: string | undefined;
  data: string | undefined;
}

export interface ApachePeer {
  port: number;
  /**
   * GET `<location>/env.cgi` on `host`. Locations: `/tkt` (no timeout), `/tkt-ignoreip`
   * (TKTAuthIgnoreIP on), `/tkt-token` (TKTAuthToken admin finance), `/timeout`
   * (TKTAuthTimeout 60, refresh 0.5).
   */
  get(host: string, location: string, cookie: string, clientIp?: string): Promise<PeerResponse>;
  errorLog(): string;
  stop(): Promise<void>;
}

const LOCATIONS: Record<string, string> = {
  tkt: 'TKTAuthTimeout 0',
  'tkt-ignoreip': 'TKTAuthTimeout 0\n  TKTAuthIgnoreIP on',
  'tkt-token': 'TKTAuthTimeout 0\n  TKTAuthToken admin finance',
  timeout:
    'TKTAuthTimeout 60\n  TKTAuthTimeoutRefresh 0.5\n  TKTAuthTimeoutURL http://127.0.0.1/timedout',
};
const MODULE_NAMES = [
  'mpm_prefork',
  'authz_core',
  'authn_core',
  'authz_user',
  'cgi',
  'remoteip',
  'auth_tkt',
];
const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
const CGI = `#!/bin/sh
printf 'Content-Type: text/plain\\r\\n\\r\\n'
printf '%s\\n%s\\n%s\\n' "$REMOTE_USER" "$REMOTE_USER_TOKENS" "$REMOTE_USER_DATA"
`;

/** A free TCP port on 127.0.0.1 (closed again before Apache binds it). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/**
 * Start one Apache serving `hosts` (the first is also the default) on a free port; resolves once
 * it answers. Call `stop()` (in `after`) to end it by its PID and remove its temp dir.
 */
export async function startApache(hosts: VirtualHost[]): Promise<ApachePeer> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'tessera-apache-'));
  // Apache's children run as www-data (when started as root): they must reach the docroot.
  chmodSync(dir, 0o755);
  mkdirSync(join(dir, 'logs'));
  for (const location of Object.keys(LOCATIONS)) {
    mkdirSync(join(dir, 'htdocs', location), { recursive: true });
    writeFileSync(join(dir, 'htdocs', location, 'env.cgi'), CGI);
    chmodSync(join(dir, 'htdocs', location, 'env.cgi'), 0o755);
  }
  const quote = (s: string) => {
    if (!/^[^"\\\n\r]+$/.test(s))
      throw new Error(`secret ${JSON.stringify(s)} needs config escaping`);
    return `"${s}"`;
  };
  const root = process.getuid?.() === 0;
  const conf = `ServerRoot "${dir}"
ServerName 127.0.0.1
Listen 127.0.0.1:${port}
PidFile "${dir}/logs/httpd.pid"
ErrorLog "${dir}/logs/error.log"
LogLevel warn
Mutex file:${dir}/logs
${root ? 'User www-data\nGroup www-data' : ''}
${MODULE_NAMES.map((m) => `LoadModule ${m}_module ${MODULES}/mod_${m}.so`).join('\n')}
DocumentRoot "${dir}/htdocs"
RemoteIPHeader X-Forwarded-For
RemoteIPInternalProxy 127.0.0.1
<Directory "${dir}/htdocs">
  Options +ExecCGI
  SetHandler cgi-script
  Require all granted
</Directory>
${Object.entries(LOCATIONS)
  .map(
    ([location, directives]) => `<Location /${location}>
  AuthType None
  Require valid-user
  TKTAuthLoginURL http://127.0.0.1/login
  TKTAuthUnauthURL http://127.0.0.1/unauth
  ${directives}
</Location>`,
  )
  .join('\n')}
${hosts
  .map(
    (h) => `<VirtualHost 127.0.0.1:${port}>
  ServerName ${h.host}
  TKTAuthSecret ${quote(h.secret)}
  ${h.oldSecret === undefined ? '' : `TKTAuthSecretOld ${quote(h.oldSecret)}`}
  TKTAuthDigestType ${h.digest}
</VirtualHost>`,
  )
  .join('\n')}
`;
  writeFileSync(join(dir, 'httpd.conf'), conf);
  const out = openSync(join(dir, 'logs', 'stdout.log'), 'w');
  // detached = setsid(): prefork's parent killpg()s its own process group on SIGTERM, which
  // would take the test runner with it (apache-interop.md §3).
  const child: ChildProcess = spawn(APACHE, ['-f', join(dir, 'httpd.conf'), '-DFOREGROUND'], {
    detached: true,
    stdio: ['ignore', out, out],
  });
  closeSync(out);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // If the test process ends before `after` runs (a crash, a signal), do not leave this Apache
  // behind: stop it by its PID, then let the signal do what it would have done.
  const onExit = () => {
    if (child.pid !== undefined && child.exitCode === null) process.kill(child.pid, 'SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  };
  const onSignal = (signal: NodeJS.Signals) => {
    onExit();
    for (const s of SIGNALS) process.off(s, onSignal);
    process.kill(process.pid, signal);
  };
  process.once('exit', onExit);
  for (const s of SIGNALS) process.once(s, onSignal);
  const log = () => {
    const read = (f: string) =>
      existsSync(join(dir, 'logs', f)) ? readFileSync(join(dir, 'logs', f), 'utf8') : '';
    return read('stdout.log') + read('error.log');
  };

  const get = (host: string, location: string, cookie: string, clientIp?: string) =>
    new Promise<PeerResponse>((resolve, reject) => {
      const headers: Record<string, string> = {
        Host: host,
        // Header bytes go out as UTF-8 (a raw ticket may hold non-ASCII).
        Cookie: Buffer.from(`auth_tkt=${cookie}`, 'utf8').toString('latin1'),
      };
      if (clientIp !== undefined) headers['X-Forwarded-For'] = clientIp;
      const req = request(
        { host: '127.0.0.1', port, path: `/${location}/env.cgi`, headers, agent: false },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const location = res.headers.location;
            const setCookie = (res.headers['set-cookie'] ?? [])
              .map((c) => /^auth_tkt=([^;]*)/.exec(c)?.[1])
              .find((v) => v !== undefined);
            const lines =
              res.statusCode === 200 ? Buffer.concat(chunks).toString('utf8').split('\n') : [];
            resolve({
              status: res.statusCode ?? 0,
              redirect: location === undefined ? undefined : new URL(location).pathname,
              setCookie,
              user: lines[0],
              tokens: lines[1],
              data: lines[2],
            });
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end();
    });

  // Ready when it answers (start-up takes 0.02–0.05 s).
  for (let i = 0; ; i++) {
    if (child.exitCode !== null || child.signalCode !== null) {
      const text = log();
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`apache2 exited at start-up:\n${text}`);
    }
    try {
      await get(hosts[0]?.host ?? '127.0.0.1', 'tkt', 'x');
      break;
    } catch {
      if (i > 500) {
        await stop();
        throw new Error(`apache2 did not answer:\n${log()}`);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async function stop(): Promise<void> {
    process.off('exit', onExit);
    for (const s of SIGNALS) process.off(s, onSignal);
    const pid = child.pid;
    if (pid !== undefined && child.exitCode === null && child.signalCode === null) {
      process.kill(pid, 'SIGTERM'); // this PID only: never a process-name match
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  }

  return { port, get, errorLog: log, stop };
}
