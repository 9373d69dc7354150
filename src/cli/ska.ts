/**
 * `tessera ska sign-url` and `tessera ska validate`.
 *
 * `sign-url` takes `ska-sign-url`'s options in ska's spellings (`-au -sk -vu -l -u -s -sp -aup
 * -vup`, rewritten to long names because `parseArgs` takes one-letter short options only) and
 * prints exactly what ska prints (ska.md §6). Unlike ska, errors go to stderr with exit code 2,
 * the secret may come from `--secret-file` or `TESSERA_SECRET_KEY`, and `-sk` warns.
 */
import {
  type Digest,
  SKA_SIGN_URL_OPTIONS,
  type SkaSignUrlArgs,
  skaSignUrlOutput,
  validateSignedRequestData,
} from '../ska/index.ts';
import { readOptionalSecret, readSecret, readToken } from './io.ts';
import { type Command, type CommandContext, EXIT, UsageError } from './table.ts';

const DIGESTS: readonly Digest[] = ['md5', 'sha1', 'sha224', 'sha256', 'sha384', 'sha512'];

/** ska's options as parseArgs options, by long name (`auth-user`, …), all read as text. */
const SKA_OPTIONS = Object.fromEntries(
  SKA_SIGN_URL_OPTIONS.map((o) => [o.long.slice(2), { type: 'string' as const }]),
);
/** `-au` → `--auth-user`, … */
const SKA_ALIASES = Object.fromEntries(SKA_SIGN_URL_OPTIONS.map((o) => [o.short, o.long]));

/** The shared secret options. */
const SECRET_OPTIONS = {
  'secret-file': { type: 'string' },
  digest: { type: 'string' },
  now: { type: 'string' },
  json: { type: 'boolean', default: false },
} as const;

function digestOf(ctx: CommandContext): Digest | undefined {
  const d = ctx.values.digest;
  if (d === undefined) return undefined;
  if (!DIGESTS.includes(d as Digest))
    throw new UsageError(`--digest must be one of ${DIGESTS.join(', ')}`);
  return d as Digest;
}

/** `--now SECONDS`: the clock, for reproducible output (default: the system clock). */
function clockOf(ctx: CommandContext): (() => number) | undefined {
  const s = ctx.values.now;
  if (s === undefined) return undefined;
  const seconds = typeof s === 'string' && s.trim() !== '' ? Number(s) : Number.NaN;
  if (!Number.isFinite(seconds)) throw new UsageError('--now must be Unix seconds');
  return () => seconds * 1000;
}

function str(ctx: CommandContext, name: string): string | undefined {
  const v = ctx.values[name];
  return typeof v === 'string' ? v : undefined;
}

