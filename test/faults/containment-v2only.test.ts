// Fault suite: a round's cgroup on a host with cgroup v2 only (issue 19). This host is hybrid (v2 at
// /sys/fs/cgroup/unified, memory/pids/cpu in v1 hierarchies); the CLI runs in a private mount namespace where
// /sys/fs/cgroup is unmounted, v1 and all, and cgroup2 mounted there instead: the layout of a pure-v2 host, as
// /proc/self/mountinfo shows it to the containment code. It is the kernel's one v2 hierarchy, so the test sees
// the same cgroups through its own mount. What this cannot show here: memory/pids/cpu on v2. On this kernel those
// controllers are bound to the host's v1 hierarchies (a controller lives in one hierarchy at a time, and those
// are mounted and in use outside this namespace), so this v2 offers none: a limit is reported not applied, and
// no v1 path is used by mistake. On a real pure-v2 host the same path applies the limits (v2 files, tested in
// containment.test.ts's cgroup cases wherever v2 has the controllers).
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { makeProject, type Project } from '../helpers/project.js';
import { CLI, isAlive, tmpDir } from '../helpers/env.js';
import { readAgentPids } from '../helpers/invariants.js';
import { cgroupPids, isPopulated, probeCgroupHost } from '../../src/system/cgroup.js';
import { outerCgroup } from '../helpers/outer-cgroup.js';

// in a private mount namespace: /sys/fs/cgroup is cgroup2 alone; the command enters $1 (a path under it) and runs
const PURE_V2 = 'umount -R /sys/fs/cgroup && mount -t cgroup2 cgroup2 /sys/fs/cgroup && echo 0 > "/sys/fs/cgroup/$1/cgroup.procs" && shift && exec "$@"';

/** A cgroup of the test's own: as the host sees it, and its path inside the pure-v2 mount. */
function testCgroup(t: TestContext): { dir: string; rel: string } {
  const dir = outerCgroup(t);
  return { dir, rel: path.relative(probeCgroupHost()!.v2Mount, dir) };
}

function runPureV2(rel: string, p: Project, args: string[]) {
  const r = spawnSync('unshare', ['--mount', '--propagation', 'private', '--', 'sh', '-c', PURE_V2, 'pure-v2', rel, process.execPath, CLI, '--config', p.configPath, ...args], {
    cwd: p.dir,
    // no user manager: the cgroup fence, not a scope
    env: { ...process.env, AGENT_RUNNER_CONFIG: '', XDG_RUNTIME_DIR: '' },
    encoding: 'utf8',
    timeout: 90_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr + (r.error ? String(r.error) : '') };
}

test('cgroup v2 only: the round\'s cgroup is made under our own in /sys/fs/cgroup, ends an env -i escapee, and goes', async (t) => {
  const outer = testCgroup(t);
  const pidsFile = path.join(tmpDir('ar-escape-'), 'pids');
  const p = makeProject({ agent: 'env-scrub-escape.sh', runtimeToml: 'containment = "auto"\n', agentEnv: { PIDS_FILE: pidsFile } });
  const q = makeProject({ agent: 'succeed.sh', runtimeToml: 'containment = "auto"\nmemory_max_mb = 64\n' });
  t.after(() => [p, q].forEach((x) => fs.rmSync(x.dir, { recursive: true, force: true })));
  const doctor = (x: Project) => {
    const d = runPureV2(outer.rel, x, ['doctor', '--json']);
    return (JSON.parse(d.stdout) as { checks: Array<{ name: string; ok: boolean; detail?: string; problem?: string }> }).checks.find((c) => c.name === 'containment')!;
  };

  // the cgroup2 mount at /sys/fs/cgroup (not a hybrid's /sys/fs/cgroup/unified), our own cgroup in it
  const c = doctor(p);
  assert.ok(c.ok, JSON.stringify(c));
  assert.match(c.detail ?? '', new RegExp(`^cgroup \\(our cgroup v2 /sys/fs/cgroup/${outer.rel} takes child cgroups\\)`));

  const r = runPureV2(outer.rel, p, ['round']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const [rec] = p.rounds();
  assert.equal(rec.outcome, 'ok', rec.reason ?? '');
  assert.equal(rec.containment, 'cgroup');
  const [escapee] = readAgentPids(pidsFile);
  assert.ok(escapee > 0, 'the agent recorded its escapee');
  assert.equal(isAlive(escapee), false, `escapee ${escapee} outlived its round`);
  assert.ok(rec.killed >= 1, `killed ${rec.killed}`);
  assert.equal(isPopulated(outer.dir), false, `left alive: ${cgroupPids(outer.dir).join(' ')}`);
  assert.deepEqual(fs.readdirSync(outer.dir).filter((f) => f.startsWith('agent-runner-')), [], 'the round\'s cgroup is removed');

  // a limit: applied through v2 where v2 has the controller; where it has not (here), said, and no v1 hierarchy is
  // reached for (none is mounted in this layout)
  const lim = runPureV2(outer.rel, q, ['round']);
  assert.equal(lim.code, 0, lim.stdout + lim.stderr);
  const [limited] = q.rounds();
  assert.equal(limited.containment, 'cgroup');
  const v2 = fs.readFileSync(path.join(outer.dir, 'cgroup.controllers'), 'utf8').split(/\s+/);
  if (!v2.includes('memory')) {
    assert.match(limited.reason ?? '', /not applied \(no memory controller we may use\): memory_max_mb/);
    assert.equal(limited.memory_peak_bytes, null);
    assert.match(doctor(q).problem ?? '', /memory_max_mb set, but no memory controller is available/);
  } else {
    assert.ok(limited.memory_peak_bytes! > 0, `peak ${limited.memory_peak_bytes}`);
    assert.ok(doctor(q).ok);
  }
});
