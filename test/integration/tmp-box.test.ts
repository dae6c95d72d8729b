// Round hygiene (issue 21): each round's private temp dir is emptied whatever ended the round, its size is on the
// record, litter in the shared temp dirs is reported (never deleted) and raises tmp_litter, a world-readable file
// holding a secret is named in peek, and a SIGKILLed serve's box goes at the next start. Real processes, real
// signals, real /tmp.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CLI, tmpDir, waitUntil } from '../helpers/env.js';
import { PRIVATE_TMP_BASE, runInPrivateTmp } from '../helpers/private-tmp.js';
import { finished, makeProject } from '../helpers/project.js';
import { findRoundProcesses } from '../../src/system/kill-tree.js';
import type { AlertLine } from '../../src/monitor/types.js';
import type { Snapshot } from '../../src/snapshot/types.js';

const MB = 1024 * 1024;
const lines = (out: string): AlertLine[] => out.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as AlertLine);
/** the boxes go under the state dir: no $XDG_RUNTIME_DIR (a desktop session or CI runner may set one) */
const NO_XDG = { XDG_RUNTIME_DIR: '' };
const peekJson = (p: ReturnType<typeof makeProject>): Snapshot => JSON.parse(p.run(['peek', '--json']).stdout) as Snapshot;

test('tmp box: 10 MB in $TMPDIR and a setsid child writing more: nothing left, the ledger has the size', () => {
  const p = makeProject({ agent: 'tmp-fill.sh' });
  const r = p.run(['round'], NO_XDG);
  assert.equal(r.code, 0, r.stderr);
  const [rec] = p.rounds();
  const t = rec.tmp!;
  assert.ok(t, JSON.stringify(rec));
  // the box was the agent's TMPDIR, under the state dir here (no $XDG_RUNTIME_DIR), and it is gone
  assert.match(fs.readFileSync(rec.log!, 'utf8'), new RegExp(`tmp-fill: written to ${t.dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\n`));
  assert.equal(path.dirname(t.dir), path.join(p.stateDir, 'tmp'));
  assert.equal(path.basename(t.dir), 'round-1');
  assert.equal(fs.existsSync(t.dir), false, 'the box is removed');
  assert.deepEqual(fs.readdirSync(path.join(p.stateDir, 'tmp')), []);
  // big.bin, child/more.bin, child.done: 12 MiB before removal
  assert.equal(t.files, 3);
  assert.equal(t.bytes, 12 * MB);
  assert.equal(t.kept, false);
  assert.ok(rec.killed >= 1, 'the setsid child was swept');
  assert.match(p.run(['peek']).stdout, /round 1 temp dir: 3 files, 12\.0 MiB, removed/);
});

test('tmp box: a round ended by its timeout, and one cancelled (SIGTERM to round), leave no box either', async () => {
  const p = makeProject({ agent: 'tmp-fill.sh', timeout: 3, grace: 1, agentEnv: { HANG: '1' } });
  assert.equal(p.run(['round'], NO_XDG).code, 1);
  const timedOut = p.rounds()[0];
  assert.equal(timedOut.outcome, 'timeout');
  assert.equal(timedOut.tmp?.bytes, 12 * MB);
  assert.equal(fs.existsSync(timedOut.tmp!.dir), false);

  const child = p.start(['round'], NO_XDG);
  const done = finished(child);
  const box = path.join(p.stateDir, 'tmp', 'round-2');
  await waitUntil(() => fs.existsSync(path.join(box, 'child.done')), { timeoutMs: 30_000, what: 'the agent to fill its box' });
  child.kill('SIGTERM');
  assert.equal((await done).code, 1);
  const cancelled = p.rounds()[1];
  assert.equal(cancelled.outcome, 'cancelled');
  assert.equal(cancelled.tmp?.dir, box);
  assert.equal(cancelled.tmp?.bytes, 12 * MB);
  assert.deepEqual(fs.readdirSync(path.join(p.stateDir, 'tmp')), []);
});

