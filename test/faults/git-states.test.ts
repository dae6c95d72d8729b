// Fault suite: the git repository in a bad state when a round starts or ends (issue #8, slice C).
// A rebase / merge / cherry-pick / revert / am / bisect in progress or unmerged files refuse the round
// (preflight git_state: one line, exit 78, through `round` and `serve`); a detached HEAD runs, told and
// recorded; an agent that leaves a conflicted merge gets a clear note and the tree untouched; another tool
// pushing stashes (and holding index.lock) during the round and aftercare never mixes up the orphan SHA.
// Every test drives the real CLI and ends with the suite's invariants.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { finished, makeProject, type Project, type ProjectOptions } from '../helpers/project.js';
import { git, waitFor, waitUntil } from '../helpers/env.js';
import { within } from '../helpers/within.js';
import { cleanStashedFromTree } from '../../src/round/git-stash.js';
import { assertNoStray, checkInvariants, killStateDirProcesses, safeRead } from '../helpers/invariants.js';

/** A scratch project removed (with its state dir) after the test, its round processes ended. */
function project(t: TestContext, o: ProjectOptions): Project {
  const p = makeProject(o);
  t.after(() => {
    killStateDirProcesses(p.stateDir);
    fs.rmSync(p.dir, { recursive: true, force: true });
    fs.rmSync(path.dirname(p.stateDir), { recursive: true, force: true });
  });
  return p;
}

/** The suite's invariants: state files valid, ledger 1..N, no open round, nothing of the project alive. */
async function invariants(p: Project, minRounds: number): Promise<void> {
  checkInvariants(p.stateDir, { minRounds });
  await assertNoStray({ stateDir: p.stateDir });
}

/** git that is expected to fail (a conflict): its exit is ignored, its output swallowed. */
function gitMayFail(dir: string, ...args: string[]): void {
  spawnSync('git', args, { cwd: dir, stdio: 'ignore' });
}

function write(dir: string, file: string, text: string): void {
  fs.writeFileSync(path.join(dir, file), text);
}

/** `side` and main both change README.md; the repo is left on main. */
function diverge(dir: string): void {
  git(dir, 'checkout', '-q', '-b', 'side');
  write(dir, 'README.md', 'side\n');
  git(dir, 'commit', '-q', '-am', 'side');
  git(dir, 'checkout', '-q', 'main');
  write(dir, 'README.md', 'main\n');
  git(dir, 'commit', '-q', '-am', 'main');
}

/** `git stash pop` of edits to these files onto commits that changed them too: unmerged, no marker file. */
function stashPopConflict(dir: string, files: string[]): void {
  for (const f of files) write(dir, f, 'base\n');
  git(dir, 'add', ...files);
  git(dir, 'commit', '-q', '-m', 'base');
  for (const f of files) write(dir, f, 'stashed edit\n');
  git(dir, 'stash', 'push', '-q');
  for (const f of files) write(dir, f, 'committed edit\n');
  git(dir, 'commit', '-q', '-am', 'other edit');
  gitMayFail(dir, 'stash', 'pop');
}

