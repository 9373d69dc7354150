/**
 * "portal", the Express 5 app: a sign-in form (any name) that sets an `auth_tkt` cookie in
 * Apache mod_auth_tkt's format, and a home page with two ways into "support" — a hand-off link
 * carrying the profile in an encrypted Ax_Handoff envelope, and a one-time ska login link.
 * Portal keeps no server-side state: the signed cookie is the session.
 */
import { randomBytes } from 'node:crypto';
import express, { type NextFunction, type Request, type Response } from 'express';
import { signUrlHelper, type UrlSigner } from '../src/express/index.ts';
import { Handoff } from '../src/handoff/index.ts';
import {
  AuthTicket,
  type AuthTicketInfo,
  clearCookieHeader,
  setCookieHeader,
  TicketError,
} from '../src/tkt/index.ts';
import { readCookie } from './cookies.ts';
import { type AppLook, html, PAGE_HEADERS, page } from './html.ts';

/** What portal needs to know. */
export interface PortalOptions {
  tktSecret: string;
  handoffSecret: string;
  skaSecret: string;
  /** portal's own origin with a trailing `/`, known once it listens. */
  origin: () => string;
  /** support's origin with a trailing `/`. */
  supportOrigin: () => string;
  /** Seconds a hand-off or a login link stays valid. Default 300. */
  linkLifetime?: number;
  now?: () => number;
}

/** What a hand-off carries: the profile, who it is for, and when it expires. */
export interface HandoffProfile {
  v: 1;
  iss: 'portal';
  aud: 'support';
  name: string;
  email: string;
  roles: string[];
  /** When the user signed in at portal (ISO 8601). */
  signedInAt: string;
  /** Issued and expires, Unix seconds: Ax_Handoff itself has no expiry. */
  iat: number;
  exp: number;
}

// Control characters and lone surrogates cannot go into a ticket; '!' is mod_auth_tkt's
// separator (mod_auth_tkt.md §2: a uid "can never contain !").
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** The name as a ticket uid, or why it cannot be one. */
export function checkName(input: unknown): { name: string } | { error: string } {
  const name = typeof input === 'string' ? input.trim() : '';
  if (name === '') return { error: 'Please type a name.' };
  if ([...name].length > 64) return { error: 'Please keep the name under 64 characters.' };
  if (CONTROL.test(name) || LONE_SURROGATE.test(name)) {
    return { error: 'The name holds characters that cannot be shown.' };
  }
  if (name.includes('!')) {
    return { error: 'mod_auth_tkt separates fields with "!", so a name cannot contain one.' };
  }
  return { name };
}

function checkEmail(input: unknown): { email: string } | { error: string } {
  const email = typeof input === 'string' ? input.trim() : '';
  if (email === '') return { email: '' };
  if (
    email.length > 254 ||
    CONTROL.test(email) ||
    LONE_SURROGATE.test(email) ||
    !email.includes('@')
  ) {
    return { error: 'That does not look like an e-mail address.' };
  }
  return { email };
}

const LOOK = (origin: string): AppLook => ({ name: 'portal', colour: '#3558d6', origin });
const ROLES = ['customer'];

