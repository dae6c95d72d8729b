// One rev-parse per round for HEAD, the paths and the common dir (src/round/git-head.ts): the work tree's lock
// and the preflight share it, and the preflight trusts it only while HEAD, read from the git dir's files, still
// names the same commit; the early ls-files -u only while the index is older than it (repo-probe.ts). Real
// repositories: loose refs, packed refs, a detached HEAD, a linked worktree, a conflicted index.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { headAndPaths, headFromFiles, headStill } from '../../src/round/git-head.js';
import { measureProgress } from '../../src/round/progress.js';
import { gitState } from '../../src/round/git-status.js';
import { probeRepo } from '../../src/round/repo-probe.js';
import { git, makeGitRepo, tmpDir } from '../helpers/env.js';

function commit(dir: string, file: string): string {
  fs.writeFileSync(path.join(dir, file), `${file}\n`);
  git(dir, 'add', file);
  git(dir, 'commit', '-q', '-m', file);
  return git(dir, 'rev-parse', 'HEAD');
}

test('headAndPaths: HEAD, top, git dir and common dir in one answer; no HEAD before the first commit', async (t) => {
  const dir = makeGitRepo();
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  fs.mkdirSync(path.join(dir, 'sub'));
  const f = await headAndPaths(path.join(dir, 'sub'));
  assert.equal(f.head, git(dir, 'rev-parse', 'HEAD'));
  assert.equal(f.paths.top, fs.realpathSync(dir));
  assert.equal(path.resolve(dir, 'sub', f.common), path.join(fs.realpathSync(dir), '.git'));

  const empty = tmpDir('ar-empty-repo-');
  t.after(() => fs.rmSync(empty, { recursive: true, force: true }));
  git(empty, 'init', '-q');
  const e = await headAndPaths(empty);
  assert.equal(e.head, null);
  assert.equal(e.paths.gitDir, path.join(fs.realpathSync(empty), '.git'));
  assert.equal(e.common, '.git');
});

test('headFromFiles: a loose ref, a packed ref, a detached HEAD; null for a symbolic ref it cannot follow', async (t) => {
  const dir = makeGitRepo();
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const gitDir = path.join(dir, '.git');
  const first = git(dir, 'rev-parse', 'HEAD');
  assert.equal(headFromFiles(gitDir, gitDir), first);
  git(dir, 'pack-refs', '--all');
  assert.equal(fs.existsSync(path.join(gitDir, 'refs', 'heads', 'main')), false, 'the ref is only in packed-refs now');
  assert.equal(headFromFiles(gitDir, gitDir), first);
  const second = commit(dir, 'a.txt'); // a loose ref again, newer than the packed one
  assert.equal(headFromFiles(gitDir, gitDir), second);
  git(dir, 'checkout', '-q', '--detach', first);
  assert.equal(headFromFiles(gitDir, gitDir), first);
  git(dir, 'checkout', '-q', 'main');
  git(dir, 'symbolic-ref', 'refs/heads/alias', 'refs/heads/main');
  git(dir, 'symbolic-ref', 'HEAD', 'refs/heads/alias');
  assert.equal(headFromFiles(gitDir, gitDir), null, 'a ref that names another ref: unsure, git is asked');
  git(dir, 'symbolic-ref', 'HEAD', 'refs/heads/nothing-yet');
  assert.equal(headFromFiles(gitDir, gitDir), null, 'an unborn branch');
  // a FIFO where the branch's ref should be (an agent's doing): never opened for a blocking read, git is asked
  git(dir, 'symbolic-ref', 'HEAD', 'refs/heads/main');
  const ref = path.join(gitDir, 'refs', 'heads', 'main');
  fs.rmSync(ref);
  execFileSync('mkfifo', [ref]);
  assert.equal(headFromFiles(gitDir, gitDir), null, 'a FIFO ref');
});

