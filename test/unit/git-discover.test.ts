// factsFromFiles (src/round/git-discover.ts) against git itself, on real layouts: wherever it answers, it must
// answer what `rev-parse` answers (the work tree's lock is named by it), and in the plain layouts it must answer;
// wherever git could see it otherwise (a bare repository, inside a git dir, core.worktree, another owner, a
// steering variable, an unborn HEAD, a file system crossed) it must leave the question to git.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { factsFromFiles } from '../../src/round/git-discover.js';
import { headAndPaths } from '../../src/round/git-head.js';
import type { RepoFacts } from '../../src/round/git-head.js';
import { git, makeGitRepo, tmpDir } from '../helpers/env.js';

/** git's answer, with the common dir made absolute as every reader of it does; null where git finds no work tree */
async function gitsAnswer(dir: string): Promise<RepoFacts | null> {
  try {
    const f = await headAndPaths(dir);
    return { ...f, common: fs.realpathSync(path.resolve(dir, f.common)) };
  } catch {
    return null;
  }
}

/** `fast`: must the files answer (true), must they leave it to git (false), or either (undefined)? */
async function same(dir: string, o: { fast?: boolean; env?: NodeJS.ProcessEnv }): Promise<void> {
  const files = factsFromFiles(dir, o.env);
  const real = await gitsAnswer(dir);
  if (files) assert.deepEqual({ ...files, common: fs.realpathSync(files.common) }, real, `${dir}: the files say otherwise than git`);
  if (o.fast !== undefined) assert.equal(files !== null, o.fast, `${dir}: ${o.fast ? 'left to git, but it is a plain layout' : `answered from files: ${JSON.stringify(files)}`}`);
}

/** A repository whose .git/config has `text` in place of its `bare = false` line. */
function withConfig(text: string): string {
  const r = makeGitRepo();
  const config = path.join(r, '.git', 'config');
  fs.writeFileSync(config, fs.readFileSync(config, 'utf8').replace(/\tbare = false\n/, text));
  return r;
}

const g = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, stdio: 'pipe' });

test('plain layouts are read from the files, and agree with git', async () => {
  const repo = makeGitRepo();
  fs.mkdirSync(path.join(repo, 'a', 'b'), { recursive: true });
  await same(repo, { fast: true });
  await same(path.join(repo, 'a', 'b'), { fast: true });
  // reached through a symlink: git's top is the real path
  const link = path.join(tmpDir('ar-disc-'), 'link');
  fs.symlinkSync(repo, link);
  await same(path.join(link, 'a'), { fast: true });
  // packed refs, then a detached HEAD
  g(repo, 'pack-refs', '--all');
  await same(repo, { fast: true });
  g(repo, 'checkout', '-q', '--detach');
  await same(repo, { fast: true });
  g(repo, 'checkout', '-q', 'main');
  // a linked worktree (a gitfile and a commondir), from a subdirectory of it
  const wt = path.join(tmpDir('ar-disc-'), 'wt');
  g(repo, 'worktree', 'add', '-q', '-b', 'side', wt);
  fs.mkdirSync(path.join(wt, 'sub'));
  await same(path.join(wt, 'sub'), { fast: true });
  // a repository inside another one's work tree: the inner one
  fs.mkdirSync(path.join(repo, 'a', 'inner'));
  const inner = makeGitRepo(path.join(repo, 'a', 'inner'));
  await same(inner, { fast: true });
  // beside a submodule, the superproject is plain; the submodule's git dir names its work tree (core.worktree)
  g(repo, '-c', 'protocol.file.allow=always', 'submodule', 'add', '-q', makeGitRepo(), 'mod');
  await same(repo, { fast: true });
  await same(path.join(repo, 'mod'), { fast: false });
});

