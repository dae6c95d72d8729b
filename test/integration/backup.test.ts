// [vcs] backup_remote (issue 17): serve pushes the private round refs after each round that kept something, in
// the background. A real bare repository receives them, and a clone of it alone brings a round's work back
// (the machine lost); a remote that refuses, or one that hangs, never stops or holds up the rounds: the failure
// is in backup.json, peek and one event, and a hung push's process group is ended at backup_timeout_s.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { finished } from '../helpers/project.js';
import { scratchProject } from '../helpers/scratch.js';
import { git, tmpDir, waitUntil } from '../helpers/env.js';

const LEAVE_WORK = 'cat >/dev/null; echo "work of round $AGENT_RUNNER_ROUND" > "w$AGENT_RUNNER_ROUND.txt"';

function bareRepo(t: { after: (fn: () => void) => void }, create = true): string {
  const dir = path.join(tmpDir('ar-remote-'), 'backup.git');
  if (create) git(path.dirname(dir), 'init', '-q', '--bare', dir);
  t.after(() => fs.rmSync(path.dirname(dir), { recursive: true, force: true }));
  return dir;
}

const vcs = (remote: string, timeout = 30) => `[vcs]\nbackup_remote = ${JSON.stringify(remote)}\nbackup_timeout_s = ${timeout}\n`;

test('the round refs reach a real bare remote after each round; a clone of the remote alone restores the work', async (t) => {
  const remote = bareRepo(t);
  const p = scratchProject(t, { command: ['bash', '-c', LEAVE_WORK], extraToml: vcs(remote) });
  const r = await finished(p.start(['serve', '--max-rounds', '2']));
  assert.equal(r.code, 0, r.stderr);
  const recs = p.rounds();
  const id = fs.readFileSync(path.join(p.stateDir, 'id'), 'utf8').trim();
  const pushed = git(remote, 'for-each-ref', '--format=%(refname) %(objectname)', 'refs/agent-runner/');
  assert.equal(pushed, recs.map((x) => `refs/agent-runner/${id}/rounds/${x.n}/stash ${x.stash_sha}`).join('\n'));

  const snap = JSON.parse(p.run(['peek', '--json']).stdout);
  assert.equal(snap.backup.remote, remote);
  assert.equal(snap.backup.ok.round, 2);
  assert.equal(snap.backup.failed, null);
  assert.match(p.run(['peek']).stdout, new RegExp(`\\n  backup: ${remote.replace(/[.]/g, '\\.')}, round 2 pushed `));
  assert.ok(!p.events().some((e) => e.kind === 'backup_failed'));

  // the machine is lost: a clone of the remote, and the refs fetched from it, hold round 2's work
  fs.rmSync(p.dir, { recursive: true, force: true });
  const clone = path.join(tmpDir('ar-clone-'), 'c');
  t.after(() => fs.rmSync(path.dirname(clone), { recursive: true, force: true }));
  git(path.dirname(clone), 'init', '-q', clone);
  git(clone, 'fetch', '-q', remote, 'refs/agent-runner/*:refs/agent-runner/*');
  assert.equal(git(clone, 'show', `refs/agent-runner/${id}/rounds/2/stash^3:w2.txt`), 'work of round 2');
});

test('a remote that refuses: the rounds go on, the failure is in peek and one event; the next push that works says so', async (t) => {
  const remote = bareRepo(t, false); // not there yet: every push is refused
  const p = scratchProject(t, { command: ['bash', '-c', LEAVE_WORK], extraToml: vcs(remote) });
  const r = await finished(p.start(['serve', '--max-rounds', '2']));
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(p.rounds().map((x) => x.outcome), ['ok', 'ok']);
  const failed = p.events().filter((e) => e.kind === 'backup_failed');
  assert.equal(failed.length, 1, 'one event for the first failure, not one per round');
  assert.match(String(failed[0]!.error), /does not appear to be a git repository/);
  const snap = JSON.parse(p.run(['peek', '--json']).stdout);
  assert.equal(snap.backup.ok, null);
  assert.equal(snap.backup.failed.round, 2);
  assert.equal(failed[0]!.round, 1);
  assert.ok(Date.parse(snap.backup.failed.since) <= Date.parse(snap.backup.failed.at), 'failing since the first failure');
  assert.match(p.run(['peek']).stdout, /\n {2}backup: FAILING since .*: git push to .*does not appear to be a git repository.* \(nothing pushed yet\)\n/);

  git(path.dirname(remote), 'init', '-q', '--bare', remote);
  const again = await finished(p.start(['serve', '--max-rounds', '1']));
  assert.equal(again.code, 0, again.stderr);
  const ok = p.events().filter((e) => e.kind === 'backup_ok');
  assert.equal(ok.length, 1);
  assert.equal(ok[0]!.failing_since, snap.backup.failed.since);
  const after = JSON.parse(p.run(['peek', '--json']).stdout).backup;
  assert.equal(after.ok.round, 3);
  assert.equal(after.failed, null);
  // the refs of the rounds whose push failed went with the one that worked
  assert.equal(git(remote, 'for-each-ref', '--format=%(refname)', 'refs/agent-runner/').split('\n').length, 3);
});