test('tmp box: under $XDG_RUNTIME_DIR when it is private; a runtime dir others may write to is not used', () => {
  const rt = tmpDir('ar-xdg-');
  fs.chmodSync(rt, 0o700);
  const p = makeProject({ agent: 'tmp-fill.sh' });
  assert.equal(p.run(['round'], { XDG_RUNTIME_DIR: rt }).code, 0);
  const [rec] = p.rounds();
  const root = path.dirname(rec.tmp!.dir);
  assert.equal(path.dirname(root), path.join(rt, 'agent-runner'));
  assert.match(path.basename(root), /^ar-repo-\w+-[0-9a-f]{8}$/);
  assert.equal(fs.statSync(root).mode & 0o777, 0o700);
  assert.equal(fs.existsSync(rec.tmp!.dir), false);
  // a runtime dir others may write to is not used: the state dir's tmp/ is
  fs.chmodSync(rt, 0o777);
  assert.equal(p.run(['round'], { XDG_RUNTIME_DIR: rt }).code, 0);
  assert.equal(path.dirname(p.rounds()[1].tmp!.dir), path.join(p.stateDir, 'tmp'));
});

test("tmp box: keep_failed_tmp keeps the last failed round's box, peek names it; a world-readable secret in it is a warning", () => {
  const p = makeProject({ agent: 'tmp-fill.sh', runtimeToml: 'keep_failed_tmp = 1', agentEnv: { FAIL_CODE: '3', SECRET: '1' } });
  assert.equal(p.run(['round']).code, 1);
  const first = p.rounds()[0].tmp!;
  assert.equal(first.kept, true);
  assert.ok(fs.existsSync(path.join(first.dir, 'big.bin')), 'kept on disk');
  const report = path.join(first.dir, 'error-report.json');
  // first the box's own files (litter of other processes of this user in the shared /tmp may follow)
  assert.equal(first.exposed[0], report);
  const human = p.run(['peek']).stdout;
  assert.ok(human.includes(`round 1's temp dir is kept for debugging (keep_failed_tmp): ${first.dir}`), human);
  assert.ok(human.includes(`warning: round 1 left ${report}, readable by other users, holding a secret`), human);
  assert.deepEqual(peekJson(p).tmp_kept, { round: 1, dir: first.dir });
  // the agent's 0644 file behind the 0700 box is not a state file doctor holds to 0600
  const modes = (JSON.parse(p.run(['doctor', '--json']).stdout) as { checks: Array<{ name: string; ok: boolean }> }).checks.find((c) => c.name === 'state_modes');
  assert.equal(modes?.ok, true, JSON.stringify(modes));
  // the secret itself never reaches the record or peek
  assert.ok(!JSON.stringify(p.rounds()).includes('sk-test-0123456789'));
  assert.ok(!human.includes('sk-test-0123456789'));

  // a second failed round keeps its own and the first goes: only the last failed round's box stays
  assert.equal(p.run(['round']).code, 1);
  const second = p.rounds()[1].tmp!;
  assert.equal(second.kept, true);
  assert.equal(fs.existsSync(first.dir), false);
  assert.ok(fs.existsSync(second.dir));
  // an ok round keeps nothing of its own, and leaves the last failed round's box alone
  setAgentEnv(p, { FAIL_CODE: '0', SECRET: '0' });
  const ok = p.run(['round']);
  assert.equal(ok.code, 0, ok.stderr);
  const third = p.rounds()[2].tmp!;
  assert.equal(third.kept, false);
  assert.equal(fs.existsSync(third.dir), false);
  assert.ok(fs.existsSync(second.dir));
  assert.deepEqual(peekJson(p).tmp_kept, { round: 2, dir: second.dir });
});

/** Other values for keys of p's [agent.env] (the config is rewritten in place). */
function setAgentEnv(p: ReturnType<typeof makeProject>, env: Record<string, string>): void {
  let text = fs.readFileSync(p.configPath, 'utf8');
  for (const [k, v] of Object.entries(env)) text = text.replace(new RegExp(`^${k} = .*$`, 'm'), `${k} = ${JSON.stringify(v)}`);
  fs.writeFileSync(p.configPath, text);
}

/** what tmp-litter.sh with SECRET=1 leaves in its file */
const TOKEN_LINE_BYTES = Buffer.byteLength('GITHUB_TOKEN=ghp_0123456789abcdefghijklmnopqrstuvwxyz\n');

