// The spans and moments serve's until / max_runtime take (src/util/when.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseMoment, parseSpan } from '../../src/util/when.js';

test('parseSpan: d/h/m/s in order, or bare seconds; 0, junk and a wrong order are refused', () => {
  const ok: Array<[string, number]> = [['8h', 28800], ['1h30m', 5400], ['2d', 172800], ['45s', 45], ['3600', 3600], ['1d2h3m4s', 93784], [' 90m ', 5400]];
  for (const [t, s] of ok) assert.equal(parseSpan(t), s, t);
  for (const t of ['', '0', '0s', '5x', 'h', '30m1h', '1.5h', '-1h', '1 h']) assert.equal(parseSpan(t), null, t);
});

test('parseMoment: local date-times, zoned ISO, a date, the next HH:MM; impossible dates refused', () => {
  const now = new Date(2026, 11, 6, 12, 0, 0).getTime(); // 6 Dec 2026, 12:00 local
  assert.equal(parseMoment('2026-12-24 18:00', now), new Date(2026, 11, 24, 18, 0, 0).getTime());
  assert.equal(parseMoment('2026-12-24T18:00:30', now), new Date(2026, 11, 24, 18, 0, 30).getTime());
  assert.equal(parseMoment('2026-12-24', now), new Date(2026, 11, 24).getTime());
  assert.equal(parseMoment('2026-12-24T18:00:00Z', now), Date.UTC(2026, 11, 24, 18));
  assert.equal(parseMoment('2026-12-24T18:00+01:00', now), Date.UTC(2026, 11, 24, 17));
  assert.equal(parseMoment('18:30', now), new Date(2026, 11, 6, 18, 30).getTime(), 'later today');
  assert.equal(parseMoment('09:15', now), new Date(2026, 11, 7, 9, 15).getTime(), 'tomorrow: today\'s has passed');
  for (const t of ['tomorrow', '2026-02-30', '2026-13-01 10:00', '25:00', '2026-12-24 24:00', '12:60', '']) assert.equal(parseMoment(t, now), null, t);
});
