/**
 * The `tessera` command table: each command is a path of words (`ska sign-url`), its options in
 * `node:util.parseArgs` form, optional aliases for multi-letter short spellings (ska's `-sk`,
 * which parseArgs cannot express), and a `run` returning the exit code.
 * Exit codes: 0 ok, 1 invalid or expired, 2 usage error. Results go to stdout; errors and warnings
 * to stderr.
 */
import { type ParseArgsConfig, parseArgs } from 'node:util';

/** What a command gets to work with. */
export interface CommandContext {
  values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  positionals: string[];
  env: NodeJS.ProcessEnv;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  readStdin: () => Promise<string>;
}

/** One command of the table. */
export interface Command {
  /** Words after `tessera`, e.g. `['ska', 'sign-url']`. */
  path: string[];
  summary: string;
  /** Usage text printed by `--help`. */
  usage: string;
  options: NonNullable<ParseArgsConfig['options']>;
  /** Rewrite of argv spellings before parsing (e.g. `-sk` → `--secret-key`). */
  aliases?: Record<string, string>;
  allowPositionals?: boolean;
  run: (ctx: CommandContext) => Promise<number> | number;
}

/** A usage error: printed to stderr, exit code 2. */
export class UsageError extends Error {}

/** Exit codes. */
export const EXIT = { ok: 0, invalid: 1, usage: 2 } as const;

/** Find the command whose path is the longest prefix of argv. */
export function findCommand(
  table: readonly Command[],
  argv: readonly string[],
): [Command, string[]] | undefined {
  let best: Command | undefined;
  for (const cmd of table) {
    if (cmd.path.every((w, i) => argv[i] === w) && (!best || cmd.path.length > best.path.length))
      best = cmd;
  }
  return best ? [best, argv.slice(best.path.length)] : undefined;
}

/** Parse a command's arguments; throws UsageError with parseArgs' message. */
export function parseCommandArgs(
  cmd: Command,
  args: readonly string[],
): { values: CommandContext['values']; positionals: string[] } {
  const rewritten: string[] = [];
  for (const arg of args) {
    const eq = arg.indexOf('=');
    const head = eq > 0 ? arg.slice(0, eq) : arg;
    const alias = cmd.aliases?.[head];
    rewritten.push(alias ? (eq > 0 ? `${alias}${arg.slice(eq)}` : alias) : arg);
  }
  try {
    const parsed = parseArgs({
      args: rewritten,
      options: { ...cmd.options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: cmd.allowPositionals ?? false,
      strict: true,
    });
    return { values: parsed.values as CommandContext['values'], positionals: parsed.positionals };
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}
