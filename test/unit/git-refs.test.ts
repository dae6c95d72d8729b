// The private round refs' retention ([vcs] keep_rounds, src/round/git-refs.ts), in a real repository: the refs
// of rounds beyond keep_rounds go at the prune points, those of kept rounds stay, and the work they hold stays
// reachable through a `git gc --prune=now` that drops everything else.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { spawnSync } from 'node:child_process';
import { listRoundRefs, protect, pruneEvery, pruneRoundRefs, roundRef } from '../../src/round/git-refs.js';
import { git, makeGitRepo } from '../helpers/env.js';

const ID = '0123456789ab';

/** a commit of its own (on no branch) for each round 1..n, kept under that round's `lost-1` ref */
async function roundsWithRefs(dir: string, n: number): Promise<string[]> {
  const shas: string[] = [];
  for (let k = 1; k <= n; k++) {
    const tree = git(dir, 'rev-parse', 'HEAD^{tree}');
    shas.push(git(dir, 'commit-tree', tree, '-m', `round ${k}`));
  }
  await protect(dir, shas.map((sha, k) => [roundRef(ID, k + 1, 'lost-1'), sha]));
  return shas;
}

const exists = (dir: string, sha: string) => spawnSync('git', ['cat-file', '-e', `${sha}^{commit}`], { cwd: dir }).status === 0;

test('pruneEvery: every 50 rounds, or every keep_rounds when fewer are kept', () => {
  assert.deepEqual([1, 2, 10, 50, 51, 500, 1_000_000].map(pruneEvery), [1, 2, 10, 50, 50, 50, 50]);
});

test('keep_rounds: the refs of older rounds go at a prune point, the kept rounds\' work stays reachable through gc --prune=now', async (t) => {
  const dir = makeGitRepo();
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const shas = await roundsWithRefs(dir, 25);

  // round 25 with keep_rounds = 10: not a prune point (every 10 rounds), nothing goes
  assert.equal(await pruneRoundRefs(dir, ID, 25, 10), 0);
  assert.equal((await listRoundRefs(dir, ID)).size, 25);
  // round 20 is: rounds 1..10 go, 11..25 stay
  assert.equal(await pruneRoundRefs(dir, ID, 20, 10), 10);
  const kept = await listRoundRefs(dir, ID);
  assert.deepEqual([...kept.keys()].sort((a, b) => a - b), Array.from({ length: 15 }, (_, k) => k + 11));
  assert.deepEqual(kept.get(11), [{ kind: 'lost-1', ref: roundRef(ID, 11, 'lost-1'), sha: shas[10] }]);

  git(dir, 'reflog', 'expire', '--expire=now', '--all');
  git(dir, 'gc', '-q', '--prune=now');
  shas.forEach((sha, k) => assert.equal(exists(dir, sha), k + 1 > 10, `round ${k + 1}'s commit ${k + 1 > 10 ? 'pruned' : 'kept'}`));

  // the default keeps 500: round 50 prunes nothing of these
  assert.equal(await pruneRoundRefs(dir, ID, 50), 0);
  // another state dir's refs are never touched
  await protect(dir, [[roundRef('ffffffffffff', 1, 'stash'), shas[20]!]]);
  assert.equal(await pruneRoundRefs(dir, ID, 100, 10), 15);
  assert.equal((await listRoundRefs(dir, ID)).size, 0);
  assert.equal((await listRoundRefs(dir, 'ffffffffffff')).size, 1);
});
