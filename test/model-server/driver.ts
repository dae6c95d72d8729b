// The inside of an isolated run (see netns.ts): started in a fresh network namespace whose only network is
// loopback. It starts the model server, writes the job's files with the server's URL filled in, runs the
// job's command with the job's environment, and writes what happened (exit, output, every request the
// server saw, the namespace's links and routes) to the result file.
//   node driver.js JOB.json RESULT.json
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { startModelServer, type RecordedRequest } from './server.js';
import { scenario } from './scenarios.js';
import { fillUrl } from './clis.js';

export interface Job {
  scenario: string;
  /** the CLI's work tree: where the script's files go */
  workDir: string;
  files: { path: string; content: string }[];
  argv: string[];
  cwd: string;
  env: Record<string, string>;
  /** written to the command's stdin, which is then closed; null: stdin is /dev/null */
  stdin: string | null;
  /** the command's process group is killed past this (exit reported as 124, as `timeout` does) */
  timeoutMs: number;
  /** the requests, one JSON line each as they come (for a post-mortem of a run that never ended) */
  requestsLog: string | null;
  /** list what /tmp and /var/tmp hold once the command ended (a run with a private /tmp: netns.ts) */
  listTmp?: boolean;
  /** the server's gateway checks (server.ts ServerOptions.expect) */
  expect?: { prefix?: string; credential?: string };
}

export interface JobResult {
  url: string;
  exit: number | null;
  signal: string | null;
  timed_out: boolean;
  duration_ms: number;
  stdout: string;
  stderr: string;
  requests: RecordedRequest[];
  /** `ip -o link` and the routes of every table, as seen inside the namespace */
  network: { links: string; routes: string };
  /** with job.listTmp: every entry under /tmp and /var/tmp at the end, as `<octal mode> <bytes> <path>` */
  tmp_listing?: string[];
}

function ip(...args: string[]): string {
  const r = spawnSync('ip', args, { encoding: 'utf8' });
  return (r.stdout ?? '') + (r.stderr ?? '');
}

function listTmp(): string[] {
  const r = spawnSync('find', ['/tmp', '/var/tmp', '-mindepth', '1', '-printf', '%m %s %p\\n'], { encoding: 'utf8' });
  return (r.stdout ?? '').split('\n').filter((l) => l.trim());
}

async function main(): Promise<void> {
  const [jobFile, resultFile] = process.argv.slice(2);
  const job = JSON.parse(fs.readFileSync(jobFile, 'utf8')) as Job;
  const log = job.requestsLog ? fs.createWriteStream(job.requestsLog, { flags: 'a' }) : null;
  const server = await startModelServer({
    scenario: scenario(job.scenario),
    workDir: job.workDir,
    expect: job.expect,
    onRequest: (r) => log?.write(`${JSON.stringify(r)}\n`),
  });
  for (const f of job.files) {
    fs.mkdirSync(path.dirname(f.path), { recursive: true });
    fs.writeFileSync(f.path, fillUrl(f.content, server.url));
  }
  const env = Object.fromEntries(Object.entries(job.env).map(([k, v]) => [k, fillUrl(v, server.url)]));
  const t0 = Date.now();
  const child = spawn(job.argv[0], job.argv.slice(1), {
    cwd: job.cwd,
    env,
    stdio: [job.stdin === null ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    detached: true,
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
  if (job.stdin !== null) {
    child.stdin!.on('error', () => {});
    child.stdin!.end(job.stdin);
  }
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      /* gone */
    }
  }, job.timeoutMs);
  const [code, signal] = await new Promise<[number | null, string | null]>((resolve) => {
    child.on('error', (e) => {
      stderr += `spawn failed: ${e.message}\n`;
      resolve([null, null]);
    });
    child.on('close', (c, s) => resolve([c, s]));
  });
  clearTimeout(timer);
  // whatever the command left behind in its group goes with it
  try {
    process.kill(-child.pid!, 'SIGKILL');
  } catch {
    /* gone */
  }
  const result: JobResult = {
    url: server.url,
    exit: timedOut ? 124 : code,
    signal: timedOut ? null : signal,
    timed_out: timedOut,
    duration_ms: Date.now() - t0,
    stdout,
    stderr,
    requests: server.requests,
    network: { links: ip('-o', 'link', 'show'), routes: ip('route', 'show', 'table', 'all') + ip('-6', 'route', 'show', 'table', 'all') },
    ...(job.listTmp ? { tmp_listing: listTmp() } : {}),
  };
  await server.close();
  log?.end();
  fs.writeFileSync(resultFile, JSON.stringify(result));
}

main().catch((e) => {
  process.stderr.write(`model-server driver: ${(e as Error).stack ?? e}\n`);
  process.exit(70);
});
