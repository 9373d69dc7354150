/**
 * "support", the Hono 4 app on another port: shows the profile a portal hand-off carries, signs
 * the user in from a one-time ska link (tessera/hono's `loginHandler`, single use through the
 * store) and keeps its own session in an itsdangerous URLSafeTimedSerializer cookie. A used link
 * is a 410 "link already used" page; a tampered or expired one a 401.
 */
import { type Context, Hono } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { BadData, BadPayload, BadSignature } from '../src/errors.ts';
import { Handoff } from '../src/handoff/index.ts';
import { loginHandler } from '../src/hono/index.ts';
import { URLSafeTimedSerializer } from '../src/itsdangerous/index.ts';
import type { ReplayStore } from '../src/stores/index.ts';
import { type AppLook, type Html, html, PAGE_HEADERS, page } from './html.ts';

/** What support needs to know. */
export interface SupportOptions {
  handoffSecret: string;
  skaSecret: string;
  sessionSecret: string;
  /** Where used login links are remembered until they expire. */
  store: ReplayStore;
  /** support's own origin with a trailing `/`, known once it listens. */
  origin: () => string;
  /** portal's origin with a trailing `/`. */
  portalOrigin: () => string;
  now?: () => number;
}

/** support's session cookie: who, and since when. */
interface Session {
  user: string;
  since: string;
}

const SESSION_COOKIE = 'support_session';
const SESSION_MAX_AGE = 8 * 3600;

const LOOK = (origin: string): AppLook => ({ name: 'support', colour: '#0f766e', origin });

function isProfile(
  value: unknown,
): value is Record<string, unknown> & { name: string; exp: number } {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const v = value as Record<string, unknown>;
  return v.aud === 'support' && typeof v.name === 'string' && typeof v.exp === 'number';
}

function iso(seconds: unknown): string {
  return typeof seconds === 'number' && Number.isFinite(seconds)
    ? new Date(seconds * 1000).toISOString()
    : '—';
}

