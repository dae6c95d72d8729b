// [schedule] under a real serve whose wall clock libfaketime starts four seconds before the active hours
// (a Monday, 07:59:56 UTC; the clock then runs at its real pace). The agent and the test run on the real clock.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { AGENTS_DIR, waitUntil } from '../helpers/env.js';
import { finished, makeProject } from '../helpers/project.js';
import { findLibfaketime } from '../helpers/faketime.js';
import { killStateDirProcesses } from '../helpers/invariants.js';

test('outside the active hours serve waits, says until when, and starts the round when they begin', async (t) => {
  const so = findLibfaketime();
  assert.ok(so, 'libfaketime.so.1 not found under /usr/lib/*/faketime/ (install the Debian package `faketime`)');
  const p = makeProject({
    command: ['env', '-u', 'LD_PRELOAD', '-u', 'FAKETIME', 'bash', path.join(AGENTS_DIR, 'succeed.sh')],
    extraToml: '[schedule]\nactive = ["Mon-Fri 08:00-20:00"]\ntimezone = "UTC"\n',
  });
  const serve = p.start(['serve', '--max-rounds', '1'], { LD_PRELOAD: so, FAKETIME: '@2026-01-05 07:59:56', TZ: 'UTC' });
  const done = finished(serve);
  t.after(() => {
    serve.kill('SIGKILL');
    killStateDirProcesses(p.stateDir);
  });
  await waitUntil(() => p.events().some((e) => e.kind === 'schedule_wait'), { timeoutMs: 10_000, what: 'the schedule_wait event' });
  const ev = p.events().find((e) => e.kind === 'schedule_wait')!;
  assert.equal(ev.until, '2026-01-05T08:00:00.000Z');
  assert.equal(ev.schedule, 'Mon-Fri 08:00-20:00 UTC');
  const st = JSON.parse(p.run(['status', '--json']).stdout);
  assert.equal(st.state, 'waiting');
  assert.deepEqual(st.waiting, { until: '2026-01-05T08:00:00.000Z', why: 'outside the active hours (Mon-Fri 08:00-20:00 UTC)' });
  assert.match(p.run(['peek', '--utc']).stdout, /waiting until 2026-01-05 08:00 UTC \(.*\) \(outside the active hours/);
  const r = await done;
  assert.equal(r.code, 0, r.stderr);
  assert.equal(p.rounds().length, 1);
  assert.ok(p.rounds()[0].start >= '2026-01-05T08:00:00', `round started ${p.rounds()[0].start}, before the active hours`);
});

test('a bad range or an unknown zone is refused at load with one line naming the key and the fix (exit 78)', () => {
  for (const [toml, want] of [
    ['active = ["Mon-Fri 8-20"]', /`schedule.active\[1\]` "Mon-Fri 8-20" is not a time range: write it as "\[DAYS \]HH:MM-HH:MM"/],
    ['active = ["Mon-Fri 08:00-20:00"]\ntimezone = "Mars/Olympus"', /`schedule.timezone` "Mars\/Olympus" is not a time zone this system knows/],
  ] as const) {
    const p = makeProject({ extraToml: `[schedule]\n${toml}\n` });
    const r = p.run(['serve']);
    assert.equal(r.code, 78, r.stderr);
    assert.match(r.stderr, want);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  }
});
