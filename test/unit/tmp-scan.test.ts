// The litter scan (system/tmp-scan.ts): what a round left in the shared temp dirs, by owner and time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { findLitter, type RoundStart } from '../../src/system/tmp-scan.js';
import { FS_CLOCK_SLACK_MS, monoMs } from '../../src/util/clock.js';
import { tmpDir, waitUntil } from '../helpers/env.js';

/** The round starts once everything under `dirs` (and the dirs) was last changed more than the slack ago. */
async function startAfter(...dirs: string[]): Promise<RoundStart> {
  const newest = () => Math.max(...dirs.flatMap((d) => [d, ...fs.readdirSync(d).map((n) => path.join(d, n))]).map((p) => Math.max(fs.lstatSync(p).mtimeMs, fs.lstatSync(p).ctimeMs)));
  const last = newest();
  await waitUntil(() => Date.now() > last + FS_CLOCK_SLACK_MS + 1, { timeoutMs: 10_000, stepMs: 5, what: 'the files to be older than the slack' });
  return { wallMs: Date.now(), monoMs: monoMs() };
}

/** findLitter, counting the entries it looked at one by one, per shared dir. */
function scan(dirs: string[], since: RoundStart): { litter: ReturnType<typeof findLitter>; looked: Map<string, number> } {
  const looked = new Map<string, number>();
  const lstat = (p: string) => {
    looked.set(path.dirname(p), (looked.get(path.dirname(p)) ?? 0) + 1);
    return fs.lstatSync(p);
  };
  return { litter: findLitter(process.getuid!(), since, { dirs, lstat }), looked };
}

test('an empty dir the round made counts as what it left (Codex makes /tmp/codex-daemon-<uid> so), with files and dirs of files', async () => {
  const shared = tmpDir('ar-shared-tmp-');
  fs.mkdirSync(path.join(shared, 'old-dir'));
  const since = await startAfter(shared); // what was there before the round is not litter
  // right at the start: the file system stamps with the kernel's coarse clock, up to a tick before `since`
  fs.mkdirSync(path.join(shared, 'codex-daemon-0'), { mode: 0o700 });
  fs.mkdirSync(path.join(shared, 'cache'));
  fs.writeFileSync(path.join(shared, 'cache', 'a.bin'), 'x'.repeat(10));
  fs.writeFileSync(path.join(shared, 'cache', 'b.bin'), 'y'.repeat(5));
  fs.writeFileSync(path.join(shared, 'report.json'), '{}');
  const l = findLitter(process.getuid!(), since, { dirs: [shared] });
  assert.equal(l.count, 4, JSON.stringify(l));
  assert.equal(l.bytes, 17);
  assert.deepEqual(l.paths, ['cache', 'codex-daemon-0', 'report.json'].map((n) => path.join(shared, n)));
});

test('a file made right at the round start, stamped before it by the coarse file clock, is litter', async () => {
  const shared = tmpDir('ar-shared-tmp-');
  const since = await startAfter(shared);
  fs.writeFileSync(path.join(shared, 'first'), 'x');
  const stamp = fs.lstatSync(path.join(shared, 'first'));
  const l = findLitter(process.getuid!(), since, { dirs: [shared] });
  assert.equal(l.count, 1, `since ${since.wallMs}, file born ${stamp.birthtimeMs}, ctime ${stamp.ctimeMs}: ${JSON.stringify(l)}`);
});

test('a shared dir in which nothing was made since the round began is not looked into entry by entry', async () => {
  const quiet = tmpDir('ar-shared-quiet-');
  const busy = tmpDir('ar-shared-busy-');
  for (const n of ['a', 'b', 'c']) {
    fs.writeFileSync(path.join(quiet, n), n);
    fs.writeFileSync(path.join(busy, n), n);
  }
  const since = await startAfter(quiet, busy);
  // a write to a file that was there (its ctime moves, its dir's does not) is not a file made
  fs.appendFileSync(path.join(quiet, 'a'), 'more');
  fs.writeFileSync(path.join(busy, 'new'), 'new');
  const { litter, looked } = scan([quiet, busy], since);
  assert.deepEqual(litter.paths, [path.join(busy, 'new')]);
  assert.equal(looked.get(quiet), undefined, 'the quiet dir was skipped');
  assert.equal(looked.get(busy), 4);
});

test('the per-entry scan stays where the dir could hide what was made: its mtime set back, a stepped wall clock, no monotonic start', async () => {
  const shared = tmpDir('ar-shared-tmp-');
  fs.writeFileSync(path.join(shared, 'old'), 'x');
  const since = await startAfter(shared);
  fs.writeFileSync(path.join(shared, 'made'), 'y');
  // the mtime set back to before the round: the ctime says it changed
  const old = new Date(since.wallMs - 3_600_000);
  fs.utimesSync(shared, old, old);
  assert.ok(fs.statSync(shared).mtimeMs < since.wallMs - FS_CLOCK_SLACK_MS);
  const made = [path.join(shared, 'made')];
  let r = scan([shared], since);
  assert.deepEqual(r.litter.paths, made);
  assert.equal(r.looked.get(shared), 2);
  // a dir that did not change, but the wall clock moved 10 s against the monotonic one (a step): unsure, scanned
  const still = tmpDir('ar-shared-still-');
  fs.writeFileSync(path.join(still, 'old'), 'x');
  const at = await startAfter(still);
  r = scan([still], { wallMs: at.wallMs, monoMs: at.monoMs! - 10_000 });
  assert.equal(r.looked.get(still), 1);
  // a recovery: the start is another process's wall clock alone
  r = scan([still], { wallMs: at.wallMs, monoMs: null });
  assert.equal(r.looked.get(still), 1);
  // and with the clock steady the same dir is skipped
  r = scan([still], at);
  assert.equal(r.looked.get(still), undefined);
});
