// A repository's stash list is skipped (peek, aftercare's look for a retried stash) only where it would be
// empty (src/round/stash-log.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { git, makeGitRepo, tmpDir } from '../helpers/env.js';
import { probeGit } from '../../src/snapshot/git-probe.js';
import { gitDirOf, mayHaveStashes } from '../../src/round/stash-log.js';

test('mayHaveStashes: false only where the stash list is empty, in a linked worktree too', async () => {
  const dir = makeGitRepo();
  assert.equal(mayHaveStashes(gitDirOf(dir)), false);
  assert.deepEqual((await probeGit(dir, [])).stashes, []);

  const wt = path.join(tmpDir('ar-wt-'), 'wt');
  git(dir, 'worktree', 'add', '-q', wt);
  assert.match(gitDirOf(wt), /worktrees/);
  assert.equal(mayHaveStashes(gitDirOf(wt)), false);

  fs.writeFileSync(path.join(dir, 'README.md'), 'dirty\n');
  git(dir, 'stash', 'push', '-q', '-m', 'one');
  const sha = git(dir, 'rev-parse', 'refs/stash');
  assert.equal(mayHaveStashes(gitDirOf(dir)), true);
  // a worktree shares the main repository's stash
  assert.equal(mayHaveStashes(gitDirOf(wt)), true);
  assert.deepEqual((await probeGit(wt, [])).stashes, [sha]);
  // not a repository: unsure, so git is asked (and fails)
  assert.equal(mayHaveStashes(tmpDir('ar-nogit-')), true);
});
