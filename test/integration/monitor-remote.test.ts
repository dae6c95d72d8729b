// monitor --host for real: Debian's sshd on 127.0.0.1 (its own host key, config and authorized key), the
// "remote" project under a different HOME. Alerts arrive over ssh, auto-stop works over ssh, and a dead
// sshd gives host_unreachable, resolved when it is back. Fails (never skips) when sshd cannot start.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { AGENTS_DIR, CLI, tmpDir, waitFor, waitUntil } from '../helpers/env.js';
import { finished } from '../helpers/project.js';
import { within } from '../helpers/within.js';
import { makeRemoteProject, startSshd } from '../helpers/sshd.js';
import type { AlertLine } from '../../src/monitor/types.js';

const lines = (out: string): AlertLine[] => out.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as AlertLine);

test('monitor --host over real ssh: remote alerts and auto-stop arrive; a dead sshd is host_unreachable, resolved when back', async (t) => {
  const tmp = tmpDir('ar-sshd-');
  const { sshd, port, user, sshOptions } = await startSshd(tmp);
  t.after(() => sshd.stop());

  const { home, remoteConfig, wrapper, remote } = makeRemoteProject(
    tmp,
    path.join(AGENTS_DIR, 'auth-error.sh'),
    '[runtime]\nround_timeout_s = 60\nkill_grace_s = 1\nrestart_delay_s = 0\n[serve]\nstop_on_auth = false\nbackoff_base_s = 0.2\nbackoff_max_s = 1\n',
  );
  t.after(() => remote('kill'));
  assert.equal(remote('round').status, 1, 'an auth failure on the remote project');
  const remoteState = fs.readdirSync(path.join(home, '.local', 'state', 'agent-runner'));
  assert.equal(remoteState.length, 1, 'the remote state dir is under the remote HOME');

  const local = tmpDir('ar-local-'); // no agent-runner.toml here: thresholds are the defaults
  const monitorArgs = [
    'monitor', '--host', '127.0.0.1', '--json',
    '--remote-config', remoteConfig,
    '--remote-command', wrapper,
    ...sshOptions.flatMap((o) => ['--ssh-option', o]),
  ];
  const env = { ...process.env, AGENT_RUNNER_CONFIG: '', HOME: local };

  // auto-stop over ssh: a remote serve that keeps failing auth is stopped as `stop` would
  assert.equal(remote('start').status, 0);
  assert.ok(await waitFor(() => (remote('status', '--json').stdout.match(/"state":"(running|waiting)"/) ? true : false), 10_000));
  // oauth_fail counts this serve's own rounds: wait for its first to be recorded (round 1 was the foreground one)
  await waitUntil(() => (JSON.parse(remote('status', '--json').stdout).last?.n ?? 0) >= 2, { timeoutMs: 30_000, what: "the remote serve's first round" });
  const once = spawnSync(process.execPath, [CLI, ...monitorArgs, '--once', '--rounds', '30'], { cwd: local, env, encoding: 'utf8', timeout: 60_000 });
  assert.equal(once.status, 0, once.stderr);
  // --rounds reaches the remote peek, which answers with that many rounds (peek.test.ts holds peek --rounds)
  const peeks = fs.readFileSync(path.join(tmp, 'calls.log'), 'utf8').split('\n').filter((l) => l.startsWith('peek '));
  assert.deepEqual(peeks, [`peek --json --rounds 30 --config ${remoteConfig}`]);
  const o = lines(once.stdout).find((l) => l.detector === 'oauth_fail');
  assert.ok(o && o.state === 'raised' && o.host === '127.0.0.1', `oauth_fail from the remote snapshot: ${once.stdout} ${once.stderr}`);
  assert.equal(o.auto_action?.result, 'stopped', JSON.stringify(o.auto_action));
  assert.match(remote('status').stdout, /: stopped/);

  // loop mode: the alert arrives; sshd dies: host_unreachable; sshd is back: resolved
  const child = spawn(process.execPath, [CLI, ...monitorArgs, '--interval', '0.5'], { cwd: local, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const done = finished(child);
  t.after(() => child.kill('SIGKILL'));
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  const seen = (detector: string, state: string) => lines(out).some((l) => l.detector === detector && l.state === state);
  assert.ok(await waitFor(() => seen('oauth_fail', 'raised'), 30_000), `remote alert: ${out}`);
  sshd.stop();
  assert.ok(await waitFor(() => seen('host_unreachable', 'raised'), 30_000), `host_unreachable: ${out}`);
  assert.ok(!seen('oauth_fail', 'resolved'), 'what is not known is not resolved');
  await sshd.start();
  assert.ok(await waitFor(() => seen('host_unreachable', 'resolved'), 30_000), `host_unreachable resolved: ${out}`);
  child.kill('SIGTERM');
  const r = await within(done, 15_000);
  assert.ok(r, 'monitor exited on SIGTERM');
  assert.equal(r.code, 0, r.stderr);
  const raisedTwice = lines(out).filter((l) => l.detector === 'oauth_fail' && l.state === 'raised').length;
  assert.equal(raisedTwice, 1, 'raised once across the outage');
  const u = lines(out).find((l) => l.detector === 'host_unreachable')!;
  assert.equal(u.severity, 'critical');
  assert.match(u.message, /ssh 127\.0\.0\.1 failed/);
});
