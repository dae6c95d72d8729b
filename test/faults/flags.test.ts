// Fault suite (issue 19, item 11): bounds on flags. `watch --interval` and `monitor --interval` of 0, a
// negative, a non-number or a huge value are refused with one line and exit 2. Before the fix a huge
// watch interval overflowed setTimeout (over 2^31-1 ms Node waits 1 ms) and redrew in a busy loop.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { spawnSync } from 'node:child_process';
import { CLI } from '../helpers/env.js';
import { makeProject, type Project } from '../helpers/project.js';

function project(t: TestContext): Project {
  const p = makeProject({ agent: 'succeed.sh' });
  t.after(() => fs.rmSync(p.dir, { recursive: true, force: true }));
  return p;
}

/** The verb for at most 3 s (a watch that is accepted runs until stopped); `running`: it was still running then. */
function briefly(p: Project, args: string[]): { code: number | null; running: boolean; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, '--config', p.configPath, ...args], {
    cwd: p.dir,
    env: { ...process.env, AGENT_RUNNER_CONFIG: '' },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 3_000,
    maxBuffer: 256 * 1024 * 1024,
  });
  const running = (r.error as NodeJS.ErrnoException | undefined)?.code === 'ETIMEDOUT';
  return { code: running ? null : r.status, running, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

test('watch and monitor --interval: 0, negative, not a number or huge is refused with one line, exit 2', (t) => {
  const p = project(t);
  for (const verb of ['watch', 'monitor']) {
    for (const v of ['0', '-1', 'abc', 'Infinity', '1e9', '2147484', '1e400']) {
      const r = briefly(p, [verb, `--interval=${v}`]);
      const redraws = (r.stdout.match(/agent-runner watch ·/g) ?? []).length;
      assert.equal(r.code, 2, `${verb} --interval ${v}: exit ${r.code}, ${redraws} redraws in 3 s: ${r.stderr.slice(0, 300)}`);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.match(r.stderr, /interval/);
    }
  }
  // the bounds themselves are accepted: a watch at the longest interval draws once and waits
  const r = briefly(p, ['watch', '--interval=86400']);
  assert.ok(r.running, `exit ${r.code}: ${r.stderr}`);
  assert.equal((r.stdout.match(/agent-runner watch ·/g) ?? []).length, 1, r.stdout.slice(0, 500));
});
