#!/usr/bin/env node
/**
 * `tessera`: the command-line interface. A small command table over `node:util.parseArgs`.
 *
 * @example
 * ```sh
 * tessera keygen
 * tessera --help
 * ```
 * @module
 */
import { readFileSync, realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { COMMANDS } from './commands.ts';
import {
  type Command,
  type CommandContext,
  EXIT,
  findCommand,
  parseCommandArgs,
  UsageError,
} from './table.ts';

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

function help(table: readonly Command[]): string {
  const width = Math.max(...table.map((c) => c.path.join(' ').length));
  const lines = table.map((c) => `  ${c.path.join(' ').padEnd(width)}  ${c.summary}`);
  return [
    'Usage: tessera <command> [options]',
    '',
    'Commands:',
    ...lines,
    '',
    'Options: --help (any command), --version',
    'Secrets: --secret-file FILE, or the TESSERA_SECRET_KEY environment variable.',
    'Exit codes: 0 ok, 1 invalid or expired, 2 usage error.',
    '',
  ].join('\n');
}

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) return '';
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Run the CLI on `argv` (without node and script); resolves to the exit code. */
export async function main(
  argv: readonly string[],
  io: Partial<CommandContext> = {},
): Promise<number> {
  const stdout = io.stdout ?? ((t: string) => process.stdout.write(t));
  const stderr = io.stderr ?? ((t: string) => process.stderr.write(t));
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    (argv.length === 0 ? stderr : stdout)(help(COMMANDS));
    return argv.length === 0 ? EXIT.usage : EXIT.ok;
  }
  if (argv[0] === '--version' || argv[0] === '-v') {
    stdout(`${version()}\n`);
    return EXIT.ok;
  }
  const found = findCommand(COMMANDS, argv);
  if (!found) {
    stderr(
      `tessera: unknown command "${argv.filter((a) => !a.startsWith('-')).join(' ')}"\n\n${help(COMMANDS)}`,
    );
    return EXIT.usage;
  }
  const [cmd, rest] = found;
  try {
    const { values, positionals } = parseCommandArgs(cmd, rest);
    if (values.help) {
      stdout(`Usage: ${cmd.usage}\n\n${cmd.summary}\n`);
      return EXIT.ok;
    }
    return await cmd.run({
      values,
      positionals,
      env: io.env ?? process.env,
      stdout,
      stderr,
      readStdin: io.readStdin ?? readStdin,
    });
  } catch (err) {
    if (err instanceof UsageError) {
      stderr(`tessera ${cmd.path.join(' ')}: ${err.message}\nUsage: ${cmd.usage}\n`);
      return EXIT.usage;
    }
    throw err;
  }
}

function isEntryPoint(): boolean {
  // npm links bins through node_modules/.bin, so compare real paths.
  try {
    return (
      process.argv[1] !== undefined &&
      realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)
    );
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`tessera: ${(err as Error).message}\n`);
      process.exitCode = 1;
    },
  );
}
