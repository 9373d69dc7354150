/**
 * `tessera tkt new` and `tessera tkt validate`: Apache mod_auth_tkt tickets (mod_auth_tkt.md)
 * and Python ticket_auth tickets (ticket_auth.md), with the secret from `--secret-file` or
 * `TESSERA_SECRET_KEY` (never from argv, never printed).
 */
import { TicketError } from '../core/errors.ts';
import { AuthTicket, type AuthTicketDigest, TicketFactory } from '../tkt/index.ts';
import { clockOf, flag, list, onePositional, readSecretFile, seconds, str, usage } from './args.ts';
import { readSecret, readToken } from './io.ts';
import { type Command, type CommandContext, EXIT, UsageError } from './table.ts';

type Format = 'mod_auth_tkt' | 'ticket_auth';

function formatOf(ctx: CommandContext): Format {
  const f = str(ctx, 'format') ?? 'mod_auth_tkt';
  if (f !== 'mod_auth_tkt' && f !== 'ticket_auth') {
    throw new UsageError('--format must be mod_auth_tkt or ticket_auth');
  }
  return f;
}

const APACHE_DIGESTS = ['md5', 'sha256', 'sha512'];

function apacheDigest(ctx: CommandContext): AuthTicketDigest {
  const d = str(ctx, 'digest') ?? 'md5';
  if (!APACHE_DIGESTS.includes(d.toLowerCase())) {
    throw new UsageError('--digest must be md5, sha256 or sha512 for mod_auth_tkt');
  }
  return d.toLowerCase() as AuthTicketDigest;
}

/** `--timeout`: seconds, or Apache's `2h`, `30m`, `1d 12h` (checked by AuthTicket). */
function timeoutOf(ctx: CommandContext): number | string | undefined {
  const t = str(ctx, 'timeout');
  if (t === undefined) return undefined;
  return /^\d+$/.test(t.trim()) ? Number(t) : t;
}

function isoOf(unixSeconds: number): string {
  const d = new Date(unixSeconds * 1000);
  return Number.isNaN(d.getTime()) ? String(unixSeconds) : d.toISOString();
}

const COMMON = {
  format: { type: 'string' },
  digest: { type: 'string' },
  ip: { type: 'string' },
  'secret-file': { type: 'string' },
  now: { type: 'string' },
  json: { type: 'boolean', default: false },
} as const;

const newCommand: Command = {
  path: ['tkt', 'new'],
  summary: 'create a mod_auth_tkt (or ticket_auth) ticket',
  usage: [
    'tessera tkt new UID [--format mod_auth_tkt|ticket_auth] [--digest md5|sha256|sha512]',
    '       [--ip IP] [--tokens a,b] [--user-data TEXT] [--ts SECONDS] [--cookie]',
    '       [--valid-until SECONDS | --lifetime SECONDS] [--secret-file FILE] [--now SECONDS] [--json]',
    '  mod_auth_tkt (default): --digest md5 (default), sha256 or sha512; --ip binds the ticket to an',
    '  IPv4 address (default 0.0.0.0: unbound, for TKTAuthIgnoreIP); --ts is the issue time (default',
    '  now); --cookie prints the cookie value (standard base64, as Apache writes it).',
    '  ticket_auth: --digest is a hashlib name (default sha512); --ip may be IPv4 or IPv6; the ticket',
    '  is valid until --valid-until (Unix seconds) or now + --lifetime (default 120).',
    '  The secret comes from --secret-file or TESSERA_SECRET_KEY.',
  ].join('\n'),
  options: {
    ...COMMON,
    tokens: { type: 'string' },
    'user-data': { type: 'string' },
    ts: { type: 'string' },
    'valid-until': { type: 'string' },
    lifetime: { type: 'string' },
    cookie: { type: 'boolean', default: false },
  },
  allowPositionals: true,
  run(ctx) {
    if (ctx.positionals.length !== 1) throw new UsageError('give one UID');
    const uid = ctx.positionals[0] as string;
    const format = formatOf(ctx);
    const now = clockOf(ctx);
    const tokens = list(ctx, 'tokens') ?? [];
    const userData = str(ctx, 'user-data') ?? '';
    const ip = str(ctx, 'ip');
    if (format === 'mod_auth_tkt') {
      for (const o of ['valid-until', 'lifetime']) {
        if (str(ctx, o) !== undefined) throw new UsageError(`--${o} is for ticket_auth (use --ts)`);
      }
      const digest = apacheDigest(ctx);
      const secret = readSecret(ctx);
      const tkt = usage(() => new AuthTicket({ secret, digest, now }));
      const ts = seconds(ctx, 'ts') ?? Math.floor(now() / 1000);
      const ticket = usage(() => tkt.create({ uid, ip, ts, tokens, userData }));
      const cookie = tkt.cookieValue(ticket);
      if (flag(ctx, 'json')) {
        const out = { format, ticket, cookie, uid, tokens, userData, ip: ip ?? '0.0.0.0' };
        ctx.stdout(`${JSON.stringify({ ...out, ts, digest })}\n`);
      } else {
        ctx.stdout(`${flag(ctx, 'cookie') ? cookie : ticket}\n`);
      }
      return EXIT.ok;
    }
    if (flag(ctx, 'cookie')) throw new UsageError('--cookie is for mod_auth_tkt');
    if (str(ctx, 'ts') !== undefined) throw new UsageError('--ts is for mod_auth_tkt');
    const hashalg = str(ctx, 'digest') ?? 'sha512';
    const secret = readSecret(ctx);
    const factory = usage(() => new TicketFactory(secret, { hashalg, now }));
    const lifetime = seconds(ctx, 'lifetime');
    let validUntil = seconds(ctx, 'valid-until');
    if (validUntil !== undefined && lifetime !== undefined) {
      throw new UsageError('give --valid-until or --lifetime, not both');
    }
    if (lifetime !== undefined) validUntil = Math.floor(now() / 1000) + lifetime;
    const ticket = usage(() => factory.new(uid, { tokens, userData, validUntil, clientIp: ip }));
    if (flag(ctx, 'json')) {
      const info = factory.parse(ticket);
      const out = { format, ticket, uid, tokens, userData, ip: ip ?? null };
      ctx.stdout(`${JSON.stringify({ ...out, validUntil: info.validUntil, digest: hashalg })}\n`);
    } else {
      ctx.stdout(`${ticket}\n`);
    }
    return EXIT.ok;
  },
};

