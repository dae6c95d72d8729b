// serve's metrics outlets, loaded only with --metrics-file or --metrics-listen: a file rewritten atomically
// (node_exporter's textfile collector reads it; a reader never sees half a file) and a GET /metrics
// endpoint. Both are off the loop's path: a timer (unref'd) and a server answering on its own.
import * as fs from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { StatePaths } from '../../state/paths.js';
import { writeFileAtomic } from '../../state/files.js';
import { followLedger } from '../../state/ledger-follow.js';
import { EXIT, UserError } from '../../errors.js';
import type { BudgetConfig } from '../../config/types.js';
import { metricsText } from './collect.js';
import { parseListen } from './listen.js';

/** how often the file is rewritten while serve runs (a scrape interval's order) */
export const FILE_INTERVAL_MS = 10_000;
/** the longest the file goes unrenewed */
export const REFRESH_MS = 60_000;
export const CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export interface MetricsExportOptions {
  metricsFile?: string;
  metricsListen?: string;
  /** the [budget] whose spend the gauges show */
  budget?: BudgetConfig;
}

export async function startMetricsExport(paths: StatePaths, project: string, o: MetricsExportOptions): Promise<{ close(): Promise<void>; address: string | null }> {
  // serve lives for days: each scrape reads only the rounds appended since the last one
  const ledger = followLedger(paths);
  const text = () => metricsText(paths, project, undefined, o.budget, ledger());
  let timer: NodeJS.Timeout | null = null;
  let written = '';
  let writtenAt = 0;
  const writeFile = (always = false) => {
    // a long ledger is not read again every 10 s when none of the files the metrics come from changed; the
    // file is still renewed once a minute, so a textfile-age alert (node_textfile_mtime_seconds) stays quiet
    const seen = inputsSignature(paths);
    if (!always && seen === written && Date.now() - writtenAt < REFRESH_MS) return;
    written = seen;
    writtenAt = Date.now();
    try {
      writeFileAtomic(o.metricsFile!, text(), { sync: 'none', mode: 0o644 });
    } catch (e) {
      process.stderr.write(`agent-runner: --metrics-file ${o.metricsFile}: cannot write it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})\n`);
    }
  };
  if (o.metricsFile) {
    writeFile(true);
    timer = setInterval(() => writeFile(), FILE_INTERVAL_MS);
    timer.unref();
  }
  const server = o.metricsListen ? await listen(o.metricsListen, text) : null;
  const addr = server?.address();
  return {
    address: addr && typeof addr === 'object' ? `${addr.address}:${addr.port}` : null,
    async close() {
      if (timer) clearInterval(timer);
      if (o.metricsFile) writeFile(true); // the last word: stopped, with the final counts
      if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** size and mtime of the ledger, status.json and the monitor's alerts: what the metrics are made of */
function inputsSignature(paths: StatePaths): string {
  return [paths.rounds, paths.status, paths.monitorAlerts]
    .map((f) => {
      try {
        const st = fs.statSync(f);
        return `${st.size}:${st.mtimeMs}`;
      } catch {
        return '-';
      }
    })
    .join(' ');
}

async function listen(spec: string, text: () => string): Promise<Server> {
  const { host, port } = parseListen(spec);
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '/').split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('agent-runner: GET /metrics\n');
      return;
    }
    try {
      res.writeHead(200, { 'Content-Type': CONTENT_TYPE }).end(text());
    } catch (e) {
      res.writeHead(500, { 'Content-Type': 'text/plain' }).end(`${(e as Error).message}\n`);
    }
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(new UserError(`--metrics-listen ${spec}: cannot listen (${e.code ?? e.message}); pick a free port, or stop what holds it`, EXIT.FAILURE)),
    );
    server.listen(port, host, () => resolve());
  });
  // a scrape must never keep serve from exiting
  server.unref();
  return server;
}
