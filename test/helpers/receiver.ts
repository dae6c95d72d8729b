// A local HTTP receiver for the notification tests, on 127.0.0.1 only: it records every request, and answers
// each path as told: 200, 500, never (hang), or a list of codes in turn (500 then 200: a retry).
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export type Answer = number | 'hang' | number[];

export interface Receiver {
  url(path: string): string;
  port: number;
  /** requests to this path so far (whole: their bodies read) */
  got(path: string): Received[];
  /** requests to a hanging path that are still open, unanswered */
  open(path: string): number;
  answer(path: string, a: Answer): void;
  close(): Promise<void>;
}

export async function startReceiver(answers: Record<string, Answer> = {}, port = 0): Promise<Receiver> {
  const got: Received[] = [];
  const hanging = new Map<string, Set<http.ServerResponse>>();
  const table = new Map(Object.entries(answers));
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (d: string) => (body += d));
    req.on('end', () => {
      const p = (req.url ?? '/').split('?')[0];
      got.push({ path: p, headers: req.headers, body });
      const a = table.get(p) ?? 200;
      if (a === 'hang') {
        const set = hanging.get(p) ?? new Set();
        hanging.set(p, set);
        set.add(res);
        res.on('close', () => set.delete(res));
        return;
      }
      const code = Array.isArray(a) ? (a.length > 1 ? a.shift()! : a[0]) : a;
      res.writeHead(code, { 'Content-Type': 'text/plain' }).end(code === 200 ? 'ok\n' : 'no\n');
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const actual = (server.address() as AddressInfo).port;
  return {
    port: actual,
    url: (p) => `http://127.0.0.1:${actual}${p}`,
    got: (p) => got.filter((g) => g.path === p),
    open: (p) => hanging.get(p)?.size ?? 0,
    answer: (p, a) => table.set(p, a),
    close: () =>
      new Promise<void>((resolve) => {
        for (const set of hanging.values()) for (const r of set) r.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
