// Who may read the dashboard: with a token, only requests that carry it (bearer header, cookie, or ?token=
// once, which sets the cookie); compared in constant time. Without one (loopback only), a Host header that
// is not this machine's is refused, so a web page elsewhere cannot reach it by DNS rebinding. POSTs also
// need the page's CSRF token and a same-origin Origin.
import type { IncomingMessage } from 'node:http';
import { nodeCrypto } from '../util/crypto.js';
import { isLoopback } from './options.js';

export const COOKIE = 'ar_dashboard';

/** Constant-time: both sides hashed to the same length first, so neither length nor content leaks by timing. */
export function sameSecret(given: string, expected: string): boolean {
  const c = nodeCrypto();
  const h = (s: string) => c.createHash('sha256').update(s, 'utf8').digest();
  return c.timingSafeEqual(h(given), h(expected));
}

function cookieValue(req: IncomingMessage, name: string): string | null {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i === -1 || part.slice(0, i).trim() !== name) continue;
    try {
      return decodeURIComponent(part.slice(i + 1).trim());
    } catch {
      return null; // a malformed cookie is no token: refused like a missing one, not an error
    }
  }
  return null;
}

export function presentedToken(req: IncomingMessage, url: URL): string | null {
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ')) return auth.slice(7).trim();
  return url.searchParams.get('token') ?? cookieValue(req, COOKIE);
}

function hostOnly(header: string): string {
  const m = /^\[([^\]]+)\](?::\d+)?$/.exec(header) ?? /^([^:]+)(?::\d+)?$/.exec(header);
  return m ? m[1] : header;
}

export class Guard {
  readonly csrf = nodeCrypto().randomBytes(24).toString('base64url');
  constructor(private readonly token: string | null) {}

  get needsToken(): boolean {
    return this.token !== null;
  }

  /** may this request read the dashboard at all */
  allows(req: IncomingMessage, url: URL): boolean {
    if (this.token === null) return isLoopback(hostOnly(req.headers.host ?? ''));
    const given = presentedToken(req, url);
    return given !== null && sameSecret(given, this.token);
  }

  /** a POST from the page itself: its CSRF token, and an Origin (when sent) of the same host */
  postAllowed(req: IncomingMessage): boolean {
    const origin = req.headers.origin;
    if (origin !== undefined) {
      let o: URL;
      try {
        o = new URL(origin);
      } catch {
        return false;
      }
      if (o.host !== req.headers.host) return false;
    }
    const given = req.headers['x-csrf-token'];
    return typeof given === 'string' && sameSecret(given, this.csrf);
  }

  /** the cookie that keeps the token after `?token=`: HttpOnly, same-site only */
  cookie(): string {
    return `${COOKIE}=${encodeURIComponent(this.token ?? '')}; HttpOnly; SameSite=Strict; Path=/`;
  }
}
