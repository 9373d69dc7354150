/**
 * Secrets and input for the CLI. Secrets come from `--secret-file` or `TESSERA_SECRET_KEY`; a
 * secret on the command line works where a peer's CLI has it (ska's `-sk`) but warns, because
 * argv is visible to other users of the machine (`ps`).
 */
import { readFileSync } from 'node:fs';
import { type CommandContext, UsageError } from './table.ts';

/** Read a secret: `--secret-file` (trailing newline dropped), else the env var, else argv (warned). */
export function readSecret(ctx: CommandContext, argvOption = 'secret-key'): string {
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
      `warning: --${argvOption} on the command line is visible to other users; prefer --secret-file or TESSERA_SECRET_KEY\n`,
    );
    return inline;
  }
  const env = ctx.env.TESSERA_SECRET_KEY;
  if (env) return env;
  throw new UsageError('no secret: give --secret-file FILE or set TESSERA_SECRET_KEY');
}

/** A positional token, or the first line of stdin when it is absent or `-`. */
export async function readToken(ctx: CommandContext, index = 0): Promise<string> {
  const given = ctx.positionals[index];
  if (given !== undefined && given !== '-') return given;
  const text = (await ctx.readStdin()).trim();
  if (!text) throw new UsageError('no token given (pass it as an argument or on stdin)');
  return text;
}
