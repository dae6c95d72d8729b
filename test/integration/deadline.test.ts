// until and max_runtime (issue 17, "Completion"): a real serve ends by itself at a wall-clock moment or after a
// span, each with its own event and reason (status, peek, serve_stopped), exit 0. A back-off wait ends at the
// deadline; a round running then finishes first. Bad values: exit 2 on the command line, 78 in the config.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { finished } from '../helpers/project.js';
import { scratchProject } from '../helpers/scratch.js';
import { waitUntil } from '../helpers/env.js';

/** A failing agent and a back-off of 10 minutes: serve only ends soon if the deadline wakes the wait. */
const LONG_BACKOFF = 'backoff_base_s = 600\nbackoff_max_s = 600\n';

/** local time, `YYYY-MM-DD HH:MM:SS`, ms from now */
function localIn(ms: number): string {
  const d = new Date(Date.now() + ms);
  const p = (x: number) => String(x).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

test('--max-runtime: the back-off wait ends at the deadline and serve stops with its own reason and event', async (t) => {
  const p = scratchProject(t, { agent: 'fail.sh', serveToml: LONG_BACKOFF });
  const r = await finished(p.start(['serve', '--max-runtime', '2s']));
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /agent-runner: serve stopped: max_runtime 2s reached\n$/);
  assert.equal(p.rounds().length, 1, 'no round after the deadline');
  const ev = p.events();
  const reached = ev.filter((e) => e.kind === 'max_runtime_reached');
  assert.equal(reached.length, 1);
  assert.equal(reached[0]!.max_runtime_s, 2);
  assert.equal(ev.find((e) => e.kind === 'serve_started')!.max_runtime_s, 2);
  assert.equal(ev.at(-1)!.kind, 'serve_stopped');
  assert.equal(ev.at(-1)!.reason, 'max_runtime 2s reached');
  const st = JSON.parse(p.run(['status', '--json']).stdout);
  assert.equal(st.state, 'stopped');
  assert.equal(st.reason, 'max_runtime 2s reached');
  assert.equal(JSON.parse(p.run(['peek', '--json']).stdout).service.reason, 'max_runtime 2s reached');
});

test('[serve] max_runtime: the round running at the deadline finishes, recorded ok, then serve stops', async (t) => {
  const p = scratchProject(t, { agent: 'echo-stdin-slow.sh', agentEnv: { SLOW_S: '3' }, serveToml: 'max_runtime = "1s"\n' });
  const r = await finished(p.start(['serve']));
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(p.rounds().map((x) => x.outcome), ['ok']);
  assert.match(r.stderr, /serve stopped: max_runtime 1s reached\n$/);
});

test('[serve] until: serve stops at that local moment with an until_reached event; --until overrides it; peek then has no deadline', async (t) => {
  const at = localIn(3000);
  const p = scratchProject(t, { agent: 'fail.sh', serveToml: `${LONG_BACKOFF}until = "2099-01-01 00:00"\n` });
  const done = finished(p.start(['serve', '--until', at]));
  const r = await done;
  assert.equal(r.code, 0, r.stderr);
  assert.equal(JSON.parse(p.run(['peek', '--json']).stdout).service.ends, null, 'no deadline once serve has stopped');
  const ev = p.events().find((e) => e.kind === 'until_reached')!;
  assert.equal(ev.as_written, at);
  assert.equal(Date.parse(String(ev.until)), new Date(at.replace(' ', 'T')).getTime());
  const reason = JSON.parse(p.run(['status', '--json']).stdout).reason;
  assert.match(reason, /^until \d{2}:\d{2} \S+ reached$/);
  assert.ok(!p.events().some((e) => e.kind === 'max_runtime_reached'));
});

test('bad until / max_runtime: one line naming the value and the fix; 2 on the command line, 78 in the config', (t) => {
  const p = scratchProject(t, { agent: 'succeed.sh' });
  for (const [args, want] of [
    [['serve', '--until', 'tomorrow'], /argument 'tomorrow' is invalid\. expected "YYYY-MM-DD HH:MM" \(local time\)/],
    [['serve', '--until', '2020-01-01 10:00'], /that moment has passed; name one to come/],
    [['serve', '--max-runtime', '5x'], /argument '5x' is invalid\. expected a span above 0/],
    [['serve', '--max-runtime', '0'], /argument '0' is invalid/],
  ] as const) {
    const r = p.run([...args]);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, want);
  }
  for (const [serveToml, want] of [
    ['max_runtime = "abc"\n', /`serve\.max_runtime` "abc" is not allowed; use a span such as "8h"/],
    ['until = "2026-02-30"\n', /\[serve\] until "2026-02-30" is not a moment: use "YYYY-MM-DD HH:MM"/],
  ] as Array<[string, RegExp]>) {
    const q = scratchProject(t, { agent: 'succeed.sh', serveToml });
    const r = q.run(['serve', '--once']);
    assert.equal(r.code, 78, r.stderr);
    assert.match(r.stderr, want);
    assert.equal(r.stderr.split('\n').filter(Boolean).length, 1, r.stderr);
    assert.equal(q.rounds().length, 0);
  }
});

test('status and peek say when a running serve ends: the earlier deadline, and which', async (t) => {
  const p = scratchProject(t, { agent: 'fail.sh', serveToml: `${LONG_BACKOFF}until = "2099-01-01 00:00"\n` });
  const before = Date.now();
  const done = finished(p.start(['serve', '--max-runtime', '1h']));
  await waitUntil(() => p.rounds().length === 1, { timeoutMs: 20_000, what: 'round 1' });
  const st = JSON.parse(p.run(['status', '--json']).stdout);
  assert.equal(st.ends.why, 'max_runtime');
  const at = Date.parse(st.ends.at);
  assert.ok(at >= before + 3600_000 && at <= Date.now() + 3600_000, `ends ${st.ends.at}: an hour after serve's start`);
  assert.match(p.run(['status']).stdout, /\n {2}ends .* \(in (59m\d\ds|1h00m)\) \(max_runtime\)\n/);
  const snap = JSON.parse(p.run(['peek', '--json']).stdout);
  assert.deepEqual(snap.service.ends, st.ends);
  assert.match(p.run(['peek']).stdout, /\n {2}ends .* \(max_runtime\)\n/);
  assert.equal(p.run(['stop']).code, 0);
  assert.equal((await done).code, 0);
  assert.equal(JSON.parse(p.run(['status', '--json']).stdout).ends, null);
});
