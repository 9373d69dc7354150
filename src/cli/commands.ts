/** The command table. Format commands are added here, one entry per sub-command. */
import { randomBytes } from 'node:crypto';
import { HANDOFF_COMMANDS } from './handoff.ts';
import { inspectCommand } from './inspect.ts';
import { REVOKE_COMMANDS } from './revoke.ts';
import { SKA_COMMANDS } from './ska.ts';
import { type Command, EXIT, UsageError } from './table.ts';
import { TICKET_COMMANDS } from './ticket.ts';
import { TKT_COMMANDS } from './tkt.ts';

const keygen: Command = {
  path: ['keygen'],
  summary: 'print a new random secret key',
  usage: 'tessera keygen [--bytes N] [--encoding base64url|hex|base64] [--json]',
  options: {
    bytes: { type: 'string', default: '32' },
    encoding: { type: 'string', default: 'base64url' },
    json: { type: 'boolean', default: false },
  },
  run(ctx) {
    const n = Number(ctx.values.bytes);
    if (!Number.isInteger(n) || n < 16 || n > 1024)
      throw new UsageError('--bytes must be an integer from 16 to 1024');
    const encoding = ctx.values.encoding as string;
    if (!['base64url', 'hex', 'base64'].includes(encoding))
      throw new UsageError('--encoding must be base64url, hex or base64');
    const key = randomBytes(n).toString(encoding as BufferEncoding);
    ctx.stdout(ctx.values.json ? `${JSON.stringify({ key, bytes: n, encoding })}\n` : `${key}\n`);
    return EXIT.ok;
  },
};

/** Every command, in help order. */
export const COMMANDS: Command[] = [
  keygen,
  ...SKA_COMMANDS,
  ...TKT_COMMANDS,
  ...HANDOFF_COMMANDS,
  ...TICKET_COMMANDS,
  ...REVOKE_COMMANDS,
  inspectCommand,
];
