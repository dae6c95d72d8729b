// The small HTTP pieces every route uses: answers with the security headers, bodies read with a cap.
import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * Nothing from anywhere else: no CDN, no framing, and no inline script or style but those whose sha256 is
 * given (the page's own, inlined so that the first draw waits for no second request).
 */
export function csp(hashes: string[] = []): string {
  const own = ["'self'", ...hashes.map((h) => `'sha256-${h}'`)].join(' ');
  return `default-src 'none'; script-src ${own}; style-src ${own}; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'`;
}

const HEADERS = {
  'Content-Security-Policy': csp(),
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cache-Control': 'no-store',
};

export function send(res: ServerResponse, status: number, type: string, body: string | Buffer, extra: Record<string, string> = {}): void {
  res.writeHead(status, { ...HEADERS, 'Content-Type': type, 'Content-Length': Buffer.byteLength(body), ...extra });
  res.end(body);
}

export function sendJson(res: ServerResponse, status: number, value: unknown): void {
  send(res, status, 'application/json; charset=utf-8', JSON.stringify(value));
}

export function sendError(res: ServerResponse, status: number, message: string): void {
  sendJson(res, status, { error: message });
}

export function sseHeaders(res: ServerResponse): void {
  res.writeHead(200, { ...HEADERS, 'Content-Type': 'text/event-stream; charset=utf-8', Connection: 'keep-alive' });
}

export const MAX_BODY_BYTES = 8 * 1024;

/** The request body as text; null when it is larger than the cap (the rest is not read). */
export function readBody(req: IncomingMessage, max = MAX_BODY_BYTES): Promise<string | null> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (d: Buffer) => {
      size += d.length;
      if (size > max) {
        resolve(null);
        req.destroy();
      } else chunks.push(d);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', () => resolve(null));
  });
}

/** A whole number query parameter within bounds, or the default. */
export function intParam(url: URL, name: string, dflt: number, min: number, max: number): number | null {
  const v = url.searchParams.get(name);
  if (v === null || v === '') return dflt;
  if (!/^[0-9]+$/.test(v)) return null;
  const n = Number(v);
  return n < min || n > max ? null : n;
}
