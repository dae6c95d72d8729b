// The page: one HTML document with its stylesheet and its script (page-app.ts) inline, so that the first
// draw waits for no second request, all served from this process: no CDN, no font, nothing fetched from
// elsewhere, so it works offline. The CSP names the script and the stylesheet by their sha256: no other
// inline script runs. The page carries the CSRF token, which buttons are on and the first data as JSON (a
// data block, never run); every value is set by the script as text, never as HTML. /app.js and /app.css
// stay served, the same texts.
import type { Controls } from './options.js';
import { APP_JS_CORE } from './page-app.js';
import { APP_JS_VIEWS } from './page-views.js';
import { nodeCrypto } from '../util/crypto.js';

export const APP_JS = `${APP_JS_CORE}\n${APP_JS_VIEWS}`;

/** the sha256 (base64) of the inline script and stylesheet, for the page's Content-Security-Policy */
export function pageHashes(): string[] {
  return (hashes ??= [APP_JS, APP_CSS].map((t) => nodeCrypto().createHash('sha256').update(t, 'utf8').digest('base64')));
}
let hashes: string[] | undefined;

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** JSON to sit in a <script type="application/json">: no "<" at all, so no "</script" or "<!--" ends it early */
export const jsonInHtml = (v: unknown) => JSON.stringify(v).replace(/</g, '\\u003c');

export function pageHtml(o: { title: string; csrf: string; fleet: boolean; controls: Controls; first?: unknown }): string {
  const single = `
<section id="head"><h1><span id="project"></span> <span id="state" class="badge"></span></h1>
  <p id="reason"></p><p id="facts" class="muted"></p><div id="controls"></div></section>
<div class="grid">
  <section id="now-box"><h2>Now</h2><p id="now"></p><p id="next"></p><pre id="log" aria-label="current round output"></pre></section>
  <section><h2>Alerts</h2><ul id="alerts"></ul><h2>Providers</h2><div id="providers"></div></section>
</div>
<section><h2>Rounds <span id="round-count" class="muted"></span></h2><div id="legend"></div><div id="timeline"></div></section>
<div class="grid">
  <section><h2>Tokens and cost per round</h2><div id="per-round"></div></section>
  <section><h2>Per day</h2><p id="budget" class="muted"></p><div id="per-day"></div></section>
</div>
<div class="grid">
  <section><h2>Last commits</h2><ul id="commits"></ul></section>
  <section><h2>Events</h2><ul id="events"></ul></section>
</div>`;
  const fleet = `<section id="head"><h1>agent-runner fleet</h1><p id="facts" class="muted"></p></section><div id="hosts" class="hosts"></div>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="csrf" content="${esc(o.csrf)}">
<meta name="mode" content="${o.fleet ? 'fleet' : 'local'}">
<meta name="controls" content="${esc(JSON.stringify(o.controls))}">
<title>${esc(o.title)} · agent-runner</title>
<style>${APP_CSS}</style></head>
<body>${o.fleet ? fleet : single}
<footer class="muted">agent-runner dashboard · <span id="live">connecting…</span></footer>
${o.first ? `<script type="application/json" id="first-data">${jsonInHtml(o.first)}</script>\n` : ''}<script>${APP_JS}</script></body></html>
`;
}

export const APP_CSS = `
:root{--bg:#fbfbfa;--fg:#1d1d1b;--muted:#6b6b66;--card:#fff;--line:#e3e2de;
--ok:#2e8540;--failed:#c62828;--timeout:#ef8a17;--cancelled:#8d8d8d;--aborted:#5b4636;--preflight_failed:#7b3fa0;--waiting:#1565c0}
@media (prefers-color-scheme:dark){:root{--bg:#161615;--fg:#e8e6e1;--muted:#9a988f;--card:#1f1f1d;--line:#34332f}}
*{box-sizing:border-box}body{margin:0;padding:16px 20px;font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;background:var(--bg);color:var(--fg)}
h1{font-size:20px;margin:0 0 4px}h2{font-size:14px;margin:0 0 8px;text-transform:uppercase;letter-spacing:.04em;color:var(--muted)}
section{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:12px 14px;margin:0 0 14px;min-width:0}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(380px,1fr));gap:14px}.grid>section{margin:0 0 14px}
.hosts{display:grid;grid-template-columns:repeat(auto-fit,minmax(340px,1fr));gap:14px}
.muted{color:var(--muted)}.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:13px;color:#fff;background:var(--cancelled);vertical-align:middle}
.s-running{background:var(--ok)}.s-waiting{background:var(--waiting)}.s-stopped{background:var(--cancelled)}.s-completed{background:var(--ok)}.s-failed{background:var(--failed)}.s-unreachable{background:var(--aborted)}
pre{background:#111;color:#ddd;padding:8px;border-radius:6px;max-height:280px;overflow:auto;font:12px/1.35 ui-monospace,Menlo,Consolas,monospace;white-space:pre-wrap;word-break:break-all;margin:8px 0 0}
ul{margin:0;padding-left:18px}li{margin:2px 0;overflow-wrap:anywhere}
table{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums}td,th{padding:2px 6px;text-align:right;border-bottom:1px solid var(--line)}td:first-child,th:first-child{text-align:left}
svg{display:block;width:100%}.chart{margin:4px 0}.h60{height:60px}.h50{height:50px}.h40{height:40px}.h30{height:30px}.o-ok{fill:var(--ok)}.o-failed{fill:var(--failed)}.o-timeout{fill:var(--timeout)}.o-cancelled{fill:var(--cancelled)}
.o-aborted{fill:var(--aborted)}.o-preflight_failed{fill:var(--preflight_failed)}.bar{fill:var(--waiting)}.bar2{fill:var(--timeout)}
.key{display:inline-block;width:10px;height:10px;border-radius:2px;margin:0 4px 0 10px}.key.o-ok{background:var(--ok)}.key.o-failed{background:var(--failed)}
.key.o-timeout{background:var(--timeout)}.key.o-cancelled{background:var(--cancelled)}.key.o-aborted{background:var(--aborted)}.key.o-preflight_failed{background:var(--preflight_failed)}
.sev-critical{color:var(--failed);font-weight:600}.sev-warning{color:var(--timeout)}.sev-info{color:var(--muted)}
code{font:12px ui-monospace,Menlo,Consolas,monospace}button{font:inherit;padding:3px 10px;margin-right:6px;border-radius:6px;border:1px solid var(--line);background:var(--card);color:var(--fg);cursor:pointer}
input{font:inherit;padding:3px 6px;border:1px solid var(--line);border-radius:6px;background:var(--card);color:var(--fg);width:260px}
footer{margin-top:8px;font-size:12px}
`;
