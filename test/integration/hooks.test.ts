// [hooks] with fake agents: real serve and round processes, real process trees, real signals.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AGENTS_DIR, git, REPO_ROOT, tmpDir } from '../helpers/env.js';
import { validate } from '../helpers/json-schema.js';
import { finished, makeProject, toml } from '../helpers/project.js';
import { assertNoStray, checkInvariants, readAgentPids } from '../helpers/invariants.js';

function hooksToml(h: Record<string, string | number>): string {
  return `[hooks]\n${Object.entries(h).map(([k, v]) => `${k} = ${toml(v)}`).join('\n')}\n`;
}

/** An agent that leaves a file behind when it runs at all. */
function marking(file: string): string[] {
  return ['bash', '-c', `echo ran >> ${JSON.stringify(file)}; echo agent ran`];
}

test('pre_round failing three times: the agent never runs, serve backs off, then the breaker stops it (exit 3)', async () => {
  const ran = path.join(tmpDir(), 'agent-ran');
  const p = makeProject({
    command: marking(ran),
    serveToml: 'crash_loop_threshold = 3\nbackoff_base_s = 0.2\nbackoff_max_s = 5',
    extraToml: hooksToml({ pre_round: 'echo "pre-round says no in $AGENT_RUNNER_ROUND"; exit 7' }),
  });
  const r = await finished(p.start(['serve']));
  assert.equal(r.code, 3, `serve: ${r.stderr}`);
  assert.match(r.stderr, /crash loop: 3 quick failures in a row \(rounds 1, 2, 3.*last: hook_failed.*pre_round hook exited 7/);
  assert.equal(fs.existsSync(ran), false, 'the agent ran although pre_round failed');

  const rounds = p.rounds();
  assert.equal(rounds.length, 3, JSON.stringify(rounds));
  for (const rec of rounds) {
    assert.equal(rec.outcome, 'failed');
    assert.equal(rec.category, 'hook_failed');
    assert.equal(rec.pid, null, 'no agent was started');
    assert.equal(rec.hooks?.length, 1);
    assert.equal(rec.hooks![0].hook, 'pre_round');
    assert.equal(rec.hooks![0].exit_code, 7);
    assert.equal(rec.hooks![0].timed_out, false);
    assert.match(fs.readFileSync(rec.log!, 'utf8'), new RegExp(`pre-round says no in ${rec.n}\\n`));
  }
  // it never spins: a growing back-off between the rounds, then the breaker
  const events = p.events();
  const backoffs = events.filter((e) => e.kind === 'backoff').map((e) => e.delay_s);
  assert.deepEqual(backoffs, [0.2, 0.4]);
  assert.equal(events.filter((e) => e.kind === 'hook_failed').length, 3);
  assert.equal(events.filter((e) => e.kind === 'crash_loop').length, 1);
  checkInvariants(p.stateDir, { minRounds: 3 });
});

test('a hanging pre_round is killed at its timeout, with the grandchild it setsid-forked: nothing is left', async () => {
  const pidsFile = path.join(tmpDir(), 'pids');
  const ran = path.join(tmpDir(), 'agent-ran');
  const p = makeProject({
    command: marking(ran),
    grace: 1,
    agentEnv: { PIDS_FILE: pidsFile },
    extraToml: hooksToml({ pre_round: `bash ${path.join(AGENTS_DIR, 'setsid-grandchild.sh')}`, timeout_s: 2 }),
  });
  const r = p.run(['round']);
  assert.equal(r.code, 1, r.stderr);
  const [rec] = p.rounds();
  assert.equal(rec.outcome, 'failed', JSON.stringify(rec));
  assert.equal(rec.category, 'hook_failed');
  assert.match(rec.reason ?? '', /pre_round hook killed at its timeout/);
  const hook = rec.hooks![0];
  assert.equal(hook.timed_out, true);
  assert.ok(hook.killed >= 3, `the hook's shell and both grandchildren were ended: ${JSON.stringify(hook)}`);
  assert.equal(fs.existsSync(ran), false);
  const grandchildren = readAgentPids(pidsFile);
  assert.equal(grandchildren.length, 2, 'the hook started its grandchildren');
  await assertNoStray({ stateDir: p.stateDir, pids: grandchildren, waitMs: 0 });
  assert.match(fs.readFileSync(rec.log!, 'utf8'), /grandchildren started\nagent-runner: hook pre_round killed at its timeout after [\d.]+s \(timeout_s 2\)/);
  checkInvariants(p.stateDir, { minRounds: 1 });
});

test('post_round: its result is on the record, it sees the verdict, and a failure marks the round', async () => {
  const p = makeProject({
    agent: 'succeed.sh',
    extraToml: hooksToml({
      pre_round: 'echo "pre $AGENT_RUNNER_HOOK $AGENT_RUNNER_ROUND"',
      post_round: 'echo "post $AGENT_RUNNER_HOOK $AGENT_RUNNER_ROUND $AGENT_RUNNER_OUTCOME [$AGENT_RUNNER_CATEGORY] exit=$AGENT_RUNNER_EXIT_CODE commits=$AGENT_RUNNER_COMMITS"; exit 4',
      post_round_mark: 'tests_failed',
    }),
  });
  const r = p.run(['round']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout + r.stderr, /round 1: ok \(no_progress\), exit 0, [\d.]+s, marked tests_failed \(post_round\)/);
  const [rec] = p.rounds();
  assert.equal(rec.outcome, 'ok', 'a failing post_round marks the round; the outcome stays the agent\'s');
  assert.equal(rec.mark, 'tests_failed');
  assert.deepEqual(rec.hooks?.map((h) => [h.hook, h.exit_code, h.timed_out]), [['pre_round', 0, false], ['post_round', 4, false]]);
  assert.ok(rec.hooks!.every((h) => typeof h.duration_s === 'number' && h.duration_s >= 0));
  const log = fs.readFileSync(rec.log!, 'utf8');
  // in order: the pre_round hook, the agent, the post_round hook (with the verdict in its environment)
  assert.match(log, /pre pre_round 1\n[^]*succeed\.sh: all done\n[^]*post post_round 1 ok \[no_progress\] exit=0 commits=0\nagent-runner: hook post_round exited 4/);
  assert.equal(p.events().filter((e) => e.kind === 'hook_failed' && e.mark === 'tests_failed').length, 1);
  // and peek shows it
  const peek = JSON.parse(p.run(['peek', '--json']).stdout) as { rounds: Array<{ n: number; mark?: string; hooks?: Array<{ hook: string; exit_code: number }> }> };
  assert.deepEqual(validate(JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'schema', 'snapshot.schema.json'), 'utf8')), peek), []);
  const seen = peek.rounds.find((x) => x.n === 1);
  assert.equal(seen?.mark, 'tests_failed');
  assert.deepEqual(seen?.hooks?.map((h) => [h.hook, h.exit_code]), [['pre_round', 0], ['post_round', 4]]);

  // the same hook passing: no mark
  fs.writeFileSync(p.configPath, fs.readFileSync(p.configPath, 'utf8').replace('; exit 4', ''));
  assert.equal(p.run(['round']).code, 0);
  const second = p.rounds()[1];
  assert.equal(second.mark ?? null, null);
  assert.equal(second.hooks?.[1].exit_code, 0);
});

