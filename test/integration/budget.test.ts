// [budget] under a real serve: the agent is a replay of Claude Code's real output (srv-claude-work, with its
// own total_cost_usd), so the spend counted is the CLI's own report. A round from "an hour ago" is made by
// moving the end of a real round back in the ledger: the window is rolled by the ledger's times, so that is
// what the passage of an hour looks like to serve.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AGENTS_DIR, REPO_ROOT, tmpDir, waitUntil } from '../helpers/env.js';
import { finished, makeProject, toml, type ProjectOptions } from '../helpers/project.js';
import { startReceiver } from '../helpers/receiver.js';
import { readAgentFixture } from '../helpers/fixtures.js';
import { validate } from '../helpers/json-schema.js';

const SNAPSHOT_SCHEMA = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'schema', 'snapshot.schema.json'), 'utf8'));
const WORK = readAgentFixture('srv-claude-work');
const COST = Number(/"total_cost_usd":([0-9.e-]+)/.exec(WORK.stdout)?.[1]);

function claudeReplay(budgetToml: string, o: ProjectOptions = {}) {
  const file = path.join(tmpDir('ar-budget-'), 'claude.jsonl');
  fs.writeFileSync(file, WORK.stdout);
  return makeProject({ command: [process.execPath, path.join(AGENTS_DIR, 'replay.mjs'), file, 'exit:0'], extraToml: `[budget]\n${budgetToml}\n`, ...o });
}

/** The ledger's last record made to have ended `agoS` seconds ago (and started as long before as it ran). */
function endedAgo(stateDir: string, agoS: number): void {
  const file = path.join(stateDir, 'rounds.jsonl');
  const lines = fs.readFileSync(file, 'utf8').trim().split('\n');
  const rec = JSON.parse(lines.at(-1)!);
  rec.end = new Date(Date.now() - agoS * 1000).toISOString();
  rec.start = new Date(Date.parse(rec.end) - rec.duration_s * 1000).toISOString();
  lines[lines.length - 1] = JSON.stringify(rec);
  fs.writeFileSync(file, lines.join('\n') + '\n');
}

test('a spent hourly budget: serve waits until the window frees, shows it, then runs the next round', async () => {
  assert.ok(COST > 0.04, `the fixture's cost ${COST}`);
  const p = claudeReplay('cost_usd = { per_hour = 0.04 }');
  assert.equal(p.run(['round']).code, 0);
  assert.equal(p.rounds()[0].usage?.cost_usd, COST, "the round's cost is Claude Code's own total_cost_usd");
  endedAgo(p.stateDir, 3600 - 6); // it leaves the hour's window in 6 s
  const serve = p.start(['serve', '--max-rounds', '1']);
  const done = finished(serve);
  await waitUntil(() => p.events().some((e) => e.kind === 'budget_exhausted'), { timeoutMs: 20_000, what: 'the budget_exhausted event' });
  const ev = p.events().find((e) => e.kind === 'budget_exhausted')!;
  assert.equal(ev.metric, 'cost_usd');
  assert.equal(ev.window, 'per_hour');
  assert.equal(ev.used, Math.round(COST * 1e4) / 1e4);
  assert.equal(ev.until, new Date(Date.parse(p.rounds()[0].end) + 3600_000).toISOString());

  // while it waits: status and peek say what is spent and when it frees
  await waitUntil(() => JSON.parse(p.run(['status', '--json']).stdout).state === 'waiting', { timeoutMs: 10_000, what: 'status waiting' });
  const st = JSON.parse(p.run(['status', '--json']).stdout);
  assert.match(st.waiting.why, /^budget: \$0\.05 of \$0\.04\/hour$/);
  assert.deepEqual(
    st.budget.map((l: { metric: string; exhausted: boolean; frees_at: string }) => [l.metric, l.exhausted, l.frees_at]),
    [['cost_usd', true, ev.until]],
  );
  const human = p.run(['peek']).stdout;
  assert.match(human, /budget: \$0\.05 of \$0\.04\/hour reached, frees \d\d:\d\d/);
  const snap = JSON.parse(p.run(['peek', '--json']).stdout);
  assert.deepEqual(validate(SNAPSHOT_SCHEMA, snap), []);
  assert.equal(snap.budget[0].exhausted, true);

  const r = await done;
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /budget reached: \$0\.05 of \$0\.04\/hour; waiting until/);
  const kinds = p.events().map((e) => e.kind);
  assert.ok(kinds.indexOf('budget_freed') > kinds.indexOf('budget_exhausted'), kinds.join(' '));
  assert.equal(p.rounds().length, 2, 'the round after the wait ran');
  assert.ok(Date.parse(p.rounds()[1].start) >= Date.parse(ev.until as string), 'not before the window freed');
});