const DIR = '[^:]+';
const BAD_STATES: Array<{ name: string; make: (dir: string) => void; message: RegExp; marker: string | null }> = [
  {
    name: 'rebase stopped on a conflict',
    make(dir) {
      diverge(dir);
      git(dir, 'checkout', '-q', 'side');
      gitMayFail(dir, 'rebase', 'main');
    },
    message: new RegExp(`^work dir ${DIR} is in the middle of a rebase, with 1 unmerged file \\(README\\.md\\): finish it \\(resolve, \`git add\`, \`git rebase --continue\`\\) or abort it \\(\`git rebase --abort\`\\)$`),
    marker: 'rebase-merge',
  },
  {
    name: 'merge stopped on a conflict',
    make(dir) {
      diverge(dir);
      gitMayFail(dir, 'merge', 'side');
    },
    message: new RegExp(`^work dir ${DIR} is in the middle of a merge, with 1 unmerged file \\(README\\.md\\): finish it .*\`git commit\`.* or abort it \\(\`git merge --abort\`\\)$`),
    marker: 'MERGE_HEAD',
  },
  {
    name: 'clean merge not yet committed',
    make(dir) {
      git(dir, 'checkout', '-q', '-b', 'side');
      write(dir, 'side.txt', 's\n');
      git(dir, 'add', 'side.txt');
      git(dir, 'commit', '-q', '-m', 'side');
      git(dir, 'checkout', '-q', 'main');
      git(dir, 'merge', '-q', '--no-ff', '--no-commit', 'side');
    },
    message: new RegExp(`^work dir ${DIR} is in the middle of a merge: finish it .* or abort it \\(\`git merge --abort\`\\)$`),
    marker: 'MERGE_HEAD',
  },
  {
    name: 'cherry-pick stopped on a conflict',
    make(dir) {
      diverge(dir);
      gitMayFail(dir, 'cherry-pick', 'side');
    },
    message: /is in the middle of a cherry-pick, with 1 unmerged file \(README\.md\): .*`git cherry-pick --continue`.*`git cherry-pick --abort`/,
    marker: 'CHERRY_PICK_HEAD',
  },
  {
    name: 'revert stopped on a conflict',
    make(dir) {
      write(dir, 'README.md', 'a\n');
      git(dir, 'commit', '-q', '-am', 'a');
      const a = git(dir, 'rev-parse', 'HEAD');
      write(dir, 'README.md', 'b\n');
      git(dir, 'commit', '-q', '-am', 'b');
      gitMayFail(dir, 'revert', '--no-edit', a);
    },
    message: /is in the middle of a revert, with 1 unmerged file \(README\.md\): .*`git revert --continue`.*`git revert --abort`/,
    marker: 'REVERT_HEAD',
  },
  {
    name: 'git am stopped on a patch that does not apply',
    make(dir) {
      diverge(dir);
      const patches = fs.mkdtempSync(path.join(path.dirname(dir), 'patches-'));
      git(dir, 'format-patch', '-q', '-1', 'side', '-o', patches);
      gitMayFail(dir, 'am', ...fs.readdirSync(patches).map((f) => path.join(patches, f)));
      fs.rmSync(patches, { recursive: true, force: true });
    },
    message: /is in the middle of a `git am`: finish it \(`git am --continue`\) or abort it \(`git am --abort`\)$/,
    marker: 'rebase-apply/applying',
  },
  {
    name: 'bisect in progress',
    make(dir) {
      git(dir, 'bisect', 'start');
    },
    message: /is in the middle of a bisect: end it \(`git bisect reset`\)$/,
    marker: 'BISECT_LOG',
  },
  {
    name: 'stash pop that conflicted (unmerged files, no operation)',
    make(dir) {
      stashPopConflict(dir, ['README.md']);
    },
    message: new RegExp(`^work dir ${DIR} has 1 unmerged file \\(README\\.md\\), left by a conflicted \`git stash pop\`/\`apply\` or checkout: resolve each and \`git add\` it .*\`git checkout --ours\`/\`--theirs -- FILE\`.*\`git reset --merge\`$`),
    marker: null,
  },
  {
    name: 'many unmerged files: the first three named',
    make(dir) {
      stashPopConflict(dir, ['a.txt', 'b.txt', 'c.txt', 'd.txt', 'e.txt']);
    },
    message: /has 5 unmerged files \(a\.txt, b\.txt, c\.txt and 2 more\), left by/,
    marker: null,
  },
];

