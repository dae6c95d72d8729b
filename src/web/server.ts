// The dashboard's HTTP server: the page, the read-only JSON API, the live stream and the buttons. Nothing
// here decides anything about serve: it reads what `peek --json` reads and acts through serve/control.ts.
import * as http from 'node:http';
import type { ObserverContext } from '../config/context.js';
import { EXIT, UserError } from '../errors.js';
import type { Thresholds } from '../monitor/types.js';
import { Guard } from './auth.js';
import { csp, intParam, readBody, send, sendError, sendJson } from './http.js';
import { LiveFeed } from './live.js';
import type { Fleet } from './fleet.js';
import type { WebOptions } from './options.js';
import { localApi } from './local-api.js';
import { APP_CSS, APP_JS, pageHashes, pageHtml } from './page.js';
import { runControl } from './control.js';
import { errorMessage, firstLine } from '../util/text.js';

export type Mode = { kind: 'local'; ctx: ObserverContext; t: Thresholds } | { kind: 'fleet'; fleet: () => Fleet | null };

export interface Dashboard {
  /** http://host:port/ (never with the token) */
  url: string;
  feed: LiveFeed;
  close(): Promise<void>;
}

export async function startDashboard(o: WebOptions, mode: Mode): Promise<Dashboard> {
  const guard = new Guard(o.token);
  const feed = new LiveFeed(mode.kind === 'local' ? mode.ctx.paths : null);
  const api = mode.kind === 'local' ? localApi(mode.ctx, mode.t) : null;
  const title = mode.kind === 'local' ? mode.ctx.project : 'fleet';

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://dashboard.invalid');
    const p = url.pathname;
    if (!guard.allows(req, url)) {
      if (p.startsWith('/api/')) return sendError(res, 401, 'a token is required');
      return send(res, 401, 'text/plain; charset=utf-8', 'agent-runner dashboard: open this page as /?token=<the dashboard token>\n');
    }
    // the token given once in the address goes into a cookie, and out of the address bar and the history
    if (url.searchParams.has('token') && req.method === 'GET' && !p.startsWith('/api/'))
      return send(res, 303, 'text/plain; charset=utf-8', 'see /\n', { Location: p, 'Set-Cookie': guard.cookie() });
    if (req.method === 'POST') {
      const m = /^\/api\/control\/([a-z]+)$/.exec(p);
      if (!m || mode.kind !== 'local') return sendError(res, 404, 'not found');
      if (!guard.postAllowed(req)) return sendError(res, 403, 'missing or wrong CSRF token');
      const body = await readBody(req);
      if (body === null) return sendError(res, 413, 'body too large');
      const a = await runControl(m[1], mode.ctx.paths, o.controls, body);
      return sendJson(res, a.status, a.body);
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendError(res, 405, 'GET or POST');
    if (p === '/') {
      // the first data in the page itself: one request before the first draw, not three after the script ran
      // without it (git not answered yet, a state file unreadable) the page fetches the API, as it always could
      const first = api ? await api.first(new Date().getTimezoneOffset()).catch(() => null) : null;
      const html = pageHtml({ title, csrf: guard.csrf, fleet: mode.kind === 'fleet', controls: o.controls, first });
      return send(res, 200, 'text/html; charset=utf-8', html, { 'Content-Security-Policy': csp(pageHashes()) });
    }
    if (p === '/app.js') return send(res, 200, 'text/javascript; charset=utf-8', APP_JS);
    if (p === '/app.css') return send(res, 200, 'text/css; charset=utf-8', APP_CSS);
    if (p === '/api/live') return feed.add(res);
    if (mode.kind === 'fleet') {
      if (p === '/api/hosts') return sendJson(res, 200, { hosts: mode.fleet()?.views ?? [] });
      return sendError(res, 404, 'not found (a fleet dashboard serves /api/hosts)');
    }
    const a = api!;
    if (p === '/api/snapshot') return sendJson(res, 200, await a.snapshot());
    if (p === '/api/overview') {
      const tz = intParam(url, 'tz', 0, 0, 1680);
      if (tz === null) return sendError(res, 400, 'tz: minutes east of UTC plus 840, 0..1680');
      return sendJson(res, 200, await a.overview(tz - 840));
    }
    if (p === '/api/rounds') {
      const limit = intParam(url, 'limit', 100, 1, 1000);
      const from = intParam(url, 'from', -1, 1, Number.MAX_SAFE_INTEGER);
      if (limit === null || from === null) return sendError(res, 400, 'from: a round number; limit: 1..1000');
      return sendJson(res, 200, a.rounds(from < 0 ? null : from, limit));
    }
    if (p === '/api/events') {
      const limit = intParam(url, 'limit', 200, 1, 1000);
      const cursor = intParam(url, 'cursor', -1, 0, Number.MAX_SAFE_INTEGER);
      if (limit === null || cursor === null) return sendError(res, 400, 'cursor: a byte offset from an earlier answer; limit: 1..1000');
      return sendJson(res, 200, a.events(cursor < 0 ? null : cursor, limit));
    }
    const log = /^\/api\/rounds\/([1-9][0-9]{0,15})\/log$/.exec(p);
    if (log) {
      const view = a.log(Number(log[1]));
      return view ? sendJson(res, 200, view) : sendError(res, 404, `no round ${log[1]}`);
    }
    return sendError(res, 404, 'not found');
  };

  const server = http.createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) sendError(res, 500, firstLine(errorMessage(e)));
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(new UserError(`cannot listen on ${o.host}:${o.port}: ${e.code === 'EADDRINUSE' ? 'the port is in use (--listen another)' : e.message}`, EXIT.FAILURE)),
    );
    server.listen(o.port, o.host, () => resolve());
  });
  const addr = server.address() as { address: string; port: number };
  const host = addr.address.includes(':') ? `[${addr.address}]` : addr.address;
  return {
    url: `http://${host}:${addr.port}/`,
    feed,
    close: () =>
      new Promise<void>((resolve) => {
        feed.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
