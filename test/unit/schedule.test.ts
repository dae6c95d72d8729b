// [schedule]: ranges read at load (config/schedule.ts) and asked about instants (serve/schedule.ts). Pure.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseActiveRange, type ActiveRange } from '../../src/config/schedule.js';
import { isActive, nextActive } from '../../src/serve/schedule.js';

const range = (text: string): ActiveRange => {
  const r = parseActiveRange(text);
  assert.ok(typeof r !== 'string', `${text}: ${r}`);
  return r;
};
const at = (iso: string) => Date.parse(iso);

test('ranges as people write them; each mistake gets the fix', () => {
  assert.deepEqual([...range('Mon-Fri 08:00-20:00').days].sort(), [1, 2, 3, 4, 5]);
  assert.deepEqual([...range('Fri-Mon 9:30-10:00').days].sort(), [0, 1, 5, 6]);
  assert.deepEqual([...range('mon, wed,Friday 00:00-24:00').days].sort(), [1, 3, 5]);
  assert.equal(range('22:00-06:00').days.size, 7);
  assert.deepEqual([range('22:00-06:00').start, range('22:00-06:00').end], [1320, 360]);
  for (const [bad, fix] of [
    ['8-20', /write it as "\[DAYS \]HH:MM-HH:MM"/],
    ['Mon-Fri 08:00-25:00', /times run from 00:00 to 24:00/],
    ['Mon 24:00-02:00', /times run from 00:00 to 24:00/],
    ['Mon 08:00-08:00', /for the whole day write 00:00-24:00/],
    ['Mo-Fr 08:00-20:00', /"mo-fr" is not a day; use Mon, Tue/],
  ] as const) {
    const r = parseActiveRange(bad);
    assert.equal(typeof r, 'string', bad);
    assert.match(r as string, fix);
  }
});

test('active or not, in the schedule zone: weekdays, overnight ranges, the end excluded', () => {
  const berlin = { active: [range('Mon-Fri 08:00-20:00')], timezone: 'Europe/Berlin' };
  assert.equal(isActive(berlin, at('2026-01-05T07:00:00Z')), true); // Monday 08:00 CET
  assert.equal(isActive(berlin, at('2026-01-05T06:59:00Z')), false); // 07:59 CET
  assert.equal(isActive(berlin, at('2026-01-05T19:00:00Z')), false); // 20:00 CET: the end is not in it
  assert.equal(isActive(berlin, at('2026-01-10T12:00:00Z')), false); // Saturday
  const night = { active: [range('Fri 22:00-06:00')], timezone: 'UTC' };
  assert.equal(isActive(night, at('2026-01-09T23:00:00Z')), true); // Friday night
  assert.equal(isActive(night, at('2026-01-10T05:59:00Z')), true); // Saturday early: Friday's range
  assert.equal(isActive(night, at('2026-01-10T23:00:00Z')), false); // Saturday night
  assert.equal(isActive({ active: [], timezone: 'UTC' }, at('2026-01-10T23:00:00Z')), true);
});

test('the next start: later today, after a weekend, across a DST change, in a zone with a half-hour offset', () => {
  const berlin = { active: [range('Mon-Fri 08:00-20:00')], timezone: 'Europe/Berlin' };
  assert.equal(nextActive(berlin, at('2026-01-05T05:00:00Z')), '2026-01-05T07:00:00.000Z');
  assert.equal(nextActive(berlin, at('2026-01-09T19:30:00Z')), '2026-01-12T07:00:00.000Z'); // Friday evening → Monday
  // 2026-03-29: clocks go forward in Berlin; Monday 08:00 is then 06:00 UTC
  assert.equal(nextActive(berlin, at('2026-03-27T20:00:00Z')), '2026-03-30T06:00:00.000Z');
  const kolkata = { active: [range('09:00-17:00')], timezone: 'Asia/Kolkata' };
  assert.equal(nextActive(kolkata, at('2026-01-05T12:00:00Z')), '2026-01-06T03:30:00.000Z');
});