test('an agent that edits [hooks] during a round is detected (config_changed); serve keeps the hooks it validated', async () => {
  const p = makeProject({
    agent: 'edit-hooks.sh',
    extraToml: hooksToml({ pre_round: 'echo validated-pre-round' }),
  });
  // tracked and committed, as an operator keeps it
  git(p.dir, 'add', 'agent-runner.toml', 'prompts');
  git(p.dir, 'commit', '-q', '-m', 'config');
  const r = await finished(p.start(['serve', '--max-rounds', '2']));
  assert.equal(r.code, 0, r.stderr);
  assert.match(fs.readFileSync(p.configPath, 'utf8'), /^pre_round = "touch HOOK_HIJACKED"$/m, 'the agent edited [hooks]');
  const changed = p.events().filter((e) => e.kind === 'config_changed');
  assert.equal(changed.length, 1, JSON.stringify(p.events()));
  assert.equal(changed[0].file, p.configPath);
  const [, r2] = p.rounds();
  assert.equal(r2.outcome, 'ok');
  assert.match(fs.readFileSync(r2.log!, 'utf8'), /^validated-pre-round$/m);
  assert.equal(fs.existsSync(path.join(p.dir, 'HOOK_HIJACKED')), false, 'the edited hook ran');
  const status = JSON.parse(fs.readFileSync(path.join(p.stateDir, 'status.json'), 'utf8')) as { config_changed: boolean };
  assert.equal(status.config_changed, true);
});

test('on_stop runs once when serve stops, with the reason; its result is an event and its output in on_stop.log', async () => {
  const p = makeProject({
    agent: 'succeed.sh',
    extraToml: hooksToml({ on_stop: 'echo "stopped: $AGENT_RUNNER_STOP_REASON (exit $AGENT_RUNNER_EXIT_CODE, round $AGENT_RUNNER_ROUND $AGENT_RUNNER_OUTCOME)"' }),
  });
  const r = await finished(p.start(['serve', '--max-rounds', '1']));
  assert.equal(r.code, 0, r.stderr);
  const log = fs.readFileSync(path.join(p.stateDir, 'on_stop.log'), 'utf8');
  assert.match(log, /^stopped: --max-rounds 1 reached \(exit 0, round 1 ok\)$/m);
  const ran = p.events().filter((e) => e.kind === 'hook_ran');
  assert.equal(ran.length, 1);
  assert.equal(ran[0].hook, 'on_stop');
  assert.equal(ran[0].exit_code, 0);
  await assertNoStray({ stateDir: p.stateDir });
});

test('a pre_round that exits 0 but leaves a merge stopped on a conflict has failed: the agent does not start on it', async () => {
  const ran = path.join(tmpDir(), 'agent-ran');
  // a `git pull` that conflicts, in miniature: two branches change one file, the merge stops half-way, exit 0
  const conflict = [
    'git checkout -q -b other && echo theirs > f.txt && git add f.txt && git commit -qm theirs',
    'git checkout -q main && echo ours > f.txt && git add f.txt && git commit -qm ours',
    'git merge -q other >/dev/null 2>&1; exit 0',
  ].join(' && ');
  const p = makeProject({ command: marking(ran), extraToml: hooksToml({ pre_round: conflict }) });
  const r = p.run(['round']);
  assert.equal(r.code, 1, r.stderr);
  const [rec] = p.rounds();
  assert.equal(rec.category, 'hook_failed', JSON.stringify(rec));
  assert.match(rec.reason ?? '', /pre_round hook exited 0 but left the repository mid-operation \(merge\)/);
  assert.equal(rec.hooks![0].exit_code, 0);
  assert.equal(fs.existsSync(ran), false, 'the agent ran on a half-done merge');
  assert.equal(rec.head_after, git(p.dir, 'rev-parse', 'HEAD'), 'the record has the HEAD the hook left');
});
