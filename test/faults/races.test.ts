// Fault suite (issue 19, items 12 and 13): races at start-up. Several `start` at once end with exactly
// one serve, and every other start says who runs and exits 0. A SIGTERM in the first moments of serve or
// round (loading the config, taking the lock, repairing the state) is handled like any later one.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { finished, type Project } from '../helpers/project.js';
import { scratchProject } from '../helpers/scratch.js';
import { isAlive } from '../helpers/env.js';
import { assertNoStray, checkInvariants, strayRoundProcesses } from '../helpers/invariants.js';
import { readLock } from '../../src/state/lock.js';

function project(t: TestContext, agent = 'hang.sh'): Project {
  return scratchProject(t, { agent, timeout: 120 });
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

/**
 * A ledger of `n` rounds: the start-up repair reads it, which widens the first moments of serve and round
 * (before the fix, the traps came after the lock and the repair; a signal there killed the process).
 */
function bigLedger(p: Project, n: number): void {
  const [rec] = p.rounds();
  assert.ok(rec, 'no round to copy');
  const lines: string[] = [];
  for (let i = 1; i <= n; i++) lines.push(JSON.stringify({ ...rec, n: i }));
  fs.writeFileSync(`${p.stateDir}/rounds.jsonl`, lines.join('\n') + '\n', { mode: 0o600 });
}

for (const verb of ['serve', 'round'] as const) {
  test(`SIGTERM in the first moments of \`${verb}\` is handled like any later one: no lock left, nothing orphaned`, async (t) => {
    const p = project(t, 'succeed.sh');
    assert.equal(p.run(['round']).code, 0);
    bigLedger(p, 40_000);
    const lock = `${p.stateDir}/lock`;
    const seen = { trapped: 0, beforeJs: 0 };
    // every 30 ms from the start to 450 ms past the first run that reached agent-runner's code: when Node's own
    // start is slow (a loaded machine: once, no run of 0–450 ms got that far), the steps grow until one does
    let firstTrap: number | null = null;
    for (let delay = 0; delay <= 20_000 && (firstTrap === null || delay <= firstTrap + 450); delay += firstTrap === null && delay >= 450 ? Math.round(delay / 2) : 30) {
      const child = p.start([verb]);
      const done = finished(child);
      await new Promise((r) => setTimeout(r, delay));
      child.kill('SIGTERM');
      const r = await done;
      if (r.signal === 'SIGTERM') {
        // the signal came before Node ran any of agent-runner (its default action): nothing may be left
        seen.beforeJs++;
        assert.ok(!fs.existsSync(lock), `${verb} killed by SIGTERM ${delay} ms in, its lock left behind: the trap came too late`);
      } else {
        seen.trapped++;
        firstTrap ??= delay;
        const ok = verb === 'serve' ? [0] : [0, 1]; // a round stopped before it began, or cancelled, is 1
        assert.ok(ok.includes(r.code ?? -1), `${verb} SIGTERM ${delay} ms in: exit ${r.code}: ${r.stderr}`);
        assert.doesNotMatch(r.stderr, /unexpected error/);
      }
      assert.ok(!fs.existsSync(lock), `${verb} SIGTERM ${delay} ms in: lock left`);
      await assertNoStray({ stateDir: p.stateDir });
    }
    assert.ok(seen.trapped > 0, `no run got as far as agent-runner's own code: ${JSON.stringify(seen)}`);
    checkInvariants(p.stateDir, { minRounds: 40_000 });
  });
}
