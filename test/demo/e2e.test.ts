/**
 * The demo end to end in a real browser: `demo/main.ts` as a child process on free ports, driven
 * by headless Chromium (Debian's, through playwright-core). Sign in at portal, follow the hand-off
 * link and see the profile on support, follow the one-time login link and be signed in, reuse it
 * and be refused, tamper with it (or let it expire) and get a 401. A screenshot of each page goes
 * to test-artifacts/demo/. Skips when /usr/bin/chromium is not installed.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { signUrl } from '../../src/ska/index.ts';
import { AuthTicket } from '../../src/tkt/index.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CHROMIUM = '/usr/bin/chromium';
const SHOTS = join(ROOT, 'test-artifacts', 'demo');
const SECRETS = {
  TKT_SECRET: randomBytes(32).toString('base64url'),
  HANDOFF_SECRET: randomBytes(32).toString('base64url'),
  SKA_SECRET_KEY: randomBytes(32).toString('base64url'),
  SESSION_SECRET: randomBytes(32).toString('base64url'),
};
// A name that would be markup if any page forgot to escape it.
const NAME = `Zoë <img src=x onerror="window.pwned=1"> O'Neil`;
const EMAIL = 'zoe@example.com';

interface Demo {
  child: ChildProcess;
  portal: string;
  support: string;
  output: () => string;
}

/** Start the demo on free ports and wait for its two `name: URL` lines. */
function startDemo(): Promise<Demo> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...SECRETS,
    PORTAL_PORT: '0',
    SUPPORT_PORT: '0',
  };
  delete env.DEMO_DB;
  const child = spawn(process.execPath, ['--import', 'tsx', 'demo/main.ts'], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => {
    out += d;
  });
  child.stderr?.setEncoding('utf8').on('data', (d: string) => {
    out += d;
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`demo did not start in time:\n${out}`)),
      30_000,
    );
    const check = () => {
      const portal = /^portal: (http:\/\/127\.0\.0\.1:\d+\/)$/m.exec(out)?.[1];
      const support = /^support: (http:\/\/127\.0\.0\.1:\d+\/)$/m.exec(out)?.[1];
      if (portal && support) {
        clearTimeout(timer);
        child.stdout?.off('data', check);
        resolve({ child, portal, support, output: () => out });
      }
    };
    child.stdout?.on('data', check);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`demo exited (${code}) before it listened:\n${out}`));
    });
  });
}

/** SIGTERM, as Ctrl-C would; the demo closes its servers and store and exits 0. */
function stopDemo(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve(child.exitCode);
    const force = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', (code) => {
      clearTimeout(force);
      resolve(code);
    });
    child.kill('SIGTERM');
  });
}

const skip = existsSync(CHROMIUM)
  ? false
  : `${CHROMIUM} is not installed (apt-get install chromium)`;

