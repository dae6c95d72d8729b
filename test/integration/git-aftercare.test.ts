// Git aftercare against real repositories: stash/commit/ignore, exclusions, idempotency, odd repo states.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { makeGitRepo, git, tmpDir } from '../helpers/env.js';
import { aftercare, planAftercare, type AftercareInput } from '../../src/round/aftercare.js';
import { headSha, isWorkTree } from '../../src/round/git-head.js';
import { countStatusV2, parseStatusV2, repoState } from '../../src/round/git-status.js';
import { commitsBetween } from '../../src/round/git-commit.js';
import { stashShas } from '../../src/round/git-stash.js';
import { stashOrphanWork } from '../../src/round/aftercare-stash.js';

/** A repo with a committed agent-runner.toml and a state dir inside the work tree (untracked, not ignored). */
function project(): { dir: string; config: string; stateDir: string } {
  const dir = makeGitRepo();
  const config = path.join(dir, 'agent-runner.toml');
  fs.writeFileSync(config, 'agent.command = ["claude"]\n');
  git(dir, 'add', 'agent-runner.toml');
  git(dir, 'commit', '-q', '-m', 'config');
  const stateDir = path.join(dir, '.agent-runner');
  fs.mkdirSync(stateDir);
  fs.writeFileSync(path.join(stateDir, 'rounds.jsonl'), '{"n":1}\n');
  return { dir, config, stateDir };
}

function input(dir: string, over: Partial<AftercareInput> & { exclude: string[] }): AftercareInput {
  return {
    workDir: dir,
    round: 1,
    action: 'stash',
    cleanExit: true,
    headBefore: git(dir, 'rev-parse', 'HEAD'),
    stateId: () => 'a1b2c3d4e5f6',
    headLogFrom: null,
    ...over,
  };
}

/** the orphan work of a typical round: a tracked edit, a new file, and the user's own config edit */
function makeOrphanWork(dir: string, config: string): void {
  fs.appendFileSync(path.join(dir, 'README.md'), 'agent edit\n');
  fs.writeFileSync(path.join(dir, 'new file.txt'), 'agent new file\n');
  fs.appendFileSync(config, '# user edit\n');
}

const stashList = (dir: string): string[] => git(dir, 'stash', 'list', '--format=%H').split('\n').filter(Boolean);
const read = (f: string): string => fs.readFileSync(f, 'utf8');

