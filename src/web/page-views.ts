// The page's script, second half: the round timeline, tokens and cost per round and per day, alerts,
// providers, commits, events, the fleet's host cards, and the start (first render, then the live stream).
export const APP_JS_VIEWS = String.raw`
var OUTCOMES = ['ok', 'failed', 'timeout', 'cancelled', 'aborted', 'preflight_failed'];

/** a bar's tooltip (an SVG title) made when the pointer first reaches it, not hundreds at every draw */
function tips(g, text) {
  g.addEventListener('mouseover', function (ev) {
    var r = ev.target;
    if (r.tagName !== 'rect' || r.firstChild) return;
    var t = svg('title');
    t.textContent = text(Number(r.getAttribute('data-i')));
    r.appendChild(t);
  });
  return g;
}

/** rounds as bars coloured by outcome; r = [n, outcome, startMs, duration_s, tokens, cost] */
function timeline(rows, height) {
  // at least 100 slots wide: a few rounds are a few thin bars, not the width of the page
  var w = Math.max(rows.length, 100), g = svg('svg', { viewBox: '0 0 ' + w * 6 + ' ' + height, preserveAspectRatio: 'none', role: 'img', class: 'chart h' + height });
  var maxD = 1;
  rows.forEach(function (r) { if (r[3] > maxD) maxD = r[3]; });
  rows.forEach(function (r, i) {
    var h = Math.max(4, Math.round((Math.sqrt(r[3]) / Math.sqrt(maxD)) * (height - 2)));
    g.appendChild(svg('rect', { x: i * 6, y: height - h, width: 5, height: h, class: 'o-' + r[1], 'data-n': r[0], 'data-outcome': r[1], 'data-i': i }));
  });
  return tips(g, function (i) {
    var r = rows[i];
    return 'round ' + r[0] + ': ' + r[1] + ', ' + dur(r[3]) + ', ' + clock(r[2]) + (r[4] ? ', ' + num(r[4]) + ' tokens' : '') + (r[5] != null ? ', ' + usd(r[5]) : '');
  });
}

function bars(values, cls, height, label) {
  var w = Math.max(values.length, 100), max = 0;
  values.forEach(function (v) { if (v[1] > max) max = v[1]; });
  var g = svg('svg', { viewBox: '0 0 ' + w * 6 + ' ' + height, preserveAspectRatio: 'none', role: 'img', class: 'chart h' + height });
  values.forEach(function (v, i) {
    var h = max ? Math.round((v[1] / max) * (height - 2)) : 0;
    g.appendChild(svg('rect', { x: i * 6, y: height - h, width: 5, height: h, class: cls, 'data-i': i }));
  });
  return tips(g, function (i) { return values[i][0] + ': ' + label(values[i][1]); });
}

/** "$3.20 of $20.00/day", "41 of 200 rounds/day — reached, frees 14:05 (in 3h)" */
function budgetText(l) {
  var w = { per_hour: '/hour', per_day: '/day', per_week: '/week', total: ' in total' }[l.window];
  var spent = l.metric === 'cost_usd' ? usd(l.used) + ' of ' + usd(l.limit) + w : num(l.used) + ' of ' + num(l.limit) + ' ' + l.metric + w;
  return spent + (l.exhausted ? ' — reached, ' + (l.frees_at ? 'frees ' + when(l.frees_at) : 'never frees') : '');
}

function renderOverview(o) {
  setText('round-count', '· ' + num(o.total_rounds) + ' in the ledger' + (o.timeline.length < o.total_rounds ? ', the last ' + o.timeline.length + ' shown' : ''));
  var lg = clear($('legend'));
  OUTCOMES.forEach(function (k) { if (o.outcomes[k]) { lg.appendChild(el('span', { class: 'key o-' + k })); lg.appendChild(el('span', { text: k + ' ' + num(o.outcomes[k]) })); } });
  clear($('timeline')).appendChild(timeline(o.timeline, 60));
  var pr = clear($('per-round'));
  var recent = o.timeline.slice(-100);
  pr.appendChild(bars(recent.map(function (r) { return ['round ' + r[0], r[4]]; }), 'bar', 50, function (v) { return num(v) + ' tokens'; }));
  if (recent.some(function (r) { return r[5] != null; }))
    pr.appendChild(bars(recent.map(function (r) { return ['round ' + r[0], r[5] || 0]; }), 'bar2', 30, usd));
  pr.appendChild(el('p', { class: 'muted', text: 'all rounds: ' + num(o.totals.tokens) + ' tokens, ' + usd(o.totals.cost_usd) }));
  setText('budget', o.budget ? 'budget: ' + o.budget.map(budgetText).join(' · ') : 'no budget is configured: spend is shown without a limit');
  var t = el('table', {}, el('tr', {}, el('th', { text: 'day' }), el('th', { text: 'rounds' }), el('th', { text: 'tokens' }), el('th', { text: 'cost' })));
  o.days.slice().reverse().forEach(function (d) {
    t.appendChild(el('tr', {}, el('td', { text: d.day }), el('td', { text: num(d.rounds) }), el('td', { text: num(d.tokens) }), el('td', { text: usd(d.cost_usd) })));
  });
  clear($('per-day')).appendChild(o.days.length ? t : el('p', { class: 'muted', text: 'no rounds in the last 30 days' }));
  renderAlerts($('alerts'), o.alerts);
  var pv = clear($('providers'));
  pv.appendChild(el('p', { text: 'agent: ' + (o.agent || 'unknown (config unreadable)') }));
  if (o.pool && o.pool.length) {
    var pt = el('table', {}, el('tr', {}, el('th', { text: 'provider' }), el('th', { text: 'status' }), el('th', { text: 'today' })));
    o.pool.forEach(function (v) {
      var st = v.status === 'limited' ? 'limited until ' + when(v.until) : v.status === 'failed' ? 'failed (' + v.why + ')' + (v.hint ? ': ' + v.hint : '') : 'ok';
      pt.appendChild(el('tr', {}, el('td', { text: v.name }), el('td', { text: st }), el('td', { text: num(v.today.rounds) + ' rounds, ' + num(v.today.tokens) + ' tokens, ' + usd(v.today.cost_usd) })));
    });
    pv.appendChild(pt);
  }
  if (o.models.length) {
    var mt = el('table', {}, el('tr', {}, el('th', { text: 'model' }), el('th', { text: 'rounds' }), el('th', { text: 'tokens' }), el('th', { text: 'cost' })));
    o.models.forEach(function (m) { mt.appendChild(el('tr', {}, el('td', { text: m.model }), el('td', { text: num(m.rounds) }), el('td', { text: num(m.tokens) }), el('td', { text: usd(m.cost_usd) }))); });
    pv.appendChild(mt);
  } else pv.appendChild(el('p', { class: 'muted', text: 'no model reported by the agent yet' }));
  var cm = clear($('commits'));
  o.commits.forEach(function (c) {
    cm.appendChild(el('li', {}, el('code', { text: c.sha.slice(0, 10) }), ' ' + c.subject + ' ', el('span', { class: 'muted', text: (c.round ? 'round ' + c.round + ' · ' : '') + when(c.when) })));
  });
  if (!o.commits.length) cm.appendChild(el('li', { class: 'muted', text: 'no commits' }));
}

function renderAlerts(ul, alerts) {
  clear(ul);
  alerts.forEach(function (a) { ul.appendChild(el('li', { class: 'sev-' + a.severity, 'data-detector': a.detector }, a.detector + ': ' + a.message)); });
  if (!alerts.length) ul.appendChild(el('li', { class: 'muted', text: 'none' }));
}

function eventText(e) {
  var rest = Object.keys(e).filter(function (k) { return k !== 'ts' && k !== 'kind'; }).map(function (k) {
    var v = e[k];
    return k + '=' + (typeof v === 'string' ? v : JSON.stringify(v));
  });
  return clock(Date.parse(e.ts)) + ' ' + e.kind + ' ' + rest.join(' ');
}

function addEvent(e) {
  var ul = $('events');
  if (!ul) return;
  ul.insertBefore(el('li', { 'data-kind': e.kind, text: eventText(e) }), ul.firstChild);
  while (ul.childNodes.length > 50) ul.removeChild(ul.lastChild);
}

function hostCard(h) {
  var s = h.snapshot;
  var state = s ? s.service.state : 'unreachable';
  var card = el('section', { class: 'host', 'data-host': h.host },
    el('h1', {}, h.host + ' ', el('span', { class: 'badge s-' + (h.error ? 'unreachable' : state), 'data-state': h.error ? 'unreachable' : state, text: h.error ? 'unreachable' : state })));
  if (h.error) card.appendChild(el('p', { class: 'sev-critical', text: h.error + (s ? ' (showing the last snapshot)' : '') }));
  if (s) {
    card.appendChild(el('p', { text: s.project.name + (s.service.reason ? ': ' + s.service.reason : '') }));
    var cr = s.current_round;
    card.appendChild(el('p', { text: cr ? 'round ' + cr.n + ' running for ' + dur(cr.age_s) : 'no round running' }));
    card.appendChild(el('p', { class: 'muted', text: 'Next: ' + nextAction(s) }));
    var rows = s.rounds.map(function (r) { return [r.n, r.outcome, Date.parse(r.start), r.duration_s, r.usage ? r.usage.input_tokens + r.usage.output_tokens + r.usage.cached_tokens : 0, r.usage ? r.usage.cost_usd : null]; });
    card.appendChild(timeline(rows, 40));
    var tok = rows.reduce(function (a, r) { return a + r[4]; }, 0), cost = rows.reduce(function (a, r) { return a + (r[5] || 0); }, 0);
    card.appendChild(el('p', { class: 'muted', text: rows.length + ' recent rounds · ' + num(tok) + ' tokens · ' + usd(cost) + ' · polled ' + (h.at ? when(h.at) : '') }));
  }
  var ul = el('ul');
  renderAlerts(ul, h.alerts);
  card.appendChild(ul);
  return card;
}

function drawLocal(snap, over) {
  S.snap = snap; S.over = over;
  renderHead(snap); renderNow(snap); renderOverview(over);
}

function drawn() {
  S.updates++;
  document.body.setAttribute('data-updates', String(S.updates));
  document.body.setAttribute('data-ready', '1');
}

function refresh() {
  var done;
  if (FLEET) {
    done = getJson('/api/hosts').then(function (d) {
      S.hosts = d.hosts;
      var box = clear($('hosts'));
      d.hosts.forEach(function (h) { box.appendChild(hostCard(h)); });
      setText('facts', d.hosts.length + ' hosts');
    });
  } else {
    var tz = new Date().getTimezoneOffset() + 840;
    done = Promise.all([getJson('/api/snapshot'), getJson('/api/overview?tz=' + tz)]).then(function (r) {
      S.gitAt = null;
      drawLocal(r[0], r[1]);
    });
  }
  return done.then(drawn).catch(function (e) { setText('live', 'error: ' + (e.message || e)); });
}

/** the data the server put in the page (read once, then out of the DOM); null: none, or days of another zone */
function firstData() {
  var n = $('first-data');
  if (!n) return null;
  n.parentNode.removeChild(n);
  try {
    var d = JSON.parse(n.textContent);
    return d.tz === new Date().getTimezoneOffset() ? d : null;
  } catch (e) { return null; }
}

function start() {
  var first = FLEET ? null : firstData();
  if (!FLEET) renderControls();
  if (first) {
    // drawn at once from the page itself; only a git part older than a moment (gitAge says "as of") is asked
    // of the API right after: a fresh one would build the same snapshot and overview a second time
    first.events.events.forEach(addEvent);
    S.gitAt = first.git_at;
    drawLocal(first.snapshot, first.overview);
    drawn();
    connect();
    if (gitAge()) scheduleRefresh();
    else S.gitAt = null; // fresh when drawn: as a refresh would leave it, later redraws say no "as of"
  } else {
    if (!FLEET) getJson('/api/events?limit=50').then(function (p) { p.events.forEach(addEvent); }).catch(function () {});
    refresh().then(connect);
  }
  // the "in 2h", "3m ago" and "running for" texts age: redrawn from what is already here
  setInterval(function () { if (S.snap) { renderHead(S.snap); renderNow(S.snap); } }, 5000);
}
start();
`;
