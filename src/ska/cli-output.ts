/**
 * The framework-free core of `tessera ska sign-url`: what ska's `ska-sign-url` prints for the
 * same arguments (ska.md §6). The command itself (argv parsing, secrets from files or the
 * environment, exit codes, stderr) belongs to the CLI; this module only computes the text.
 *
 * ska's behaviour reproduced here: argparse reads `-vu` as a float and `-l` as an int (Python
 * `float()`/`int()` of the text, so `-vu 1766003600` prints `1766003600.0`); only truthy
 * options are passed on (`-vu 0`, `-l 0`, `-s ''` fall back to the defaults); the URL is
 * printed with a newline; errors are printed to stdout with exit code 0 (Tessera's CLI should
 * print {@link SkaSignUrlFailure.message} to stderr and exit non-zero instead).
 */
import type { Clock } from '../core/clock.ts';
import { clockOption } from '../core/clock.ts';
import type { Digest } from '../core/mac.ts';
import { pyFloat, pyFloatStr, pyInt, pyReprStr } from './python-text.ts';
import { signUrl } from './shortcuts.ts';
import { MAX_DATETIME, MIN_DATETIME } from './signature.ts';

/** The arguments of `ska-sign-url`, as text, the way argparse receives them (absent = not given). */
export interface SkaSignUrlArgs {
  authUser?: string | undefined;
  secretKey?: string | undefined;
  /** Read as Python `float()`, as argparse's `type=float` does. */
  validUntil?: string | undefined;
  /** Read as Python `int()`, as argparse's `type=int` does. */
  lifetime?: string | undefined;
  url?: string | undefined;
  suffix?: string | undefined;
  signatureParam?: string | undefined;
  authUserParam?: string | undefined;
  validUntilParam?: string | undefined;
  /** Tessera's addition (`--extra k=v`); ska's CLI cannot sign extras. */
  extra?: Readonly<Record<string, string>> | undefined;
  /** Tessera's addition (`--digest`); ska's CLI always uses SHA-1. */
  digest?: Digest | undefined;
}

/** ska printed the signed URL. */
export interface SkaSignUrlSuccess {
  ok: true;
  /** Exactly what `ska-sign-url` prints: the URL and a newline. */
  stdout: string;
  url: string;
}

/** ska refused. */
export interface SkaSignUrlFailure {
  ok: false;
  /**
   * `'usage'`: argparse rejects the arguments (ska exits 2, usage on stderr, nothing on stdout);
   * `'error'`: `sign_url()` raised (ska prints the message on stdout and exits 0).
   */
  kind: 'usage' | 'error';
  /** The error text ska shows, e.g. `sign_url() missing 1 required positional argument: 'secret_key'`. */
  message: string;
  /** Exactly what ska prints on stdout (`message + "\n"` for `'error'`, `''` for `'usage'`). */
  stdout: string;
}

/** One option of `ska-sign-url`: ska's short and long spellings, and its key in {@link SkaSignUrlArgs}. */
export interface SkaSignUrlOption {
  readonly short: string;
  readonly long: string;
  readonly key: keyof SkaSignUrlArgs;
  readonly type: 'string' | 'float' | 'int';
}

/**
 * ska's options table. `node:util.parseArgs` takes one-letter short options only, so a CLI maps
 * ska's multi-letter ones (`-au`, `-sk`, `-vu`, `-sp`, `-aup`, `-vup`) to the long names first.
 *
 * @example
 * ```ts
 * import { SKA_SIGN_URL_OPTIONS } from 'tessera/ska';
 * const toLong = new Map(SKA_SIGN_URL_OPTIONS.map((o) => [o.short, o.long]));
 * const argv = process.argv.slice(2).map((a) => toLong.get(a) ?? a);
 * ```
 */
export const SKA_SIGN_URL_OPTIONS: readonly SkaSignUrlOption[] = Object.freeze([
  { short: '-au', long: '--auth-user', key: 'authUser', type: 'string' },
  { short: '-sk', long: '--secret-key', key: 'secretKey', type: 'string' },
  { short: '-vu', long: '--valid-until', key: 'validUntil', type: 'float' },
  { short: '-l', long: '--lifetime', key: 'lifetime', type: 'int' },
  { short: '-u', long: '--url', key: 'url', type: 'string' },
  { short: '-s', long: '--suffix', key: 'suffix', type: 'string' },
  { short: '-sp', long: '--signature-param', key: 'signatureParam', type: 'string' },
  { short: '-aup', long: '--auth-user-param', key: 'authUserParam', type: 'string' },
  { short: '-vup', long: '--valid-until-param', key: 'validUntilParam', type: 'string' },
] as const);

// argparse takes "-", "-5", "-.5" and text with a space as values, any other "-…" as an option.
const NEGATIVE_NUMBER = /^-\d+$|^-\d*\.\d+$/;
const looksLikeValue = (s: string): boolean =>
  !s.startsWith('-') ||
  s === '-' ||
  NEGATIVE_NUMBER.test(s) ||
  (s.includes(' ') && !s.includes('='));

/**
 * Read `ska-sign-url`'s argv with ska's spellings (`-au x`, `--auth-user x`, `--auth-user=x`,
 * `-au=x`; the last occurrence wins; no abbreviations). A failure carries argparse's message.
 *
 * @example
 * ```ts
 * import { parseSkaSignUrlArgv, skaSignUrlOutput } from 'tessera/ska';
 * const parsed = parseSkaSignUrlArgv(['-au', 'jane', '-sk', 'secret', '-u', 'https://e.com/']);
 * if (parsed.ok) process.stdout.write((skaSignUrlOutput(parsed.args) as { stdout: string }).stdout);
 * ```
 */
