// monitor --kube against a recorded cluster: a fake `kubectl` on PATH (test/kube/recorded-cluster-kubectl.sh)
// answers `get pods -o json` with a pod list in kubectl's shape (test/fixtures/kube/get-pods.json) and runs
// each `exec` as a local process against a real project with a real serve. One list call and one exec per
// running pod per poll; the same detectors as --host; the auto-stop goes through `kubectl exec … stop`; a
// pod that is not Running is reported without an exec; pods that come and go are picked up and dropped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { CLI, REPO_ROOT, tmpDir, waitUntil } from '../helpers/env.js';
import { finished, makeProject, type Project } from '../helpers/project.js';
import { within } from '../helpers/within.js';
import type { AlertLine } from '../../src/monitor/types.js';

const lines = (out: string): AlertLine[] => out.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as AlertLine);
const PODS = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'test', 'fixtures', 'kube', 'get-pods.json'), 'utf8'));

/** The fake cluster: kubectl on PATH, the pod list, and a dir per pod that runs agent-runner on `p`. */
function fakeCluster(pods: Record<string, Project>) {
  const dir = tmpDir('ar-kube-');
  const bin = path.join(dir, 'bin');
  fs.mkdirSync(bin);
  fs.symlinkSync(path.join(REPO_ROOT, 'test', 'kube', 'recorded-cluster-kubectl.sh'), path.join(bin, 'kubectl'));
  fs.writeFileSync(path.join(dir, 'pods.json'), JSON.stringify(PODS));
  for (const [name, p] of Object.entries(pods)) {
    const pd = path.join(dir, 'pods', 'agents', name);
    fs.mkdirSync(path.join(pd, 'bin'), { recursive: true });
    // as in the StatefulSet: AGENT_RUNNER_CONFIG names the config, the working dir is the work tree
    fs.writeFileSync(path.join(pd, 'env'), `AGENT_RUNNER_CONFIG='${p.configPath}'\n`);
    fs.writeFileSync(path.join(pd, 'workdir'), p.dir);
    fs.writeFileSync(path.join(pd, 'bin', 'agent-runner'), `#!/bin/sh\nexec '${process.execPath}' '${CLI}' "$@"\n`, { mode: 0o755 });
  }
  const env = { ...process.env, PATH: `${bin}:${process.env.PATH}`, FAKE_KUBE_DIR: dir, AGENT_RUNNER_CONFIG: '', HOME: dir };
  const calls = () => fs.readFileSync(path.join(dir, 'calls.log'), 'utf8').split('\n').filter(Boolean);
  const list = (names: string[]) =>
    fs.writeFileSync(path.join(dir, 'pods.json'), JSON.stringify({ ...PODS, items: PODS.items.filter((i: any) => names.includes(i.metadata.name)) }));
  return { dir, env, calls, list };
}