test('stash: orphan work stashed by SHA, untracked included, config and state dir left alone', async () => {
  const { dir, config, stateDir } = project();
  const outside = tmpDir('ar-state-outside-');
  makeOrphanWork(dir, config);
  const r = await aftercare(input(dir, { round: 3, exclude: [config, stateDir, outside] }));

  assert.ok(r.stashSha, `no stash: ${r.note}`);
  assert.equal(r.dirtyFiles, 2, 'README.md + the new file; config and state dir do not count');
  assert.equal(r.headAfter, git(dir, 'rev-parse', 'HEAD'));
  assert.deepEqual(r.commits, []);
  assert.equal(r.committedSha, null);
  assert.deepEqual(stashList(dir), [r.stashSha]);
  assert.match(git(dir, 'log', '-g', '--format=%gs', 'refs/stash'), /: agent-runner round 3 [0-9a-f]+$/);

  // what the stash holds: the tracked edit, and the untracked file in its third parent
  const trackedDiff = git(dir, 'diff', `${r.stashSha}^1`, r.stashSha);
  assert.deepEqual(git(dir, 'diff', '--name-only', `${r.stashSha}^1`, r.stashSha).split('\n'), ['README.md']);
  assert.match(trackedDiff, /\+agent edit/);
  assert.deepEqual(git(dir, 'ls-tree', '-r', '--name-only', `${r.stashSha}^3`).split('\n'), ['new file.txt']);

  // the work tree: orphan work gone, the user's config edit and the state dir still there
  assert.equal(read(path.join(dir, 'README.md')), '# scratch\n');
  assert.equal(fs.existsSync(path.join(dir, 'new file.txt')), false);
  assert.match(read(config), /# user edit/);
  assert.equal(read(path.join(stateDir, 'rounds.jsonl')), '{"n":1}\n');

  // another tool pushes a stash: our SHA still names our work, now at stash@{1}
  fs.appendFileSync(path.join(dir, 'README.md'), 'other tool\n');
  git(dir, 'stash', 'push', '-q', '-m', 'another tool');
  assert.equal(git(dir, 'rev-parse', 'stash@{1}'), r.stashSha);
  assert.equal(git(dir, 'diff', `${r.stashSha}^1`, r.stashSha), trackedDiff);
  assert.deepEqual(await stashShas(dir), [git(dir, 'rev-parse', 'stash@{0}'), r.stashSha]);
});

test('stash: a resumed aftercare finds the round\'s stash by its private ref (SHA), never by a message', async () => {
  const { dir, config, stateDir } = project();
  // someone else's stash whose message looks like round 7's (another worktree, a state dir made afresh)
  fs.writeFileSync(path.join(dir, 'theirs.txt'), 'theirs\n');
  git(dir, 'stash', 'push', '-q', '--include-untracked', '-m', 'agent-runner round 7 deadbeef');
  const theirs = git(dir, 'rev-parse', 'stash@{0}');
  makeOrphanWork(dir, config);
  const i = input(dir, { round: 7, exclude: [config, stateDir] });
  const first = await aftercare(i);
  assert.ok(first.stashSha && first.stashSha !== theirs, `${first.stashSha} ${first.note}`);
  assert.equal(git(dir, 'show', `${first.stashSha}^3:new file.txt`), 'agent new file');
  const ref = 'refs/agent-runner/a1b2c3d4e5f6/rounds/7/stash';
  assert.deepEqual(first.refs, [ref]);
  assert.equal(git(dir, 'rev-parse', ref), first.stashSha);
  // the resumed job (after a crash) finds it by the ref and stashes nothing twice, even with new files about
  fs.writeFileSync(path.join(dir, 'late.txt'), 'x\n');
  const again = await stashOrphanWork({ dir, top: dir, gitDir: path.join(dir, '.git'), head: git(dir, 'rev-parse', 'HEAD'), branch: 'main', round: 7, pathspec: [':/'], dirty: 1, untracked: true, ref, resume: true });
  assert.equal(again.sha, first.stashSha);
  assert.deepEqual(stashList(dir), [first.stashSha, theirs]);
  assert.ok(fs.existsSync(path.join(dir, 'late.txt')), 'a file the stash does not hold stays');
});

test('stash: only excluded files dirty means nothing is stashed', async () => {
  const { dir, config, stateDir } = project();
  fs.appendFileSync(config, '# user edit\n');
  fs.writeFileSync(path.join(stateDir, 'events.jsonl'), '{}\n');
  const r = await aftercare(input(dir, { exclude: [config, stateDir] }));
  assert.equal(r.stashSha, null);
  assert.equal(r.dirtyFiles, 0);
  assert.equal(r.note, null);
  assert.deepEqual(stashList(dir), []);
  assert.match(read(config), /# user edit/);

  // a state dir that is the work tree itself (or holds it) shields all of it
  fs.writeFileSync(path.join(dir, 'agent.txt'), 'a\n');
  for (const shield of [dir, path.dirname(dir)]) {
    const s = await aftercare(input(dir, { exclude: [shield] }));
    assert.deepEqual([s.stashSha, s.dirtyFiles], [null, 0], shield);
  }
  assert.deepEqual(stashList(dir), []);
});

test('commit: orphan work committed without the config edit, SHA listed in commits', async () => {
  const { dir, config, stateDir } = project();
  const before = git(dir, 'rev-parse', 'HEAD');
  makeOrphanWork(dir, config);
  git(dir, 'add', 'agent-runner.toml'); // even a staged edit of the config stays the user's
  fs.rmSync(path.join(dir, 'README.md')); // a deletion is orphan work too
  const r = await aftercare(input(dir, { action: 'commit', exclude: [config, stateDir] }));

  assert.ok(r.committedSha, `no commit: ${r.note}`);
  assert.equal(git(dir, 'rev-parse', 'HEAD'), r.committedSha);
  assert.deepEqual(r.commits, [r.committedSha]);
  assert.equal(r.headAfter, r.committedSha);
  assert.equal(git(dir, 'rev-parse', `${r.committedSha}^`), before);
  assert.equal(git(dir, 'log', '-1', '--format=%s'), 'agent-runner: round 1 orphan work');
  assert.equal(git(dir, 'log', '-1', '--format=%an'), 'test', 'the configured identity is used');
  const changed = git(dir, 'show', '--name-status', '--format=', r.committedSha).split('\n').sort();
  assert.deepEqual(changed, ['A\tnew file.txt', 'D\tREADME.md']);
  // the config edit is still pending (and still staged), the state dir untracked and in place
  assert.match(git(dir, 'status', '--porcelain'), /^M  agent-runner\.toml$/m);
  assert.ok(fs.existsSync(path.join(stateDir, 'rounds.jsonl')));
  assert.equal(git(dir, 'ls-files', '.agent-runner'), '');
});

test('commit: hooks skipped, and the agent-runner identity only when git has none', async () => {
  const { dir, config, stateDir } = project();
  git(dir, 'config', '--unset', 'user.name');
  git(dir, 'config', '--unset', 'user.email');
  git(dir, 'config', 'user.useConfigOnly', 'true'); // no guessing from the host name
  const hook = path.join(dir, '.git', 'hooks', 'pre-commit');
  fs.writeFileSync(hook, '#!/bin/sh\nexit 1\n', { mode: 0o755 });
  fs.writeFileSync(path.join(dir, 'work.txt'), 'w\n');
  const saved = { g: process.env.GIT_CONFIG_GLOBAL, s: process.env.GIT_CONFIG_NOSYSTEM };
  const ident = ['GIT_AUTHOR_NAME', 'GIT_AUTHOR_EMAIL', 'GIT_COMMITTER_NAME', 'GIT_COMMITTER_EMAIL', 'EMAIL'];
  const savedIdent = ident.map((k) => process.env[k]);
  process.env.GIT_CONFIG_GLOBAL = '/dev/null';
  process.env.GIT_CONFIG_NOSYSTEM = '1';
  for (const k of ident) delete process.env[k];
  try {
    const r = await aftercare(input(dir, { action: 'commit', exclude: [config, stateDir] }));
    assert.ok(r.committedSha, `no commit: ${r.note}`);
    assert.equal(git(dir, 'log', '-1', '--format=%an <%ae>'), 'agent-runner <agent-runner@localhost>');
  } finally {
    restore('GIT_CONFIG_GLOBAL', saved.g);
    restore('GIT_CONFIG_NOSYSTEM', saved.s);
    ident.forEach((k, n) => restore(k, savedIdent[n]));
  }
});

function restore(k: string, v: string | undefined): void {
  if (v === undefined) delete process.env[k];
  else process.env[k] = v;
}

test('ignore: a dirty tree is left and counted', async () => {
  const { dir, config, stateDir } = project();
  makeOrphanWork(dir, config);
  const r = await aftercare(input(dir, { action: 'ignore', exclude: [config, stateDir] }));
  assert.equal(r.stashSha, null);
  assert.equal(r.committedSha, null);
  assert.equal(r.dirtyFiles, 2);
  assert.match(r.note ?? '', /dirty tree left/);
  assert.deepEqual(stashList(dir), []);
  assert.ok(fs.existsSync(path.join(dir, 'new file.txt')));
  assert.match(read(path.join(dir, 'README.md')), /agent edit/);
});

test('failure: a dirty tree after a failed round is left as it is, whatever the action', async () => {
  for (const action of ['stash', 'commit'] as const) {
    const { dir, config, stateDir } = project();
    const before = git(dir, 'rev-parse', 'HEAD');
    makeOrphanWork(dir, config);
    const r = await aftercare(input(dir, { action, cleanExit: false, exclude: [config, stateDir] }));
    assert.equal(r.stashSha, null, action);
    assert.equal(r.committedSha, null, action);
    assert.equal(r.dirtyFiles, 2, action);
    assert.match(r.note ?? '', /dirty tree left after a failure \(2 dirty files\)/);
    assert.deepEqual(stashList(dir), [], action);
    assert.equal(git(dir, 'rev-parse', 'HEAD'), before, action);
    assert.ok(fs.existsSync(path.join(dir, 'new file.txt')), action);
  }
});

test('commits made by the agent are listed oldest first', async () => {
  const { dir, config, stateDir } = project();
  const before = git(dir, 'rev-parse', 'HEAD');
  const made: string[] = [];
  for (const n of [1, 2, 3]) {
    fs.writeFileSync(path.join(dir, `f${n}.txt`), `${n}\n`);
    git(dir, 'add', `f${n}.txt`);
    git(dir, 'commit', '-q', '-m', `agent commit ${n}`);
    made.push(git(dir, 'rev-parse', 'HEAD'));
  }
  const r = await aftercare(input(dir, { headBefore: before, exclude: [config, stateDir] }));
  assert.deepEqual(r.commits, made);
  assert.equal(r.headAfter, made[2]);
  assert.equal(r.stashSha, null);
  assert.equal(r.dirtyFiles, 0);
  assert.deepEqual(await commitsBetween(dir, made[2], made[2]), []);
  assert.deepEqual(await commitsBetween(dir, null, null), []);
  assert.equal((await commitsBetween(dir, null, made[2])).length, 5, 'from an empty repo: all of history');
});

/** main and `side` both change README.md; returns the repo on main */
function divergedRepo(): { dir: string; config: string; stateDir: string } {
  const p = project();
  git(p.dir, 'checkout', '-q', '-b', 'side');
  fs.writeFileSync(path.join(p.dir, 'README.md'), 'side\n');
  git(p.dir, 'commit', '-q', '-am', 'side');
  git(p.dir, 'checkout', '-q', 'main');
  fs.writeFileSync(path.join(p.dir, 'README.md'), 'main\n');
  git(p.dir, 'commit', '-q', '-am', 'main');
  return p;
}

function gitFails(dir: string, ...args: string[]): void {
  assert.throws(() => execFileSync('git', args, { cwd: dir, stdio: 'pipe' }));
}

test('merge in progress (with conflicts, and without): nothing stashed or committed, note says so', async () => {
  const { dir, config, stateDir } = divergedRepo();
  gitFails(dir, 'merge', 'side');
  fs.writeFileSync(path.join(dir, 'agent.txt'), 'a\n');
  const st = await repoState(dir, { exclude: [config, stateDir] });
  assert.equal(st.inProgress, 'merge');
  assert.equal(st.conflicts, 1);
  for (const action of ['stash', 'commit'] as const) {
    const r = await aftercare(input(dir, { action, exclude: [config, stateDir] }));
    assert.equal(r.stashSha, null);
    assert.equal(r.committedSha, null);
    assert.equal(r.dirtyFiles, 2, 'the conflicted file and the new one');
    assert.match(r.note ?? '', /^merge in progress/);
  }
  assert.deepEqual(stashList(dir), []);
  assert.ok(fs.existsSync(path.join(dir, '.git', 'MERGE_HEAD')));

  // a clean merge stopped before its commit: no conflicts, still a merge in progress
  const q = project();
  git(q.dir, 'checkout', '-q', '-b', 'side');
  fs.writeFileSync(path.join(q.dir, 'side.txt'), 's\n');
  git(q.dir, 'add', 'side.txt');
  git(q.dir, 'commit', '-q', '-m', 'side');
  git(q.dir, 'checkout', '-q', 'main');
  git(q.dir, 'merge', '-q', '--no-ff', '--no-commit', 'side');
  const r = await aftercare(input(q.dir, { exclude: [q.config, q.stateDir] }));
  assert.equal(r.stashSha, null);
  assert.match(r.note ?? '', /^merge in progress/);
  assert.deepEqual(stashList(q.dir), []);
});

test('rebase in progress: nothing stashed, note says so', async () => {
  const { dir, config, stateDir } = divergedRepo();
  git(dir, 'checkout', '-q', 'side');
  gitFails(dir, 'rebase', 'main');
  fs.writeFileSync(path.join(dir, 'agent.txt'), 'a\n');
  const r = await aftercare(input(dir, { exclude: [config, stateDir] }));
  assert.equal(r.stashSha, null);
  assert.match(r.note ?? '', /^rebase in progress/);
  assert.deepEqual(stashList(dir), []);
  assert.ok(fs.existsSync(path.join(dir, 'agent.txt')));
  const st = await repoState(dir);
  assert.equal(st.inProgress, 'rebase');
  assert.equal(st.detached, true, 'a rebase runs on a detached HEAD');
});

test('detached HEAD: state reported, stash works', async () => {
  const { dir, config, stateDir } = project();
  const head = git(dir, 'rev-parse', 'HEAD');
  git(dir, 'checkout', '-q', '--detach');
  makeOrphanWork(dir, config);
  const st = await repoState(dir, { exclude: [config, stateDir] });
  assert.deepEqual(
    { head: st.head, branch: st.branch, detached: st.detached, inProgress: st.inProgress, dirty: st.dirty.length },
    { head, branch: null, detached: true, inProgress: null, dirty: 2 },
  );
  const r = await aftercare(input(dir, { exclude: [config, stateDir] }));
  assert.ok(r.stashSha, `no stash: ${r.note}`);
  assert.deepEqual(stashList(dir), [r.stashSha]);
  assert.equal(r.headAfter, head);
});

test('empty repo: nothing crashes; stash impossible (noted), commit makes the first commit', async () => {
  const dir = tmpDir('ar-empty-');
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'config', 'user.email', 'test@example.invalid');
  git(dir, 'config', 'user.name', 'test');
  assert.equal(await headSha(dir), null);
  assert.equal(await isWorkTree(dir), true);
  const config = path.join(dir, 'agent-runner.toml');
  fs.writeFileSync(config, 'x = 1\n');
  fs.writeFileSync(path.join(dir, 'work.txt'), 'w\n');

  const st = await repoState(dir, { exclude: [config] });
  assert.deepEqual({ head: st.head, branch: st.branch, detached: st.detached }, { head: null, branch: 'main', detached: false });

  const base = { workDir: dir, round: 1, cleanExit: true, headBefore: null, exclude: [config], stateId: () => 'a1b2c3d4e5f6', headLogFrom: null };
  const s = await aftercare({ ...base, action: 'stash' });
  assert.deepEqual({ head: s.headAfter, commits: s.commits, stash: s.stashSha, dirty: s.dirtyFiles }, {
    head: null,
    commits: [],
    stash: null,
    dirty: 1,
  });
  assert.match(s.note ?? '', /cannot stash without a first commit/);
  assert.ok(fs.existsSync(path.join(dir, 'work.txt')));

  const c = await aftercare({ ...base, action: 'commit' });
  assert.ok(c.committedSha, `no commit: ${c.note}`);
  assert.deepEqual(c.commits, [c.committedSha]);
  assert.equal(git(dir, 'ls-tree', '-r', '--name-only', 'HEAD'), 'work.txt');
});

test('not a git work tree: aftercare reports it instead of throwing', async () => {
  const dir = tmpDir('ar-nogit-');
  assert.equal(await isWorkTree(dir), false);
  assert.equal(await isWorkTree(path.join(dir, 'missing')), false);
  const r = await aftercare({ workDir: dir, round: 1, action: 'stash', cleanExit: true, headBefore: null, exclude: [], stateId: () => 'a1b2c3d4e5f6', headLogFrom: null });
  assert.equal(r.stashSha, null);
  assert.match(r.note ?? '', /^git state unreadable/);
});

test('parseStatusV2: paths with spaces, renames, conflicts, untracked dirs', () => {
  const out = [
    '# branch.oid 1111111111111111111111111111111111111111',
    '# branch.head feature/x',
    '1 .M N... 100644 100644 100644 aaaa aaaa dir/a file.txt',
    '2 R. N... 100644 100644 100644 bbbb bbbb R100 new name.txt',
    'old name.txt',
    'u UU N... 100644 100644 100644 100644 c1 c2 c3 conflict.txt',
    '? some dir/',
    '',
  ].join('\0');
  assert.deepEqual(parseStatusV2(out), {
    head: '1111111111111111111111111111111111111111',
    branch: 'feature/x',
    detached: false,
    conflicts: 1,
    dirty: [
      { kind: 'changed', xy: '.M', path: 'dir/a file.txt' },
      { kind: 'renamed', xy: 'R.', path: 'new name.txt', origPath: 'old name.txt' },
      { kind: 'unmerged', xy: 'UU', path: 'conflict.txt' },
      { kind: 'untracked', xy: '??', path: 'some dir/' },
    ],
  });
});

test("countStatusV2 (peek's count) says what parseStatusV2 says: a rename's original path is never counted", () => {
  const same = (out: string, what: string) => {
    const p = parseStatusV2(out);
    assert.deepEqual(countStatusV2(out), { head: p.head, branch: p.branch, dirty: p.dirty.length }, what);
  };
  // original paths that look like records of their own
  for (const orig of ['1 .M N... x', '? y', '# branch.head z', '2 R. q', 'u UU w', 'plain'])
    same(['# branch.oid 1111111111111111111111111111111111111111', '# branch.head main', '2 R. N... 100644 100644 100644 b b R100 new', orig, '? u', ''].join('\0'), orig);
  same(['# branch.oid (initial)', '# branch.head (detached)', ''].join('\0'), 'initial, detached');
  same('', 'nothing');
  // git's own output: renames (one of a file named like a record), a conflict-free change, untracked, spaces
  const dir = makeGitRepo();
  for (const f of ['1 .M odd', 'a b.txt', 'c.txt']) fs.writeFileSync(path.join(dir, f), `${f}\n`.repeat(20));
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'files');
  git(dir, 'mv', '1 .M odd', 'renamed');
  git(dir, 'mv', 'c.txt', '? c');
  fs.appendFileSync(path.join(dir, 'a b.txt'), 'more\n');
  fs.writeFileSync(path.join(dir, 'new file'), 'x\n');
  const out = execFileSync('git', ['status', '--porcelain=v2', '--branch', '-z', '--untracked-files=normal'], { cwd: dir, encoding: 'utf8' });
  assert.match(out, /\x002 R/, 'git reported the renames');
  same(out, 'git status');
  assert.equal(countStatusV2(out)?.dirty, 4);
});