describe('npm run demo in headless Chromium', { skip, timeout: 180_000 }, () => {
  let demo: Demo;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let loginLink = '';

  async function shot(name: string): Promise<void> {
    await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  }

  async function outcome(): Promise<string> {
    return ((await page.textContent('#outcome')) ?? '').trim();
  }

  before(async () => {
    mkdirSync(SHOTS, { recursive: true });
    demo = await startDemo();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    context = await browser.newContext({ viewport: { width: 1000, height: 800 } });
    page = await context.newPage();
    // No dialog may ever open: that would be script from the user's name running.
    page.on('dialog', (d) => {
      void d.dismiss();
      assert.fail(`unexpected dialog: ${d.message()}`);
    });
  });

  after(async () => {
    await browser?.close();
    if (demo) {
      const code = await stopDemo(demo.child);
      assert.equal(code, 0, `the demo exits cleanly on SIGTERM:\n${demo.output()}`);
      assert.match(demo.output(), /demo: stopped/);
    }
  });

  test('the demo prints both URLs and its store', () => {
    assert.notEqual(demo.portal, demo.support);
    assert.match(demo.output(), /^store: \w+Store, /m);
    // Every secret came from the environment: none was generated.
    assert.match(demo.output(), /^secrets: from the environment$/m);
  });

  test('portal: sign in with any name sets a mod_auth_tkt cookie', async () => {
    const res = await page.goto(demo.portal);
    assert.equal(res?.status(), 200);
    await shot('01-portal-sign-in');
    await page.fill('#name', NAME);
    await page.fill('#email', EMAIL);
    await Promise.all([page.waitForURL(demo.portal), page.click('#sign-in')]);
    assert.equal(await page.textContent('#user-name'), NAME);
    assert.equal(await page.locator('img').count(), 0, 'the name is text, not markup');
    assert.equal(await page.evaluate(() => (globalThis as { pwned?: number }).pwned), undefined);
    await shot('02-portal-home');

    const cookie = (await context.cookies(demo.portal)).find((c) => c.name === 'auth_tkt');
    assert.ok(cookie, 'auth_tkt cookie set');
    assert.equal(cookie.httpOnly, true);
    // The cookie is a real mod_auth_tkt ticket (SHA-256, unbound): Apache with the secret takes it.
    const info = new AuthTicket({
      secret: SECRETS.TKT_SECRET,
      digest: 'sha256',
      ignoreIp: true,
    }).validate(cookie.value);
    assert.equal(info.uid, NAME);
    assert.deepEqual(info.tokens, ['customer']);
    assert.equal(info.userData, EMAIL);
  });

  test('support: the hand-off link shows the profile (and does not sign in)', async () => {
    await Promise.all([
      page.waitForURL((url) => url.pathname === '/handoff'),
      page.click('#handoff-link'),
    ]);
    assert.ok(page.url().startsWith(demo.support));
    assert.equal(await outcome(), 'Hand-off verified');
    assert.equal(await page.textContent('#profile-name'), NAME);
    const profile = (await page.textContent('#profile')) ?? '';
    assert.match(profile, /zoe@example\.com/);
    assert.match(profile, /customer/);
    await shot('03-support-handoff');

    await page.goto(demo.support);
    assert.equal(await outcome(), 'Not signed in');
  });

  test('support: a tampered hand-off is a 401', async () => {
    await page.goto(demo.portal);
    const href = (await page.getAttribute('#handoff-link', 'href')) ?? '';
    const url = new URL(href);
    const token = url.searchParams.get('token') ?? '';
    // Change one character of the encrypted body (after the 30-character header).
    const i = 40;
    url.searchParams.set(
      'token',
      token.slice(0, i) + (token[i] === 'A' ? 'B' : 'A') + token.slice(i + 1),
    );
    const res = await page.goto(url.href);
    assert.equal(res?.status(), 401);
    assert.match(await outcome(), /^401 · Hand-off refused$/);
    await shot('04-support-handoff-tampered');
  });

  test('support: the one-time login link signs the user in', async () => {
    await page.goto(demo.portal);
    loginLink = (await page.getAttribute('#login-link', 'href')) ?? '';
    assert.ok(loginLink.startsWith(`${demo.support}login/?signature=`));
    await Promise.all([page.waitForURL(demo.support), page.click('#login-link')]);
    assert.equal(await outcome(), `Signed in as ${NAME}`);
    assert.equal(await page.textContent('#user-name'), NAME);
    const session = (await context.cookies(demo.support)).find((c) => c.name === 'support_session');
    assert.ok(session, 'support keeps its own session cookie');
    assert.equal(session.httpOnly, true);
    // itsdangerous URLSafeTimedSerializer: payload.timestamp.signature
    assert.match(session.value, /^\.?[\w-]+\.[\w-]+\.[\w-]{27}$/);
    await shot('05-support-signed-in');
  });

  test('support: the same link again is refused as already used', async () => {
    const res = await page.goto(loginLink);
    assert.equal(res?.status(), 410);
    assert.equal(await outcome(), '410 · Link already used');
    assert.match((await page.textContent('main')) ?? '', /already been used/);
    await shot('06-support-link-used');
  });

  test('support: a tampered login link is a 401 (and does not use up the real one)', async () => {
    await page.goto(demo.portal);
    const fresh = (await page.getAttribute('#login-link', 'href')) ?? '';
    const forged = new URL(fresh);
    forged.searchParams.set('auth_user', 'mallory');
    const res = await page.goto(forged.href);
    assert.equal(res?.status(), 401);
    assert.equal(await outcome(), '401 · Invalid link');
    await shot('07-support-link-tampered');

    // The untampered link still works once.
    await page.goto(fresh);
    assert.equal(page.url(), demo.support);
    assert.equal(await outcome(), `Signed in as ${NAME}`);
  });

  test('support: an expired login link is a 401', async () => {
    const expired = signUrl({
      authUser: NAME,
      secretKey: SECRETS.SKA_SECRET_KEY,
      validUntil: `${Math.floor(Date.now() / 1000) - 60}.0`,
      url: `${demo.support}login/`,
    });
    const res = await page.goto(expired);
    assert.equal(res?.status(), 401);
    assert.equal(await outcome(), '401 · Link expired');
    await shot('08-support-link-expired');
  });

  test('support and portal: sign out', async () => {
    await page.goto(demo.support);
    await Promise.all([page.waitForURL(demo.support), page.click('#sign-out')]);
    assert.equal(await outcome(), 'Not signed in');
    await page.goto(demo.portal);
    await Promise.all([page.waitForURL(demo.portal), page.click('#sign-out')]);
    assert.equal(await page.locator('#sign-in').count(), 1);
  });
});