test('monitor --kube: one list and one exec per running pod; oauth_fail raised and auto-stopped through kubectl exec; a Pending pod and a vanished one are host_unreachable', async (t) => {
  const a = makeProject({ agent: 'auth-error.sh', serveToml: 'stop_on_auth = false\nbackoff_base_s = 0.2\nbackoff_max_s = 1' });
  const b = makeProject({ agent: 'hang.sh', timeout: 600 });
  const serveA = a.start(['serve']);
  const serveB = b.start(['serve']);
  t.after(() => {
    for (const s of [serveA, serveB]) s.kill('SIGKILL');
    a.run(['kill']);
    b.run(['kill']);
  });
  const status = (p: Project) => JSON.parse(p.run(['status', '--json']).stdout);
  await waitUntil(() => (status(a).last?.n ?? 0) >= 1 && status(a).pid === serveA.pid, { timeoutMs: 30_000, what: "proj-a's serve to record an auth failure" });
  await waitUntil(() => status(b).round?.n === 1, { timeoutMs: 30_000, what: "proj-b's round" });

  // proj-e-0's agent-runner finds no config: peek fails inside the pod, and says why
  const broken = { ...b, configPath: path.join(tmpDir(), 'missing.toml') };
  const k = fakeCluster({ 'proj-a-0': a, 'proj-b-0': b, 'proj-e-0': broken });
  const cwd = tmpDir('ar-kube-cwd-'); // no agent-runner.toml here: default thresholds
  const r = spawnSync(process.execPath, [CLI, 'monitor', '--kube', '--namespace', 'agents', '--context', 'prod', '--once', '--json'], { cwd, env: k.env, encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, r.stderr);
  const out = lines(r.stdout);

  const oauth = out.find((l) => l.detector === 'oauth_fail' && l.state === 'raised');
  assert.ok(oauth, `oauth_fail from proj-a-0's snapshot: ${r.stdout}`);
  assert.equal(oauth.host, 'agents/proj-a-0');
  assert.equal(oauth.auto_action?.result, 'stopped', JSON.stringify(oauth.auto_action));
  assert.equal(status(a).state, 'stopped', "proj-a's serve was stopped through kubectl exec");
  assert.ok(await within(finished(serveA), 10_000), 'serve A exited');
  assert.equal(status(b).state, 'running', 'proj-b is left alone');
  assert.ok(!out.some((l) => l.host === 'agents/proj-b-0' && l.state === 'raised'), `nothing raised for a healthy pod: ${r.stdout}`);

  const unreachable = (host: string) => out.find((l) => l.host === host && l.detector === 'host_unreachable' && l.state === 'raised');
  assert.equal(unreachable('agents/proj-c-0')?.message, 'pod agents/proj-c-0 is Pending (ContainerCreating), not Running');
  assert.match(unreachable('agents/proj-d-0')?.message ?? '', /^kubectl exec agents\/proj-d-0 failed: Error from server \(NotFound\): pods "proj-d-0" not found$/);

  assert.match(unreachable('agents/proj-e-0')?.message ?? '', /^`agent-runner peek` on agents\/proj-e-0 failed \(exit 78\): agent-runner: .*missing\.toml/);

  // what was asked of the cluster: one list (by the default selector), one peek per running pod, one stop
  const calls = k.calls().sort();
  assert.deepEqual(calls, [
    '--context prod --namespace agents exec proj-a-0 -- agent-runner peek --json',
    '--context prod --namespace agents exec proj-a-0 -- agent-runner stop --timeout 30',
    '--context prod --namespace agents exec proj-b-0 -- agent-runner peek --json',
    '--context prod --namespace agents exec proj-d-0 -- agent-runner peek --json',
    '--context prod --namespace agents exec proj-e-0 -- agent-runner peek --json',
    '--context prod --namespace agents get pods --output json --selector app.kubernetes.io/name=agent-runner',
  ]);
});

test('monitor --kube in a loop: a pod that leaves the list is dropped with its alerts, a new one is watched; bad flags are usage errors', async (t) => {
  const b = makeProject({ agent: 'hang.sh', timeout: 600 });
  const serveB = b.start(['serve']);
  t.after(() => {
    serveB.kill('SIGKILL');
    b.run(['kill']);
  });
  const k = fakeCluster({ 'proj-b-0': b });
  k.list(['proj-b-0', 'proj-c-0']);
  const child = spawn(process.execPath, [CLI, 'monitor', '--kube', '--json', '--interval', '0.5'], { cwd: tmpDir(), env: k.env, stdio: ['ignore', 'pipe', 'pipe'] });
  const done = finished(child);
  t.after(() => child.kill('SIGKILL'));
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (err += d));
  await waitUntil(() => lines(out).some((l) => l.host === 'agents/proj-c-0'), { timeoutMs: 30_000, what: 'the Pending pod reported' });
  k.list(['proj-b-0', 'proj-d-0']);
  await waitUntil(() => /agents\/proj-c-0 is no longer listed: not watched, its alerts dropped/.test(err) && /agents\/proj-d-0 is listed: watched from now on/.test(err), {
    timeoutMs: 30_000,
    what: `the new list to be taken: ${err}`,
  });
  await waitUntil(() => lines(out).some((l) => l.host === 'agents/proj-d-0' && l.detector === 'host_unreachable'), { timeoutMs: 30_000, what: 'the new pod polled' });
  child.kill('SIGTERM');
  const r = await within(done, 15_000);
  assert.ok(r, 'monitor exited on SIGTERM');
  assert.equal(r.code, 0, r.stderr);
  // no exec was ever sent to the Pending pod
  assert.ok(!k.calls().some((c) => /exec proj-c-0/.test(c)), k.calls().join('\n'));

  const usage = (args: string[], re: RegExp) => {
    const u = spawnSync(process.execPath, [CLI, 'monitor', ...args], { cwd: tmpDir(), env: k.env, encoding: 'utf8' });
    assert.equal(u.status, 2, `${args.join(' ')}: ${u.stderr}`);
    assert.match(u.stderr, re);
  };
  usage(['--namespace', 'agents'], /--namespace: only with --kube/);
  usage(['--kube', '--host', 'pi'], /--kube watches pods: it takes no --host/);
  usage(['--kube', '--namespace', 'Bad_NS'], /a namespace is lower-case letters/);
  usage(['--kube', '--selector', '-x'], /--selector "-x": give one line that does not start with "-"/);
});
