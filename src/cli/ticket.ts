/**
 * `tessera ticket create` and `tessera ticket open`: pyTickets-style secure tickets
 * (pytickets.md), with the key from `--secret-file` or `TESSERA_SECRET_KEY` (its UTF-8 bytes).
 */
import { Buffer } from 'node:buffer';
import { TesseraError } from '../core/errors.ts';
import { compactJson, parseJson } from '../core/json.ts';
import { SecureTicketService } from '../secure-ticket/index.ts';
import { clockOf, flag, onePositional, str, usage } from './args.ts';
import { readSecret, readToken } from './io.ts';
import { type Command, type CommandContext, EXIT, UsageError } from './table.ts';

type Serialize = 'text' | 'json' | 'bytes';

function serializeOf(ctx: CommandContext, allowed: readonly Serialize[]): Serialize {
  const s = str(ctx, 'serialize') ?? 'text';
  if (!allowed.includes(s as Serialize)) {
    throw new UsageError(`--serialize must be ${allowed.join(', ')}`);
  }
  return s as Serialize;
}

/** The data argument, or stdin without one trailing newline (data may be empty). */
async function readData(ctx: CommandContext): Promise<string> {
  const given = ctx.positionals[0];
  if (given !== undefined && given !== '-') return given;
  return (await ctx.readStdin()).replace(/\r?\n$/, '');
}

const SHARED = {
  session: { type: 'string' },
  entropy: { type: 'string' },
  serialize: { type: 'string', default: 'text' },
  'secret-file': { type: 'string' },
  now: { type: 'string' },
  json: { type: 'boolean', default: false },
} as const;

const createCommand: Command = {
  path: ['ticket', 'create'],
  summary: 'create a secure ticket (signed; --encrypt, --compress)',
  usage: [
    'tessera ticket create [DATA|-] [--encrypt] [--compress] [--entropy TEXT] [--session TEXT]',
    '       [--lifespan SECONDS|20m] [--serialize text|json] [--secret-file FILE] [--now SECONDS] [--json]',
    '  The data comes from the argument, or from stdin when it is absent or "-" (one trailing',
    '  newline dropped). --serialize json stores it as JSON (it must parse). The lifespan',
    '  defaults to 1200 s. The same --entropy and --session are needed to open the ticket.',
    '  Prints the ticket as standard base64.',
  ].join('\n'),
  options: {
    ...SHARED,
    encrypt: { type: 'boolean', default: false },
    compress: { type: 'boolean', default: false },
    lifespan: { type: 'string' },
  },
  allowPositionals: true,
  async run(ctx) {
    onePositional(ctx, 'data argument');
    const serialize = serializeOf(ctx, ['text', 'json']);
    const now = clockOf(ctx);
    const lifespan = str(ctx, 'lifespan');
    const secret = readSecret(ctx);
    const service = usage(
      () =>
        new SecureTicketService(Buffer.from(secret, 'utf8'), {
          session: str(ctx, 'session') ?? '',
          encrypt: flag(ctx, 'encrypt'),
          compress: flag(ctx, 'compress'),
          serialize,
          lifespan:
            lifespan === undefined
              ? undefined
              : /^\d+$/.test(lifespan)
                ? Number(lifespan)
                : lifespan,
          now,
        }),
    );
    const text = await readData(ctx);
    let data: unknown = text;
    if (serialize === 'json') {
      try {
        data = parseJson(text);
      } catch {
        throw new UsageError('the data is not JSON (--serialize json)');
      }
    }
    const entropy = str(ctx, 'entropy') ?? '';
    const ticket = usage(() => service.createTicket(data as string, { entropy })).toBase64();
    if (flag(ctx, 'json')) {
      const { validUntil, flags } = service.openTicket(ticket, { entropy });
      ctx.stdout(`${JSON.stringify({ ticket, validUntil, flags })}\n`);
    } else {
      ctx.stdout(`${ticket}\n`);
    }
    return EXIT.ok;
  },
};

const openCommand: Command = {
  path: ['ticket', 'open'],
  summary: 'validate and open a secure ticket, printing its data (exit 1 invalid or expired)',
  usage: [
    'tessera ticket open [TICKET|-] [--entropy TEXT] [--session TEXT] [--serialize text|json|bytes]',
    '       [--max-inflate BYTES] [--secret-file FILE] [--now SECONDS] [--json]',
    '  The ticket (standard base64) comes from the argument, or from stdin when it is absent or',
    '  "-". Prints the data: text as it is, JSON compact, bytes as base64; --json prints',
    '  {"valid":true,"data":…,"validUntil":…,"flags":…}. Reasons go to stderr.',
  ].join('\n'),
  options: {
    ...SHARED,
    'max-inflate': { type: 'string' },
  },
  allowPositionals: true,
  async run(ctx) {
    onePositional(ctx, 'ticket');
    const serialize = serializeOf(ctx, ['text', 'json', 'bytes']);
    const max = str(ctx, 'max-inflate');
    const secret = readSecret(ctx);
    const service = usage(
      () =>
        new SecureTicketService<Serialize>(Buffer.from(secret, 'utf8'), {
          session: str(ctx, 'session') ?? '',
          serialize,
          maxInflate: max === undefined ? undefined : Number(max),
          now: clockOf(ctx),
        }),
    );
    const ticket = await readToken(ctx);
    let opened: ReturnType<typeof service.openTicket>;
    try {
      opened = service.openTicket(ticket, { entropy: str(ctx, 'entropy') ?? '' });
    } catch (err) {
      if (!(err instanceof TesseraError)) throw err;
      if (flag(ctx, 'json')) {
        ctx.stdout(`${JSON.stringify({ valid: false, code: err.code, message: err.message })}\n`);
      }
      ctx.stderr(`invalid: ${err.code}: ${err.message}\n`);
      return EXIT.invalid;
    }
    const { data, validUntil, flags } = opened;
    const shown = data instanceof Uint8Array ? Buffer.from(data).toString('base64') : data;
    if (flag(ctx, 'json')) {
      ctx.stdout(`${compactJson({ valid: true, data: shown, validUntil, flags })}\n`);
    } else {
      ctx.stdout(`${serialize === 'json' ? compactJson(shown) : String(shown)}\n`);
    }
    return EXIT.ok;
  },
};

/** The secure-ticket commands, in help order. */
export const TICKET_COMMANDS: Command[] = [createCommand, openCommand];
