/**
 * Server-rendered HTML for the demo: a tagged template that escapes every interpolated value
 * (so a user named `<script>` is text, never markup), and the page layout both apps share.
 */

/** Markup that is already safe: only {@link html} and {@link raw} make one. */
export class Html {
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
  toString(): string {
    return this.text;
  }
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escape text for an HTML element or a quoted attribute value. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] as string);
}

function piece(value: unknown): string {
  if (value instanceof Html) return value.text;
  if (Array.isArray(value)) return value.map(piece).join('');
  if (value === undefined || value === null || value === false) return '';
  return escapeHtml(String(value));
}

/**
 * A template of trusted markup with escaped holes:
 * `` html`<p>Hello ${name}</p>` `` escapes `name`; a nested `html` result or an array of them is
 * inserted as it is. Attribute values must be quoted (`href="${url}"`).
 */
export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0] ?? '';
  for (let i = 0; i < values.length; i++) out += piece(values[i]) + (strings[i + 1] ?? '');
  return new Html(out);
}

/** Trusted markup written by the demo itself (never user input). */
export function raw(text: string): Html {
  return new Html(text);
}

const CSS = `
:root { color-scheme: light dark; --accent: #3558d6; --ok: #1b7f3b; --bad: #b3261e; --muted: #6b7280; }
* { box-sizing: border-box; }
body { font: 16px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0; padding: 2rem 1rem; }
main { max-width: 44rem; margin: 0 auto; }
header { display: flex; align-items: baseline; gap: .75rem; border-bottom: 3px solid var(--app); padding-bottom: .5rem; margin-bottom: 1.5rem; }
header .app { font-weight: 700; font-size: 1.4rem; color: var(--app); }
header .where { color: var(--muted); font-size: .9rem; }
h1 { font-size: 1.5rem; margin: 0 0 1rem; }
h2 { font-size: 1.1rem; margin: 1.5rem 0 .5rem; }
.card { border: 1px solid #d1d5db; border-radius: .5rem; padding: 1rem 1.25rem; margin: 1rem 0; }
.card.ok { border-color: var(--ok); }
.card.bad { border-color: var(--bad); }
.status { font-weight: 700; }
.ok .status { color: var(--ok); }
.bad .status { color: var(--bad); }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; margin: .5rem 0; }
dt { color: var(--muted); }
dd { margin: 0; overflow-wrap: anywhere; }
label { display: block; margin: .75rem 0 .25rem; font-weight: 600; }
input[type=text], input[type=email] { width: 100%; max-width: 24rem; padding: .5rem; font: inherit; border: 1px solid #9ca3af; border-radius: .375rem; }
button, a.button { display: inline-block; margin-top: 1rem; padding: .5rem 1rem; font: inherit; border: 0; border-radius: .375rem; background: var(--app); color: #fff; text-decoration: none; cursor: pointer; }
button.quiet { background: transparent; color: var(--muted); border: 1px solid #9ca3af; }
ol.links li { margin: .75rem 0; }
code, .token { font: .85rem ui-monospace, SFMono-Regular, Menlo, monospace; }
.token { display: block; overflow-wrap: anywhere; color: var(--muted); margin-top: .25rem; }
.muted { color: var(--muted); font-size: .9rem; }
.error { color: var(--bad); font-weight: 600; }
`;

/** One app's look: its name and colour in the header. */
export interface AppLook {
  name: string;
  colour: string;
  /** This app's own URL, shown in the header so the two tabs are easy to tell apart. */
  origin: string;
}

/** A whole page: layout, inline CSS, the app header and `body`. */
export function page(app: AppLook, title: string, body: Html): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · ${app.name}</title>
<style>${raw(CSS)} :root { --app: ${app.colour}; }</style>
</head>
<body>
<main>
<header><span class="app">${app.name}</span><span class="where">${app.origin}</span></header>
${body}
</main>
</body>
</html>
`.text;
}

/**
 * Headers for every page: no caching (pages carry tokens and personal data), no referrer (a
 * token in the URL must not travel to the next site), and a CSP allowing only the inline CSS.
 */
export const PAGE_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'content-security-policy':
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
};