test('on_exhausted = "stop": serve stops with exit 3 and says which limit; status shows the spend', () => {
  const p = claudeReplay('rounds = { per_day = 1 }\non_exhausted = "stop"');
  assert.equal(p.run(['round']).code, 0);
  const r = p.run(['serve']);
  assert.equal(r.code, 3, r.stderr);
  assert.match(r.stderr, /budget reached: 1 of 1 rounds\/day \(on_exhausted = "stop"\); raise the limit in \[budget\], then `agent-runner restart`/);
  assert.equal(p.rounds().length, 1, 'no round ran past the limit');
  const ev = p.events().find((e) => e.kind === 'budget_exhausted');
  assert.equal(ev?.action, 'stop');
  assert.match(p.run(['status']).stdout, /budget: 1 of 1 rounds\/day reached, frees /);
  // and the metrics say the same
  const metrics = p.run(['metrics']).stdout;
  assert.match(metrics, /^agent_runner_budget_used\{project="[^"]+",metric="rounds",window="per_day"\} 1$/m);
  assert.match(metrics, /^agent_runner_budget_exhausted\{project="[^"]+",metric="rounds",window="per_day"\} 1$/m);
});

test('a total limit never frees: serve stops even when on_exhausted is "wait"', () => {
  const p = claudeReplay('tokens = { total = 100 }');
  assert.equal(p.run(['round']).code, 0);
  const tokens = p.rounds()[0].usage!;
  assert.ok(tokens.input_tokens + tokens.output_tokens + tokens.cached_tokens >= 100);
  const r = p.run(['serve']);
  assert.equal(r.code, 3, r.stderr);
  assert.match(r.stderr, /budget reached: .* tokens in total \(a total limit never frees\)/);
  assert.match(p.run(['status']).stdout, /tokens in total reached, never frees/);
});

test('limits with room: serve runs, and status shows the spend against each', () => {
  const p = claudeReplay('cost_usd = { per_day = 20, total = 500 }\nrounds = { per_hour = 10 }');
  assert.equal(p.run(['serve', '--max-rounds', '2']).code, 0);
  const st = JSON.parse(p.run(['status', '--json']).stdout);
  assert.deepEqual(
    st.budget.map((l: { metric: string; window: string; used: number; exhausted: boolean }) => [l.metric, l.window, l.used, l.exhausted]),
    [
      ['cost_usd', 'per_day', Math.round(2 * COST * 1e4) / 1e4, false],
      ['cost_usd', 'total', Math.round(2 * COST * 1e4) / 1e4, false],
      ['rounds', 'per_hour', 2, false],
    ],
  );
  assert.match(p.run(['status']).stdout, /budget: \$0\.10 of \$20\/day · \$0\.10 of \$500 in total · 2 of 10 rounds\/hour/);
});

test('a bad [budget] is refused with one line naming the key and the fix (exit 78)', () => {
  for (const [toml, want] of [
    ['cost_usd = { per_month = 5 }', /`budget.cost_usd` has "per_month", which is not a window; use per_hour, per_day, per_week, total/],
    ['rounds = { per_day = 0 }', /`budget.rounds.per_day` = 0 is not allowed; use a whole number above 0/],
    ['tokens = 5', /`budget.tokens` must be a table of limits/],
  ] as const) {
    const p = claudeReplay(toml);
    const r = p.run(['serve']);
    assert.equal(r.code, 78, r.stderr);
    assert.match(r.stderr, want);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  }
});

test('a budget stop reaches the notification channels as needing a person, with the spend and the limit', async (t) => {
  const rx = await startReceiver();
  t.after(() => rx.close());
  const hook = `[[notify]]\nkind = "webhook"\nurl = ${toml(rx.url('/hook'))}\n`;
  const p = claudeReplay('', { extraToml: `[budget]\nrounds = { per_day = 1 }\non_exhausted = "stop"\n${hook}` });
  assert.equal(p.run(['round']).code, 0);
  const r = await finished(p.start(['serve']));
  assert.equal(r.code, 3, r.stderr);
  const stop = p.events().find((e) => e.kind === 'budget_stop');
  assert.deepEqual([stop?.metric, stop?.window, stop?.limit, stop?.used], ['rounds', 'per_day', 1, 1]);
  const sent = rx.got('/hook').map((x) => JSON.parse(x.body));
  const raised = sent.filter((b) => b.state === 'raised');
  assert.deepEqual(raised.map((b) => [b.event, b.severity, b.fields.why]), [['needs_human', 'critical', 'budget_stop']]);
  assert.match(raised[0].title, /^needs you: budget spent$/);
  assert.match(raised[0].message, /serve stopped: budget reached: 1 of 1 rounds\/day \(on_exhausted = "stop"\); raise the limit in \[budget\]/);
});
