/**
 * The demo's settings, from the environment: secrets (generated at start when absent), ports,
 * and the one-time-link store (a SQLite file, or memory where no SQLite driver loads).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryStore, type ReplayStore, SqliteStore } from '../src/stores/index.ts';

/** The environment variables the demo reads, with what each one is for. */
export const SECRET_VARS = {
  tkt: ['TKT_SECRET', "portal's auth_tkt cookie (an Apache mod_auth_tkt site would share it)"],
  handoff: ['HANDOFF_SECRET', 'the hand-off envelope, shared by portal and support'],
  ska: ['SKA_SECRET_KEY', 'the one-time login links, shared by portal and support'],
  session: ['SESSION_SECRET', "support's own session cookie"],
} as const;

export type SecretName = keyof typeof SECRET_VARS;

/** Secrets by purpose: one key per purpose, never shared between purposes. */
export interface Secrets {
  values: Record<SecretName, string>;
  /** Names of the variables that were not set, so the value was generated. */
  generated: string[];
}

/** Read the secrets from `env`, generating 32 random bytes for each one that is not set. */
export function readSecrets(env: NodeJS.ProcessEnv): Secrets {
  const values = {} as Record<SecretName, string>;
  const generated: string[] = [];
  for (const [name, [variable]] of Object.entries(SECRET_VARS) as [
    SecretName,
    readonly [string, string],
  ][]) {
    const given = env[variable];
    if (given) values[name] = given;
    else {
      values[name] = randomBytes(32).toString('base64url');
      generated.push(variable);
    }
  }
  return { values, generated };
}

/** A port from the environment: `explicit` when set (then a busy port is an error). */
export function readPort(
  env: NodeJS.ProcessEnv,
  variable: string,
  fallback: number,
): { port: number; explicit: boolean } {
  const text = env[variable];
  if (text === undefined || text === '') return { port: fallback, explicit: false };
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new RangeError(`${variable} must be a port number from 0 to 65535 (0 = any free port)`);
  }
  return { port, explicit: true };
}

/** The store of used login links, and how to put it away. */
export interface OpenedStore {
  store: ReplayStore;
  /** For the start-up banner. */
  description: string;
  /** Close the store and remove its temporary directory. */
  close(): Promise<void>;
}

/**
 * The embedded default store: a SQLite file (`DEMO_DB`, else a file in a new temporary
 * directory removed at exit), opened with better-sqlite3 or node:sqlite, whichever loads; memory
 * when neither does.
 */
export function openStore(env: NodeJS.ProcessEnv): OpenedStore {
  const given = env.DEMO_DB || undefined;
  const dir = given === undefined ? mkdtempSync(join(tmpdir(), 'tessera-demo-')) : undefined;
  const path = given ?? join(dir as string, 'one-time-links.db');
  const removeDir = () => {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  };
  const failures: string[] = [];
  // better-sqlite3 first (the default), then node:sqlite: a better-sqlite3 built for another
  // Node.js version fails to load, and Node >= 22.5 still has its own driver.
  for (const driver of [undefined, 'node:sqlite'] as const) {
    try {
      const store = new SqliteStore(driver === undefined ? { path } : { path, driver });
      return {
        store,
        description: `SQLite file ${path}`,
        close: async () => {
          await store.close();
          removeDir();
        },
      };
    } catch (err) {
      failures.push((err as Error).message);
    }
  }
  removeDir();
  const store = new MemoryStore();
  return {
    store,
    description: `memory (no SQLite driver loaded: ${failures[0] ?? 'unknown'})`,
    close: () => store.close(),
  };
}