function extraOf(
  ctx: CommandContext,
  params: readonly string[],
): Record<string, string> | undefined {
  const list = ctx.values.extra;
  if (list === undefined) return undefined;
  const extra: Record<string, string> = {};
  for (const item of Array.isArray(list) ? list : [list]) {
    const text = String(item);
    const eq = text.indexOf('=');
    if (eq <= 0) throw new UsageError(`--extra takes key=value; got ${JSON.stringify(text)}`);
    const key = text.slice(0, eq);
    if (params.includes(key)) {
      // ska lets the extra overwrite the parameter in place; the URL then never validates.
      ctx.stderr(
        `warning: --extra ${key} replaces the ${key} parameter; the URL will not validate\n`,
      );
    }
    Object.defineProperty(extra, key, {
      value: text.slice(eq + 1),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return extra;
}

const signUrlCommand: Command = {
  path: ['ska', 'sign-url'],
  summary: "sign a URL, printing what ska's ska-sign-url prints",
  usage: [
    'tessera ska sign-url -au AUTH_USER [-u URL] [-vu VALID_UNTIL | -l LIFETIME] [-s SUFFIX]',
    '       [-sp NAME] [-aup NAME] [-vup NAME] [--extra KEY=VALUE]... [--digest sha1|sha256|…]',
    '       [--secret-file FILE | -sk SECRET] [--now SECONDS] [--json]',
    '  The secret comes from --secret-file, else -sk/--secret-key (visible to other users, warned),',
    '  else TESSERA_SECRET_KEY. A value starting with "-" needs the form -vu=-5.',
  ].join('\n'),
  options: {
    ...SKA_OPTIONS,
    ...SECRET_OPTIONS,
    extra: { type: 'string', multiple: true },
  },
  aliases: SKA_ALIASES,
  run(ctx) {
    const digest = digestOf(ctx);
    const now = clockOf(ctx);
    const secretKey = readOptionalSecret(ctx, 'secret-key', '-sk/--secret-key');
    const args: Record<string, unknown> = {};
    for (const o of SKA_SIGN_URL_OPTIONS) {
      if (o.key !== 'secretKey') args[o.key] = str(ctx, o.long.slice(2));
    }
    const names = [
      str(ctx, 'signature-param') || 'signature',
      str(ctx, 'auth-user-param') || 'auth_user',
      str(ctx, 'valid-until-param') || 'valid_until',
      'extra',
    ];
    const res = skaSignUrlOutput(
      { ...(args as SkaSignUrlArgs), secretKey, extra: extraOf(ctx, names), digest },
      { now },
    );
    if (!res.ok) {
      const hint = secretKey
        ? ''
        : '\n(the secret: --secret-file FILE, the TESSERA_SECRET_KEY environment variable, or -sk)';
      throw new UsageError(`${res.message}${res.message.includes('secret_key') ? hint : ''}`);
    }
    ctx.stdout(ctx.values.json ? `${JSON.stringify({ url: res.url })}\n` : res.stdout);
    return EXIT.ok;
  },
};

// Only the names are shared with sign-url: validate has no -u/-s/-l.
const NAME_OPTIONS = ['-sp', '-aup', '-vup'];

const validateCommand: Command = {
  path: ['ska', 'validate'],
  summary: 'validate a ska-signed URL (exit 0 valid, 1 invalid or expired)',
  usage: [
    'tessera ska validate [URL|-] [--secret-file FILE | -sk SECRET] [--digest sha1|sha256|…]',
    '       [-sp NAME] [-aup NAME] [-vup NAME] [--extra-param NAME]',
    '       [--value-dumper default|javascript] [--quoter default|javascript] [--now SECONDS] [--json]',
    '  The URL (or its query) comes from the argument, or from stdin when it is absent or "-".',
    "  Prints the signed data; --json prints ska's result object. Reasons go to stderr.",
  ].join('\n'),
  options: {
    'secret-key': { type: 'string' },
    ...Object.fromEntries(
      SKA_SIGN_URL_OPTIONS.filter((o) => NAME_OPTIONS.includes(o.short)).map((o) => [
        o.long.slice(2),
        { type: 'string' as const },
      ]),
    ),
    'extra-param': { type: 'string' },
    'value-dumper': { type: 'string' },
    quoter: { type: 'string' },
    ...SECRET_OPTIONS,
  },
  aliases: {
    '-sk': '--secret-key',
    ...Object.fromEntries(
      SKA_SIGN_URL_OPTIONS.filter((o) => NAME_OPTIONS.includes(o.short)).map((o) => [
        o.short,
        o.long,
      ]),
    ),
  },
  allowPositionals: true,
  async run(ctx) {
    if (ctx.positionals.length > 1) throw new UsageError('give one URL');
    const digest = digestOf(ctx);
    const now = clockOf(ctx);
    const encoding = (name: string) => {
      const v = str(ctx, name);
      if (v !== undefined && v !== 'default' && v !== 'javascript') {
        throw new UsageError(`--${name} must be default or javascript`);
      }
      return v as 'default' | 'javascript' | undefined;
    };
    const valueDumper = encoding('value-dumper');
    const quoter = encoding('quoter');
    const secretKey = readSecret(ctx, 'secret-key', '-sk/--secret-key');
    const url = await readToken(ctx);
    const res = validateSignedRequestData({
      data: url,
      secretKey,
      signatureParam: str(ctx, 'signature-param'),
      authUserParam: str(ctx, 'auth-user-param'),
      validUntilParam: str(ctx, 'valid-until-param'),
      extraParam: str(ctx, 'extra-param'),
      digest,
      valueDumper,
      quoter,
      now,
    });
    if (ctx.values.json) {
      const { result, reason, errors, message, signed } = res;
      ctx.stdout(
        `${JSON.stringify({ result, reason, errors, message, ...(signed ? { signed } : {}) })}\n`,
      );
    } else if (res.result && res.signed) {
      const lines = [
        'valid',
        `auth_user: ${res.signed.authUser}`,
        `valid_until: ${res.signed.validUntil}`,
        ...Object.entries(res.signed.extra).map(([k, v]) => `extra.${k}: ${String(v)}`),
      ];
      ctx.stdout(`${lines.join('\n')}\n`);
    }
    if (!res.result) {
      ctx.stderr(`invalid: ${res.reason.join('; ')}\n`);
      return EXIT.invalid;
    }
    return EXIT.ok;
  },
};

/** The ska commands, in help order. */
export const SKA_COMMANDS: Command[] = [signUrlCommand, validateCommand];
