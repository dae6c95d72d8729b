// [completion] command under a real serve in a real git repo: run after each round in the work tree, with its
// output in the round's log; the first pass ends serve completed (exit 0, event, notification). With
// require_sentinel the agent's DONE is checked first: a failing check removes it and the loop goes on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { finished, makeProject, toml } from '../helpers/project.js';
import { startReceiver } from '../helpers/receiver.js';

// passes once round 2's commit is in the tree; says where it ran
const CHECK = 'echo "check in $(pwd) after round $AGENT_RUNNER_ROUND"; grep -q "round 2" work.txt';

test('a passing completion command ends serve completed; before it passes, the loop goes on', async (t) => {
  const rx = await startReceiver();
  t.after(() => rx.close());
  const p = makeProject({
    agent: 'work-on-rounds.sh',
    agentEnv: { COMMIT_ROUNDS: '1 2 3' },
    extraToml: `[completion]\ncommand = ${toml(CHECK)}\ntimeout_s = 30\n[[notify]]\nkind = "webhook"\nurl = ${toml(rx.url('/hook'))}\n`,
  });
  const r = await finished(p.start(['serve', '--max-rounds', '5']));
  assert.equal(r.code, 0, r.stderr);
  assert.equal(p.rounds().length, 2, 'ended after round 2, the first the check passed after');
  assert.match(r.stderr, /serve stopped: completed: \[completion\] command passed after round 2 \(.*: exited 0 after [\d.]+s\)/);
  const ev = p.events().filter((e) => e.kind === 'completed');
  assert.deepEqual(ev.map((e) => [e.round, e.exit_code, e.sentinel]), [[2, 0, false]]);
  // its output in the round's log, run in the work tree
  const log1 = fs.readFileSync(p.rounds()[0].log!, 'utf8');
  assert.match(log1, new RegExp(`check in ${fs.realpathSync(p.dir)} after round 1\\nagent-runner: hook completion exited 1`));
  assert.match(fs.readFileSync(p.rounds()[1].log!, 'utf8'), /after round 2\nagent-runner: hook completion exited 0/);
  const st = JSON.parse(p.run(['status', '--json']).stdout);
  assert.equal(st.state, 'completed', 'the work is done: not merely stopped');
  assert.equal(st.exit_code, 0);
  assert.match(st.reason, /^completed: /);
  const sent = rx.got('/hook').map((x) => JSON.parse(x.body));
  const done = sent.find((b) => b.event === 'completed');
  assert.ok(done, JSON.stringify(sent.map((b) => b.event)));
  assert.match(done.title, /completed: the completion command passed/);
});

test('require_sentinel: the check runs only on the agent\'s DONE; a failing check removes DONE and the loop goes on', async () => {
  const p = makeProject({
    agent: 'work-on-rounds.sh',
    // DONE claimed in round 1 (too early: the check fails) and in round 3 (after round 2's commit: it passes)
    agentEnv: { COMMIT_ROUNDS: '2', DONE_ROUNDS: '1 3' },
    extraToml: `[completion]\ncommand = ${toml(CHECK)}\nrequire_sentinel = true\n`,
  });
  const r = await finished(p.start(['serve', '--max-rounds', '6']));
  assert.equal(r.code, 0, r.stderr);
  assert.equal(p.rounds().length, 3);
  assert.match(r.stderr, /serve stopped: completed: \[completion\] command passed after round 3/);
  assert.deepEqual(p.events().filter((e) => e.kind === 'completion_refused').map((e) => [e.round, e.exit_code]), [[1, 2]]); // grep: no work.txt yet
  assert.deepEqual(p.events().filter((e) => e.kind === 'completed').map((e) => [e.round, e.sentinel]), [[3, true]]);
  assert.ok(!p.events().some((e) => e.kind === 'done_sentinel'), 'the DONE file alone did not end serve');
  assert.doesNotMatch(fs.readFileSync(p.rounds()[1].log!, 'utf8'), /hook completion/, 'no DONE in round 2: no check');
  assert.ok(!fs.existsSync(`${p.stateDir}/DONE`));
});
