/**
 * A private redis-server for tests: a free loopback port, its own temp dir, started and stopped
 * by the test (never a shared or system instance). Persistence is the configuration the
 * RedisStore docs tell users to run: AOF with `appendfsync always`, no RDB, `noeviction`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The redis-server binary; TESSERA_REDIS_SERVER overrides it (e.g. to check the skip path). */
export const REDIS_SERVER = process.env.TESSERA_REDIS_SERVER ?? '/usr/bin/redis-server';

/** Why Redis tests skip, or `false` when they can run. */
export const redisSkip: string | false = existsSync(REDIS_SERVER)
  ? false
  : `${REDIS_SERVER} is not installed (apt-get install redis-server)`;

/** A loopback TCP port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      srv.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** `aof-always`: the documented configuration; `none`: no persistence at all (a control). */
export type Persistence = 'aof-always' | 'none';

export class RedisServer {
  readonly port: number;
  readonly dir: string;
  readonly #persistence: Persistence;
  #child: ChildProcess | undefined;
  #log = '';

  private constructor(port: number, dir: string, persistence: Persistence) {
    this.port = port;
    this.dir = dir;
    this.#persistence = persistence;
  }

  static async start(persistence: Persistence = 'aof-always'): Promise<RedisServer> {
    const server = new RedisServer(
      await freePort(),
      mkdtempSync(join(tmpdir(), 'tessera-redis-')),
      persistence,
    );
    await server.#spawn();
    return server;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Start again on the same port and dir (after `crash()` or `stop()`). */
  async restart(): Promise<void> {
    await this.#spawn();
  }

  /** SIGKILL: a crash, no chance to flush anything. */
  async crash(): Promise<void> {
    await this.#signal('SIGKILL');
  }

  /** SIGTERM: a clean shutdown. */
  async stop(): Promise<void> {
    await this.#signal('SIGTERM');
  }

  /** Stop and delete the temp dir. */
  async destroy(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }

  async #spawn(): Promise<void> {
    const persistence =
      this.#persistence === 'aof-always'
        ? ['--appendonly', 'yes', '--appendfsync', 'always']
        : ['--appendonly', 'no'];
    const child = spawn(
      REDIS_SERVER,
      [
        '--port',
        String(this.port),
        '--bind',
        '127.0.0.1',
        '--dir',
        this.dir,
        '--save',
        '',
        ...persistence,
        '--maxmemory-policy',
        'noeviction',
        '--daemonize',
        'no',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.#child = child;
    // Never leave a server behind, even if the test process dies without running `after`.
    const reap = () => child.kill('SIGKILL');
    process.once('exit', reap);
    child.once('exit', () => process.removeListener('exit', reap));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => fail(new Error('redis-server did not start within 10 s')),
        10_000,
      );
      const fail = (err: Error) => {
        clearTimeout(timer);
        child.kill('SIGKILL');
        reject(new Error(`${err.message}\n${this.#log}`));
      };
      const onData = (chunk: Buffer) => {
        this.#log += chunk.toString();
        if (this.#log.includes('Ready to accept connections')) {
          clearTimeout(timer);
          this.#log = '';
          child.stdout?.removeListener('data', onData);
          child.stdout?.resume(); // keep draining
          resolve();
        }
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', (chunk: Buffer) => {
        this.#log += chunk.toString();
      });
      child.once('error', fail);
      child.once('exit', (code) => fail(new Error(`redis-server exited with ${code}`)));
    });
    child.removeAllListeners('exit');
    child.once('exit', () => process.removeListener('exit', reap));
  }

  async #signal(signal: NodeJS.Signals): Promise<void> {
    const child = this.#child;
    this.#child = undefined;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    await exited;
  }
}
