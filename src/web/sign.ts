/**
 * Signing URLs for templates (ska.md §7: the `sign_url` and `provider_sign_url` template tags):
 * the secret, the provider keys and the defaults are read once from options; a call names only
 * the URL and what changes per link.
 */
import { type Clock, clockOption } from '../core/clock.ts';
import { type Secret, secretBytes } from '../core/keys.ts';
import {
  DEFAULT_PROVIDER_PARAM,
  type Extra,
  type ParamOptions,
  SIGNATURE_LIFETIME,
  signUrl,
  type ValidUntil,
  type ValueDumper,
} from '../ska/index.ts';
import { checkEncoding } from './guard.ts';

/** A login provider's key (ska's `SKA_PROVIDERS[uid]["SECRET_KEY"]`). */
export interface ProviderKey {
  secretKey: Secret;
}

/** Options of {@link createUrlSigner}. */
export interface UrlSignerOptions extends ParamOptions {
  /** The shared secret; optional when every link names a provider. */
  secretKey?: Secret | undefined;
  /** Provider keys, for links that name a `provider`. */
  providers?: Readonly<Record<string, ProviderKey>> | undefined;
  /** The `auth_user` of links that name none (ska's `SKA_AUTH_USER`, default `'ska-auth-user'`). */
  authUser?: string | undefined;
  /** Seconds a link stays valid (default 600). */
  lifetime?: number | undefined;
  valueDumper?: ValueDumper | undefined;
  /** Clock in milliseconds (default `Date.now`). */
  now?: Clock | undefined;
}

/** What one link may set. */
export interface SignLinkOptions {
  /** Default: the signer's `authUser`. */
  authUser?: string | undefined;
  /** Signed extra data; `provider` is added when a provider is named. */
  extra?: Extra | undefined;
  /** Seconds, overriding the signer's lifetime. */
  lifetime?: number | undefined;
  /** A fixed `valid_until` (text or number, as `signUrl` takes it). */
  validUntil?: ValidUntil | undefined;
  /** Sign with this provider's key and add `provider` to the signed extras. */
  provider?: string | undefined;
  /**
   * ska's suffix, used verbatim. Default: `?`, or `&` when the URL already has a query; the
   * parameters then go before any `#fragment`.
   */
  suffix?: string | undefined;
}

/** A URL signer for templates: `sign(url, options?)` → the signed URL. */
export type UrlSigner = (url: string, options?: SignLinkOptions) => string;

function lifetimeOf(value: unknown, option: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new TypeError(`${option} must be an integer number of seconds`);
  }
  return value;
}

/**
 * A URL signer reading the secret, provider keys and defaults from `options` (checked here, so
 * misuse fails at start-up, not in a template). Links are byte-compatible with ska's `sign_url`.
 *
 * @example
 * ```ts
 * import { createUrlSigner } from 'tessera/web';
 * const sign = createUrlSigner({ secretKey: process.env.SKA_SECRET_KEY!, lifetime: 3600 });
 * sign('https://example.com/reports/7', { authUser: 'jane' });
 * // 'https://example.com/reports/7?signature=…&auth_user=jane&valid_until=….0&extra='
 * sign('https://example.com/login/', { authUser: 'jane', provider: 'partner' }); // partner's key
 * ```
 */
export function createUrlSigner(options: UrlSignerOptions): UrlSigner {
  if (options === null || typeof options !== 'object')
    throw new TypeError('options must be an object');
  const providers = new Map<string, Secret>();
  if (options.providers !== undefined) {
    if (options.providers === null || typeof options.providers !== 'object') {
      throw new TypeError('providers must be an object of { secretKey }');
    }
    for (const uid of Object.keys(options.providers)) {
      const p = options.providers[uid];
      secretBytes(p?.secretKey, `providers.${uid}.secretKey`);
      providers.set(uid, (p as ProviderKey).secretKey);
    }
  }
  if (options.secretKey !== undefined || providers.size === 0) {
    secretBytes(options.secretKey, 'secretKey');
  }
  checkEncoding({ valueDumper: options.valueDumper });
  const defaultUser = options.authUser ?? 'ska-auth-user';
  if (typeof defaultUser !== 'string') throw new TypeError('authUser must be a string');
  const defaultLifetime = lifetimeOf(options.lifetime, 'lifetime') ?? SIGNATURE_LIFETIME;
  const now = clockOption(options.now);
  const params = {
    signatureParam: options.signatureParam,
    authUserParam: options.authUserParam,
    validUntilParam: options.validUntilParam,
    extraParam: options.extraParam,
    digest: options.digest,
  };

  return (url, link = {}) => {
    if (typeof url !== 'string') throw new TypeError('url must be a string');
    let secretKey = options.secretKey;
    let extra = link.extra;
    if (link.provider !== undefined) {
      secretKey = providers.get(link.provider);
      if (secretKey === undefined)
        throw new TypeError(`unknown provider ${JSON.stringify(link.provider)}`);
      // ska's provider_sign_url: extra["provider"] = provider.
      extra = { ...extra, [DEFAULT_PROVIDER_PARAM]: link.provider };
    } else if (secretKey === undefined) {
      throw new TypeError('this signer has no secretKey: name a provider');
    }
    let base = url;
    let suffix = link.suffix;
    let fragment = '';
    if (suffix === undefined) {
      const hash = url.indexOf('#');
      if (hash !== -1) {
        base = url.slice(0, hash);
        fragment = url.slice(hash);
      }
      const q = base.indexOf('?');
      suffix = q === -1 ? '?' : base.endsWith('?') || base.endsWith('&') ? '' : '&';
    }
    return (
      signUrl({
        ...params,
        authUser: link.authUser ?? defaultUser,
        secretKey,
        validUntil: link.validUntil,
        lifetime: lifetimeOf(link.lifetime, 'lifetime') ?? defaultLifetime,
        url: base,
        suffix,
        extra,
        valueDumper: options.valueDumper,
        now,
      }) + fragment
    );
  };
}
