// Reading "when may the agent usefully run again" out of an agent's own words. Pure: `now` is passed in.
// Every parser returns null when it cannot read a time: a wrong wait is worse than the policy's default back-off.

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const MONTH_RE = '(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]{0,6}\\.?';

/** An epoch (seconds, or milliseconds when 13 digits) as a Date; null outside 2001–2286. */
export function fromEpoch(n: number): Date | null {
  if (!Number.isFinite(n) || n <= 0) return null;
  const ms = n < 1e11 ? n * 1000 : n;
  if (ms < 978_307_200_000 || ms > 9_999_999_999_999) return null;
  return new Date(ms);
}

/** Claude Code's machine form: `Claude AI usage limit reached|1762952400`. */
export function resetFromPipeEpoch(text: string): Date | null {
  const m = /limit reached\|(\d{10,13})(?!\d)/i.exec(text);
  return m ? fromEpoch(Number(m[1])) : null;
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
function formatterFor(zone: string): Intl.DateTimeFormat | null {
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

interface Wall {
  y: number;
  mo: number; // 0-based
  d: number;
  h: number;
  mi: number;
  s: number;
}

function wallClock(f: Intl.DateTimeFormat, t: number): Wall {
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
function zonedInstant(f: Intl.DateTimeFormat, y: number, mo: number, d: number, h: number, mi: number): number {
  const asUtc = Date.UTC(y, mo, d, h, mi);
  // two passes settle the offset on either side of a DST change
  const first = asUtc - offsetMs(f, asUtc);
  return asUtc - offsetMs(f, first);
}

function hour24(h: number, ampm: string | undefined): number | null {
  if (ampm) {
    if (h < 1 || h > 12) return null;
    const pm = ampm.toLowerCase() === 'pm';
    return (h % 12) + (pm ? 12 : 0);
  }
  return h <= 23 ? h : null;
}

/**
 * A clock time with an IANA zone: `resets 5pm (Europe/Warsaw)`, `resets 5:30am (America/New_York)`,
 * `resets Oct 9, 3pm (Europe/Warsaw)`, `will reset at 17:00 (UTC)`. Without a date it is the next such time after `now`.
 */
export function resetFromZonedClock(text: string, now: Date): Date | null {
  const re = new RegExp(
    `\\bresets?\\s+(?:at\\s+)?(?:${MONTH_RE}\\s+(\\d{1,2})(?:st|nd|rd|th)?,?\\s+(?:at\\s+)?)?` +
      `(\\d{1,2})(?::(\\d{2}))?\\s*(am|pm)?\\s*\\(([A-Za-z][A-Za-z0-9_+-]{0,40}(?:/[A-Za-z0-9_+-]{1,40}){0,2})\\)`,
    'i',
  );
  const m = re.exec(text);
  if (!m) return null;
  const [, mon, day, hh, mm, ampm, zone] = m;
  if (!ampm && mm === undefined) return null; // a bare number is not a clock
  const h = hour24(Number(hh), ampm);
  const mi = mm === undefined ? 0 : Number(mm);
  if (h === null || mi > 59) return null;
  const f = formatterFor(zone);
  if (!f) return null;
  const today = wallClock(f, now.getTime());
  if (mon) {
    const mo = MONTHS.indexOf(mon.toLowerCase());
    const d = Number(day);
    let t = zonedInstant(f, today.y, mo, d, h, mi);
    // "Jan 2" read in late December belongs to next year
    if (t < now.getTime() - 24 * 3600_000) t = zonedInstant(f, today.y + 1, mo, d, h, mi);
    return new Date(t);
  }
  let t = zonedInstant(f, today.y, today.mo, today.d, h, mi);
  if (t <= now.getTime()) t = zonedInstant(f, today.y, today.mo, today.d + 1, h, mi);
  return new Date(t);
}

/**
 * Codex: `try again at Nov 21st, 2026 2:57 AM.` or, the same day, `try again at 2:57 AM.` Codex prints the
 * machine's local time without a zone; we assume the supervisor runs on the same machine (same TZ) as the agent.
 */
export function resetFromLocalClock(text: string, now: Date): Date | null {
  const re = new RegExp(
    `\\btry again at\\s+(?:${MONTH_RE}\\s+(\\d{1,2})(?:st|nd|rd|th)?,?\\s+(\\d{4}),?\\s+(?:at\\s+)?)?` +
      `(\\d{1,2}):(\\d{2})\\s*(am|pm)?`,
    'i',
  );
  const m = re.exec(text);
  if (!m) return null;
  const [, mon, day, year, hh, mm, ampm] = m;
  const h = hour24(Number(hh), ampm);
  const mi = Number(mm);
  if (h === null || mi > 59) return null;
  if (mon) return new Date(Number(year), MONTHS.indexOf(mon.toLowerCase()), Number(day), h, mi);
  const t = new Date(now.getFullYear(), now.getMonth(), now.getDate(), h, mi);
  if (t.getTime() <= now.getTime()) t.setDate(t.getDate() + 1);
  return t;
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
function validDate(d: Date | null): Date | null {
  return d && Number.isFinite(d.getTime()) ? d : null;
}

/** Every reader above, most exact first. */
export function extractResetTime(text: string, now: Date): Date | null {
  return (
    validDate(resetFromPipeEpoch(text)) ??
    validDate(resetFromIso(text)) ??
    validDate(resetFromZonedClock(text, now)) ??
    validDate(resetFromLocalClock(text, now)) ??
    resetFromRelative(text, now)
  );
}