test('each repo state mid-operation or with unmerged files refuses the round: one line naming state and fix, exit 78, agent never started', async (t) => {
  for (const s of BAD_STATES) {
    const p = project(t, { agent: 'succeed.sh' });
    s.make(p.dir);
    const status = git(p.dir, 'status', '--porcelain=v2', '--branch');
    const stashes = git(p.dir, 'stash', 'list', '--format=%H');
    const r = p.run(['round']);
    assert.equal(r.code, 78, `${s.name}: exit ${r.code}\n${r.stdout}${r.stderr}`);
    const lines = (r.stdout + r.stderr).trim().split('\n');
    assert.equal(lines.length, 1, `${s.name}: one line, got ${JSON.stringify(lines)}`);
    assert.match(lines[0], /^round 1: preflight_failed, 0s — git_state: /, s.name);

    const [rec] = p.rounds();
    assert.equal(rec.outcome, 'preflight_failed', s.name);
    const message = (rec.reason ?? '').replace(/^git_state: /, '');
    assert.match(message, s.message, s.name);
    assert.ok(message.includes(`work dir ${p.dir} `), `${s.name}: the work dir is named`);
    const ev = p.events().find((e) => e.kind === 'preflight_failed');
    assert.equal(ev?.check, 'git_state', s.name);
    assert.equal(ev?.message, message, s.name);
    assert.ok(!p.events().some((e) => e.kind === 'round_started'), `${s.name}: the agent was never started`);
    // the repository is exactly as the operator left it
    assert.equal(git(p.dir, 'status', '--porcelain=v2', '--branch'), status, s.name);
    if (s.marker) assert.ok(fs.existsSync(path.join(p.dir, '.git', s.marker)), `${s.name}: ${s.marker} kept`);
    assert.equal(git(p.dir, 'stash', 'list', '--format=%H'), stashes, s.name);
    await invariants(p, 1);
  }
});

test('serve refuses a repo in the middle of a rebase: exit 78 naming the state and the fix, no agent', async (t) => {
  const p = project(t, { agent: 'succeed.sh' });
  diverge(p.dir);
  git(p.dir, 'checkout', '-q', 'side');
  gitMayFail(p.dir, 'rebase', 'main');
  const r = await runBounded(t, p, ['serve'], 30_000);
  assert.equal(r.code, 78, r.stdout + r.stderr);
  assert.match(r.stdout + r.stderr, /preflight failed: git_state: work dir .* is in the middle of a rebase, with 1 unmerged file \(README\.md\): finish it .*`git rebase --abort`/);
  assert.deepEqual(p.rounds().map((x) => [x.n, x.outcome]), [[1, 'preflight_failed']]);
  assert.ok(!p.events().some((e) => e.kind === 'round_started'));
  assert.ok(fs.existsSync(path.join(p.dir, '.git', 'rebase-merge')));
  await invariants(p, 1);

  // fixed by the operator: the next round runs
  git(p.dir, 'rebase', '--abort');
  const again = p.run(['round']);
  assert.equal(again.code, 0, again.stdout + again.stderr);
  assert.deepEqual(p.rounds().map((x) => [x.n, x.outcome]), [[1, 'preflight_failed'], [2, 'ok']]);
  await invariants(p, 2);
});

/** Run a CLI verb in the background, bounded: it is killed (and the test fails) if it outlives `ms`. */
async function runBounded(t: TestContext, p: Project, args: string[], ms: number): Promise<Awaited<ReturnType<typeof finished>>> {
  const child = p.start(args);
  const done = finished(child);
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const r = await within(done, ms);
  assert.ok(r, `${args.join(' ')} did not finish within ${ms} ms`);
  return r;
}

