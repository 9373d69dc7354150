/**
 * Secrets and input for the CLI. Secrets come from `--secret-file` or `TESSERA_SECRET_KEY`; a
 * secret on the command line works where a peer's CLI has it (ska's `-sk`) but warns, because
 * argv is visible to other users of the machine (`ps`).
 */
import { readFileSync } from 'node:fs';
import { type CommandContext, UsageError } from './table.ts';

/**
 * Read a secret if one is given: `--secret-file` (one trailing newline dropped), else the argv
 * option (warned on stderr), else `TESSERA_SECRET_KEY`; `undefined` when there is none.
 */
export function readOptionalSecret(
  ctx: CommandContext,
  argvOption = 'secret-key',
  spelling = `--${argvOption}`,
): string | undefined {
  const file = ctx.values['secret-file'];
  if (typeof file === 'string') {
    try {
      return readFileSync(file, 'utf8').replace(/\r?\n$/, '');
    } catch (err) {
      throw new UsageError(
        `cannot read --secret-file: ${(err as NodeJS.ErrnoException).code ?? 'error'}`,
      );
    }
  }
  const inline = ctx.values[argvOption];
  if (typeof inline === 'string') {
    ctx.stderr(
      `warning: ${spelling} on the command line is visible to other users; prefer --secret-file or TESSERA_SECRET_KEY\n`,
    );
    return inline;
  }
  const env = ctx.env.TESSERA_SECRET_KEY;
  return env ? env : undefined;
}

/** Read a secret as {@link readOptionalSecret} does; a usage error when there is none. */
export function readSecret(
  ctx: CommandContext,
  argvOption = 'secret-key',
  spelling = `--${argvOption}`,
): string {
  const secret = readOptionalSecret(ctx, argvOption, spelling);
  if (!secret) throw new UsageError('no secret: give --secret-file FILE or set TESSERA_SECRET_KEY');
  return secret;
}

/** A positional token, or stdin (trimmed) when it is absent or `-`. */
export async function readToken(ctx: CommandContext, index = 0): Promise<string> {
  const given = ctx.positionals[index];
  if (given !== undefined && given !== '-') return given;
  const text = (await ctx.readStdin()).trim();
  if (!text) throw new UsageError('no token given (pass it as an argument or on stdin)');
  return text;
}
