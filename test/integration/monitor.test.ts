// monitor on a real local project: auto-stop on auth failures (and not after the fix), loop mode.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { makeProject, finished, type Project } from '../helpers/project.js';
import { changes, waitFor, waitUntil } from '../helpers/env.js';
import { within } from '../helpers/within.js';
import type { AlertLine } from '../../src/monitor/types.js';

const lines = (out: string): AlertLine[] => out.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as AlertLine);

/**
 * The monitor's polls, counted from outside: a local monitor saves its alerts after every poll, and the
 * save (temp file, rename) gives the file a new inode and mtime each time.
 */
function polls(file: string): () => number {
  return changes(() => {
    try {
      const st = fs.statSync(file, { bigint: true });
      return `${st.ino}:${st.mtimeNs}`;
    } catch {
      return null;
    }
  });
}

function statusOf(p: Project): { state: string; pid: number | null } {
  const r = p.run(['status', '--json']);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout);
}

test('oauth_fail: monitor --once stops a serve that keeps failing auth; after the fix and start it stops nothing', async (t) => {
  const p = makeProject({ agent: 'auth-error.sh', serveToml: 'stop_on_auth = false\nbackoff_base_s = 0.2\nbackoff_max_s = 1' });
  t.after(() => p.run(['kill']));
  const started = p.run(['start']);
  assert.equal(started.code, 0, started.stderr);
  const authRounds = () => p.rounds().filter((r) => r.category === 'auth').length;
  assert.ok(await waitFor(() => authRounds() >= 4, 30_000), `serve kept running auth failures (${authRounds()} so far)`);
  assert.equal(statusOf(p).state === 'stopped', false, 'serve does not stop itself with stop_on_auth = false');

  const m = p.run(['monitor', '--once', '--json']);
  assert.equal(m.code, 0, m.stderr);
  const raised = lines(m.stdout).find((l) => l.detector === 'oauth_fail' && l.state === 'raised');
  assert.ok(raised, `oauth_fail raised: ${m.stdout}`);
  assert.equal(raised.severity, 'critical');
  assert.equal(raised.auto_action?.action, 'stop');
  assert.equal(raised.auto_action?.result, 'stopped', JSON.stringify(raised.auto_action));
  assert.equal(statusOf(p).state, 'stopped');
  const autoStops = () => p.events().filter((e) => e.kind === 'auto_stop');
  assert.equal(autoStops().length, 1);
  assert.deepEqual(autoStops()[0].detectors, ['oauth_fail']);

  // the operator fixes the agent and starts serve again: the old failures must not stop it
  fs.writeFileSync(p.configPath, fs.readFileSync(p.configPath, 'utf8').replace('auth-error.sh', 'succeed.sh'));
  const again = p.run(['start']);
  assert.equal(again.code, 0, again.stderr);
  const m2 = p.run(['monitor', '--once', '--json']);
  assert.equal(m2.code, 0, m2.stderr);
  const out = lines(m2.stdout);
  assert.ok(!out.some((l) => l.auto_action), `nothing stopped: ${m2.stdout}`);
  assert.ok(out.some((l) => l.detector === 'oauth_fail' && l.state === 'resolved'), `oauth_fail resolved: ${m2.stdout}`);
  assert.notEqual(statusOf(p).state, 'stopped');
  assert.equal(autoStops().length, 1);
  // and a later poll, with new ok rounds, still stops nothing
  assert.ok(await waitFor(() => p.rounds().some((r) => r.outcome === 'ok'), 20_000));
  const m3 = p.run(['monitor', '--once', '--json']);
  assert.ok(lines(m3.stdout).every((l) => l.state !== 'raised' && l.state !== 'resolved'), `no transition: ${m3.stdout}`);
  assert.equal(lines(m3.stdout).find((l) => l.detector === 'oauth_fail')?.state, 'ok');
  assert.notEqual(statusOf(p).state, 'stopped');
  assert.equal(p.run(['stop', '--timeout', '20']).code, 0);
});

test('monitor loop: prints raised and resolved transitions only, and exits 0 on SIGTERM and SIGINT', async () => {
  const p = makeProject({ agent: 'succeed.sh' });
  const prompt = path.join(p.dir, 'prompts', 'main.md');
  const good = fs.readFileSync(prompt, 'utf8');
  fs.writeFileSync(prompt, 'hi'); // too short: preflight fails
  assert.equal(p.run(['round']).code, 78);

  for (const sig of ['SIGTERM', 'SIGINT'] as const) {
    const child = p.start(['monitor', '--interval', '0.2', '--json']);
    const done = finished(child);
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    const has = (state: string) => lines(out).some((l) => l.detector === 'smoke_fail_rate' && l.state === state);
    const saves = polls(path.join(p.stateDir, 'monitor-alerts.json'));
    if (sig === 'SIGTERM') {
      assert.ok(await waitFor(() => has('raised'), 15_000), `raised: ${out}`);
      fs.writeFileSync(prompt, good);
      assert.equal(p.run(['round']).code, 0);
      assert.ok(await waitFor(() => has('resolved'), 15_000), `resolved: ${out}`);
    }
    // several more polls go by without a line (a restarted monitor: its first polls raise nothing)
    const from = saves();
    await waitUntil(() => saves() >= from + 3, { timeoutMs: 15_000, what: 'three more polls of the monitor', detail: () => out });
    child.kill(sig);
    const r = await within(done, 15_000);
    assert.ok(r, `monitor exited after ${sig}`);
    assert.equal(r.code, 0, `${sig}: ${r.stderr}`);
    if (sig === 'SIGTERM') {
      assert.deepEqual(lines(out).map((l) => `${l.detector} ${l.state}`), ['smoke_fail_rate raised', 'smoke_fail_rate resolved']);
    } else {
      assert.equal(out, '', 'a restarted monitor raises nothing new');
    }
  }
  // persisted: a raised alert is not raised again by the next monitor
  fs.writeFileSync(prompt, 'hi');
  assert.equal(p.run(['round']).code, 78);
  assert.match(p.run(['monitor', '--once']).stdout, /WARNING +raised .* smoke_fail_rate:/);
  assert.match(p.run(['monitor', '--once']).stdout, /WARNING +active .* smoke_fail_rate:/);
  assert.ok(fs.existsSync(path.join(p.stateDir, 'monitor-alerts.json')));
});
