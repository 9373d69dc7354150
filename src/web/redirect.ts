/**
 * The open-redirect guard of the login flow. ska's login view redirects to the unsigned `next`
 * parameter after Django's `url_has_allowed_host_and_scheme` (ska.md §7); here only a path on
 * the same origin passes, checked twice: as the text the browser receives and after URL
 * normalisation (which can turn `/a/..//evil.com` into `//evil.com`).
 */

// Browsers drop tabs and newlines inside URLs and read `\` as `/`, so `/\tevil.com` and
// `/\evil.com` become `//evil.com`, a different host.
const UNSAFE = /[\\\u0000-\u001f\u007f]/;
const BASE = 'http://same-origin.invalid';

/**
 * `next` as a same-origin redirect target, or `undefined` when it could leave the site.
 * Only a path is accepted: it starts with a single `/` (not `//`), holds no backslash or control
 * character, and still does after normalisation. The result is the normalised, percent-encoded
 * path, query and fragment, safe to put in a `Location` header.
 *
 * @example
 * ```ts
 * import { safeRedirectPath } from 'tessera/web';
 * safeRedirectPath('/account?tab=keys'); // '/account?tab=keys'
 * safeRedirectPath('//evil.com');        // undefined
 * safeRedirectPath('https://evil.com/'); // undefined
 * safeRedirectPath('javascript:alert(1)'); // undefined
 * ```
 */
export function safeRedirectPath(next: unknown): string | undefined {
  if (typeof next !== 'string' || next.length === 0 || next.length > 2048) return undefined;
  if (next[0] !== '/' || next[1] === '/' || UNSAFE.test(next)) return undefined;
  let url: URL;
  try {
    url = new URL(next, BASE);
  } catch {
    return undefined;
  }
  if (url.origin !== BASE) return undefined;
  const path = `${url.pathname}${url.search}${url.hash}`;
  if (path[0] !== '/' || path[1] === '/' || path[1] === '\\') return undefined;
  return path;
}