test('headStill: the earlier answer while HEAD has not moved, a fresh one after a commit, in a linked worktree too', async (t) => {
  const main = makeGitRepo();
  const wt = path.join(tmpDir('ar-wt-'), 'second');
  t.after(() => {
    fs.rmSync(main, { recursive: true, force: true });
    fs.rmSync(path.dirname(wt), { recursive: true, force: true });
  });
  git(main, 'worktree', 'add', '-q', '-b', 'second', wt);
  for (const dir of [main, wt]) {
    const known = headAndPaths(dir);
    const same = await headStill(known, dir);
    assert.equal(same, await known, 'HEAD unmoved: the same answer, no second rev-parse');
    const moved = commit(dir, `${path.basename(dir)}.txt`);
    const fresh = await headStill(known, dir);
    assert.notEqual(fresh, await known);
    assert.equal(fresh.head, moved, 'HEAD moved after the rev-parse: asked again');
  }
  // a failed rev-parse is asked again, so the error is git's own
  const notRepo = tmpDir('ar-not-repo-');
  t.after(() => fs.rmSync(notRepo, { recursive: true, force: true }));
  const failed = headAndPaths(notRepo);
  failed.catch(() => {});
  await assert.rejects(headStill(failed, notRepo), /not a git repository/i);
});

test('measureProgress: no diff for a tree left as found (HEAD unmoved, only untracked entries); a diff otherwise', async (t) => {
  const dir = makeGitRepo();
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const head = git(dir, 'rev-parse', 'HEAD');
  fs.writeFileSync(path.join(dir, 'new.txt'), 'one\ntwo\n');
  const untracked = [{ kind: 'untracked' as const, xy: '??', path: 'new.txt' }];
  // a work dir git cannot run in: any git process would fail the call, so a result proves none ran
  const gone = path.join(tmpDir('ar-gone-'), 'nowhere');
  const base = { workDir: gone, top: dir, headBefore: head, pathspec: [':/'] };
  assert.deepEqual(await measureProgress({ ...base, headAfter: head, dirty: untracked }), { files: 1, added: 2, removed: 0, changed: true });
  assert.deepEqual(await measureProgress({ ...base, headAfter: head, dirty: [] }), { files: 0, added: 0, removed: 0, changed: false });
  // a tracked file dirty, HEAD moved, or HEAD unknown: git is asked (and fails here)
  await assert.rejects(measureProgress({ ...base, headAfter: head, dirty: [{ kind: 'changed', xy: '.M', path: 'README.md' }] }));
  await assert.rejects(measureProgress({ ...base, headAfter: '0'.repeat(40), dirty: [] }));
  await assert.rejects(measureProgress({ ...base, dirty: [] }));
  // and where git runs, a changed tracked file is counted
  fs.appendFileSync(path.join(dir, 'README.md'), 'more\n');
  const p = await measureProgress({ ...base, workDir: dir, headAfter: head, dirty: [{ kind: 'changed', xy: '.M', path: 'README.md' }, ...untracked] });
  assert.deepEqual(p, { files: 2, added: 3, removed: 0, changed: true });
});

test("gitState with an early probe: its ls-files counts only while the index is older than the probe; a newer index is read again", async (t) => {
  const dir = makeGitRepo();
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const index = path.join(dir, '.git', 'index');
  const past = new Date(Date.now() - 3_600_000);
  fs.utimesSync(index, past, past);
  /** three stages of c.txt in the index: a conflict, as a `stash pop` that conflicted leaves it (no marker file) */
  const conflict = () => {
    const blob = git(dir, 'hash-object', '-w', 'README.md');
    const info = [1, 2, 3].map((stage) => `100644 ${blob} ${stage}\tc.txt\n`).join('');
    execFileSync('git', ['update-index', '--index-info'], { cwd: dir, input: info });
  };

  // the index written after the probe started: the early answer (no conflict) is not taken
  let probe = probeRepo(dir);
  await probe.unmerged;
  conflict();
  assert.deepEqual((await gitState(dir, probe)).unmerged, ['c.txt']);

  // an index older than the probe is the one its ls-files read: taken as it is, with no git process. Shown by
  // an index changed behind the probe's back with its old time put back: the early answer is what comes out
  git(dir, 'reset', '-q');
  fs.utimesSync(index, past, past);
  probe = probeRepo(dir);
  assert.equal(await probe.unmerged, '');
  conflict();
  fs.utimesSync(index, past, past);
  assert.deepEqual((await gitState(dir, probe)).unmerged, []);
  assert.deepEqual((await gitState(dir)).unmerged, ['c.txt'], 'without the probe the index is read');
  assert.equal((await gitState(dir, probe)).head, git(dir, 'rev-parse', 'HEAD'));
});