test('a remote that hangs: the rounds go on while the push waits; at backup_timeout_s its process group is ended and the failure recorded', async (t) => {
  // an HTTP "server" that takes the first connection and never answers; later ones are closed at once
  const sockets: net.Socket[] = [];
  let firstClosed = false;
  const server = net.createServer((s) => {
    if (sockets.length) return void s.destroy();
    sockets.push(s);
    s.on('close', () => (firstClosed = true));
    s.on('error', () => {});
    s.resume(); // read (and drop) the request: an unread socket never sees its end
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    for (const s of sockets) s.destroy();
    server.close();
  });
  const port = (server.address() as net.AddressInfo).port;
  const remote = `http://agent:s3cret@127.0.0.1:${port}/backup.git`;
  const p = scratchProject(t, { command: ['bash', '-c', LEAVE_WORK], extraToml: vcs(remote, 10) });
  const serve = p.start(['serve', '--max-rounds', '3']);
  const done = finished(serve);
  await waitUntil(() => sockets.length === 1, { timeoutMs: 20_000, what: 'the push after round 1 to connect' });
  // while that push hangs (10 s before its timeout), rounds 2 and 3 run and are recorded
  await waitUntil(() => p.rounds().length === 3, { timeoutMs: 9_000, what: 'rounds 2 and 3 while the push hangs' });
  assert.equal(firstClosed, false, 'the hung push was still connected when round 3 ended');
  const r = await done;
  assert.equal(r.code, 0, r.stderr);
  // the hung connection's end reaches this process a moment after serve's exit
  await waitUntil(() => firstClosed, { timeoutMs: 5_000, what: 'the hung push\'s connection to close (its process group ended)' });
  const failed = p.events().filter((e) => e.kind === 'backup_failed');
  assert.equal(failed.length, 1);
  assert.equal(failed[0]!.error, `git push to http://***@127.0.0.1:${port}/backup.git timed out after 10s`);
  const b = JSON.parse(fs.readFileSync(path.join(p.stateDir, 'backup.json'), 'utf8'));
  assert.equal(b.remote, `http://***@127.0.0.1:${port}/backup.git`);
  assert.ok(!JSON.stringify(b).includes('s3cret') && !fs.readFileSync(path.join(p.stateDir, 'events.jsonl'), 'utf8').includes('s3cret'));
  assert.equal(b.failed.round, 3, 'the rounds that ended during the hung push were pushed once more after it');
});

test('a named remote: pushed to as .git/config names it, but never through a receivepack command planted there', async (t) => {
  const remote = bareRepo(t);
  const mark = path.join(path.dirname(remote), 'ran');
  const plant = `git config remote.backup.receivepack "touch ${mark}; git-receive-pack"`;
  const p = scratchProject(t, { command: ['bash', '-c', `${LEAVE_WORK}; ${plant}`], extraToml: vcs('backup') });
  git(p.dir, 'remote', 'add', 'backup', remote);
  const r = await finished(p.start(['serve', '--max-rounds', '1']));
  assert.equal(r.code, 0, r.stderr);
  assert.equal(JSON.parse(p.run(['peek', '--json']).stdout).backup.ok.round, 1);
  assert.match(git(remote, 'for-each-ref', '--format=%(refname)', 'refs/agent-runner/'), /\/rounds\/1\/stash$/);
  assert.ok(!fs.existsSync(mark), 'the planted receivepack ran');
  git(p.dir, 'push', '-q', 'backup', 'HEAD:refs/heads/probe');
  assert.ok(fs.existsSync(mark), 'the plant does run in a plain git push');
});
