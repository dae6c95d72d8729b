// `agent-runner rounds`, `rounds show N`, `rounds restore N` (issue 17, "never lose a round's work"): the list
// and a round's work read off the ledger and the private refs; restore brings the work of every earlier round
// back after the agent cleared the stash list and pruned git's objects, and refuses (changing nothing) on a
// dirty tree, while a round is open, and onto a HEAD whose files changed since (then --branch does it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { finished } from '../helpers/project.js';
import { scratchProject } from '../helpers/scratch.js';
import { git, tmpDir, waitUntil } from '../helpers/env.js';

/** each round leaves w<n>.txt untracked and a line appended to README.md, uncommitted */
const LEAVE_WORK = 'cat >/dev/null; echo "work of round $AGENT_RUNNER_ROUND" > "w$AGENT_RUNNER_ROUND.txt"; echo "edit $AGENT_RUNNER_ROUND" >> README.md';
const DESTROY = 'git stash clear; git reflog expire --expire=now --all; git gc -q --prune=now';
const read = (dir: string, f: string) => fs.readFileSync(path.join(dir, f), 'utf8');

test('rounds lists the recent rounds with their kept work; --json, --limit; show gives the record, refs and diffstat', (t) => {
  const script = `${LEAVE_WORK}; if [ "$AGENT_RUNNER_ROUND" = 2 ]; then git add README.md w2.txt; git commit -qm "round 2 commits"; fi`;
  const p = scratchProject(t, { command: ['bash', '-c', script] });
  for (let i = 0; i < 3; i++) assert.equal(p.run(['round']).code, 0);
  const recs = p.rounds();

  const list = JSON.parse(p.run(['rounds', '--json']).stdout);
  assert.deepEqual(list.map((x: { n: number }) => x.n), [1, 2, 3]);
  assert.deepEqual(list.map((x: { refs: Array<{ kind: string }> }) => x.refs.map((r) => r.kind)), [['stash'], ['head'], ['stash']]);
  assert.equal(list[1].refs[0].sha, recs[1].head_after, 'the HEAD round 2 ended on, kept as its own ref');
  assert.equal(list[0].refs[0].sha, recs[0].stash_sha);
  assert.deepEqual(list[1].commits, recs[1].commits);
  assert.equal(list[1].commits.length, 1);
  assert.deepEqual(JSON.parse(p.run(['rounds', '--json', '--limit', '2']).stdout).map((x: { n: number }) => x.n), [2, 3]);

  const human = p.run(['rounds']);
  assert.equal(human.code, 0, human.stderr);
  const lines = human.stdout.trimEnd().split('\n');
  assert.match(lines[0]!, /^round +started +took +verdict +commits +kept under refs +tokens in\/out +cost$/);
  assert.match(lines[1]!, new RegExp(`^ +1 .* ok +0 +stash ${recs[0].stash_sha!.slice(0, 12)}`));
  assert.match(lines[2]!, new RegExp(`^ +2 .* ok +1 ${recs[1].commits[0]!.slice(0, 7)} +head ${recs[1].head_after!.slice(0, 12)} `));

  const show = JSON.parse(p.run(['rounds', 'show', '1', '--json']).stdout);
  assert.equal(show.record.n, 1);
  assert.match(show.refs[0].ref, /^refs\/agent-runner\/[0-9a-f]{12}\/rounds\/1\/stash$/);
  assert.match(show.work.uncommitted, /README\.md \| 1 \+/);
  assert.deepEqual(show.work.untracked, ['w1.txt']);
  const two = p.run(['rounds', 'show', '2']);
  assert.match(two.stdout, /its commits \(1\):\n README\.md \| 1 \+\n w2\.txt +\| 1 \+/);
  assert.match(two.stdout, /kept under:\n +refs\/agent-runner\/[0-9a-f]{12}\/rounds\/2\/head +[0-9a-f]{40}\n/);
  // its end is on the branch already: restore says so and makes no branch
  const r2 = p.run(['rounds', 'restore', '2']);
  assert.equal(r2.code, 0, r2.stderr);
  assert.match(r2.stdout, /round 2 ended on [0-9a-f]{12}, which HEAD \(\S+\) already holds: no branch made for it/);
  assert.equal(git(p.dir, 'branch', '--list', 'agent-runner/*'), '');
  const patch = p.run(['rounds', 'show', '1', '--patch']);
  assert.match(patch.stdout, /\n\+edit 1\n/, 'the stash\'s change to README.md');
  assert.match(patch.stdout, /\+\+\+ b\/w1\.txt\n@@ -0,0 \+1 @@\n\+work of round 1\n/, 'the untracked file\'s content');
  for (const [args, code, want] of [
    [['rounds', 'show', '9'], 1, /^agent-runner: no round 9 in the ledger \(the last is 3\)\n$/],
    [['rounds', 'show', 'x'], 2, /^agent-runner: a round number is a whole number of 1 or more, not "x"\n$/],
  ] as const) {
    const r = p.run([...args]);
    assert.equal(r.code, code, r.stderr);
    assert.match(r.stderr, want);
  }
});