test('whatever git could see otherwise is left to git', async () => {
  const repo = makeGitRepo();
  // inside the git dir, and a bare repository
  await same(path.join(repo, '.git', 'refs'), { fast: false });
  // (inside a work tree: a search that passed the bare one would find the outer repository)
  const bare = path.join(repo, 'bare.git');
  g(repo, 'init', '-q', '--bare', bare);
  await same(bare, { fast: false });
  fs.mkdirSync(path.join(bare, 'x'));
  await same(path.join(bare, 'x'), { fast: false });
  // no repository at all
  await same(tmpDir('ar-disc-'), { fast: false });
  // steering variables
  await same(repo, { fast: false, env: { ...process.env, GIT_CEILING_DIRECTORIES: path.dirname(repo) } });
  await same(repo, { fast: false, env: { ...process.env, GIT_CONFIG_COUNT: '0' } });
  // an unborn HEAD
  const fresh = tmpDir('ar-disc-');
  g(fresh, 'init', '-q', '-b', 'main');
  await same(fresh, { fast: false });
  // a .git that is a symlink, and one that is not a repository
  const linked = tmpDir('ar-disc-');
  fs.symlinkSync(path.join(repo, '.git'), path.join(linked, '.git'));
  await same(linked, { fast: false });
  const stray = tmpDir('ar-disc-');
  fs.mkdirSync(path.join(stray, '.git'));
  await same(stray, { fast: false });
  // config that moves or changes the repository
  for (const [key, value] of [['core.worktree', repo], ['extensions.worktreeConfig', 'true'], ['include.path', '/dev/null']]) {
    const r = makeGitRepo();
    g(r, 'config', key, value);
    await same(r, { fast: false });
  }
  // config git reads otherwise than a plain repository's: bare with no value, or true in other spellings, or
  // continued on the next line; a work tree named with no value, or on a section's own line; a format git refuses
  for (const text of ['\tbare\n', '\tBare = TRUE\n', '\tbare = 2\n', '\tbare = "true"\n', '\tbare = tr\\\nue\n', '[core] bare = true\n', '\tworktree\n', '[core] worktree = /tmp\n', '\trepositoryformatversion = 2\n'])
    await same(withConfig(text), { fast: false });
  // a steering variable git.ts passes on
  await same(repo, { fast: false, env: { ...process.env, GIT_OBJECT_DIRECTORY: '/nonexistent' } });
  // on the way up, a directory git may take for a git dir: HEAD beside commondir, a dangling HEAD beside objects
  // and refs, objects that is a file
  for (const [i, make] of [
    (d: string) => (fs.writeFileSync(path.join(d, 'HEAD'), 'ref: refs/heads/main\n'), fs.writeFileSync(path.join(d, 'commondir'), '..\n')),
    (d: string) => (fs.mkdirSync(path.join(d, 'objects')), fs.mkdirSync(path.join(d, 'refs')), fs.symlinkSync('refs/heads/x', path.join(d, 'HEAD'))),
    (d: string) => (fs.writeFileSync(path.join(d, 'objects'), '', { mode: 0o755 }), fs.mkdirSync(path.join(d, 'refs')), fs.writeFileSync(path.join(d, 'HEAD'), 'ref: refs/heads/main\n')),
  ].entries()) {
    const d = path.join(repo, `gitlike-${i}`);
    fs.mkdirSync(d);
    make(d);
    await same(d, { fast: false });
  }
  // a HEAD naming a ref git would refuse
  const odd = makeGitRepo();
  fs.writeFileSync(path.join(odd, '.git', 'HEAD'), 'ref: refs/heads/../../ORIG_HEAD\n');
  fs.writeFileSync(path.join(odd, '.git', 'ORIG_HEAD'), `${git(odd, 'rev-parse', 'main')}\n`);
  await same(odd, { fast: false });
  // HEAD on a symbolic ref git would follow further
  const sym = makeGitRepo();
  g(sym, 'symbolic-ref', 'refs/heads/alias', 'refs/heads/main');
  g(sym, 'symbolic-ref', 'HEAD', 'refs/heads/alias');
  await same(sym, { fast: false });
});

test('gitfiles and commondirs are resolved as git resolves them, or left to git', async () => {
  // "gitdir: l/../r/.git" where l is a symlink: git follows l, then goes up from its target
  const base = tmpDir('ar-disc-');
  for (const d of ['w/r', 'other/sub', 'other/r']) fs.mkdirSync(path.join(base, d), { recursive: true });
  makeGitRepo(path.join(base, 'w', 'r'));
  makeGitRepo(path.join(base, 'other', 'r'));
  fs.symlinkSync(path.join(base, 'other', 'sub'), path.join(base, 'w', 'l'));
  fs.writeFileSync(path.join(base, 'w', '.git'), 'gitdir: l/../r/.git\n');
  await same(path.join(base, 'w'), {});
  // spaces at the end of a gitfile or a commondir: git and we could read them otherwise
  const repo = makeGitRepo();
  const wt = path.join(tmpDir('ar-disc-'), 'wt');
  g(repo, 'worktree', 'add', '-q', '-b', 'side', wt);
  const commondir = path.join(repo, '.git', 'worktrees', 'wt', 'commondir');
  fs.writeFileSync(commondir, '../.. \n');
  await same(wt, { fast: false });
  fs.writeFileSync(commondir, '../..\n');
  await same(wt, { fast: true });
  const gitfile = path.join(wt, '.git');
  fs.writeFileSync(gitfile, `${fs.readFileSync(gitfile, 'utf8').trim()}  \n`);
  await same(wt, { fast: false });
});

test('a repository owned by another user is left to git (its safe.directory check)', async () => {
  assert.equal(process.geteuid?.(), 0, 'this test changes owners: run it as root, as CI does');
  const repo = makeGitRepo();
  fs.chownSync(repo, 65534, 65534);
  await same(repo, { fast: false });
  fs.chownSync(repo, 0, 0);
  fs.chownSync(path.join(repo, '.git'), 65534, 65534);
  await same(repo, { fast: false });
  fs.chownSync(path.join(repo, '.git'), 0, 0);
  await same(repo, { fast: true });
  await same(repo, { fast: false, env: { ...process.env, SUDO_UID: '1000' } });
});

test('a search that would cross a file system is left to git', async () => {
  // a tmpfs mounted inside a work tree: git stops at the mount point and finds no repository
  const repo = makeGitRepo();
  const mnt = path.join(repo, 'mnt');
  fs.mkdirSync(mnt);
  execFileSync('mount', ['-t', 'tmpfs', 'tmpfs', mnt]);
  try {
    assert.equal(git(repo, 'rev-parse', 'HEAD').length, 40);
    await same(mnt, { fast: false });
  } finally {
    execFileSync('umount', [mnt]);
  }
});