test('detached HEAD: the round runs, git_detached names the SHA, the agent is told, its commit is recorded by SHA', async (t) => {
  // the agent echoes its prompt (the log keeps it) and commits one file
  const script = 'cat; echo "round $AGENT_RUNNER_ROUND" > "r$AGENT_RUNNER_ROUND.txt"; git add "r$AGENT_RUNNER_ROUND.txt"; git commit -q -m "agent round $AGENT_RUNNER_ROUND"';
  const p = project(t, { command: ['bash', '-c', script] });
  git(p.dir, 'checkout', '-q', '--detach');
  const before = git(p.dir, 'rev-parse', 'HEAD');

  const r = p.run(['round']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const [rec] = p.rounds();
  assert.equal(rec.outcome, 'ok');
  assert.equal(rec.head_before, before);
  assert.ok(rec.head_after && rec.head_after !== before);
  assert.deepEqual(rec.commits, [rec.head_after]);
  assert.equal(git(p.dir, 'rev-parse', `${rec.head_after}^`), before);
  assert.equal(rec.reason, `HEAD detached: 1 commit on no branch, the newest ${rec.head_after}`);
  const ev = p.events().filter((e) => e.kind === 'git_detached');
  assert.deepEqual(ev.map((e) => [e.round, e.sha]), [[1, before]]);
  const log = fs.readFileSync(rec.log!, 'utf8');
  assert.ok(log.includes(`Git: HEAD is detached at ${before} (no branch is checked out).`), log);
  assert.match(log, /git switch -c NAME/);

  // back on a branch: no event, no word of it; the detached commit is unreachable from any branch, yet the
  // record still names it and git still has it
  git(p.dir, 'checkout', '-q', 'main');
  const r2 = p.run(['round']);
  assert.equal(r2.code, 0, r2.stdout + r2.stderr);
  const rec2 = p.rounds()[1];
  assert.equal(rec2.reason, null);
  assert.equal(p.events().filter((e) => e.kind === 'git_detached').length, 1);
  assert.ok(!fs.readFileSync(rec2.log!, 'utf8').includes('detached'));
  assert.equal(git(p.dir, 'branch', '--contains', rec.head_after!), '');
  assert.equal(git(p.dir, 'cat-file', '-t', rec.head_after!), 'commit');
  assert.equal(git(p.dir, 'show', `${rec.head_after}:r1.txt`), 'round 1');
  await invariants(p, 2);
});

test('an agent that leaves a conflicted merge: round noted, tree untouched and unstashed, serve then refuses (exit 78)', async (t) => {
  const p = project(t, { agent: 'merge-conflict.sh' });
  const r = await runBounded(t, p, ['serve'], 60_000);
  assert.equal(r.code, 78, r.stdout + r.stderr);
  const recs = p.rounds();
  assert.deepEqual(recs.map((x) => [x.n, x.outcome]), [[1, 'ok'], [2, 'preflight_failed']]);
  const [one, two] = recs;
  assert.match(
    one.reason ?? '',
    /^merge in progress: work tree left as it is \(2 dirty files\); the next round refuses to start \(preflight git_state\) until it is resolved$/,
  );
  assert.equal(one.stash_sha, null);
  assert.equal(one.dirty_files, 2, 'README.md (unmerged) and merge-notes.txt');
  assert.equal(one.commits.length, 1, 'the agent\'s commit on main');
  assert.match(two.reason ?? '', /^git_state: work dir .* is in the middle of a merge, with 1 unmerged file \(README\.md\): .*`git merge --abort`/);
  assert.match(r.stdout + r.stderr, /preflight failed: git_state: .* in the middle of a merge/);
  // the tree as the agent left it: nothing stashed, committed or reset
  assert.equal(git(p.dir, 'stash', 'list'), '');
  assert.ok(fs.existsSync(path.join(p.dir, '.git', 'MERGE_HEAD')));
  assert.match(fs.readFileSync(path.join(p.dir, 'README.md'), 'utf8'), /^<<<<<<< /m);
  assert.equal(fs.readFileSync(path.join(p.dir, 'merge-notes.txt'), 'utf8'), 'agent notes\n');
  assert.equal(git(p.dir, 'ls-files', '-u', '--', 'README.md').split('\n').length, 3);
  assert.ok(!p.events().some((e) => e.kind === 'orphan_stashed'));
  // but a copy is kept: the conflicted file as the tree holds it, the agent's notes, under the round's snapshot ref
  const snap = (one.refs ?? []).find((r) => r.endsWith('/snapshot'));
  assert.ok(snap, `no snapshot ref among ${JSON.stringify(one.refs)}`);
  assert.match(git(p.dir, 'show', `${snap}:README.md`), /^<<<<<<< /m);
  assert.equal(git(p.dir, 'show', `${snap}^3:merge-notes.txt`), 'agent notes', 'the untracked notes, as a stash holds them');
  await invariants(p, 2);
});

/**
 * Another tool hammering the stash in the same repo until `stop` exists: `git stash store` of made-up
 * commits (the stash ref's lock) and `git stash push` of its own new files (index.lock too).
 */
function stashPusher(t: TestContext, dir: string): { stop: () => Promise<number> } {
  const stopFile = path.join(path.dirname(dir), `${path.basename(dir)}.stop-pusher`);
  const script = `
    base=$(git rev-parse HEAD); i=0
    while [ ! -e "$STOP" ]; do
      i=$((i + 1))
      c=$(git commit-tree "$base^{tree}" -p "$base" -m "other tool fake $i")
      git stash store -m "other tool store $i" "$c" 2>/dev/null
      echo "other $i" > "other-tool-$i.txt"
      git stash push -q --include-untracked -m "other tool push $i" -- "other-tool-$i.txt" >/dev/null 2>&1
      rm -f "other-tool-$i.txt"
    done
    echo "$i"`;
  const child: ChildProcess = spawn('bash', ['-c', script], {
    cwd: dir,
    env: { ...process.env, STOP: stopFile },
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  let out = '';
  child.stdout?.on('data', (d) => (out += d));
  const exited = new Promise<true>((r) => child.on('close', () => r(true)));
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    fs.rmSync(stopFile, { force: true });
  });
  return {
    async stop() {
      fs.writeFileSync(stopFile, '');
      assert.ok(await within(exited, 30_000), 'the stash pusher did not stop');
      return Number(out.trim());
    },
  };
}

/** The reflog subject of each stash entry by SHA. */
function stashSubjects(dir: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const l of git(dir, 'log', '-g', '--format=%H %gs', 'refs/stash').split('\n')) {
    const sp = l.indexOf(' ');
    if (sp > 0) m.set(l.slice(0, sp), l.slice(sp + 1));
  }
  return m;
}

