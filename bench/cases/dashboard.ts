// 10. Dashboard first render: `agent-runner dashboard` over a ledger of 10,000 rounds (1,000 with --quick),
// the page loaded in Debian's headless Chromium until its first render is done (body[data-ready]), against
// the same browser loading one static file of the same server; the same render on the page's own clock
// (what the driver adds is not the dashboard's). Also the server's time for the page with its first data, and
// for the two API calls the page makes right after its first render. Figures only; the tests assert none.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { CLI, benchEnv, cpuMs, stats, tmpDir } from '../lib/measure.js';
import { makeProject, removeProject } from '../lib/project.js';
import { freePort } from '../../test/helpers/env.js';
import { failed, fmt, notMeasured, verdict, type BenchOptions, type Row } from '../lib/row.js';

const SECTION = 10;
const CHROMIUM = '/usr/bin/chromium';
const TARGET_MS = 200;

/** n ledger lines as serve writes them, a round a minute, every fifth failed, with usage */
function ledger(n: number): string {
  const t0 = Date.now() - n * 60_000;
  const lines: string[] = [];
  for (let i = 1; i <= n; i++) {
    const start = new Date(t0 + i * 60_000).toISOString();
    const end = new Date(t0 + i * 60_000 + 40_000).toISOString();
    const outcome = i % 5 === 0 ? 'failed' : 'ok';
    const usage = { format: 'claude', model: 'claude-sonnet-4-5', input_tokens: 1000 + i, output_tokens: 300, cached_tokens: 5000, cost_usd: 0.012, turns: 3, tool_calls: 4 };
    lines.push(JSON.stringify({ n: i, phase: null, start, end, duration_s: 40, exit_code: outcome === 'ok' ? 0 : 1, signal: null, outcome, category: outcome === 'ok' ? null : 'crash', reason: outcome === 'ok' ? null : 'exit 1', commits: [], dirty_files: 0, stash_sha: null, log: null, pid: 1000 + i, killed: 0, retry_after: null, usage }));
  }
  return lines.join('\n') + '\n';
}

export async function dashboardRender(o: BenchOptions): Promise<Row[]> {
  const rounds = o.quick ? 1000 : 10_000;
  const runs = o.quick ? 3 : 15;
  const measure = `dashboard first render, ${rounds.toLocaleString('en')} rounds in the ledger`;
  const target = `< ${TARGET_MS} ms`;
  if (!fs.existsSync(CHROMIUM)) return [notMeasured(SECTION, measure, target, `${CHROMIUM} is missing (apt-get install chromium)`)];
  const p = makeProject({ command: ['true'] });
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const dash = spawn(process.execPath, [CLI, 'dashboard', '--listen', `127.0.0.1:${port}`], { cwd: p.dir, env: benchEnv(), stdio: 'ignore' });
  let ctx: import('playwright-core').BrowserContext | null = null;
  try {
    fs.mkdirSync(p.stateDir, { recursive: true, mode: 0o700 });
    fs.writeFileSync(path.join(p.stateDir, 'rounds.jsonl'), ledger(rounds), { mode: 0o600 });
    fs.writeFileSync(path.join(p.stateDir, '.agent-runner-state'), '');
    o.log(`dashboard: ${rounds} rounds, ${runs} loads`);
    let up = false;
    for (let i = 0; i < 200 && !up; i++) {
      up = await fetch(`${base}/app.css`).then((r) => r.ok, () => false);
      if (!up) await new Promise((r) => setTimeout(r, 50));
    }
    if (!up) throw new Error('the dashboard did not answer within 10 s');

    // the server's part: the two calls of the first render, each after the 1 s snapshot cache has expired
    const api: number[] = [];
    const html: number[] = [];
    for (let i = 0; i < Math.min(runs, 5); i++) {
      await new Promise((r) => setTimeout(r, 1100));
      let t0 = performance.now();
      await Promise.all([fetch(`${base}/api/snapshot`).then((r) => r.text()), fetch(`${base}/api/overview?tz=840`).then((r) => r.text())]);
      api.push(performance.now() - t0);
      await new Promise((r) => setTimeout(r, 1100));
      t0 = performance.now();
      await fetch(`${base}/`).then((r) => r.text());
      html.push(performance.now() - t0);
    }

    const { chromium } = await import('playwright-core');
    ctx = await chromium.launchPersistentContext(tmpDir('ar-bench-chromium-'), {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    const page = await ctx.newPage();
    await page.setViewportSize({ width: 1280, height: 1000 });
    // the page's own clock at the moment body[data-ready] is set: the render without the driver's round trips
    // (goto's load wait, waitForSelector's script in each new document)
    await page.addInitScript(() => {
      const w = window as unknown as { readyAt?: number };
      new MutationObserver(() => {
        if (w.readyAt === undefined && document.body?.getAttribute('data-ready')) w.readyAt = performance.now();
      }).observe(document, { attributes: true, subtree: true });
    });
    const render: number[] = [];
    const floor: number[] = [];
    const cpu: number[] = [];
    const inPage: number[] = [];
    for (let i = 0; i < runs + 1; i++) {
      await new Promise((r) => setTimeout(r, 1100));
      const c0 = cpuMs(dash.pid!) ?? NaN;
      let t0 = performance.now();
      await page.goto(`${base}/`);
      await page.waitForSelector('body[data-ready="1"]');
      const ms = performance.now() - t0;
      const c = (cpuMs(dash.pid!) ?? NaN) - c0;
      const at = await page.evaluate(() => (window as unknown as { readyAt?: number }).readyAt ?? NaN);
      t0 = performance.now();
      await page.goto(`${base}/app.css`);
      const f = performance.now() - t0;
      if (i === 0) continue; // the browser's own first start
      render.push(ms);
      floor.push(f);
      cpu.push(c);
      inPage.push(at);
    }
    const s = stats(render);
    const fl = stats(floor);
    return [
      { section: SECTION, measure, value: fmt(s, 'ms'), floor: fmt(fl, 'ms'), vs: `+${(s.median - fl.median).toFixed(1)} ms`, target, verdict: verdict(s.median < TARGET_MS), note: 'floor: the same browser loading one static file of the same server' },
      { section: SECTION, measure: 'the same render timed in the page: navigation start to body[data-ready] (no driver round trips)', value: fmt(stats(inPage), 'ms'), floor: '–', vs: '–', target: '–', verdict: '–' },
      { section: SECTION, measure: 'the dashboard process\'s CPU time per first render (a busy machine stretches the wall time, not this)', value: fmt(stats(cpu), 'ms', 0), floor: '–', vs: '–', target: '–', verdict: '–' },
      { section: SECTION, measure: 'the page with its first data (GET /), server side', value: fmt(stats(html), 'ms'), floor: '–', vs: '–', target: '–', verdict: '–' },
      { section: SECTION, measure: `its two API calls (snapshot + overview), server side`, value: fmt(stats(api), 'ms'), floor: '–', vs: '–', target: '–', verdict: '–' },
    ];
  } catch (e) {
    return [failed(SECTION, measure, target, e)];
  } finally {
    await ctx?.close().catch(() => {});
    dash.kill('SIGTERM');
    removeProject(p);
  }
}