test("tmp litter: an agent writing to /tmp directly is reported, tmp_litter raises over three rounds, nothing of the user's is deleted", () => {
  // in a namespace with its own empty /tmp: the suite's other files there are neither counted nor named
  const prefix = 'ar-litter-';
  const userFile = `/tmp/${prefix}user-notes.txt`;
  const p = makeProject({ agent: 'tmp-litter.sh', agentEnv: { LITTER_PREFIX: prefix, SECRET: '1' }, baseDir: PRIVATE_TMP_BASE });
  const cli = (...args: string[]) => [process.execPath, CLI, '--config', p.configPath, ...args];
  const run = runInPrivateTmp(
    [
      ['sh', '-c', `echo "the user's own file, made before any round" > ${userFile}`],
      ...[1, 2, 3].flatMap(() => [cli('round'), cli('monitor', '--once', '--json')]),
      cli('peek'),
    ],
    { AGENT_RUNNER_CONFIG: '', ...NO_XDG },
  );
  const [, ...rest] = run.steps;
  const recs = p.rounds();
  assert.equal(recs.length, 3, JSON.stringify(run.steps));
  for (const [i, rec] of recs.entries()) {
    assert.equal(rest[2 * i].code, 0, rest[2 * i].stderr);
    const file = rec.tmp!.litter.paths[0];
    assert.match(file ?? '', new RegExp(`^/tmp/${prefix}${i + 1}-\\d+$`), JSON.stringify(rec.tmp));
    assert.deepEqual(rec.tmp!.litter, { count: 1, bytes: TOKEN_LINE_BYTES, paths: [file] });
    assert.deepEqual(rec.tmp!.exposed, [file], 'a 0644 file with a token in the litter is named');
    const alert = lines(rest[2 * i + 1].stdout).find((l) => l.detector === 'tmp_litter');
    assert.equal(alert?.state, i < 2 ? 'ok' : 'raised', `round ${i + 1}: ${JSON.stringify(alert)}`);
    if (i === 2) {
      assert.equal(alert!.message, `the last 3 rounds each left files in /tmp or /var/tmp (3 files, ${3 * rec.tmp!.litter.bytes} bytes in all): ${[...recs].reverse().map((r) => r.tmp!.litter.paths[0]).join(' ')}`);
    }
  }
  const human = run.steps.at(-1)!.stdout;
  const third = recs[2].tmp!.litter.paths[0];
  assert.ok(human.includes(`round 3 left 1 file (${recs[2].tmp!.litter.bytes} B) in /tmp or /var/tmp: ${third}`), human);
  assert.ok(human.includes(`warning: round 3 left ${third}, readable by other users, holding a secret`), human);
  // nothing deleted: the user's file and every round's litter are still there, and nothing else is
  assert.deepEqual(run.tmp.sort(), [userFile, ...recs.map((r) => r.tmp!.litter.paths[0])].sort());
  assert.ok(!JSON.stringify(recs).includes('ghp_0123456789'));
});


test("tmp box: a SIGKILL of serve mid-round; the next start removes the dead round's box and records its size", async () => {
  const p = makeProject({ agent: 'tmp-fill.sh', agentEnv: { HANG: '1' } });
  const serve = p.start(['serve'], NO_XDG);
  const done = finished(serve);
  const box = path.join(p.stateDir, 'tmp', 'round-1');
  await waitUntil(() => fs.existsSync(path.join(box, 'child.done')), { timeoutMs: 30_000, what: 'the agent to fill its box' });
  const open = JSON.parse(fs.readFileSync(path.join(p.stateDir, 'round.open.json'), 'utf8')) as { tag: string; pid: number; tmp_dir: string };
  assert.equal(open.tmp_dir, box);
  serve.kill('SIGKILL');
  await done;
  assert.ok(fs.existsSync(box), 'the dead serve left its box');
  // the next start (a round here) recovers the open round: its tree ended, its box measured and removed
  setAgentEnv(p, { HANG: '0' });
  const r = p.run(['round'], NO_XDG);
  assert.equal(r.code, 0, r.stderr);
  const [aborted] = p.rounds();
  assert.equal(aborted.outcome, 'aborted');
  assert.equal(aborted.tmp?.dir, box);
  assert.equal(aborted.tmp?.bytes, 12 * MB);
  assert.equal(fs.existsSync(box), false);
  assert.deepEqual(findRoundProcesses({ rootPid: open.pid, tagName: 'AGENT_RUNNER_ROUND_TAG', tagValue: open.tag }), []);
});
