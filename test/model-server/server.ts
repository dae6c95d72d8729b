// A scripted model server on loopback for the real agent CLIs: it speaks the Anthropic Messages API
// (Claude Code), the OpenAI Responses API (Codex) and the Gemini API (Gemini CLI), streaming as they do,
// and plays a scenario (scenarios.ts): the turns of a healthy model, with real tool calls in each CLI's
// own tool schema, or a fault in each API's own shape. It records every request (path, headers without
// credentials, body, what it answered and with which usage) so tests can assert on what the CLI sent.
// It listens on 127.0.0.1, port 0, only. A request it does not handle gets a 404 and is recorded as such.
import * as http from 'node:http';
import * as zlib from 'node:zlib';
import type { AddressInfo, Socket } from 'node:net';
import { anthropic } from './anthropic.js';
import { openai } from './openai.js';
import { gemini } from './gemini.js';
import type { Dialect, Exchange } from './http.js';
import type { Fault, Scenario, TurnUsage } from './scenarios.js';

export interface RecordedRequest {
  seq: number;
  /** ms since the server started */
  at_ms: number;
  method: string;
  /** path and query */
  url: string;
  headers: Record<string, string>;
  /** parsed JSON, else the text (null when empty) */
  body: unknown;
  dialect: Dialect['name'] | null;
  /** the agent loop's request (not a side call) */
  main: boolean;
  turn: number | null;
  /** which main request this is, counting from 0 (every retry counts) */
  attempt: number | null;
  /** what the server did: `turn 1`, `fault usage_limit`, `side`, `unhandled` */
  answer: string;
  /** the fault answered instead of a turn (with its reset time, for a usage limit) */
  fault: Fault | null;
  /** the usage the answer carried */
  usage: TurnUsage | null;
  notes: string[];
  /** with ServerOptions.expect.credential: whether the request carried it (Bearer, x-api-key or x-goog-api-key) */
  credential?: 'expected' | 'other' | 'none';
}

export interface ModelServer {
  url: string;
  port: number;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

export interface ServerOptions {
  scenario: Scenario;
  /** the work tree of the CLI: scripted file paths are under it */
  workDir: string;
  /** called with each request once it is answered (or, for a hang, once it is received) */
  onRequest?: (r: RecordedRequest) => void;
  now?: () => number;
  /** a gateway's checks: every API path under `prefix` (else a 404, recorded `outside the prefix`); the credential compared, never recorded */
  expect?: { prefix?: string; credential?: string };
}

function credentialSeen(h: http.IncomingHttpHeaders, want: string): 'expected' | 'other' | 'none' {
  const given = [/^Bearer (.*)$/.exec(String(h.authorization ?? ''))?.[1], h['x-api-key'], h['x-goog-api-key']].filter((v): v is string => typeof v === 'string' && v !== '');
  return given.length === 0 ? 'none' : given.includes(want) ? 'expected' : 'other';
}

const DIALECTS: Dialect[] = [anthropic, openai, gemini];
const SECRET_HEADERS = new Set(['authorization', 'x-api-key', 'x-goog-api-key', 'cookie', 'proxy-authorization']);

function recordHeaders(h: http.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) {
    if (v === undefined) continue;
    const text = Array.isArray(v) ? v.join(', ') : v;
    // the scheme stays (Bearer vs key), the credential goes
    out[k] = SECRET_HEADERS.has(k) ? (/^(\w+) /.exec(text)?.[1] ?? '').concat(' [REDACTED]').trim() : text;
  }
  return out;
}

/** The credential a request presents (a bearer token or an API key header), for scenarios that answer by account. */
function credentialOf(h: http.IncomingHttpHeaders): string {
  const auth = String(h.authorization ?? '');
  return /^Bearer /i.test(auth) ? auth.slice(7) : String(h['x-api-key'] ?? h['x-goog-api-key'] ?? auth);
}

