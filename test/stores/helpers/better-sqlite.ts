/**
 * Whether better-sqlite3's native binding loads in this Node.js. It is built for the Node that ran
 * `npm ci` (CI builds under Node 20 and reruns the suite under Node 24, where the binding cannot
 * load); tests that use it directly skip then, while SqliteStore({ path }) falls back to node:sqlite.
 */
import Database from 'better-sqlite3';

function probe(): string | false {
  try {
    new Database(':memory:').close();
    return false;
  } catch (err) {
    return `better-sqlite3 does not load in Node ${process.version} (${(err as { code?: string }).code ?? 'error'})`;
  }
}

/** `false`, or the reason to skip. */
export const betterSqliteSkip: string | false = probe();