/** Build the portal app. */
export function createPortal(options: PortalOptions): express.Express {
  const now = options.now ?? Date.now;
  const lifetime = options.linkLifetime ?? 300;
  // TKTAuthIgnoreIP on: the ticket is not bound to an address (spec mod_auth_tkt.md §3).
  const tkt = new AuthTicket({
    secret: options.tktSecret,
    digest: 'sha256',
    timeout: '2h',
    ignoreIp: true,
    now,
  });
  const handoff = new Handoff(options.handoffSecret, { variant: 'A' });

  const app = express();
  app.disable('x-powered-by');
  app.use(express.urlencoded({ extended: false, limit: '4kb' }));
  app.use(signUrlHelper({ secretKey: options.skaSecret, lifetime, now }));

  function send(res: Response, status: number, title: string, body: ReturnType<typeof html>): void {
    res
      .status(status)
      .set(PAGE_HEADERS)
      .send(page(LOOK(options.origin()), title, body));
  }

  /** The signed-in user, from the cookie; refreshes the cookie as Apache would. */
  function signedIn(req: Request, res: Response): AuthTicketInfo | undefined {
    const cookie = readCookie(req.headers.cookie, 'auth_tkt');
    if (cookie === undefined || cookie === '') return undefined;
    try {
      const info = tkt.validate(cookie);
      const refreshed = tkt.refreshCookie(info, { sameSite: 'Lax' });
      if (refreshed) res.append('set-cookie', refreshed);
      return info;
    } catch (err) {
      if (err instanceof TicketError) return undefined;
      throw err;
    }
  }

  function loginForm(res: Response, status: number, error?: string, name = '', email = ''): void {
    send(
      res,
      status,
      'Sign in',
      html`<h1>Sign in to portal</h1>
<p>Any name works: this is a demo. Portal remembers you with an <code>auth_tkt</code> cookie in
Apache mod_auth_tkt's format, so an Apache site sharing the secret would let you in too.</p>
<form method="post" action="/login" class="card">
${error ? html`<p class="error" role="alert">${error}</p>` : ''}
<label for="name">Name</label>
<input type="text" id="name" name="name" value="${name}" required autofocus maxlength="64">
<label for="email">E-mail <span class="muted">(optional)</span></label>
<input type="email" id="email" name="email" value="${email}" maxlength="254">
<div><button type="submit" id="sign-in">Sign in</button></div>
</form>`,
    );
  }

  app.get('/', (req, res) => {
    const user = signedIn(req, res);
    if (user === undefined) {
      loginForm(res, 200);
      return;
    }
    const support = options.supportOrigin();
    const t = Math.floor(now() / 1000);
    const profile: HandoffProfile = {
      v: 1,
      iss: 'portal',
      aud: 'support',
      name: user.uid,
      email: user.userData,
      roles: user.tokens,
      signedInAt: new Date(user.ts * 1000).toISOString(),
      iat: t,
      exp: t + lifetime,
    };
    const handoffUrl = `${support}handoff?token=${handoff.encode(profile)}`;
    const signUrl = res.locals.signUrl as UrlSigner;
    // A signed nonce makes every issued link distinct: ska signatures are deterministic, so two
    // links for one user in the same second would otherwise be the same (already used) link.
    const loginUrl = signUrl(`${support}login/`, {
      authUser: user.uid,
      extra: { nonce: randomBytes(9).toString('base64url') },
    });
    const minutes = Math.round(lifetime / 60);
    send(
      res,
      200,
      'Home',
      html`<h1>Hello, <span id="user-name">${user.uid}</span></h1>
<div class="card">
<dl>
<dt>Name</dt><dd>${user.uid}</dd>
<dt>E-mail</dt><dd>${user.userData || '—'}</dd>
<dt>Roles</dt><dd>${user.tokens.join(', ') || '—'}</dd>
<dt>Signed in</dt><dd>${profile.signedInAt}</dd>
</dl>
<p class="muted">Read from your <code>auth_tkt</code> cookie (mod_auth_tkt, SHA-256), checked on every request.</p>
</div>
<h2>Go to support</h2>
<p>Support runs on another port and shares no session with portal. Two ways across:</p>
<ol class="links">
<li><a id="handoff-link" href="${handoffUrl}">Show my profile on support</a> — a hand-off:
your profile, encrypted and signed in an Ax_Handoff envelope (variant A: AES-128-CBC + HMAC-SHA1),
valid ${minutes} minutes. Support learns who you are without a shared cookie or database.
<span class="token">${handoffUrl}</span></li>
<li><a id="login-link" href="${loginUrl}">Sign in to support</a> — a password-less login link:
a ska signed URL, valid ${minutes} minutes and good for one use (support records it in its store).
Reload this page for a fresh one.
<span class="token">${loginUrl}</span></li>
</ol>
<p class="muted">Look inside any of these tokens: <code>node --import tsx src/cli/main.ts inspect 'TOKEN'</code></p>
<form method="post" action="/logout"><button type="submit" class="quiet" id="sign-out">Sign out</button></form>`,
    );
  });

  app.post('/login', (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const name = checkName(body.name);
    const email = checkEmail(body.email);
    const typedName = typeof body.name === 'string' ? body.name : '';
    const typedEmail = typeof body.email === 'string' ? body.email : '';
    if ('error' in name) return loginForm(res, 400, name.error, typedName, typedEmail);
    if ('error' in email) return loginForm(res, 400, email.error, typedName, typedEmail);
    const ticket = tkt.create({ uid: name.name, tokens: ROLES, userData: email.email });
    res.append('set-cookie', setCookieHeader(tkt.cookieValue(ticket), { sameSite: 'Lax' }));
    res.redirect(303, '/');
  });

  app.post('/logout', (_req, res) => {
    res.append('set-cookie', clearCookieHeader());
    res.redirect(303, '/');
  });

  app.use((_req, res) => {
    send(res, 404, 'Not found', html`<h1>Not found</h1><p><a href="/">Back to portal</a></p>`);
  });

  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    // Body-parser errors carry their status (413 too large, 400 malformed); anything else is ours.
    const status = (err as { status?: unknown }).status;
    const code = typeof status === 'number' && status >= 400 && status < 500 ? status : 500;
    if (code === 500) console.error('portal:', err);
    send(
      res,
      code,
      'Error',
      html`<h1>Something went wrong</h1><p><a href="/">Back to portal</a></p>`,
    );
  });

  return app;
}