function readBody(req: http.IncomingMessage): Promise<unknown> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let buf = Buffer.concat(chunks);
      const enc = String(req.headers['content-encoding'] ?? '');
      try {
        if (enc === 'gzip') buf = zlib.gunzipSync(buf);
        else if (enc === 'br') buf = zlib.brotliDecompressSync(buf);
        else if (enc === 'deflate') buf = zlib.inflateSync(buf);
      } catch {
        /* keep the raw bytes */
      }
      const text = buf.toString('utf8');
      if (!text) return resolve(null);
      try {
        resolve(JSON.parse(text));
      } catch {
        resolve(text);
      }
    });
    req.on('error', () => resolve(null));
  });
}

export function startModelServer(o: ServerOptions): Promise<ModelServer> {
  const now = o.now ?? Date.now;
  const t0 = now();
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  let attempts = 0;

  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const body = await readBody(req);
    const rec: RecordedRequest = {
      seq: requests.length,
      at_ms: now() - t0,
      method: req.method ?? '',
      url: req.url ?? '',
      headers: recordHeaders(req.headers),
      body,
      dialect: null,
      main: false,
      turn: null,
      attempt: null,
      answer: 'unhandled',
      fault: null,
      usage: null,
      notes: [],
    };
    requests.push(rec);
    if (o.expect?.credential !== undefined) rec.credential = credentialSeen(req.headers, o.expect.credential);
    const prefix = o.expect?.prefix;
    if (prefix) {
      if (url.pathname !== prefix && !url.pathname.startsWith(`${prefix}/`)) {
        rec.answer = 'outside the prefix';
        res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: `not under ${prefix}: ${url.pathname}` } }));
        o.onRequest?.(rec);
        return;
      }
      url.pathname = url.pathname.slice(prefix.length) || '/';
    }
    const x: Exchange = { req, res, url, body, workDir: o.workDir, note: (t) => rec.notes.push(t) };
    try {
      const d = DIALECTS.find((c) => c.claims(rec.method, url.pathname));
      rec.dialect = d?.name ?? null;
      const call = d?.mainCall(x) ?? null;
      if (d && call) {
        rec.main = true;
        rec.turn = call.turn;
        rec.attempt = attempts++;
        const fault: Fault | null = o.scenario.fault(rec.attempt, now(), typeof body === 'string' ? body : JSON.stringify(body), credentialOf(req.headers));
        if (fault) {
          rec.answer = `fault ${fault.kind}`;
          rec.fault = fault;
          d.fault(x, call, fault, now());
        } else if (call.turn < o.scenario.turns.length) {
          rec.answer = `turn ${call.turn}`;
          rec.usage = d.answer(x, call, o.scenario.turns[call.turn]);
        } else {
          rec.answer = 'past the script';
          rec.notes.push(`turn ${call.turn} asked, the script has ${o.scenario.turns.length}`);
          rec.usage = d.answer(x, call, { actions: [{ kind: 'text', text: 'Nothing more to do.' }], usage: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 } });
        }
      } else if (d && o.scenario.refuses?.(credentialOf(req.headers))) {
        // a side call (count_tokens, a model list) with a credential the scenario refuses: 401, as the API does
        rec.answer = 'fault auth';
        rec.fault = { kind: 'auth' };
        d.fault(x, { turn: 0, model: '' }, rec.fault, now());
      } else if (d?.other(x)) {
        rec.answer = 'side';
      } else {
        res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: `not handled by the model server: ${rec.method} ${url.pathname}` } }));
      }
    } catch (e) {
      rec.answer = 'server error';
      rec.notes.push(String((e as Error).stack ?? e));
      if (!res.headersSent) res.writeHead(500).end();
    }
    o.onRequest?.(rec);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  // a hanging answer must not be cut by the server's own timers
  server.requestTimeout = 0;
  server.keepAliveTimeout = 60_000;

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as AddressInfo).port;
      resolve({
        url: `http://127.0.0.1:${port}`,
        port,
        requests,
        close: () =>
          new Promise<void>((done) => {
            for (const s of sockets) s.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}
