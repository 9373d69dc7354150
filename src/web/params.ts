/**
 * Reading the signed parameters of a request: a flat `name → value` map of strings, where a
 * repeated name keeps its last value and blank values are kept, as ska reads Django's
 * `request.GET.dict()` (ska.md §8.9). Frameworks disagree on everything else (Express' `qs`
 * makes arrays and nested objects, multipart bodies carry files), so everything is flattened
 * here, once, before ska sees it.
 */
import { DEFAULT_SIGNATURE_PARAM } from '../ska/index.ts';

/**
 * The signed parameters of one request: own, string-valued properties on a null-prototype
 * object (a parameter named `__proto__` is just a parameter).
 */
export type SignedParams = Readonly<Record<string, string>>;

/**
 * A form body as a framework hands it over: `URLSearchParams`, `FormData` (files are skipped),
 * a parsed object (an array keeps its last string; nested objects are skipped), or the raw
 * `application/x-www-form-urlencoded` text.
 */
export type FormBody = URLSearchParams | FormData | Readonly<Record<string, unknown>> | string;

/** Options of {@link readSignedParams}. */
export interface ReadSignedParamsOptions {
  /** The parameter whose presence makes the body the source (default `'signature'`). */
  signatureParam?: string | undefined;
}

function emptyParams(): Record<string, string> {
  return Object.create(null) as Record<string, string>;
}

/** The query part of a URL or path (after the first `?`, before `#`), `''` when there is none. */
function queryOf(url: string): string {
  const q = url.indexOf('?');
  if (q === -1) return '';
  const hash = url.indexOf('#', q);
  return hash === -1 ? url.slice(q + 1) : url.slice(q + 1, hash);
}

/** Entries of urlencoded text, decoded as `URL.searchParams` decodes them; the last value wins. */
function fromQuery(query: string): Record<string, string> {
  const out = emptyParams();
  if (query === '') return out;
  for (const [k, v] of new URLSearchParams(query)) out[k] = v;
  return out;
}

/** Flatten a parsed body; `undefined` when it is not something a form parser produces. */
function fromBody(body: unknown): Record<string, string> | undefined {
  if (typeof body === 'string') return fromQuery(body);
  if (body instanceof URLSearchParams || body instanceof FormData) {
    const out = emptyParams();
    for (const [k, v] of body) if (typeof v === 'string') out[k] = v;
    return out;
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return undefined;
  const out = emptyParams();
  for (const k of Object.keys(body)) {
    const v = (body as Record<string, unknown>)[k];
    if (typeof v === 'string') out[k] = v;
    else if (Array.isArray(v)) {
      // Django's QueryDict.dict() keeps the last value of a repeated name.
      const last: unknown = v[v.length - 1];
      if (typeof last === 'string') out[k] = last;
    }
  }
  return out;
}

/**
 * The signed parameters of a request: the form `body` when one is given and carries the
 * signature parameter, otherwise the query of `input`. The two sources are never merged, so a
 * parameter can not be signed in one and smuggled in through the other.
 *
 * `input` is a Web `Request`, a `URL`, or a URL or path with its query (`req.originalUrl`).
 * Never throws for anything a client sent.
 *
 * @example
 * ```ts
 * import { readSignedParams } from 'tessera/web';
 * const params = readSignedParams('/api/?signature=abc%3D&auth_user=jane&auth_user=joe');
 * params.auth_user; // 'joe' (the last value wins, as in Django)
 * const fromForm = readSignedParams(request, await request.formData()); // a POSTed form
 * ```
 */
export function readSignedParams(
  input: Request | URL | string,
  body?: FormBody | null | unknown,
  options: ReadSignedParamsOptions = {},
): SignedParams {
  if (body !== undefined && body !== null) {
    const params = fromBody(body);
    const sig = options.signatureParam ?? DEFAULT_SIGNATURE_PARAM;
    if (params !== undefined && Object.hasOwn(params, sig)) return params;
  }
  if (input instanceof URL) return fromQuery(input.search.slice(1));
  return fromQuery(queryOf(typeof input === 'string' ? input : input.url));
}

/**
 * What to validate: the form body's parameters when it carries the signature (as
 * {@link readSignedParams} decides), otherwise the query text of `url` alone, which ska parses
 * straight into its own map (the hot path: one parse, no intermediate object).
 */
export function signedSource(
  url: string,
  body: unknown,
  signatureParam: string,
): SignedParams | string {
  if (body !== undefined && body !== null) {
    const params = fromBody(body);
    if (params !== undefined && Object.hasOwn(params, signatureParam)) return params;
  }
  const q = url.indexOf('?');
  return q === -1 ? '' : url.slice(q);
}