test('another tool pushing stashes through the round and aftercare: the orphan SHA holds exactly the work of the round, and the next round is told it', async (t) => {
  const p = project(t, { agent: 'slow-dirty.sh', agentEnv: { DIRTY_N: '6', DIRTY_PAUSE: '0.15' } });
  const pusher = stashPusher(t, p.dir);
  // let it get going before the round
  assert.ok(await waitFor(() => fs.existsSync(path.join(p.dir, '.git', 'logs', 'refs', 'stash')), 10_000));
  const r1 = p.run(['round']);
  const r2 = p.run(['round']);
  const pushed = await pusher.stop();
  assert.equal(r1.code, 0, r1.stdout + r1.stderr);
  assert.equal(r2.code, 0, r2.stdout + r2.stderr);
  assert.ok(pushed >= 3, `the other tool ran ${pushed} iterations`);

  const subjects = stashSubjects(p.dir);
  for (const rec of p.rounds()) {
    const sha = rec.stash_sha;
    assert.ok(sha, `round ${rec.n}: no stash (${rec.reason})`);
    // ours by its reflog message, not the other tool's
    assert.match(subjects.get(sha) ?? '', new RegExp(`: agent-runner round ${rec.n} [0-9a-f]{8}$`), `round ${rec.n}`);
    // it holds every file of the round: the README edit in the stash commit, the new files in its 3rd parent
    assert.match(git(p.dir, 'show', `${sha}:README.md`), new RegExp(`round ${rec.n} edit`));
    for (let i = 1; i <= 6; i++) {
      assert.equal(git(p.dir, 'show', `${sha}^3:agent-r${rec.n}-${i}.txt`), `round ${rec.n} file ${i}`);
      // even when another git broke into the push after its store, aftercare finished the cleanup
      assert.ok(!fs.existsSync(path.join(p.dir, `agent-r${rec.n}-${i}.txt`)), `round ${rec.n}: file ${i} still in the tree (${rec.reason})`);
    }
    assert.doesNotMatch(git(p.dir, 'show', 'HEAD:README.md'), /edit/);
    assert.doesNotMatch(fs.readFileSync(path.join(p.dir, 'README.md'), 'utf8'), new RegExp(`round ${rec.n} edit`));
    const ev = p.events().filter((e) => e.kind === 'orphan_stashed' && e.round === rec.n);
    assert.deepEqual(ev.map((e) => e.stash_sha), [sha]);
  }
  const [one, two] = p.rounds();
  assert.notEqual(one.stash_sha, two.stash_sha);
  // round 2's context names round 1's stash by SHA, among the other tool's many entries
  const log2 = fs.readFileSync(two.log!, 'utf8');
  assert.ok(log2.includes(`Orphan work: round 1 left uncommitted work, stashed as ${one.stash_sha}.`), log2.slice(0, 2000));
  assert.ok(subjects.size > 4, `the stash list holds ${subjects.size} entries`);
  t.diagnostic(`other tool: ${pushed} iterations, ${subjects.size} stash entries; reasons: ${JSON.stringify(p.rounds().map((x) => x.reason))}`);
  // and a round after those names the newest: round 2's
  const st = p.run(['peek', '--json']);
  assert.equal(JSON.parse(st.stdout).orphan_stash?.sha, two.stash_sha, st.stdout.slice(0, 500));
  await invariants(p, 2);
});

