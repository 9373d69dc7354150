/**
 * `tessera revoke`: put a token's id in a replay/revocation store (issue 6), so that a service
 * checking the store refuses it until it expires — logout that really logs out, or a leaked link
 * disabled. The id is `tokenId` of the token's MAC bytes, read without the secret (revoking a
 * token needs no key), exactly as the verifiers derive it: `TktGuard` (tkt), `decodeWithMac` /
 * `decodeHandoffOnce` (handoff), `itsdangerousMac` (itsdangerous).
 */
import { durationSeconds } from '../core/clock.ts';
import { StoreUnavailable, TesseraError } from '../core/errors.ts';
import {
  MemoryStore,
  RedisStore,
  type ReplayStore,
  SqliteStore,
  tokenId,
} from '../stores/index.ts';
import { apacheSeconds } from '../tkt/apache.ts';
import { handoffMac, itsdangerousMac } from '../web/once.ts';
import { readTicketDigest } from '../web/tkt.ts';
import { clockOf, flag, onePositional, str, usage } from './args.ts';
import { readToken } from './io.ts';
import { type Command, type CommandContext, EXIT, UsageError } from './table.ts';

type Format = 'tkt' | 'handoff' | 'itsdangerous';
const FORMATS: readonly Format[] = ['tkt', 'handoff', 'itsdangerous'];
const TKT_HEX: Record<string, number> = { md5: 32, sha256: 64, sha512: 128 };
/** A never-expiring ticket (`TKTAuthTimeout 0`) stays revoked until 9999-12-31T23:59:59Z. */
const FOREVER_MS = 253_402_300_799_000;
const RELATIVE = /^\d+(?:\.\d+)?\s*(?:ms|s|sec|m|min|h|hr|d|w)$/;

/**
 * `--expires`: Unix seconds (`1700000000`), an ISO 8601 date (`2030-01-01T00:00:00Z`), or a
 * duration from now (`15m`, `2h`, `7d`); in milliseconds.
 */
function expiresOf(text: string, now: number): number {
  const t = text.trim();
  if (/^\d+(?:\.\d+)?$/.test(t)) return Number(t) * 1000;
  if (RELATIVE.test(t)) return now + durationSeconds(t, '--expires') * 1000;
  const ms = /\d{4}-\d{2}-\d{2}/.test(t) ? Date.parse(t) : Number.NaN;
  if (!Number.isFinite(ms)) {
    throw new UsageError(
      '--expires must be Unix seconds, an ISO 8601 date, or a duration (15m, 2h, 7d)',
    );
  }
  return ms;
}

/** The token's id and, when the token says, its expiry in ms. */
function idOf(
  ctx: CommandContext,
  format: Format,
  token: string,
): { id: string; expiresAt: number | undefined } {
  if (format === 'tkt') {
    const digest = (str(ctx, 'digest') ?? 'md5').toLowerCase();
    const hexLength = TKT_HEX[digest];
    if (hexLength === undefined) throw new UsageError('--digest must be md5, sha256 or sha512');
    const timeoutText = str(ctx, 'timeout') ?? '7200';
    const timeout = usage(() =>
      apacheSeconds(/^\d+$/.test(timeoutText) ? Number(timeoutText) : timeoutText, '--timeout'),
    );
    const { mac, ts } = readTicketDigest(token, hexLength);
    // The ticket validates through the whole second ts + timeout (TKTAuthTimeout; 0 = never).
    const end = ts + timeout;
    const expiresAt = timeout === 0 || end > 0xffffffff ? FOREVER_MS : (end + 1) * 1000;
    return { id: tokenId(mac), expiresAt };
  }
  if (format === 'handoff') return { id: tokenId(handoffMac(token)), expiresAt: undefined };
  return { id: tokenId(itsdangerousMac(token, str(ctx, 'sep') ?? '.')), expiresAt: undefined };
}

interface OpenStore {
  store: ReplayStore;
  kind: 'memory' | 'sqlite' | 'redis';
  close: () => Promise<void>;
}

