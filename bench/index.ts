/**
 * `npm run bench`: every hot path beside the raw node:crypto floor and the peers, in ONE process,
 * interleaved; then Python itsdangerous' figures from bench/python_itsdangerous.py on the same
 * machine. Options: `--only <name>[,<name>]` (itsdangerous, ska, tkt, handoff, stores, web),
 * `--rounds N`, `--ms N` (per case per round), `--no-python`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { type BenchGroup, formatResults, runGroups } from './harness.ts';

const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    rounds: { type: 'string', default: '5' },
    ms: { type: 'string', default: '150' },
    'no-python': { type: 'boolean', default: false },
  },
});

const MODULES = ['itsdangerous', 'ska', 'tkt', 'handoff', 'stores', 'web'];
const wanted = values.only ? values.only.split(',') : MODULES;

const groups: BenchGroup[] = [];
for (const name of wanted) {
  const file = new URL(`./${name}.ts`, import.meta.url);
  if (name === 'web' || !existsSync(file)) continue;
  const mod = (await import(file.href)) as { groups: () => BenchGroup[] | Promise<BenchGroup[]> };
  groups.push(...(await mod.groups()));
}

console.log(
  `# Tessera bench — node ${process.version}, ${process.arch}, ${new Date().toISOString()}`,
);
console.log("Medians over interleaved rounds in one process; ratios are to the group's raw floor.");
const results = await runGroups(groups, { rounds: Number(values.rounds), ms: Number(values.ms) });
console.log(formatResults(results));

// The middleware row needs real HTTP under load (autocannon), so it reports on its own.
if (wanted.includes('web')) {
  const web = (await import(new URL('./web.ts', import.meta.url).href)) as {
    report: () => Promise<string>;
  };
  console.log(
    `\n### Middleware: the same Fastify route, protected and unprotected\n\n${await web.report()}`,
  );
}

if (!values['no-python'] && wanted.includes('itsdangerous')) {
  const py = spawnSync(
    '/usr/bin/python3',
    [new URL('./python_itsdangerous.py', import.meta.url).pathname],
    {
      encoding: 'utf8',
      timeout: 300_000,
    },
  );
  console.log('\n### Python itsdangerous (same machine, run right after)\n');
  console.log(
    py.status === 0
      ? py.stdout
      : `(not run: ${py.error?.message ?? py.stderr.trim().split('\n').at(-1)})`,
  );
}
