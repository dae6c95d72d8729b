// The project lock and the work-tree lock across pid namespaces (issue 20): a serve in another pid namespace
// (`unshare --pid --fork --mount-proc`, as a container sharing the volume runs it) holds both; its pid names
// nothing here, or another process, so before the lease a host-side round took its locks over as a dead
// holder's. Now it is refused while the holder renews its lease, and takes over only once the holder is dead
// and its lease has run out; `stop` and `kill` from here refuse (its pid names another process here). Real
// namespaces, real serve processes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { CLI, tmpDir, waitUntil } from '../helpers/env.js';
import { finished, makeProject } from '../helpers/project.js';
import { within } from '../helpers/within.js';
import { killStateDirProcesses } from '../helpers/invariants.js';

// short, so the test's takeover comes in seconds; the holder renews every third of it
const LEASE = { AGENT_RUNNER_LOCK_LEASE_S: '4' };

/** a second config for the same tree: its own state dir */
function secondConfig(dir: string): string {
  const text = fs.readFileSync(path.join(dir, 'agent-runner.toml'), 'utf8');
  const file = path.join(dir, 'other.toml');
  fs.writeFileSync(file, text.replace(/^state_dir = .*$/m, `state_dir = ${JSON.stringify(path.join(tmpDir('ar-state2-'), 'state'))}`));
  return file;
}

test('a holder in another pid namespace: refused while it lives, taken over only after its death and lease', async (t) => {
  // the agent hangs only in the holder (HOLD set): the rounds run here end at once
  const p = makeProject({ command: ['sh', '-c', 'if [ -n "$HOLD" ]; then sleep 120; fi; echo done'] });
  const holder = spawn(
    'unshare',
    ['--pid', '--fork', '--mount-proc', '--kill-child', '--', 'sh', '-c', '"$@"; exit $?', 'ns-init', process.execPath, CLI, '--config', p.configPath, 'serve'],
    { cwd: p.dir, env: { ...process.env, AGENT_RUNNER_CONFIG: '', HOLD: '1', ...LEASE }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const done = finished(holder);
  t.after(() => {
    try {
      process.kill(holder.pid!, 'SIGKILL');
    } catch {
      /* gone */
    }
    killStateDirProcesses(p.stateDir);
  });
  const lockFile = path.join(p.stateDir, 'lock');
  await waitUntil(() => fs.existsSync(path.join(p.stateDir, 'round.open.json')), { timeoutMs: 30_000, what: 'the namespaced serve to start its round' });
  const held = JSON.parse(fs.readFileSync(lockFile, 'utf8')) as { pid: number; pid_ns?: string };
  assert.ok(held.pid_ns && held.pid_ns !== fs.readlinkSync('/proc/self/ns/pid'), `the holder is in another pid namespace: ${JSON.stringify(held)}`);

  const other = secondConfig(p.dir);
  const refused = () => {
    const r = p.run(['round'], LEASE);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stderr, new RegExp(`serve pid ${held.pid} \\(in another pid namespace\\).* holds this project's lock`));
    const o = p.run(['--config', other, 'round'], LEASE);
    assert.equal(o.code, 1, o.stdout + o.stderr);
    assert.match(o.stderr, /\(in another pid namespace\).* holds this work tree's lock/);
  };
  refused();
  // the lease is renewed while the holder lives: past a renewal it is still refused
  const first = fs.statSync(lockFile).mtimeMs;
  await waitUntil(() => fs.statSync(lockFile).mtimeMs > first, { timeoutMs: 30_000, what: 'the holder to renew its lease' });
  refused();

  // stop and kill from here would signal whatever has that pid here: refused, and the holder runs on
  for (const verb of ['stop', 'kill']) {
    const r = p.run([verb], LEASE);
    assert.equal(r.code, 1, `${verb}: ${r.stdout}${r.stderr}`);
    assert.match(r.stderr, /holds the lock from another pid namespace .*run this verb where it runs/);
  }
  assert.equal(holder.exitCode, null, 'the namespaced serve was ended');
  assert.ok(fs.existsSync(path.join(p.stateDir, 'round.open.json')), 'its round was ended');

  // the holder's namespace ends (its init killed): its locks stay behind, and are taken over once its lease is out
  process.kill(holder.pid!, 'SIGKILL');
  assert.ok(await within(done, 30_000), 'the namespaced serve did not end');
  let last = { code: null as number | null, stderr: '' };
  await waitUntil(
    () => {
      last = p.run(['round'], LEASE);
      return last.code === 0;
    },
    { timeoutMs: 60_000, stepMs: 500, what: 'a round here to take over the dead holder\'s locks', detail: () => last.stderr },
  );
  const recovered = p.events().filter((e) => e.kind === 'lock_recovered');
  assert.ok(recovered.length >= 1, JSON.stringify(p.events()));
  assert.match(String(recovered[0]!.previous), new RegExp(`serve pid ${held.pid} \\(in another pid namespace\\)`));
});