async function openStore(ctx: CommandContext, spec: string, now: () => number): Promise<OpenStore> {
  if (spec === 'memory') {
    ctx.stderr('warning: a memory store forgets the revocation when this process exits\n');
    const store = new MemoryStore({ now });
    return { store, kind: 'memory', close: () => store.close() };
  }
  if (spec.startsWith('sqlite:')) {
    const path = spec.slice('sqlite:'.length);
    if (path === '') throw new UsageError('--store sqlite:PATH needs a path');
    const table = str(ctx, 'table');
    const store = usage(() => new SqliteStore({ path, now, ...(table ? { table } : {}) }));
    return { store, kind: 'sqlite', close: () => store.close() };
  }
  if (spec.startsWith('redis://') || spec.startsWith('rediss://')) {
    let redis: typeof import('redis');
    try {
      // Optional peer: loaded only for a Redis store.
      redis = await import('redis');
    } catch {
      throw new UsageError('a Redis store needs the redis package (npm install redis)');
    }
    const client = redis.createClient({
      url: spec,
      disableOfflineQueue: true,
      socket: { connectTimeout: 5000, reconnectStrategy: false },
    });
    client.on('error', () => {
      // Reported by connect() or by the store's command (StoreUnavailable).
    });
    try {
      await client.connect();
    } catch (err) {
      throw new StoreUnavailable(`Redis unavailable: ${(err as Error).message}`, { cause: err });
    }
    const prefix = str(ctx, 'prefix');
    const store = new RedisStore({ client, now, ...(prefix !== undefined ? { prefix } : {}) });
    return {
      store,
      kind: 'redis',
      close: async () => {
        await store.close();
        await client.close();
      },
    };
  }
  throw new UsageError('--store must be memory, sqlite:PATH or redis://HOST:PORT');
}

const revokeCommand: Command = {
  path: ['revoke'],
  summary: 'revoke a token in a store (memory, SQLite, Redis) until it expires',
  usage: [
    'tessera revoke [TOKEN|-] --store sqlite:PATH|redis://HOST:PORT|memory --format tkt|handoff|itsdangerous',
    '       [--expires UNIX_SECONDS|ISO_DATE|DURATION] [--digest md5|sha256|sha512] [--timeout SECONDS|2h]',
    '       [--sep .] [--prefix PREFIX] [--table NAME] [--now SECONDS] [--json]',
    '  The token (a mod_auth_tkt cookie or ticket, a handoff token, an itsdangerous token) comes',
    '  from the argument, or from stdin when it is absent or "-". No secret is needed: the id is a',
    '  hash of the MAC bytes the token carries. The entry lives until --expires: required for',
    '  handoff and itsdangerous; for tkt it defaults to the ticket time + --timeout (TKTAuthTimeout,',
    '  default 7200; --digest as TKTAuthDigestType, default md5). Redis: --prefix (default',
    '  "tessera:"); SQLite: --table (default tessera_replay) — the same the service uses.',
  ].join('\n'),
  options: {
    store: { type: 'string' },
    format: { type: 'string' },
    expires: { type: 'string' },
    digest: { type: 'string' },
    timeout: { type: 'string' },
    sep: { type: 'string' },
    prefix: { type: 'string' },
    table: { type: 'string' },
    now: { type: 'string' },
    json: { type: 'boolean', default: false },
  },
  allowPositionals: true,
  async run(ctx) {
    onePositional(ctx, 'token');
    const format = str(ctx, 'format');
    if (!FORMATS.includes(format as Format)) {
      throw new UsageError(`--format must be ${FORMATS.join(', ')}`);
    }
    const spec = str(ctx, 'store');
    if (spec === undefined) throw new UsageError('--store is required');
    const now = clockOf(ctx);
    const expiresText = str(ctx, 'expires');
    let given: number | undefined;
    if (expiresText !== undefined) given = expiresOf(expiresText, now());
    else if (format !== 'tkt') throw new UsageError(`--expires is required for ${format}`);
    const token = await readToken(ctx);
    let id: string;
    let expiresAt: number;
    try {
      const read = idOf(ctx, format as Format, token);
      id = read.id;
      expiresAt = given ?? (read.expiresAt as number);
    } catch (err) {
      if (!(err instanceof TesseraError)) throw err;
      ctx.stderr(`invalid: ${err.code}: ${err.message}\n`);
      return EXIT.invalid;
    }
    const expires = new Date(Math.min(expiresAt, 8.64e15)).toISOString();
    if (expiresAt <= now()) {
      ctx.stderr(`expired: the token is refused anyway since ${expires}; nothing to revoke\n`);
      return EXIT.invalid;
    }
    let opened: OpenStore | undefined;
    try {
      opened = await openStore(ctx, spec, now);
      await opened.store.revoke(id, expiresAt);
    } catch (err) {
      if (!(err instanceof StoreUnavailable)) throw err;
      ctx.stderr(`store unavailable: ${err.message}\n`);
      return EXIT.invalid;
    } finally {
      await opened?.close().catch(() => undefined);
    }
    ctx.stdout(
      flag(ctx, 'json')
        ? `${JSON.stringify({ revoked: true, id, format, store: opened.kind, expiresAt, expires })}\n`
        : `revoked ${id} until ${expires}\n`,
    );
    return EXIT.ok;
  },
};

/** The revoke command. */
export const REVOKE_COMMANDS: Command[] = [revokeCommand];
