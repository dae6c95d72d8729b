// Fault suite (issue 19, item 9): inode exhaustion is a full disk. The state dir lives on a real tmpfs with
// few inodes and plenty of bytes (helpers/scratch.ts: root, and no skip). With the inodes gone, the pre-round check sees it (not only a
// failed write), serve says so in one line naming inodes, waits with status `waiting (disk full)`, and
// resumes by itself once files are deleted; a foreground round fails its disk_space preflight, exit 75.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { finished, type Project } from '../helpers/project.js';
import { mountTmpfs, scratchProject } from '../helpers/scratch.js';
import { waitUntil } from '../helpers/env.js';
import { assertNoStray, checkInvariants } from '../helpers/invariants.js';

function scratch(t: TestContext): { p: Project; mnt: string; ballast: string } {
  const p = scratchProject(t, { agent: 'succeed.sh', restartDelay: 0.3, runtimeToml: 'min_free_mb = 1' });
  const mnt = path.dirname(p.stateDir);
  // 64 MiB of bytes, 400 inodes: the inodes run out long before the bytes
  mountTmpfs(t, mnt, 'size=64m,nr_inodes=400');
  return { p, mnt, ballast: path.join(mnt, 'ballast') };
}

/** Empty files until no inode is left; their count. */
function takeEveryInode(dir: string): number {
  fs.mkdirSync(dir, { recursive: true });
  let n = 0;
  for (;;) {
    try {
      fs.closeSync(fs.openSync(path.join(dir, `f${n}`), 'wx'));
      n++;
    } catch (e) {
      assert.equal((e as NodeJS.ErrnoException).code, 'ENOSPC');
      return n;
    }
  }
}

test('no free inodes between rounds: serve pauses with one line naming inodes, and resumes when files go', async (t) => {
  const { p, mnt, ballast } = scratch(t);
  const serve = p.start(['serve']);
  const done = finished(serve);
  let err = '';
  serve.stderr?.on('data', (d) => (err += d));
  await waitUntil(() => p.rounds().length >= 2, { timeoutMs: 30_000, what: 'two rounds' });
  // leave a few inodes: fewer than a round needs, more than zero, so only a look at the count can tell
  takeEveryInode(ballast);
  fs.rmSync(path.join(ballast, 'f0'));
  fs.rmSync(path.join(ballast, 'f1'));
  await waitUntil(() => /disk full/.test(err), { timeoutMs: 30_000, what: 'the disk-full line', detail: () => err });
  const line = err.split('\n').find((l) => /disk full/.test(l))!;
  assert.match(line, /inodes/, `the line does not say what is short: ${line}`);
  assert.doesNotMatch(line, /MB free, need/, line);
  const status = JSON.parse(p.run(['status', '--json']).stdout);
  assert.equal(status.state, 'waiting', JSON.stringify(status));
  const full = p.events().find((e) => e.kind === 'disk_full') as Record<string, unknown> | undefined;
  assert.ok(full && typeof full.free_inodes === 'number', `disk_full event: ${JSON.stringify(full)}`);
  const rounds = p.rounds().length;
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal(p.rounds().length, rounds, 'a round ran with no inodes left');

  fs.rmSync(ballast, { recursive: true, force: true });
  await waitUntil(() => p.rounds().length > rounds, { timeoutMs: 30_000, what: 'rounds to resume', detail: () => err });
  assert.ok(p.events().some((e) => e.kind === 'disk_space_back'));
  serve.kill('SIGTERM');
  const r = await done;
  assert.equal(r.code, 0, err);
  checkInvariants(p.stateDir, { minRounds: rounds + 1 });
  await assertNoStray({ stateDir: p.stateDir });
  assert.ok(fs.existsSync(mnt));
});

test('a foreground round with no free inodes fails its disk_space preflight naming inodes, exit 75', (t) => {
  const { p, ballast } = scratch(t);
  assert.equal(p.run(['round']).code, 0);
  takeEveryInode(ballast);
  fs.rmSync(path.join(ballast, 'f0'));
  fs.rmSync(path.join(ballast, 'f1'));
  const r = p.run(['round']);
  assert.equal(r.code, 75, r.stdout + r.stderr);
  assert.match(r.stdout + r.stderr, /disk full: .*inodes/);
});
