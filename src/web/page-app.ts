// The page's script, first half: helpers, the data it fetches, the live stream, the head (state, reason,
// buttons) and the current round. Plain browser JavaScript in a string (inline in the page, also served as
// /app.js): no framework, no build step. Every value reaches the DOM through textContent or setAttribute,
// never innerHTML.
export const APP_JS_CORE = String.raw`'use strict';
var SVGNS = 'http://www.w3.org/2000/svg';
function meta(n) { var m = document.querySelector('meta[name="' + n + '"]'); return m ? m.getAttribute('content') : ''; }
var CSRF = meta('csrf');
var FLEET = meta('mode') === 'fleet';
var CONTROLS = JSON.parse(meta('controls') || '{}');
var S = { snap: null, over: null, hosts: null, updates: 0, logN: null, logLines: [], gitAt: null };
var LOG_KEEP = 500;

function $(id) { return document.getElementById(id); }
function el(tag, attrs) {
  var e = document.createElement(tag);
  for (var k in attrs || {}) {
    if (k === 'text') e.textContent = String(attrs[k]);
    else e.setAttribute(k, String(attrs[k]));
  }
  for (var i = 2; i < arguments.length; i++) {
    var c = arguments[i];
    if (c === null || c === undefined) continue;
    e.appendChild(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}
function svg(tag, attrs) {
  var e = document.createElementNS(SVGNS, tag);
  for (var k in attrs || {}) e.setAttribute(k, String(attrs[k]));
  return e;
}
function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); return node; }
function setText(id, t) { var n = $(id); if (n) n.textContent = t == null ? '' : String(t); }

function dur(s) {
  s = Math.max(0, Math.round(s));
  function p(x) { return String(x).padStart(2, '0'); }
  if (s < 60) return s + 's';
  if (s < 3600) return Math.floor(s / 60) + 'm' + p(s % 60) + 's';
  if (s < 86400) return Math.floor(s / 3600) + 'h' + p(Math.floor((s % 3600) / 60)) + 'm';
  return Math.floor(s / 86400) + 'd' + p(Math.floor((s % 86400) / 3600)) + 'h';
}
function rel(ms) {
  var d = (ms - Date.now()) / 1000;
  if (Math.abs(d) < 1) return 'now';
  return d > 0 ? 'in ' + dur(d) : dur(-d) + ' ago';
}
// made once: toLocaleString() builds a formatter at every call, and a first draw makes hundreds of texts
var NUMBER = new Intl.NumberFormat();
var HOUR = new Intl.DateTimeFormat([], { hour: '2-digit', minute: '2-digit' });
var DAY_HOUR = new Intl.DateTimeFormat([], { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
function clock(ms) {
  var d = new Date(ms);
  return (d.toDateString() === new Date().toDateString() ? HOUR : DAY_HOUR).format(d);
}
function when(iso) { var ms = Date.parse(iso); return isNaN(ms) ? '' : clock(ms) + ' (' + rel(ms) + ')'; }
function num(n) { return NUMBER.format(Number(n || 0)); }
function usd(n) { return n == null ? '–' : '$' + Number(n).toFixed(n < 1 ? 3 : 2); }

function getJson(url) {
  return fetch(url, { credentials: 'same-origin', cache: 'no-store' }).then(function (r) {
    if (!r.ok) throw new Error(url + ': HTTP ' + r.status);
    return r.json();
  });
}

function post(action, body) {
  return fetch('/api/control/' + action, {
    method: 'POST', credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': CSRF },
    body: JSON.stringify(body || {}),
  }).then(function (r) { return r.json(); });
}

function renderHead(s) {
  setText('project', s.project.name + ' · ' + s.host);
  var st = $('state');
  st.textContent = s.service.state;
  st.className = 'badge s-' + s.service.state;
  st.setAttribute('data-state', s.service.state);
  setText('reason', s.service.reason || '');
  var f = [];
  if (s.service.pid) f.push((s.service.mode || 'serve') + ' pid ' + s.service.pid);
  if (s.service.uptime_s != null) f.push('up ' + dur(s.service.uptime_s));
  if (s.service.heartbeat) f.push('heartbeat ' + when(s.service.heartbeat));
  if (s.git && s.git.branch) f.push('branch ' + s.git.branch + (s.git.dirty_files ? ' (' + s.git.dirty_files + ' dirty)' : '') + gitAge());
  if (s.service.config_changed) f.push('config changed on disk: restart to apply');
  setText('facts', f.join(' · '));
}

/** the first draw's git part was asked before the page was: its age, when it is more than a moment */
function gitAge() {
  var at = S.gitAt ? Date.parse(S.gitAt) : NaN;
  return !isNaN(at) && Date.now() - at > 2000 ? ', as of ' + rel(at) : '';
}

/** the next thing serve will do, and when */
function nextAction(s) {
  var sv = s.service;
  if (s.waiting) return 'next round ' + when(s.waiting.until) + ': ' + s.waiting.why;
  if (sv.state === 'completed') return 'nothing: the work is done; agent-runner start runs it again';
  if (sv.state === 'stopped' || sv.state === 'failed')
    return 'nothing: serve is ' + sv.state + (sv.exit_code != null ? ' (exit ' + sv.exit_code + ')' : '') + '; agent-runner start resumes it';
  if (s.current_round) {
    var cr = s.current_round;
    return 'round ' + cr.n + ' times out ' + when(new Date(Date.parse(s.generated_at) + (cr.timeout_s - cr.age_s) * 1000).toISOString()) + ' at the latest; then the next round';
  }
  return 'next round starting';
}

/** seconds since the snapshot was taken: its ages grow on the page between two fetches */
function since(s) { return Math.max(0, (Date.now() - Date.parse(s.generated_at)) / 1000); }

function renderNow(s) {
  var cr = s.current_round;
  setText('now', cr ? 'round ' + cr.n + (cr.phase ? ' (' + cr.phase + ')' : '') + ' running for ' + dur(cr.age_s + since(s)) + ' of ' + dur(cr.timeout_s) +
    ' · ' + s.host_sample.agent.processes + ' processes' : 'no round running');
  $('now').setAttribute('data-round', cr ? cr.n : '');
  setText('next', 'Next: ' + nextAction(s));
  var n = cr ? cr.n : null;
  if (n !== S.logN) {
    S.logN = n;
    S.logLines = [];
    drawLog();
    if (n !== null) getJson('/api/rounds/' + n + '/log').then(function (l) {
      if (S.logN === n && l.lines) { S.logLines = l.lines.concat(S.logLines).slice(-LOG_KEEP); drawLog(); }
    }).catch(function () {});
  }
}

function addLog(n, lines) {
  if (n !== S.logN) return;
  S.logLines = S.logLines.concat(lines).slice(-LOG_KEEP);
  drawLog();
}

function drawLog() {
  var pre = $('log');
  if (!pre) return;
  var stick = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 4;
  pre.textContent = S.logLines.join('\n');
  pre.setAttribute('data-lines', String(S.logLines.length));
  if (stick) pre.scrollTop = pre.scrollHeight;
}

function renderControls() {
  var box = $('controls');
  if (!box || box.childNodes.length) return;
  var said = el('span', { class: 'muted', id: 'control-said' });
  function act(name, label, body) {
    return el('button', { id: 'btn-' + name, type: 'button' }, label);
  }
  if (CONTROLS.stop) box.appendChild(act('stop', 'Stop after this round'));
  if (CONTROLS.cancel) box.appendChild(act('cancel', 'Cancel the round now'));
  if (CONTROLS.note) { box.appendChild(el('input', { id: 'note-text', maxlength: 500, placeholder: 'a note for the next round' })); box.appendChild(act('note', 'Add note')); }
  box.appendChild(said);
  box.addEventListener('click', function (ev) {
    var b = ev.target.closest('button');
    if (!b) return;
    var name = b.id.slice(4);
    if ((name === 'stop' || name === 'cancel') && !window.confirm(b.textContent + '?')) return;
    var body = name === 'note' ? { text: $('note-text').value } : {};
    said.textContent = '…';
    post(name, body).then(function (r) { said.textContent = r.said; if (name === 'note' && r.ok) $('note-text').value = ''; })
      .catch(function (e) { said.textContent = String(e.message || e); });
  });
}

function connect() {
  var es = new EventSource('/api/live');
  es.onopen = function () { setText('live', 'live'); };
  es.onerror = function () { setText('live', 'reconnecting…'); };
  es.addEventListener('changed', function () { scheduleRefresh(); });
  es.addEventListener('event', function (m) { addEvent(JSON.parse(m.data)); });
  es.addEventListener('log', function (m) { var d = JSON.parse(m.data); addLog(d.n, d.lines); });
}

var refreshTimer = null;
function scheduleRefresh() {
  if (refreshTimer) return;
  refreshTimer = setTimeout(function () { refreshTimer = null; refresh(); }, 300);
}
`;
