// `doctor` as the operator runs it: one line per check with the fix, exit 0 only when all pass, --json.
// Each project check is broken for real (a detached HEAD, a stale index.lock, a missing agent, an auth
// failure, a broken config, a serve running an older config) and must say so.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { git } from '../helpers/env.js';
import { makeProject, type Project } from '../helpers/project.js';
import { DOCTOR_CHECKS } from '../../src/snapshot/doctor.js';

interface Check { name: string; ok: boolean; detail?: string; problem?: string; fix?: string }
function doctor(p: Project): { code: number | null; checks: Record<string, Check>; human: string } {
  const j = p.run(['doctor', '--json']);
  const human = p.run(['doctor']).stdout;
  const report = JSON.parse(j.stdout) as { ok: boolean; checks: Check[] };
  assert.equal(report.ok, j.code === 0, 'exit 0 only when all pass');
  return { code: j.code, checks: Object.fromEntries(report.checks.map((c) => [c.name, c])), human };
}

test('doctor on a healthy project: every check, one line each, in order; the project checks pass', () => {
  const p = makeProject({ agent: 'succeed.sh' });
  assert.equal(p.run(['round']).code, 0);
  const d = doctor(p);
  assert.deepEqual(Object.keys(d.checks), DOCTOR_CHECKS.map((c) => c.name));
  for (const n of ['config', 'serve_config', 'agent', 'agent_auth', 'git', 'disk', 'containment', 'tmp_box']) assert.ok(d.checks[n].ok, `${n}: ${JSON.stringify(d.checks[n])}`);
  assert.match(d.checks.agent.detail!, /\/bash .*version \d/);
  // where the rounds' temp dirs go (the state dir's tmp/ without a private $XDG_RUNTIME_DIR), and the room there
  const root = /^round temp dirs go under (.*): \d+ MiB free there$/.exec(d.checks.tmp_box.detail!)?.[1];
  if (process.env.XDG_RUNTIME_DIR) assert.ok(root?.startsWith(path.join(process.env.XDG_RUNTIME_DIR, 'agent-runner') + '/'), d.checks.tmp_box.detail);
  else assert.equal(root, path.join(p.stateDir, 'tmp'), d.checks.tmp_box.detail);
  assert.equal(d.human.trim().split('\n').length, DOCTOR_CHECKS.length + Object.values(d.checks).filter((c) => !c.ok).length);
});

test('doctor names each broken thing with its fix, and exits 1', () => {
  const p = makeProject({ agent: 'auth-error.sh' });
  p.run(['round']);
  let d = doctor(p);
  assert.equal(d.code, 1);
  assert.ok(!d.checks.agent_auth.ok && /login|log in/i.test(d.checks.agent_auth.fix!), JSON.stringify(d.checks.agent_auth));

  // a detached HEAD, then a stale index.lock
  git(p.dir, 'checkout', '-q', '--detach');
  d = doctor(p);
  assert.match(d.checks.git.problem ?? '', /HEAD is detached at [0-9a-f]{10}/);
  assert.match(d.checks.git.fix ?? '', /switch/);
  git(p.dir, 'checkout', '-q', 'main');
  const lock = path.join(p.dir, '.git', 'index.lock');
  fs.writeFileSync(lock, '');
  const old = new Date(Date.now() - 600_000);
  fs.utimesSync(lock, old, old);
  d = doctor(p);
  assert.match(d.checks.git.problem ?? '', /index\.lock is \d+s old/);
  assert.equal(d.checks.git.fix, `if no git is running: rm ${lock}`);
  fs.rmSync(lock);

  // an agent given by a path that is not there
  const text = fs.readFileSync(p.configPath, 'utf8');
  fs.writeFileSync(p.configPath, text.replace(/^command = .*$/m, 'command = ["/nonexistent/agent"]'));
  d = doctor(p);
  assert.match(d.checks.agent.problem ?? '', /agent command not found: \/nonexistent\/agent/);

  // a broken config: named, and the checks that need it say so instead of failing on their own
  fs.writeFileSync(p.configPath, text + '\n[runtime2]\nx = 1\n');
  d = doctor(p);
  assert.match(d.checks.config.problem ?? '', /runtime2/);
  assert.match(d.checks.agent.detail ?? '', /not checked: the config is broken/);

  // a serve running an older config than the one on disk
  fs.writeFileSync(p.configPath, text.replace(/^command = .*$/m, 'command = ["sleep", "30"]'));
  assert.equal(p.run(['start']).code, 0);
  assert.match(doctor(p).checks.serve_config.detail ?? '', /uses the config on disk/);
  fs.appendFileSync(p.configPath, '\n# edited\n[monitor]\ninterval_s = 61\n');
  d = doctor(p);
  p.run(['kill']);
  assert.ok(!d.checks.serve_config.ok, JSON.stringify(d.checks.serve_config));
  assert.match(d.checks.serve_config.fix ?? '', /agent-runner restart/);
});