function invalid(ctx: CommandContext, format: Format, err: TicketError): number {
  if (flag(ctx, 'json')) {
    ctx.stdout(
      `${JSON.stringify({ valid: false, format, code: err.code, message: err.message })}\n`,
    );
  }
  ctx.stderr(`invalid: ${err.code}: ${err.message}\n`);
  return EXIT.invalid;
}

const validateCommand: Command = {
  path: ['tkt', 'validate'],
  summary: 'validate a ticket or cookie (exit 0 valid, 1 invalid or expired)',
  usage: [
    'tessera tkt validate [TICKET|-] [--format mod_auth_tkt|ticket_auth] [--digest md5|sha256|sha512]',
    '       [--ip CLIENT_IP] [--timeout SECONDS|2h] [--required-tokens a,b] [--old-secret-file FILE]',
    '       [--secret-file FILE] [--now SECONDS] [--json]',
    '  The ticket (or mod_auth_tkt cookie value, in any spelling Apache accepts) comes from the',
    '  argument, or from stdin when it is absent or "-". --ip is the client address the ticket',
    '  must be bound to (default none: 0.0.0.0). mod_auth_tkt: --timeout is TKTAuthTimeout',
    '  (default 7200, 0 = never); --old-secret-file is TKTAuthSecretOld.',
  ].join('\n'),
  options: {
    ...COMMON,
    timeout: { type: 'string' },
    'required-tokens': { type: 'string' },
    'old-secret-file': { type: 'string' },
  },
  allowPositionals: true,
  async run(ctx) {
    onePositional(ctx, 'ticket');
    const format = formatOf(ctx);
    const now = clockOf(ctx);
    const clientIp = str(ctx, 'ip');
    if (format === 'mod_auth_tkt') {
      const digest = apacheDigest(ctx);
      const secret = readSecret(ctx);
      const oldFile = str(ctx, 'old-secret-file');
      const oldSecret =
        oldFile === undefined ? undefined : readSecretFile(oldFile, '--old-secret-file');
      const tkt = usage(
        () =>
          new AuthTicket({
            secret,
            oldSecret,
            digest,
            timeout: timeoutOf(ctx),
            requiredTokens: list(ctx, 'required-tokens'),
            now,
          }),
      );
      const ticket = await readToken(ctx);
      let info: ReturnType<AuthTicket['validate']>;
      try {
        info = usage(() => tkt.validate(ticket, { clientIp }));
      } catch (err) {
        if (err instanceof TicketError) return invalid(ctx, format, err);
        throw err;
      }
      if (flag(ctx, 'json')) {
        ctx.stdout(`${JSON.stringify({ valid: true, format, ...info })}\n`);
      } else {
        const lines = [
          'valid',
          `uid: ${info.uid}`,
          `tokens: ${info.tokens.join(',')}`,
          `user_data: ${info.userData}`,
          `ts: ${info.ts} (${isoOf(info.ts)})`,
          ...(info.oldSecret ? ['signed with the old secret'] : []),
          ...(info.refresh ? ['refresh: due'] : []),
        ];
        ctx.stdout(`${lines.join('\n')}\n`);
      }
      return EXIT.ok;
    }
    for (const o of ['timeout', 'required-tokens', 'old-secret-file']) {
      if (str(ctx, o) !== undefined) throw new UsageError(`--${o} is for mod_auth_tkt`);
    }
    const hashalg = str(ctx, 'digest') ?? 'sha512';
    const secret = readSecret(ctx);
    const factory = usage(() => new TicketFactory(secret, { hashalg, now }));
    const ticket = await readToken(ctx);
    let info: ReturnType<TicketFactory['validate']>;
    try {
      info = factory.validate(ticket, { clientIp });
    } catch (err) {
      if (err instanceof TicketError) return invalid(ctx, format, err);
      throw err;
    }
    if (flag(ctx, 'json')) {
      const { userId, tokens, userData, validUntil } = info;
      ctx.stdout(
        `${JSON.stringify({ valid: true, format, uid: userId, tokens, userData, validUntil })}\n`,
      );
    } else {
      const lines = [
        'valid',
        `uid: ${info.userId}`,
        `tokens: ${info.tokens.join(',')}`,
        `user_data: ${info.userData}`,
        `valid_until: ${info.validUntil} (${isoOf(info.validUntil)})`,
      ];
      ctx.stdout(`${lines.join('\n')}\n`);
    }
    return EXIT.ok;
  },
};

/** The tkt commands, in help order. */
export const TKT_COMMANDS: Command[] = [newCommand, validateCommand];
