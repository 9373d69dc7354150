/**
 * `npm run demo`: two apps on two ports of 127.0.0.1, handing a user from one to the other.
 *
 * - portal (Express): sign in with any name → an `auth_tkt` cookie (Apache mod_auth_tkt format);
 *   its home page links to support with an encrypted hand-off and a one-time login link.
 * - support (Hono): shows the hand-off's profile; signs the user in from the link (once) and
 *   keeps its own itsdangerous session cookie.
 *
 * Environment: PORTAL_PORT (default 3000), SUPPORT_PORT (default 3001; 0 = any free port; a busy
 * default falls back to a free port), TKT_SECRET, HANDOFF_SECRET, SKA_SECRET_KEY,
 * SESSION_SECRET (each generated at start when unset), DEMO_DB (SQLite file for used links;
 * default a temporary file removed at exit).
 *
 * It prints `portal: http://127.0.0.1:PORT/` and `support: http://127.0.0.1:PORT/` lines, and
 * stops cleanly on Ctrl-C or SIGTERM.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import { openStore, readPort, readSecrets, SECRET_VARS } from './config.ts';
import { createPortal } from './portal.ts';
import { createSupport } from './support.ts';

const HOST = '127.0.0.1';

/** Listen on `port`; a busy port that was only a default falls back to any free port. */
function listen(server: Server, port: number, explicit: boolean): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE' && !explicit && port !== 0) {
        resolve(listen(server, 0, false));
      } else {
        reject(err);
      }
    };
    server.once('error', onError);
    server.listen(port, HOST, () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
    // Browsers keep connections alive; without this, close() would wait for them.
    server.closeAllConnections();
  });
}

async function main(): Promise<void> {
  const env = process.env;
  const portalPort = readPort(env, 'PORTAL_PORT', 3000);
  const supportPort = readPort(env, 'SUPPORT_PORT', 3001);
  const secrets = readSecrets(env);
  const opened = openStore(env);

  const origins = { portal: '', support: '' };
  const portal = createPortal({
    tktSecret: secrets.values.tkt,
    handoffSecret: secrets.values.handoff,
    skaSecret: secrets.values.ska,
    origin: () => origins.portal,
    supportOrigin: () => origins.support,
  });
  const support = createSupport({
    handoffSecret: secrets.values.handoff,
    skaSecret: secrets.values.ska,
    sessionSecret: secrets.values.session,
    store: opened.store,
    origin: () => origins.support,
    portalOrigin: () => origins.portal,
  });

  const portalServer = createServer(portal);
  const supportServer = createServer(getRequestListener(support.fetch));
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    await Promise.all([close(portalServer), close(supportServer)]);
    await opened.close();
    process.stdout.write('demo: stopped\n');
    process.exitCode = code;
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (stopping) process.exit(130); // a second Ctrl-C: stop waiting
      process.stdout.write(`\ndemo: ${signal}, stopping…\n`);
      void stop(0);
    });
  }

  try {
    const s = await listen(supportServer, supportPort.port, supportPort.explicit);
    origins.support = `http://${HOST}:${s}/`;
    const p = await listen(portalServer, portalPort.port, portalPort.explicit);
    origins.portal = `http://${HOST}:${p}/`;
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    process.stderr.write(
      `demo: cannot listen: ${e.message}${e.code === 'EADDRINUSE' ? ' (set PORTAL_PORT / SUPPORT_PORT to free ports, or 0)' : ''}\n`,
    );
    await stop(1);
    return;
  }

  const lines = [
    'Tessera demo: two apps on two ports, one user handed across',
    `portal: ${origins.portal}`,
    `support: ${origins.support}`,
    `store: ${opened.store.constructor.name}, ${opened.description}`,
    secrets.generated.length > 0
      ? `secrets: generated at start for ${secrets.generated.join(', ')} (set them to keep cookies and links valid across restarts)`
      : 'secrets: from the environment',
    ...Object.values(SECRET_VARS).map(([name, what]) => `  ${name.padEnd(15)} ${what}`),
    '',
    `Open ${origins.portal} and sign in with any name. Ctrl-C stops.`,
    '',
  ];
  process.stdout.write(lines.join('\n'));
}

main().catch((err: unknown) => {
  process.stderr.write(`demo: ${(err as Error).stack ?? String(err)}\n`);
  process.exitCode = 1;
});