export function parseSkaSignUrlArgv(
  argv: readonly string[],
): { ok: true; args: SkaSignUrlArgs } | { ok: false; message: string } {
  const args: Record<string, string> = {};
  const unknown: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const eq = arg.startsWith('-') ? arg.indexOf('=') : -1;
    const name = eq === -1 ? arg : arg.slice(0, eq);
    const opt = SKA_SIGN_URL_OPTIONS.find((o) => o.short === name || o.long === name);
    if (opt === undefined) {
      unknown.push(arg);
      continue;
    }
    let value: string | undefined;
    if (eq !== -1) value = arg.slice(eq + 1);
    else {
      const next = argv[i + 1];
      if (next !== undefined && looksLikeValue(next)) {
        value = next;
        i++;
      }
    }
    if (value === undefined) {
      return { ok: false, message: `argument ${opt.short}/${opt.long}: expected one argument` };
    }
    args[opt.key] = value;
  }
  if (unknown.length > 0)
    return { ok: false, message: `unrecognized arguments: ${unknown.join(' ')}` };
  return { ok: true, args: args as SkaSignUrlArgs };
}

const INT32_MAX = 2 ** 31 - 1;

function fail(kind: 'usage' | 'error', message: string): SkaSignUrlFailure {
  return { ok: false, kind, message, stdout: kind === 'error' ? `${message}\n` : '' };
}

/**
 * What `ska-sign-url` prints for these arguments, at the clock `now` (milliseconds).
 *
 * @example
 * ```ts
 * import { skaSignUrlOutput } from 'tessera/ska';
 * skaSignUrlOutput(
 *   { authUser: 'user', secretKey: 'secret', validUntil: '1378045287', url: 'http://e.com/api/' },
 * );
 * // { ok: true, stdout: 'http://e.com/api/?signature=YlZpLFsjUKBalL4x5trhkeEgqE8%3D&auth_user=user&valid_until=1378045287.0&extra=\n', url: … }
 * skaSignUrlOutput({ authUser: 'user' });
 * // { ok: false, kind: 'error', message: "sign_url() missing 1 required positional argument: 'secret_key'", … }
 * ```
 */
export function skaSignUrlOutput(
  args: SkaSignUrlArgs,
  options: { now?: Clock | undefined } = {},
): SkaSignUrlSuccess | SkaSignUrlFailure {
  const clock = clockOption(options.now);
  // argparse converts first (a bad value is a usage error), then main() keeps truthy values only.
  let validUntil: number | undefined;
  if (args.validUntil !== undefined) {
    validUntil = pyFloat(args.validUntil);
    if (validUntil === undefined) {
      return fail(
        'usage',
        `argument -vu/--valid-until: invalid float value: ${pyReprStr(args.validUntil)}`,
      );
    }
  }
  let lifetime: bigint | undefined;
  if (args.lifetime !== undefined) {
    lifetime = pyInt(args.lifetime);
    if (lifetime === undefined) {
      return fail(
        'usage',
        `argument -l/--lifetime: invalid int value: ${pyReprStr(args.lifetime)}`,
      );
    }
  }
  const given = (s: string | undefined): string | undefined => (s ? s : undefined);
  const authUser = given(args.authUser);
  const secretKey = given(args.secretKey);
  const missing = [
    authUser === undefined && 'auth_user',
    secretKey === undefined && 'secret_key',
  ].filter((m): m is string => m !== false);
  if (missing.length > 0) {
    const names = missing.map((m) => `'${m}'`).join(' and ');
    const plural = missing.length === 1 ? 'argument' : 'arguments';
    return fail(
      'error',
      `sign_url() missing ${missing.length} required positional ${plural}: ${names}`,
    );
  }
  const nowMs = clock();
  let validUntilText: string | undefined;
  let life: number | undefined;
  if (validUntil !== undefined && validUntil !== 0) validUntilText = pyFloatStr(validUntil);
  else if (lifetime !== undefined && lifetime !== 0n) {
    // sign_url: time.mktime((datetime.now() + timedelta(seconds=lifetime)).timetuple()).
    const days = lifetime >= 0n ? lifetime / 86400n : -((-lifetime + 86399n) / 86400n);
    if (days > BigInt(INT32_MAX) || days < -BigInt(INT32_MAX) - 1n) {
      return fail('error', 'Python int too large to convert to C int');
    }
    if (days > 999999999n || days < -999999999n) {
      return fail('error', `days=${days}; must have magnitude <= 999999999`);
    }
    const t = Math.floor(nowMs / 1000) + Number(lifetime);
    if (t < MIN_DATETIME || t > MAX_DATETIME) return fail('error', 'date value out of range');
    life = Number(lifetime);
  }
  try {
    const url = signUrl({
      authUser: authUser as string,
      secretKey: secretKey as string,
      validUntil: validUntilText,
      lifetime: life,
      url: given(args.url),
      suffix: given(args.suffix),
      signatureParam: given(args.signatureParam),
      authUserParam: given(args.authUserParam),
      validUntilParam: given(args.validUntilParam),
      extra: args.extra,
      digest: args.digest,
      now: () => nowMs,
    });
    return { ok: true, stdout: `${url}\n`, url };
  } catch (err) {
    return fail('error', err instanceof Error ? err.message : String(err));
  }
}