test('dirty_action = commit with index.lock held through aftercare: retried, then a clear note; the next round commits the work of both rounds', async (t) => {
  const script = `echo "round $AGENT_RUNNER_ROUND" > "held-$AGENT_RUNNER_ROUND.txt"
    if [ "$AGENT_RUNNER_ROUND" = 1 ]; then : > "$(git rev-parse --git-dir)/index.lock"; fi`;
  const p = project(t, { command: ['bash', '-c', script], extraToml: '[vcs]\ndirty_action = "commit"\n' });
  const lock = path.join(p.dir, '.git', 'index.lock');
  t.after(() => fs.rmSync(lock, { force: true }));

  const r1 = p.run(['round']);
  assert.equal(r1.code, 0, r1.stdout + r1.stderr);
  const one = p.rounds()[0];
  assert.equal(one.reason, 'commit failed, 1 dirty file left in the tree: another git process held the lock through 5 attempts');
  assert.deepEqual(one.commits, []);
  assert.equal(fs.readFileSync(path.join(p.dir, 'held-1.txt'), 'utf8'), 'round 1\n');

  fs.rmSync(lock);
  const r2 = p.run(['round']);
  assert.equal(r2.code, 0, r2.stdout + r2.stderr);
  const two = p.rounds()[1];
  assert.equal(two.commits.length, 1, `${two.reason}`);
  assert.equal(git(p.dir, 'show', `${two.commits[0]}:held-1.txt`), 'round 1');
  assert.equal(git(p.dir, 'show', `${two.commits[0]}:held-2.txt`), 'round 2');
  await invariants(p, 2);
});

test('index.lock held by another git through aftercare: stash retried, then a clear note; the files stay in the tree and the next round stashes them', async (t) => {
  // round 1 leaves work and a held index.lock, as if another git were mid-write; later rounds just leave work
  const script = `echo "round $AGENT_RUNNER_ROUND" > "held-$AGENT_RUNNER_ROUND.txt"; echo "edit $AGENT_RUNNER_ROUND" >> README.md
    if [ "$AGENT_RUNNER_ROUND" = 1 ]; then : > "$(git rev-parse --git-dir)/index.lock"; fi`;
  const p = project(t, { command: ['bash', '-c', script] });
  const lock = path.join(p.dir, '.git', 'index.lock');
  t.after(() => fs.rmSync(lock, { force: true }));

  const r1 = p.run(['round']);
  assert.equal(r1.code, 0, r1.stdout + r1.stderr);
  const one = p.rounds()[0];
  assert.equal(one.outcome, 'ok');
  assert.equal(one.stash_sha, null);
  assert.equal(one.dirty_files, 2);
  assert.equal(one.reason, 'stash failed, 2 dirty files left in the tree: another git process held the lock through 5 attempts');
  assert.equal(fs.readFileSync(path.join(p.dir, 'held-1.txt'), 'utf8'), 'round 1\n');
  assert.match(fs.readFileSync(path.join(p.dir, 'README.md'), 'utf8'), /edit 1/);
  assert.equal(git(p.dir, 'stash', 'list'), '');

  // the other git is done: round 2's aftercare takes both rounds' work
  fs.rmSync(lock);
  const r2 = p.run(['round']);
  assert.equal(r2.code, 0, r2.stdout + r2.stderr);
  const two = p.rounds()[1];
  assert.ok(two.stash_sha, `no stash: ${two.reason}`);
  assert.equal(git(p.dir, 'show', `${two.stash_sha}^3:held-1.txt`), 'round 1');
  assert.equal(git(p.dir, 'show', `${two.stash_sha}^3:held-2.txt`), 'round 2');
  assert.match(git(p.dir, 'show', `${two.stash_sha}:README.md`), /edit 1\nedit 2/);
  await invariants(p, 2);
});

