// Progress per round and the breakers that watch it, under a real serve in a real git repo: rounds that change
// nothing get the verdict no_progress and pause serve after no_progress_rounds; a round that makes progress
// resets the breaker. The same failure with other numbers, ids and paths in it stops serve as a same-error loop.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT, waitUntil } from '../helpers/env.js';
import { finished, makeProject, toml } from '../helpers/project.js';
import { startReceiver } from '../helpers/receiver.js';
import { validate } from '../helpers/json-schema.js';

const SNAPSHOT_SCHEMA = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'schema', 'snapshot.schema.json'), 'utf8'));

test('rounds record what they changed; three rounds without progress pause serve, a round with progress resets the breaker', async () => {
  const p = makeProject({
    agent: 'work-on-rounds.sh',
    // no_progress_rounds as its default (the test helper turns it off unless a test names it), a short pause
    serveToml: 'no_progress_rounds = 3\nno_progress_pause_s = 1',
    agentEnv: { COMMIT_ROUNDS: '4', DIRTY_ROUNDS: '9' },
  });
  const r = await finished(p.start(['serve', '--max-rounds', '9']));
  assert.equal(r.code, 0, r.stderr);
  const recs = p.rounds();
  assert.deepEqual(
    recs.map((x) => [x.n, x.outcome, x.category]),
    [
      [1, 'ok', 'no_progress'],
      [2, 'ok', 'no_progress'],
      [3, 'ok', 'no_progress'],
      [4, 'ok', null],
      [5, 'ok', 'no_progress'],
      [6, 'ok', 'no_progress'],
      [7, 'ok', 'no_progress'],
      [8, 'ok', 'no_progress'],
      [9, 'ok', null],
    ],
  );
  assert.deepEqual(recs[0].progress, { commits: 0, files: 0, added: 0, removed: 0, changed: false });
  assert.match(recs[0].reason ?? '', /^no progress: no commit/);
  // the commit: two lines in one file
  assert.deepEqual(recs[3].progress, { commits: 1, files: 1, added: 2, removed: 0, changed: true });
  // uncommitted work counts, measured before aftercare stashed it
  assert.deepEqual(recs[8].progress, { commits: 0, files: 1, added: 3, removed: 0, changed: true });
  assert.ok(recs[8].stash_sha, 'the new file was stashed after the round');

  // paused after rounds 3 and 7 (and 8): never after 5 or 6, since round 4's progress reset the breaker
  const paused = p.events().filter((e) => e.kind === 'no_progress');
  assert.deepEqual(paused.map((e) => [e.round, e.rounds]), [
    [3, [1, 2, 3]],
    [7, [5, 6, 7]],
    [8, [5, 6, 7, 8]],
  ]);
  assert.match(String(paused[0].message), /no progress: 3 rounds in a row ended ok without a commit or a change to the work tree \(rounds 1, 2, 3\): paused for 1s/);
  const summaries = r.stdout.split('\n').filter((l) => /^round \d+:/.test(l));
  assert.match(summaries.find((l) => l.startsWith('round 4:')) ?? '', /round 4: ok, exit 0, [\d.]+s, 1 commit, 1 file \+2 -0/);
  assert.match(summaries.find((l) => l.startsWith('round 1:')) ?? '', /round 1: ok \(no_progress\)/);

  // status, peek and peek --json say it
  const st = JSON.parse(p.run(['status', '--json']).stdout);
  assert.deepEqual(st.last.progress, recs[8].progress);
  assert.deepEqual(st.progress, { last: { n: 9, commits: 0, files: 1, added: 3, removed: 0 }, rounds_since: 0 });
  assert.match(p.run(['status']).stdout, /last round 9: ok, ended .*, 1 file \+3 -0\n {2}progress: round 9 \(1 file \+3 -0\)/);
  const snap = JSON.parse(p.run(['peek', '--json']).stdout);
  assert.deepEqual(validate(SNAPSHOT_SCHEMA, snap), []);
  assert.deepEqual(snap.rounds[3].progress, recs[3].progress);
  assert.equal(snap.rounds[0].category, 'no_progress');
  const human = p.run(['peek']).stdout;
  assert.match(human, /commits +change/);
  assert.match(human, /\n +4 +ok +- .* 1 +1 file \+2 -0 /);
});

