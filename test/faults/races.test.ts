// Fault suite (issue 19, items 12 and 13): races at start-up. Several `start` at once end with exactly
// one serve, and every other start says who runs and exits 0.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { finished, makeProject, type Project } from '../helpers/project.js';
import { isAlive } from '../helpers/env.js';
import { assertNoStray, checkInvariants, killStateDirProcesses, strayRoundProcesses } from '../helpers/invariants.js';
import { readLock } from '../../src/state/lock.js';

function project(t: TestContext, agent = 'hang.sh'): Project {
  const p = makeProject({ agent, timeout: 120 });
  t.after(() => {
    killStateDirProcesses(p.stateDir);
    fs.rmSync(p.dir, { recursive: true, force: true });
  });
  return p;
}

test('eight `start` at once: exactly one serve runs; the other starts exit 0 naming its pid', async (t) => {
  const p = project(t);
  const runs = await Promise.all(Array.from({ length: 8 }, () => finished(p.start(['start']))));
  const started = runs.filter((r) => /started serve \(pid \d+\)/.test(r.stdout));
  assert.equal(started.length, 1, runs.map((r) => `${r.code}: ${r.stdout}${r.stderr}`).join('\n'));
  const pid = Number(/pid (\d+)/.exec(started[0]!.stdout)![1]);
  for (const r of runs) {
    assert.equal(r.code, 0, `${r.stdout}${r.stderr}`);
    if (r !== started[0]) assert.match(r.stdout, new RegExp(`already running: serve pid ${pid}\\b`));
  }
  assert.equal(readLock(`${p.stateDir}/lock`)?.pid, pid);
  // every serve but the one that holds the lock is gone
  const serves = fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d) && isServeOf(Number(d), p.configPath));
  assert.deepEqual(serves.map(Number), [pid]);
  const k = p.run(['kill']);
  assert.equal(k.code, 0, k.stderr);
  checkInvariants(p.stateDir, { minRounds: 1 });
  await assertNoStray({ stateDir: p.stateDir });
  assert.deepEqual(strayRoundProcesses({ stateDir: p.stateDir }), []);
});

/** a live `agent-runner --config <config> serve` process */
function isServeOf(pid: number, config: string): boolean {
  try {
    const argv = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return isAlive(pid) && argv.includes(config) && argv.includes('serve');
  } catch {
    return false;
  }
}