test('index.lock released while aftercare retries: the stash goes through with every file of the round', async (t) => {
  const script = `echo w > work.txt; echo e >> README.md; : > "$(git rev-parse --git-dir)/index.lock"`;
  const p = project(t, { command: ['bash', '-c', script] });
  const lock = path.join(p.dir, '.git', 'index.lock');
  t.after(() => fs.rmSync(lock, { force: true }));
  const child = p.start(['round']);
  const done = finished(child);
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  // aftercare marks the open round before its first write, which then waits on the held lock (~3 s of retries):
  // the "other git" lets go once that has begun
  const marker = path.join(p.stateDir, 'round.open.json');
  await waitUntil(() => /"aftercare"/.test(safeRead(marker)), {
    timeoutMs: 30_000,
    what: 'aftercare to begin its stash (the open marker says so)',
    detail: () => `lock ${fs.existsSync(lock) ? 'held' : 'absent'}; marker ${safeRead(marker).slice(0, 300)}`,
  });
  assert.ok(fs.existsSync(lock), 'the lock was still held when aftercare began');
  fs.rmSync(lock);
  const r = await within(done, 60_000);
  assert.ok(r, 'round did not finish');
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const [rec] = p.rounds();
  assert.ok(rec.stash_sha, `no stash: ${rec.reason}`);
  assert.equal(rec.reason, null);
  assert.equal(git(p.dir, 'show', `${rec.stash_sha}^3:work.txt`), 'w');
  assert.match(git(p.dir, 'show', `${rec.stash_sha}:README.md`), /\ne$/);
  assert.ok(!fs.existsSync(path.join(p.dir, 'work.txt')));
  await invariants(p, 1);
});

test('a stash push cut off after its store: aftercare\'s cleanup removes exactly what the stash holds, nothing changed since', async (t) => {
  const p = project(t, { agent: 'succeed.sh' });
  const d = p.dir;
  fs.mkdirSync(path.join(d, 'sub'));
  write(d, 'sub/new.txt', 'new\n');
  write(d, 'later.txt', 'v1\n');
  write(d, 'README.md', 'edited\n');
  write(d, 'staged.txt', 'staged\n');
  git(d, 'add', 'staged.txt');
  git(d, 'stash', 'push', '-q', '--include-untracked', '-m', 'cut off', '--', 'README.md', 'staged.txt', 'sub', 'later.txt');
  const sha = git(d, 'rev-parse', 'stash@{0}');
  // the state a push leaves when it stored the stash and then failed: the work still in the tree, staged as it was
  git(d, 'stash', 'apply', '-q', '--index', sha);
  write(d, 'later.txt', 'v2 changed after the stash\n');
  const left = await cleanStashedFromTree(d, d, sha);
  assert.deepEqual(left, ['later.txt']);
  assert.equal(fs.readFileSync(path.join(d, 'later.txt'), 'utf8'), 'v2 changed after the stash\n');
  assert.equal(fs.existsSync(path.join(d, 'sub')), false, 'the emptied directory goes too');
  assert.equal(fs.readFileSync(path.join(d, 'README.md'), 'utf8'), '# scratch\n');
  assert.equal(fs.existsSync(path.join(d, 'staged.txt')), false);
  assert.deepEqual(git(d, 'status', '--porcelain', '--', 'README.md', 'staged.txt', 'sub', 'later.txt').split('\n'), ['?? later.txt']);
  assert.deepEqual(git(d, 'stash', 'list', '--format=%H').split('\n'), [sha], 'the stash itself is kept');
  await invariants(p, 0);
});