/** Build the support app. */
export function createSupport(options: SupportOptions): Hono {
  const now = options.now ?? Date.now;
  const handoff = new Handoff(options.handoffSecret, { variants: ['A'] });
  // One key and one salt per purpose: this serializer only ever reads support's own cookie.
  const sessions = new URLSafeTimedSerializer(options.sessionSecret, {
    salt: 'support-session',
    now,
  });
  const app = new Hono();

  function respond(c: Context, status: ContentfulStatusCode, title: string, body: Html): Response {
    return c.html(page(LOOK(options.origin()), title, body), status, PAGE_HEADERS);
  }

  function refused(
    c: Context,
    status: ContentfulStatusCode,
    title: string,
    why: Html | string,
  ): Response {
    return respond(
      c,
      status,
      title,
      html`<div class="card bad"><p class="status" id="outcome">${status} · ${title}</p><p>${why}</p></div>
<p><a href="${options.portalOrigin()}">Back to portal</a> for a fresh link.</p>`,
    );
  }

  function session(c: Context): Session | undefined {
    const cookie = getCookie(c, SESSION_COOKIE);
    if (!cookie) return undefined;
    const r = sessions.safeLoads(cookie, { maxAge: SESSION_MAX_AGE });
    if (!r.valid) return undefined;
    const v = r.value as Partial<Session>;
    return typeof v?.user === 'string' && typeof v.since === 'string'
      ? { user: v.user, since: v.since }
      : undefined;
  }

  app.get('/', (c) => {
    const s = session(c);
    if (s === undefined) {
      return respond(
        c,
        200,
        'Welcome',
        html`<h1>Support</h1>
<div class="card"><p class="status" id="outcome">Not signed in</p>
<p>Support has no password form: sign in at <a href="${options.portalOrigin()}">portal</a> and follow its
one-time login link.</p></div>`,
      );
    }
    return respond(
      c,
      200,
      'Signed in',
      html`<h1>Support</h1>
<div class="card ok"><p class="status" id="outcome">Signed in as <span id="user-name">${s.user}</span></p>
<dl><dt>Since</dt><dd>${s.since}</dd><dt>Session</dt><dd>support's own <code>${SESSION_COOKIE}</code> cookie
(itsdangerous URLSafeTimedSerializer, HMAC-SHA1, 8 hours)</dd></dl></div>
<p class="muted">Browsers send cookies to every port of a host (RFC 6265 §8.5), so portal's
<code>auth_tkt</code> reaches support too; support never reads it. It trusts only what a signed
link or its own session cookie says.</p>
<form method="post" action="/logout"><button type="submit" class="quiet" id="sign-out">Sign out of support</button></form>`,
    );
  });

  app.get('/handoff', (c) => {
    const token = c.req.query('token') ?? '';
    let value: unknown;
    try {
      value = handoff.decode(token);
    } catch (err) {
      if (err instanceof BadSignature) {
        return refused(
          c,
          401,
          'Hand-off refused',
          'Its signature does not match: the token was changed, or made with another key.',
        );
      }
      if (err instanceof BadPayload) {
        return refused(
          c,
          401,
          'Hand-off refused',
          'The token is signed, but its content cannot be read.',
        );
      }
      if (err instanceof BadData)
        return refused(c, 401, 'Hand-off refused', 'This is not a hand-off token.');
      throw err;
    }
    // Ax_Handoff has no expiry of its own: portal writes one in the payload, checked here.
    if (!isProfile(value))
      return refused(c, 401, 'Hand-off refused', 'The hand-off is not meant for support.');
    if (value.exp <= now() / 1000) {
      return refused(
        c,
        401,
        'Hand-off expired',
        html`It expired at ${iso(value.exp)}. Follow a fresh link from portal.`,
      );
    }
    const roles = Array.isArray(value.roles) ? value.roles.map(String).join(', ') : '';
    return respond(
      c,
      200,
      'Profile',
      html`<h1>Profile from portal</h1>
<div class="card ok"><p class="status" id="outcome">Hand-off verified</p>
<dl id="profile">
<dt>Name</dt><dd id="profile-name">${value.name}</dd>
<dt>E-mail</dt><dd>${typeof value.email === 'string' && value.email ? value.email : '—'}</dd>
<dt>Roles</dt><dd>${roles || '—'}</dd>
<dt>Signed in at portal</dt><dd>${typeof value.signedInAt === 'string' ? value.signedInAt : '—'}</dd>
<dt>Hand-off issued</dt><dd>${iso(value.iat)}</dd>
<dt>Hand-off expires</dt><dd>${iso(value.exp)}</dd>
</dl></div>
<p class="muted">Decrypted and checked with the key support shares with portal (HMAC first, in
constant time, then AES). Support did not sign you in: the hand-off only carries your profile.
${session(c) ? '' : html`To sign in, use portal's one-time login link.`}</p>
<p><a href="/">Support home</a> · <a href="${options.portalOrigin()}">Back to portal</a></p>`,
    );
  });

  app.get(
    '/login/',
    loginHandler<{ name: string }>({
      secretKey: options.skaSecret,
      store: options.store,
      now,
      redirectAfterLogin: '/',
      // Anyone portal vouches for has an account here.
      getUser: (authUser) => ({ name: authUser }),
      onLogin: (c, user) => {
        const token = sessions.dumps({ user: user.name, since: new Date(now()).toISOString() });
        setCookie(c, SESSION_COOKIE, token, {
          httpOnly: true,
          sameSite: 'Lax',
          path: '/',
          maxAge: SESSION_MAX_AGE,
        });
      },
      onFailure: (c, failure) => {
        switch (failure.code) {
          case 'link-used':
            return refused(
              c,
              410,
              'Link already used',
              'This login link has already been used. Each link signs you in once; portal gives you a fresh one.',
            );
          case 'invalid-link': {
            const expired = failure.reasons?.includes('Signature timestamp expired!') ?? false;
            const forged = failure.reasons?.includes('Invalid signature!') ?? false;
            const why = forged
              ? 'Its signature does not match: the link was changed, or signed with another key.'
              : expired
                ? 'The link has expired.'
                : 'The link is not valid.';
            return refused(
              c,
              401,
              forged ? 'Invalid link' : expired ? 'Link expired' : 'Invalid link',
              why,
            );
          }
          case 'store-unavailable':
            return refused(
              c,
              503,
              'Try again later',
              'The store of used links cannot be reached, so no link is accepted.',
            );
          default:
            return refused(c, 403, 'Sign-in refused', 'This link cannot sign you in.');
        }
      },
    }),
  );

  app.post('/logout', (c) => {
    deleteCookie(c, SESSION_COOKIE, { path: '/' });
    return c.redirect('/', 303);
  });

  app.notFound((c) =>
    respond(c, 404, 'Not found', html`<h1>Not found</h1><p><a href="/">Support home</a></p>`),
  );
  app.onError((err, c) => {
    console.error('support:', err);
    return respond(
      c,
      500,
      'Error',
      html`<h1>Something went wrong</h1><p><a href="/">Support home</a></p>`,
    );
  });

  return app;
}
