// [schedule]: may a round start now, and if not, when next. Pure but for the caller's `now`; the ranges are
// read by config/schedule.ts, the zone arithmetic is the one the usage-limit resets use (agents/resets.ts).
import type { ActiveRange } from '../config/schedule.js';
import { formatterFor, wallClock, zonedInstant } from '../agents/resets.js';

export interface Schedule {
  active: readonly ActiveRange[];
  timezone: string;
}

/** The weekday (0 = Sunday) and the minutes after midnight on the zone's wall clock at `t`. */
function localDay(zone: string, t: number): { day: number; min: number; y: number; mo: number; d: number } {
  const w = wallClock(formatterFor(zone)!, t);
  return { day: new Date(Date.UTC(w.y, w.mo, w.d)).getUTCDay(), min: w.h * 60 + w.mi, y: w.y, mo: w.mo, d: w.d };
}

function covers(r: ActiveRange, day: number, min: number): boolean {
  if (r.end > r.start) return r.days.has(day) && min >= r.start && min < r.end;
  // past midnight: the evening of a listed day, or the early hours after one
  return (r.days.has(day) && min >= r.start) || (r.days.has((day + 6) % 7) && min < r.end);
}

/** Whether a round may start at `t`: no ranges means any time. */
export function isActive(s: Schedule, t: number): boolean {
  if (s.active.length === 0) return true;
  const { day, min } = localDay(s.timezone, t);
  return s.active.some((r) => covers(r, day, min));
}

/** The next instant after `t` at which a range begins (ISO); null when none does within eight days. */
export function nextActive(s: Schedule, t: number): string | null {
  const f = formatterFor(s.timezone)!;
  const today = localDay(s.timezone, t);
  let best: number | null = null;
  for (let ahead = 0; ahead <= 8; ahead++) {
    const day = (today.day + ahead) % 7;
    for (const r of s.active) {
      if (!r.days.has(day)) continue;
      const at = zonedInstant(f, today.y, today.mo, today.d + ahead, Math.floor(r.start / 60), r.start % 60);
      if (at > t && (best === null || at < best)) best = at;
    }
    if (best !== null) break;
  }
  return best === null ? null : new Date(best).toISOString();
}

/** "Mon-Fri 08:00-20:00, Sat 10:00-14:00 Europe/Berlin" */
export function describeSchedule(s: Schedule): string {
  return `${s.active.map((r) => r.text).join(', ')} ${s.timezone}`;
}
