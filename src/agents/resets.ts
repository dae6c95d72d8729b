// Reading "when may the agent usefully run again" out of an agent's own words: the shared readers (an epoch,
// an ISO instant, a relative wait) and the wall-clock arithmetic the CLIs' own formats use (each adapter's
// `resets`). Pure: `now` is passed in. Every reader returns null when it cannot read a time: a wrong wait is
// worse than the policy's default back-off. The merged list is the registry's extractResetTime.
import type { ResetReader } from './types.js';

export const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
export const MONTH_RE = '(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]{0,6}\\.?';

/** An epoch (seconds, or milliseconds when 13 digits) as a Date; null outside 2001–2286. */
export function fromEpoch(n: number): Date | null {
  if (!Number.isFinite(n) || n <= 0) return null;
  const ms = n < 1e11 ? n * 1000 : n;
  if (ms < 978_307_200_000 || ms > 9_999_999_999_999) return null;
  return new Date(ms);
}

/** An ISO 8601 instant with a zone after "reset"/"try again"/"retry": `resets at 2026-11-21T02:57:00Z`. */
export function resetFromIso(text: string): Date | null {
  const m = /\b(?:resets?|try again|retry)\b[^\n\d]{0,24}(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2}))/i.exec(
    text,
  );
  if (!m) return null;
  const t = Date.parse(m[1].replace(' ', 'T'));
  return Number.isFinite(t) ? new Date(t) : null;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
export function formatterFor(zone: string): Intl.DateTimeFormat | null {
  let f = formatters.get(zone);
  if (f) return f;
  try {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  } catch {
    return null; // not an IANA zone this runtime knows
  }
  formatters.set(zone, f);
  return f;
}

export interface Wall {
  y: number;
  mo: number; // 0-based
  d: number;
  h: number;
  mi: number;
  s: number;
}

export function wallClock(f: Intl.DateTimeFormat, t: number): Wall {
  const p: Record<string, number> = {};
  for (const part of f.formatToParts(new Date(t))) {
    if (part.type !== 'literal') p[part.type] = Number(part.value);
  }
  return { y: p.year, mo: p.month - 1, d: p.day, h: p.hour === 24 ? 0 : p.hour, mi: p.minute, s: p.second };
}

/** The zone's offset from UTC at instant t, in ms (wall clock read as UTC, minus t). */
function offsetMs(f: Intl.DateTimeFormat, t: number): number {
  const w = wallClock(f, t);
  return Date.UTC(w.y, w.mo, w.d, w.h, w.mi, w.s) - Math.floor(t / 1000) * 1000;
}

/** The instant at which the wall clock in the zone shows the given local time (Date.UTC normalises overflow). */
export function zonedInstant(f: Intl.DateTimeFormat, y: number, mo: number, d: number, h: number, mi: number): number {
  const asUtc = Date.UTC(y, mo, d, h, mi);
  // two passes settle the offset on either side of a DST change
  const first = asUtc - offsetMs(f, asUtc);
  return asUtc - offsetMs(f, first);
}

export function hour24(h: number, ampm: string | undefined): number | null {
  if (ampm) {
    if (h < 1 || h > 12) return null;
    const pm = ampm.toLowerCase() === 'pm';
    return (h % 12) + (pm ? 12 : 0);
  }
  return h <= 23 ? h : null;
}

const UNIT_MS: Record<string, number> = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000, ms: 1 };
function unitMs(u: string): number {
  const l = u.toLowerCase();
  if (l === 'ms') return UNIT_MS.ms;
  if (l.startsWith('d')) return UNIT_MS.d;
  if (l.startsWith('h')) return UNIT_MS.h;
  if (l.startsWith('m')) return UNIT_MS.m;
  return UNIT_MS.s;
}

/** A relative wait: `try again in 5 days 22 hours 11 minutes`, `resets in 3h`, `Please try again in 45 minutes`, `in 1.5s`. */
export function resetFromRelative(text: string, now: Date): Date | null {
  const lead = /\b(?:try again|retry|resets?|available again|wait)\s+(?:in|after|for)\s+/i.exec(text);
  if (!lead) return null;
  const rest = text.slice(lead.index + lead[0].length, lead.index + lead[0].length + 120);
  const part = /^(\d+(?:\.\d+)?)\s*(days?|d|hours?|hrs?|h|minutes?|mins?|ms|m|seconds?|secs?|s)\b[\s,]*(?:and\s+)?/i;
  let total = 0;
  let seen = false;
  let s = rest;
  for (let m = part.exec(s); m; m = part.exec(s)) {
    total += Number(m[1]) * unitMs(m[2]);
    seen = true;
    s = s.slice(m[0].length);
  }
  return seen ? validDate(new Date(now.getTime() + Math.ceil(total))) : null;
}

/** "try again in 99999999999999999999 days" is past what a Date holds: no time, not an Invalid Date. */
export function validDate(d: Date | null): Date | null {
  return d && Number.isFinite(d.getTime()) ? d : null;
}

/** The readers every CLI's output goes through, after the CLIs' own of the same precision. */
export const SHARED_RESET_READERS: readonly ResetReader[] = [
  { name: 'iso', precision: 'instant', read: (t) => resetFromIso(t) },
  { name: 'relative', precision: 'relative', read: resetFromRelative },
];

/** Most exact first: an instant, then a wall-clock time, then a relative wait; each CLI's own (in registry order) before the shared ones. */
export function mergeResetReaders(own: ReadonlyArray<readonly ResetReader[]>): ResetReader[] {
  const all = [...own.flat(), ...SHARED_RESET_READERS];
  return (['instant', 'clock', 'relative'] as const).flatMap((p) => all.filter((r) => r.precision === p));
}
