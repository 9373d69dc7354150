/**
 * Request data as ska reads it: a flat key → value dict (Django's `request.GET.dict()`, where a
 * repeated key keeps its last value and blank values are kept; ska.md §8.9).
 */
import { isPlainObject } from './python-text.ts';
import { parseQuery } from './quote.ts';

/**
 * Request data to validate:
 * - a plain object (a dict, as ska takes it; values other than strings are used as Python
 *   would use them, e.g. the nested extras of a `signatureToDict` result);
 * - a `URLSearchParams` (a repeated key: the last value wins);
 * - a URL or a query string (its query after `?`, before `#`, read as `new URL(url).searchParams`
 *   reads it, which decodes `+` and `%XX` as Django does; the last value wins).
 */
export type RequestData = Readonly<Record<string, unknown>> | URLSearchParams | string;

/** Query part of a URL string; a string without `?` is taken as a bare query string. */
export function queryOf(url: string): string {
  const hash = url.indexOf('#');
  const noFragment = hash === -1 ? url : url.slice(0, hash);
  const q = noFragment.indexOf('?');
  return q === -1 ? noFragment : noFragment.slice(q + 1);
}

/** Normalise request data to a Map (insertion order, last value wins, `undefined` = absent). */
export function dataMap(data: unknown): Map<string, unknown> {
  if (typeof data === 'string') return parseQuery(queryOf(data));
  if (data instanceof URLSearchParams) return new Map(data);
  if (isPlainObject(data)) {
    const map = new Map<string, unknown>();
    for (const k of Object.keys(data)) {
      const v = data[k];
      if (v !== undefined) map.set(k, v);
    }
    return map;
  }
  throw new TypeError('data must be a plain object, a URLSearchParams or a URL string');
}

/** Define an own, enumerable property (safe for keys such as `__proto__`). */
export function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

/**
 * `target[key] = value` on a plain object as `Object.fromEntries` sets it: an own data
 * property. Only `__proto__` needs {@link setOwn} (assigning it would set the prototype).
 */
export function setData(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') setOwn(target, key, value);
  else target[key] = value;
}

/**
 * Whether `key` is one of the names of ska's extra list, `list.split(",")`, without splitting
 * it: `key` occurs in `list` between commas (or its ends). A name never contains a comma.
 */
export function inList(list: string, key: string): boolean {
  if (key === '') {
    return list === '' || list.startsWith(',') || list.endsWith(',') || list.includes(',,');
  }
  if (key.includes(',')) return false;
  const n = key.length;
  for (let at = list.indexOf(key); at !== -1; at = list.indexOf(key, at + 1)) {
    const end = at + n;
    if (
      (at === 0 || list.charCodeAt(at - 1) === 0x2c) &&
      (end === list.length || list.charCodeAt(end) === 0x2c)
    ) {
      return true;
    }
  }
  return false;
}

/**
 * ska's `extract_signed_data`: the entries of `data` whose keys the extra parameter lists
 * (`data.get(extra_param, "").split(",")`; order and duplicates in the list do not matter).
 * A list that is not text (possible only in a plain object) makes ska crash: `undefined`.
 */
export function listedEntries(
  data: Map<string, unknown>,
  extraParam: string,
): [string, unknown][] | undefined {
  const list = data.has(extraParam) ? data.get(extraParam) : '';
  if (typeof list !== 'string') return undefined;
  // No extras: the list is [''], which names only a parameter called ''.
  if (list === '') return data.has('') ? [['', data.get('')]] : [];
  const out: [string, unknown][] = [];
  for (const [k, v] of data) if (inList(list, k)) out.push([k, v]);
  return out;
}
