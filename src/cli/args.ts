/** Option readers shared by the tkt, handoff, ticket and revoke commands. */
import { readFileSync } from 'node:fs';
import { type CommandContext, UsageError } from './table.ts';

/** A string option, or `undefined`. */
export function str(ctx: CommandContext, name: string): string | undefined {
  const v = ctx.values[name];
  return typeof v === 'string' ? v : undefined;
}

/** A boolean flag. */
export function flag(ctx: CommandContext, name: string): boolean {
  return ctx.values[name] === true;
}

/** `--now SECONDS`: the clock in ms, for reproducible output (default: the system clock). */
export function clockOf(ctx: CommandContext): () => number {
  const s = str(ctx, 'now');
  if (s === undefined) return Date.now;
  const seconds = s.trim() !== '' ? Number(s) : Number.NaN;
  if (!Number.isFinite(seconds)) throw new UsageError('--now must be Unix seconds');
  return () => seconds * 1000;
}

/** A comma-separated list (`--tokens a,b`); empty entries dropped. */
export function list(ctx: CommandContext, name: string): string[] | undefined {
  const v = str(ctx, name);
  return v === undefined ? undefined : v.split(',').filter((t) => t !== '');
}

/** A whole number of seconds (Unix time or a count). */
export function seconds(ctx: CommandContext, name: string): number | undefined {
  const v = str(ctx, name);
  if (v === undefined) return undefined;
  const n = /^\d+$/.test(v.trim()) ? Number(v) : Number.NaN;
  if (!Number.isSafeInteger(n)) throw new UsageError(`--${name} must be whole seconds`);
  return n;
}

/** Run a library call; its TypeError/RangeError (bad input) becomes a usage error. */
export function usage<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof TypeError || err instanceof RangeError) throw new UsageError(err.message);
    throw err;
  }
}

/** At most one positional argument. */
export function onePositional(ctx: CommandContext, what: string): void {
  if (ctx.positionals.length > 1) throw new UsageError(`give one ${what}`);
}

/** A secret file's text, one trailing newline dropped (as `--secret-file` is read). */
export function readSecretFile(path: string, option: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8').replace(/\r?\n$/, '');
  } catch (err) {
    throw new UsageError(
      `cannot read ${option}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`,
    );
  }
  if (!text) throw new UsageError(`${option} is empty`);
  return text;
}