test('planAftercare: the policy table', () => {
  const base = { action: 'stash', cleanExit: true, head: 'h', dirty: 2, inProgress: null, conflicts: 0 } as const;
  const rows: Array<[Partial<Parameters<typeof planAftercare>[0]>, string, RegExp | null]> = [
    [{}, 'stash', null],
    [{ dirty: 0 }, 'stash', null], // a retry still looks for its stash
    [{ action: 'commit' }, 'commit', null],
    [{ action: 'commit', dirty: 0 }, 'leave', null],
    [{ action: 'ignore' }, 'leave', /dirty tree left/],
    [{ cleanExit: false }, 'leave', /after a failure/],
    [{ cleanExit: false, dirty: 0 }, 'leave', null],
    [{ inProgress: 'cherry-pick' }, 'leave', /^cherry-pick in progress/],
    [{ conflicts: 1, action: 'commit' }, 'leave', /1 conflicted file:/],
    [{ head: null }, 'leave', /first commit/],
    [{ head: null, action: 'commit' }, 'commit', null],
  ];
  for (const [over, act, note] of rows) {
    const p = planAftercare({ ...base, ...over });
    assert.equal(p.act, act, JSON.stringify(over));
    if (note) assert.match(p.note ?? '', note, JSON.stringify(over));
    else assert.equal(p.note, null, JSON.stringify(over));
  }
});
