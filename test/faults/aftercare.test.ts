// Fault suite: the round's work against a supervisor killed in its aftercare and an agent that destroys what git
// keeps (issue 19, items 1-4). serve is SIGKILLed while its own stash or commit runs (a git on PATH that hangs
// on that one call); a stash is found by its SHA under a private ref, never by its message; the agent's
// `git stash clear`, `git reflog expire --all` and `git gc --prune=now` cannot destroy an earlier round's work,
// nor its commits on a detached HEAD. Every test drives the real CLI and ends with the suite's invariants.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { finished, type Project } from '../helpers/project.js';
import { scratchProject } from '../helpers/scratch.js';
import { CLI, git, isAlive, tmpDir, waitUntil } from '../helpers/env.js';
import { within } from '../helpers/within.js';
import { assertNoStray, checkInvariants, killAll, killStateDirProcesses } from '../helpers/invariants.js';

const project = scratchProject;

async function invariants(p: Project, minRounds: number): Promise<void> {
  checkInvariants(p.stateDir, { minRounds });
  await assertNoStray({ stateDir: p.stateDir });
}

/** git's reachability from the agent's worst: no stash list, no reflog, everything unreachable pruned */
const DESTROY = 'git stash clear; git reflog expire --expire=now --all; git gc -q --prune=now';

/** Whether the object exists at all (after a gc that pruned what nothing reaches). */
function exists(dir: string, sha: string): boolean {
  return spawnSync('git', ['cat-file', '-e', `${sha}^{commit}`], { cwd: dir }).status === 0;
}

/**
 * A `git` first on PATH that, once, hangs on a subcommand of the supervisor's own (`stash`, `commit`; a
 * `|`-separated list matches any), before or after running the real one, writing its pid to `file` first.
 * Everything else passes through.
 */