test('while it pauses, status and peek say why; on_no_progress = "stop" stops serve with exit 3', async () => {
  const p = makeProject({ agent: 'work-on-rounds.sh', serveToml: 'no_progress_rounds = 2\nno_progress_pause_s = 3600' });
  const serve = p.start(['serve']);
  const done = finished(serve);
  await waitUntil(() => p.events().some((e) => e.kind === 'no_progress'), { timeoutMs: 30_000, what: 'the no_progress pause' });
  await waitUntil(() => JSON.parse(p.run(['status', '--json']).stdout).state === 'waiting', { timeoutMs: 10_000, what: 'status waiting' });
  const st = JSON.parse(p.run(['status', '--json']).stdout);
  assert.equal(st.waiting.why, 'no progress in 2 rounds in a row: paused');
  assert.deepEqual(st.progress, { last: null, rounds_since: 2 });
  assert.match(p.run(['peek']).stdout, /progress: none in the last 2 rounds/);
  assert.equal(p.run(['stop']).code, 0);
  assert.equal((await done).code, 0);

  const q = makeProject({ agent: 'work-on-rounds.sh', serveToml: 'no_progress_rounds = 2\non_no_progress = "stop"' });
  const r = q.run(['serve']);
  assert.equal(r.code, 3, r.stderr);
  assert.match(r.stderr, /serve stopped: no progress: 2 rounds in a row ended ok without a commit or a change to the work tree \(rounds 1, 2\): the agent may be done or stuck/);
  assert.equal(q.rounds().length, 2);
  assert.ok(q.events().some((e) => e.kind === 'no_progress_stop'));
  assert.equal(JSON.parse(q.run(['status', '--json']).stdout).exit_code, 3);
});

test('the same failure with other numbers, ids and paths each round stops serve as a same-error loop, and a person is notified', async (t) => {
  const rx = await startReceiver();
  t.after(() => rx.close());
  const p = makeProject({
    agent: 'fail-same-words.sh',
    // the crash-loop breaker out of the way: these failures are quick, and its threshold would trip first
    serveToml: 'same_error_rounds = 3\ncrash_loop_threshold = 1000\nbackoff_base_s = 0.05\nbackoff_max_s = 1',
    extraToml: `[[notify]]\nkind = "webhook"\nurl = ${toml(rx.url('/hook'))}\n`,
  });
  const r = await finished(p.start(['serve']));
  assert.equal(r.code, 3, r.stderr);
  const recs = p.rounds();
  assert.equal(recs.length, 3);
  assert.equal(new Set(recs.map((x) => x.reason)).size, 3, `three different texts: ${recs.map((x) => x.reason).join(' | ')}`);
  assert.match(
    r.stderr,
    /serve stopped: same-error loop: the same failure 3 times in a row \(rounds 1, 2, 3; signature "crash: exit #: error: request # failed after # reading <path>"; last: exit 1: Error: request req_\d+a3 failed after \d+ms reading \/tmp\/cache-\d+\/index\.json\): fix its cause/,
  );
  const ev = p.events().find((e) => e.kind === 'same_error_stop');
  assert.ok(ev && ev.round === 3, JSON.stringify(p.events().map((e) => e.kind)));
  const bodies = rx.got('/hook').map((x) => JSON.parse(x.body));
  const stop = bodies.find((b) => b.state === 'raised');
  assert.deepEqual([stop?.event, stop?.fields.why], ['needs_human', 'same_error_stop']);
  assert.match(stop?.title ?? '', /needs you: the same error again and again/);
  assert.match(stop?.message ?? '', /signature "crash: exit #: error: request # failed after # reading <path>"/);
});