test("after the agent runs `git stash clear` and `git gc --prune=now`, every earlier round's work is restored; a dirty tree is refused and kept", (t) => {
  const script = `${LEAVE_WORK}; if [ "$AGENT_RUNNER_ROUND" = 3 ]; then git checkout -q -- README.md; rm -f w3.txt; ${DESTROY}; fi`;
  const p = scratchProject(t, { command: ['bash', '-c', script] });
  for (let i = 0; i < 3; i++) assert.equal(p.run(['round']).code, 0);
  assert.equal(git(p.dir, 'stash', 'list'), '', 'the agent cleared the stash list');

  for (const n of [1, 2]) {
    const r = p.run(['rounds', 'restore', String(n)]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^applied round ${n}'s uncommitted work \\(stash [0-9a-f]{12}, 1 untracked file among them\\) onto HEAD \\(`));
    assert.equal(read(p.dir, `w${n}.txt`), `work of round ${n}\n`);
    assert.match(read(p.dir, 'README.md'), new RegExp(`edit ${n}\n$`));

    // restoring again over the restored work: refused, and the work in the tree is untouched
    const again = p.run(['rounds', 'restore', String(n)]);
    assert.equal(again.code, 1);
    assert.equal(again.stderr, 'agent-runner: the work tree has uncommitted changes (2 files): commit or stash them, then run it again; nothing was changed\n');
    assert.equal(read(p.dir, `w${n}.txt`), `work of round ${n}\n`);
    // back to a clean tree on the same HEAD (both rounds stashed from it), for the next round's restore
    git(p.dir, 'reset', '-q', '--hard');
    git(p.dir, 'clean', '-qf', '--', `w${n}.txt`);
  }
});

test("a failed round's work left in the tree is copied under its snapshot ref; after a later round wipes the tree and prunes, restore brings it back", (t) => {
  // round 1 fails with its work in the tree (aftercare leaves it); round 2 throws it away and prunes
  const script = `${LEAVE_WORK}; if [ "$AGENT_RUNNER_ROUND" = 1 ]; then exit 1; fi; git checkout -q -- README.md; rm -f w1.txt; ${DESTROY}`;
  const p = scratchProject(t, { command: ['bash', '-c', script] });
  assert.notEqual(p.run(['round']).code, 0);
  const rec = p.rounds()[0]!;
  assert.equal(rec.outcome, 'failed');
  assert.equal(rec.stash_sha, null, 'a failed round is not stashed: its work stays in the tree');
  assert.match(rec.refs?.[0] ?? '', /\/rounds\/1\/snapshot$/);
  assert.equal(read(p.dir, 'w1.txt'), 'work of round 1\n', 'the tree untouched');
  assert.equal(git(p.dir, 'stash', 'list'), '', 'the stash list untouched');
  assert.equal(git(p.dir, 'diff', '--cached', '--name-only'), '', "the user's index untouched: nothing staged");
  assert.equal(git(p.dir, 'status', '--porcelain', '--', 'README.md', 'w1.txt'), 'M README.md\n?? w1.txt'); // (trimmed: ' M')
  assert.equal(p.run(['round']).code, 0);
  assert.ok(!fs.existsSync(path.join(p.dir, 'w1.txt')), 'round 2 wiped it');

  const r = p.run(['rounds', 'restore', '1']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^applied round 1's uncommitted work \(snapshot [0-9a-f]{12}, 1 untracked file among them\) onto HEAD \(/);
  assert.equal(read(p.dir, 'w1.txt'), 'work of round 1\n');
  assert.match(read(p.dir, 'README.md'), /edit 1\n$/);
});

test('a round whose commits a later round resets away and prunes: its end HEAD is kept, and restore puts it on a branch', (t) => {
  const script = `cat >/dev/null
    if [ "$AGENT_RUNNER_ROUND" = 1 ]; then echo one > one.txt; git add one.txt; git commit -qm "round 1 work"; fi
    if [ "$AGENT_RUNNER_ROUND" = 2 ]; then git reset -q --hard HEAD~1; ${DESTROY}; fi`;
  const p = scratchProject(t, { command: ['bash', '-c', script] });
  for (let i = 0; i < 2; i++) assert.equal(p.run(['round']).code, 0);
  const [one, two] = p.rounds();
  assert.match(one!.refs?.[0] ?? '', /\/rounds\/1\/head$/);
  assert.match(two!.refs?.[0] ?? '', /\/rounds\/2\/head$/, 'a HEAD moved back is an end state too');
  assert.ok(!fs.existsSync(path.join(p.dir, 'one.txt')));
  const r = p.run(['rounds', 'restore', '1']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^made branch agent-runner\/round-1 at [0-9a-f]{12} \(the HEAD round 1 ended on\)/);
  assert.equal(git(p.dir, 'show', 'agent-runner/round-1:one.txt'), 'one');
});

test('restore onto a HEAD whose files changed since is refused; --branch puts the work on a new branch where it was stashed from', (t) => {
  const p = scratchProject(t, { command: ['bash', '-c', `${LEAVE_WORK}`] });
  assert.equal(p.run(['round']).code, 0);
  const rec = p.rounds()[0]!;
  fs.appendFileSync(path.join(p.dir, 'README.md'), 'mine\n');
  git(p.dir, 'commit', '-qam', 'my own edit');
  const mine = git(p.dir, 'rev-parse', 'HEAD');

  const r = p.run(['rounds', 'restore', '1']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^agent-runner: round 1's work was stashed from [0-9a-f]{12}, and files it changed have changed on HEAD since \(README\.md\): restore it onto a branch of its own with --branch NAME; nothing was changed\n$/);
  assert.equal(git(p.dir, 'status', '--porcelain', '--untracked-files=no'), '');
  assert.ok(!fs.existsSync(path.join(p.dir, 'w1.txt')));

  assert.equal(p.run(['rounds', 'restore', '1', '--branch', '-x']).code, 2);
  const b = p.run(['rounds', 'restore', '1', '--branch', 'rescue']);
  assert.equal(b.code, 0, b.stderr);
  assert.match(b.stdout, /^made branch rescue at [0-9a-f]{12} \(where round 1's work was stashed from\) and switched to it from main\napplied round 1's uncommitted work/);
  assert.equal(git(p.dir, 'branch', '--show-current'), 'rescue');
  assert.equal(git(p.dir, 'rev-parse', 'HEAD'), rec.head_after);
  assert.equal(read(p.dir, 'w1.txt'), 'work of round 1\n');
  assert.ok(!read(p.dir, 'README.md').includes('mine'));
  assert.equal(git(p.dir, 'rev-parse', 'main'), mine, 'the user\'s branch is where it was');
});

test('commits left on a detached HEAD come back as a branch; the work tree and HEAD stay as they are', (t) => {
  const script = `cat >/dev/null
    if [ "$AGENT_RUNNER_ROUND" = 1 ]; then echo d > d.txt; git add d.txt; git commit -q -m "detached work"; fi
    if [ "$AGENT_RUNNER_ROUND" = 2 ]; then git checkout -q main 2>/dev/null; ${DESTROY}; fi`;
  const p = scratchProject(t, { command: ['bash', '-c', script] });
  git(p.dir, 'checkout', '-q', '--detach');
  for (let i = 0; i < 2; i++) assert.equal(p.run(['round']).code, 0);
  const sha = p.rounds()[0]!.commits[0]!;
  const head = git(p.dir, 'rev-parse', 'HEAD');
  const r = p.run(['rounds', 'restore', '1']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, `made branch agent-runner/round-1 at ${sha.slice(0, 12)} (the HEAD round 1 ended on); your branch and work tree are as they were: \`git switch agent-runner/round-1\` to work on it, or merge it\n`);
  assert.equal(git(p.dir, 'rev-parse', 'agent-runner/round-1'), sha);
  assert.equal(git(p.dir, 'rev-parse', 'HEAD'), head);
  assert.equal(git(p.dir, 'show', 'agent-runner/round-1:d.txt'), 'd');
  // a second restore finds the branch already there: nothing to do, nothing refused
  const again = p.run(['rounds', 'restore', '1']);
  assert.equal(again.code, 0, again.stderr);
  assert.equal(again.stdout, `branch agent-runner/round-1 already points at ${sha.slice(0, 12)} (the HEAD round 1 ended on): left as it is\n`);
});

test('restore refuses while serve runs a round, with the fix, and changes nothing', async (t) => {
  const gate = path.join(tmpDir('ar-gate-'), 'go');
  const script = `${LEAVE_WORK}; if [ "$AGENT_RUNNER_ROUND" = 2 ]; then while [ ! -e ${JSON.stringify(gate)} ]; do sleep 0.05; done; fi`;
  const p = scratchProject(t, { command: ['bash', '-c', script] });
  assert.equal(p.run(['round']).code, 0);
  const serve = p.start(['serve', '--once']);
  const done = finished(serve);
  await waitUntil(() => p.events().some((e) => e.kind === 'round_started' && e.round === 2), { timeoutMs: 20_000, what: 'round 2 to start' });
  const r = p.run(['rounds', 'restore', '1']);
  assert.equal(r.code, 1);
  assert.equal(
    r.stderr,
    'agent-runner: round 2 is open (running, or left by a supervisor that died): wait for it to end (agent-runner status), or stop serve first (agent-runner stop); nothing was changed\n',
  );
  assert.ok(!fs.existsSync(path.join(p.dir, 'w1.txt')));
  fs.writeFileSync(gate, '');
  assert.equal((await done).code, 0);
  fs.rmSync(path.dirname(gate), { recursive: true, force: true });
});

test('[vcs] keep_rounds = 2: a real serve prunes the refs of older rounds; the kept rounds\' work survives gc and is restored', async (t) => {
  const p = scratchProject(t, { command: ['bash', '-c', LEAVE_WORK], extraToml: '[vcs]\nkeep_rounds = 2\n' });
  const r = await finished(p.start(['serve', '--max-rounds', '4']));
  assert.equal(r.code, 0, r.stderr);
  const recs = p.rounds();
  assert.ok(recs.every((x) => x.stash_sha && x.refs?.length === 1), JSON.stringify(recs.map((x) => x.refs)));
  git(p.dir, 'stash', 'clear');
  git(p.dir, 'reflog', 'expire', '--expire=now', '--all');
  git(p.dir, 'gc', '-q', '--prune=now');

  const list = JSON.parse(p.run(['rounds', '--json']).stdout) as Array<{ n: number; refs: unknown[]; refs_gone: boolean }>;
  assert.deepEqual(list.map((x) => [x.n, x.refs.length, x.refs_gone]), [[1, 0, true], [2, 0, true], [3, 1, false], [4, 1, false]]);
  assert.match(p.run(['rounds']).stdout, /\n +1 .* gone \(pruned\)/);
  const gone = p.run(['rounds', 'restore', '1']);
  assert.equal(gone.code, 1);
  assert.equal(gone.stderr, "agent-runner: round 1's refs are gone (pruned beyond vcs.keep_rounds, or deleted): nothing to restore\n");
  assert.match(p.run(['rounds', 'show', '1']).stdout, /kept under: its refs are gone/);
  // the rounds beyond keep_rounds lost their work to the gc; the kept ones did not
  const has = (sha: string) => git(p.dir, 'cat-file', '-t', sha) === 'commit';
  assert.throws(() => has(recs[0]!.stash_sha!));
  assert.ok(has(recs[2]!.stash_sha!) && has(recs[3]!.stash_sha!));
  const back = p.run(['rounds', 'restore', '4']);
  assert.equal(back.code, 0, back.stderr);
  assert.equal(read(p.dir, 'w4.txt'), 'work of round 4\n');
});

test('rounds show --patch and restore run no diff command the agent planted in .git/config (textconv, diff.external)', (t) => {
  const mark = path.join(tmpDir('ar-planted-'), 'ran');
  t.after(() => fs.rmSync(path.dirname(mark), { recursive: true, force: true }));
  const plant = `git config diff.evil.textconv "touch ${mark}; cat"; git config diff.external "touch ${mark}; true"; echo "* diff=evil" > .gitattributes`;
  const p = scratchProject(t, { command: ['bash', '-c', `${LEAVE_WORK}; ${plant}`] });
  assert.equal(p.run(['round']).code, 0);
  const show = p.run(['rounds', 'show', '1', '--patch']);
  assert.equal(show.code, 0, show.stderr);
  assert.match(show.stdout, /\+edit 1\n/);
  git(p.dir, 'commit', '-q', '--allow-empty', '-m', 'move HEAD: restore compares the stash with it');
  assert.equal(p.run(['rounds', 'restore', '1']).code, 0);
  assert.ok(!fs.existsSync(mark), 'a planted diff command ran');
  git(p.dir, 'diff', 'HEAD');
  assert.ok(fs.existsSync(mark), 'the planted driver does run in a plain git diff');
});