function hangingGit(t: TestContext, sub: string, when: 'before' | 'after'): { env: NodeJS.ProcessEnv; file: string } {
  const dir = tmpDir('ar-git-shim-');
  const real = spawnSync('bash', ['-c', 'command -v git'], { encoding: 'utf8' }).stdout.trim();
  const file = path.join(dir, 'hung.pid');
  fs.writeFileSync(
    path.join(dir, 'git'),
    `#!/usr/bin/env bash
# the subcommand: the first argument after the supervisor's guard options (--no-pager, -c key=value)
args=("$@"); i=0
while [ $i -lt \${#args[@]} ]; do
  case "\${args[$i]}" in -c) i=$((i + 2)) ;; -*) i=$((i + 1)) ;; *) break ;; esac
done
hang() { ( set -o noclobber; echo $$ > ${JSON.stringify(file)} ) 2>/dev/null && exec sleep 600; }
case "\${args[$i]}" in ${sub}) [ ${when} = before ] && hang ;; esac
${JSON.stringify(real)} "$@"; rc=$?
case "\${args[$i]}" in ${sub}) [ ${when} = after ] && hang ;; esac
exit $rc
`,
    { mode: 0o755 },
  );
  t.after(() => {
    try {
      killAll([Number(fs.readFileSync(file, 'utf8'))]);
    } catch {
      /* it never hung */
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return { env: { PATH: `${dir}:${process.env.PATH}` }, file };
}

/** serve on a git that hangs in aftercare's stash or commit; SIGKILLed there; the shim ended too. */
async function killServeInAftercare(t: TestContext, p: Project, sub: string, when: 'before' | 'after'): Promise<void> {
  const shim = hangingGit(t, sub, when);
  const serve = p.start(['serve'], shim.env);
  const done = finished(serve);
  t.after(() => {
    if (serve.exitCode === null && serve.signalCode === null) serve.kill('SIGKILL');
  });
  await waitUntil(() => fs.existsSync(shim.file) && fs.readFileSync(shim.file, 'utf8').trim() !== '', {
    timeoutMs: 30_000,
    what: `serve's aftercare to reach its \`git ${sub}\``,
    detail: () => JSON.stringify(p.events().slice(-5)),
  });
  serve.kill('SIGKILL');
  assert.ok(await within(done, 10_000), 'serve did not die');
  const pid = Number(fs.readFileSync(shim.file, 'utf8'));
  killAll([pid]);
  await waitUntil(() => !isAlive(pid), { timeoutMs: 10_000, what: 'the hung git to end' });
  assert.ok(fs.existsSync(path.join(p.stateDir, 'round.open.json')), 'the open marker is left behind');
}

const LEAVE_WORK = 'cat >/dev/null; echo "work of round $AGENT_RUNNER_ROUND" > "w$AGENT_RUNNER_ROUND.txt"; echo "edit $AGENT_RUNNER_ROUND" >> README.md';

/**
 * The stash is stored by `git stash push` on main, by one `update-ref` (its private ref and the stash list) here:
 * serve is killed at the first of those, before or after it ran.
 */
async function killedWhileStashing(t: TestContext, when: 'before' | 'after'): Promise<void> {
  const p = project(t, { command: ['bash', '-c', LEAVE_WORK] });
  await killServeInAftercare(t, p, 'stash|update-ref', when);

  const r = p.run(['round']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const [one, two] = p.rounds();
  assert.equal(one.outcome, 'aborted');
  assert.match(one.reason ?? '', /aftercare was cut short \(stash\)/);
  assert.ok(one.stash_sha, `round 1 names no stash: ${one.reason}`);
  assert.equal(git(p.dir, 'show', `${one.stash_sha}^3:w1.txt`), 'work of round 1');
  assert.match(git(p.dir, 'show', `${one.stash_sha}:README.md`), /edit 1/);
  // kept by a private ref, on the stash list once, and out of the tree
  const [ref] = one.refs ?? [];
  assert.match(ref ?? '', /^refs\/agent-runner\/[0-9a-f]{12}\/rounds\/1\/stash$/);
  assert.equal(git(p.dir, 'rev-parse', ref!), one.stash_sha);
  assert.equal(git(p.dir, 'log', '-g', '--format=%H', 'refs/stash').split('\n').filter((s) => s === one.stash_sha).length, 1);
  assert.ok(!fs.existsSync(path.join(p.dir, 'w1.txt')), 'round 1\'s work is still in the tree');
  // round 2 ran on a clean tree and stashed only its own work
  assert.equal(two.outcome, 'ok');
  assert.ok(two.stash_sha && two.stash_sha !== one.stash_sha);
  assert.throws(() => git(p.dir, 'show', `${two.stash_sha}^3:w1.txt`));
  await invariants(p, 2);
}

test('serve SIGKILLed before aftercare stores its stash: the next start finishes the stash, the record names it by SHA, a private ref keeps it', (t) =>
  killedWhileStashing(t, 'before'));
test('serve SIGKILLed after aftercare stored its stash: the next start finishes the cleanup, the record names it by SHA, a private ref keeps it', (t) =>
  killedWhileStashing(t, 'after'));

test('serve SIGKILLed after aftercare\'s own `git commit` (dirty_action = commit): the next start records the commit and keeps it under a private ref', async (t) => {
  const p = project(t, { command: ['bash', '-c', LEAVE_WORK], extraToml: '[vcs]\ndirty_action = "commit"\n' });
  const before = git(p.dir, 'rev-parse', 'HEAD');
  await killServeInAftercare(t, p, 'commit', 'after');

  const r = p.run(['round']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const [one] = p.rounds();
  assert.equal(one.outcome, 'aborted');
  assert.match(one.reason ?? '', /aftercare was cut short \(commit\), the commit had landed: committed as [0-9a-f]{40}/);
  assert.equal(one.commits.length, 1, JSON.stringify(one));
  assert.equal(one.head_after, one.commits[0]);
  assert.equal(git(p.dir, 'rev-parse', `${one.commits[0]}^`), before);
  assert.equal(git(p.dir, 'show', `${one.commits[0]}:w1.txt`), 'work of round 1');
  assert.equal(git(p.dir, 'rev-parse', (one.refs ?? [])[0] ?? 'none'), one.commits[0]);
  await invariants(p, 2);
});

test('a stash is found by SHA, never by message: a state dir made afresh numbers its rounds from 1 again and stashes its own work', async (t) => {
  const p = project(t, { command: ['bash', '-c', LEAVE_WORK] });
  assert.equal(p.run(['round']).code, 0);
  const old = p.rounds()[0];
  assert.ok(old.stash_sha, `${old.reason}`);
  // the operator resets the state: the next round is round 1 again, within minutes of the first
  fs.rmSync(p.stateDir, { recursive: true, force: true });
  fs.writeFileSync(path.join(p.dir, 'new-work.txt'), 'the new round 1\n');
  const r = p.run(['round']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const [fresh] = p.rounds();
  assert.equal(fresh.n, 1);
  assert.ok(fresh.stash_sha && fresh.stash_sha !== old.stash_sha, `the new round 1 took the old one's stash: ${fresh.stash_sha}`);
  assert.equal(git(p.dir, 'show', `${fresh.stash_sha}^3:new-work.txt`), 'the new round 1');
  assert.ok(!fs.existsSync(path.join(p.dir, 'new-work.txt')), 'the new work was left in the tree');
  // each state dir has its own refs: the old round 1's is still there
  const refs = git(p.dir, 'for-each-ref', '--format=%(objectname)', 'refs/agent-runner/').split('\n');
  assert.deepEqual(new Set(refs), new Set([old.stash_sha, fresh.stash_sha]));
  await invariants(p, 1);
});

test('a stash is found by SHA, never by message: two worktrees of one repository, each its own serve, each stashes its own round 1', async (t) => {
  const p = project(t, { command: ['bash', '-c', LEAVE_WORK] });
  const wt = path.join(path.dirname(p.dir), `${path.basename(p.dir)}-wt2`);
  git(p.dir, 'worktree', 'add', '-q', '-b', 'wt2', wt);
  const state2 = tmpDir('ar-state-wt2-');
  t.after(() => {
    killStateDirProcesses(state2);
    fs.rmSync(wt, { recursive: true, force: true });
    fs.rmSync(state2, { recursive: true, force: true });
  });
  fs.cpSync(path.join(p.dir, 'prompts'), path.join(wt, 'prompts'), { recursive: true });
  const config2 = path.join(wt, 'agent-runner.toml');
  fs.writeFileSync(config2, fs.readFileSync(p.configPath, 'utf8').replace(/^state_dir = .*$/m, `state_dir = ${JSON.stringify(state2)}`));

  assert.equal(p.run(['round']).code, 0);
  const r2 = spawnSync(process.execPath, [CLI, '--config', config2, 'round'], {
    cwd: wt,
    env: { ...process.env, AGENT_RUNNER_CONFIG: '' },
    encoding: 'utf8',
  });
  assert.equal(r2.status, 0, r2.stdout + r2.stderr);
  const a = p.rounds()[0];
  const b = JSON.parse(fs.readFileSync(path.join(state2, 'rounds.jsonl'), 'utf8').trim().split('\n')[0]!);
  assert.ok(a.stash_sha && b.stash_sha && a.stash_sha !== b.stash_sha, `both worktrees' round 1 name ${a.stash_sha} / ${b.stash_sha}`);
  assert.equal(git(wt, 'show', `${b.stash_sha}^3:w1.txt`), 'work of round 1');
  assert.ok(!fs.existsSync(path.join(wt, 'w1.txt')), 'worktree 2\'s work was left in its tree');
  await invariants(p, 1);
});

test('the agent runs `git stash clear`, `git reflog expire --all` and `git gc --prune=now`: the stashes of all earlier rounds survive', async (t) => {
  const script = `${LEAVE_WORK}; if [ "$AGENT_RUNNER_ROUND" = 3 ]; then git checkout -q -- README.md; rm -f w3.txt; ${DESTROY}; fi`;
  const p = project(t, { command: ['bash', '-c', script] });
  for (let i = 0; i < 3; i++) assert.equal(p.run(['round']).code, 0);
  const [one, two, three] = p.rounds();
  assert.equal(git(p.dir, 'stash', 'list'), '', 'the agent cleared the stash list');
  for (const rec of [one, two]) {
    assert.ok(rec.stash_sha && exists(p.dir, rec.stash_sha), `round ${rec.n}'s stash ${rec.stash_sha} was destroyed`);
    assert.equal(git(p.dir, 'show', `${rec.stash_sha}^3:w${rec.n}.txt`), `work of round ${rec.n}`);
    // and it can be brought back
    assert.ok(git(p.dir, 'stash', 'apply', rec.stash_sha!) !== null);
    assert.equal(fs.readFileSync(path.join(p.dir, `w${rec.n}.txt`), 'utf8'), `work of round ${rec.n}\n`);
    git(p.dir, 'reset', '-q', '--hard');
    git(p.dir, 'clean', '-qfd', '--', `w${rec.n}.txt`);
  }
  assert.equal(three.stash_sha, null);
  await invariants(p, 3);
});

test('commits made on a detached HEAD survive the next agent\'s checkout, reflog expiry and gc: recorded and kept under a ref', async (t) => {
  const script = `cat >/dev/null
    if [ "$AGENT_RUNNER_ROUND" = 1 ]; then echo d > d.txt; git add d.txt; git commit -q -m "detached work"; fi
    if [ "$AGENT_RUNNER_ROUND" = 2 ]; then git checkout -q main 2>/dev/null; ${DESTROY}; fi`;
  const p = project(t, { command: ['bash', '-c', script] });
  git(p.dir, 'checkout', '-q', '--detach');
  for (let i = 0; i < 2; i++) assert.equal(p.run(['round']).code, 0);
  const [one] = p.rounds();
  assert.equal(one.commits.length, 1);
  assert.ok((one.refs ?? []).some((r) => /\/rounds\/1\/head$/.test(r)), JSON.stringify(one.refs));
  assert.ok(exists(p.dir, one.commits[0]!), 'the detached commit was pruned');
  assert.equal(git(p.dir, 'show', `${one.commits[0]}:d.txt`), 'd');
  await invariants(p, 2);
});

test('commits an agent makes on a detached HEAD and then leaves (back on its branch): on the record, kept under a ref, and survive gc', async (t) => {
  const script = `cat >/dev/null
    if [ "$AGENT_RUNNER_ROUND" = 1 ]; then
      git checkout -q --detach; echo a > a.txt; git add a.txt; git commit -q -m "left 1"; echo b > b.txt; git add b.txt; git commit -q -m "left 2"
      git checkout -q main 2>/dev/null
      echo kept > kept.txt; git add kept.txt; git commit -q -m "on main"
    fi
    if [ "$AGENT_RUNNER_ROUND" = 2 ]; then ${DESTROY}; fi`;
  const p = project(t, { command: ['bash', '-c', script] });
  for (let i = 0; i < 2; i++) assert.equal(p.run(['round']).code, 0);
  const [one] = p.rounds();
  assert.equal(one.commits.length, 1, 'the commit on main');
  const left = one.left_commits ?? [];
  assert.equal(left.length, 2, `left commits: ${JSON.stringify(one)}`);
  assert.equal(git(p.dir, 'log', '--format=%s', '-1', left[1]!), 'left 2');
  assert.equal(git(p.dir, 'rev-parse', `${left[1]}^`), left[0]);
  assert.match(one.reason ?? '', /2 commits made and left on no branch, the newest [0-9a-f]{40}/);
  for (const sha of left) assert.ok(exists(p.dir, sha), `${sha} was pruned`);
  assert.equal(git(p.dir, 'show', `${left[1]}:b.txt`), 'b');
  await invariants(p, 2);
});
