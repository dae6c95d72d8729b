// Times as a person reads them: local, with the zone, and how far from now; --utc for UTC; --json keeps
// ISO-8601. Real CLI runs under a real time zone (TZ), on a real round and a real kill.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeProject } from '../helpers/project.js';
import { clockTime, relative, shownTime } from '../../src/util/time-display.js';

test('status and peek show local times with their zone and a relative form; --utc shows UTC; --json stays ISO', () => {
  const p = makeProject({ command: ['sleep', '30'] });
  assert.equal(p.run(['start']).code, 0);
  assert.equal(p.run(['kill']).code, 0);
  const paris = { TZ: 'Europe/Paris' };
  const s = p.run(['status'], paris).stdout;
  assert.match(s, /killed \d\d:\d\d (CET|CEST) \((\d+s ago|now)\)/, s);
  assert.match(s, /last round 1: aborted, ended \d\d:\d\d (CET|CEST) \((\d+s ago|now)\)/, s);
  assert.doesNotMatch(s, /\d{4}-\d\d-\d\dT/, 'no raw ISO time');
  const u = p.run(['--utc', 'status'], paris).stdout;
  assert.match(u, /killed \d\d:\d\d UTC \(/, u);
  const j = JSON.parse(p.run(['status', '--json'], paris).stdout);
  assert.match(j.last.end, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  const peek = p.run(['peek', '--events', '3'], { TZ: 'America/New_York' }).stdout;
  assert.match(peek, /^ {2}\d\d:\d\d:\d\d E[SD]T serve_killed/m, peek);
});

test('the formatter: today without a date, another day with it, relative both ways', () => {
  const now = Date.parse('2026-12-06T12:00:00Z');
  process.env.TZ = 'Europe/Paris';
  assert.equal(shownTime('2026-12-06T13:30:00Z', now), '14:30 CET (in 1h30m)');
  assert.equal(shownTime('2026-12-05T09:05:00Z', now), '2026-12-05 10:05 CET (1d02h ago)');
  assert.equal(clockTime('2026-07-01T12:00:00Z', now), '2026-07-01 14:00 CEST');
  assert.equal(relative(now + 400, now), 'now');
  assert.equal(shownTime('garbage', now), 'garbage');
});
