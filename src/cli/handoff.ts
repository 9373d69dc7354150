/**
 * `tessera handoff encode` and `tessera handoff decode`: Ax_Handoff envelopes (ax_handoff.md),
 * JSON in and out, with the secret from `--secret-file` or `TESSERA_SECRET_KEY`.
 */
import { BadData } from '../core/errors.ts';
import { compactJson } from '../core/json.ts';
import { Handoff, type Variant } from '../handoff/index.ts';
import { pythonJsonLoads } from '../handoff/json.ts';
import { flag, onePositional, str, usage } from './args.ts';
import { readSecret, readToken } from './io.ts';
import { type Command, type CommandContext, EXIT, UsageError } from './table.ts';

function variantOf(text: string, option: string): Variant {
  if (text !== 'A' && text !== 'B') throw new UsageError(`${option} must be A or B`);
  return text;
}

const encodeCommand: Command = {
  path: ['handoff', 'encode'],
  summary: 'encode a JSON value into a handoff token (variant A encrypts, B only signs)',
  usage: [
    'tessera handoff encode [JSON|-] [--variant A|B] [--secret-file FILE] [--json]',
    '  The JSON comes from the argument, or from stdin when it is absent or "-" (Python\'s',
    '  dialect: NaN and Infinity are accepted; integers keep every digit). Variant A (default)',
    '  is zlib + AES-128-CBC + HMAC-SHA1; variant B is zlib + HMAC-SHA1, readable by anyone.',
  ].join('\n'),
  options: {
    variant: { type: 'string', default: 'A' },
    'secret-file': { type: 'string' },
    json: { type: 'boolean', default: false },
  },
  allowPositionals: true,
  async run(ctx) {
    onePositional(ctx, 'JSON value');
    const variant = variantOf(str(ctx, 'variant') ?? 'A', '--variant');
    const secret = readSecret(ctx);
    const handoff = usage(() => new Handoff(secret, { variant }));
    const text = await readToken(ctx);
    let value: unknown;
    try {
      value = pythonJsonLoads(text);
    } catch {
      throw new UsageError('the input is not JSON');
    }
    const token = usage(() => handoff.encode(value));
    ctx.stdout(flag(ctx, 'json') ? `${JSON.stringify({ token, variant })}\n` : `${token}\n`);
    return EXIT.ok;
  },
};

function invalid(ctx: CommandContext, err: BadData): number {
  if (flag(ctx, 'json')) {
    ctx.stdout(`${JSON.stringify({ valid: false, code: err.code, message: err.message })}\n`);
  }
  ctx.stderr(`invalid: ${err.code}: ${err.message}\n`);
  return EXIT.invalid;
}

const decodeCommand: Command = {
  path: ['handoff', 'decode'],
  summary: 'verify and decode a handoff token, printing its JSON (exit 1 on a bad token)',
  usage: [
    'tessera handoff decode [TOKEN|-] [--variants A,B] [--max-inflate BYTES] [--secret-file FILE] [--json]',
    '  The token comes from the argument, or from stdin when it is absent or "-". Prints the value',
    '  as compact JSON (--json: {"valid":true,"variant":…,"value":…}); reasons go to stderr.',
  ].join('\n'),
  options: {
    variants: { type: 'string', default: 'A,B' },
    'max-inflate': { type: 'string' },
    'secret-file': { type: 'string' },
    json: { type: 'boolean', default: false },
  },
  allowPositionals: true,
  async run(ctx) {
    onePositional(ctx, 'token');
    const variants = (str(ctx, 'variants') ?? 'A,B')
      .split(',')
      .map((v) => variantOf(v.trim(), '--variants'));
    const max = str(ctx, 'max-inflate');
    const maxInflate = max === undefined ? undefined : Number(max);
    const secret = readSecret(ctx);
    const handoff = usage(() => new Handoff(secret, { variants, maxInflate }));
    const token = await readToken(ctx);
    let value: unknown;
    try {
      value = handoff.decode(token);
    } catch (err) {
      if (err instanceof BadData) return invalid(ctx, err);
      throw err;
    }
    ctx.stdout(
      flag(ctx, 'json')
        ? `${compactJson({ valid: true, variant: token[2], value })}\n`
        : `${compactJson(value)}\n`,
    );
    return EXIT.ok;
  },
};

/** The handoff commands, in help order. */
export const HANDOFF_COMMANDS: Command[] = [encodeCommand, decodeCommand];
