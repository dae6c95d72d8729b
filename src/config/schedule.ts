// [schedule] active = ["Mon-Fri 08:00-20:00"]: each range read once, at load, so that a mistake is a config
// error with the fix, not a surprise at 3 a.m. Pure; serve/schedule.ts asks the ranges about instants.

export const DAY_NAMES = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;

export interface ActiveRange {
  /** the days (0 = Sunday) on which the range starts */
  days: ReadonlySet<number>;
  /** minutes after local midnight; end ≤ start runs past midnight into the next day */
  start: number;
  end: number;
  /** as written, for messages */
  text: string;
}

/** The range, or the problem with it (a phrase naming the fix). */
export function parseActiveRange(text: string): ActiveRange | string {
  const m = /^\s*(?:([A-Za-z,\s-]+?)\s+)?(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$/.exec(text);
  if (!m) return 'write it as "[DAYS ]HH:MM-HH:MM", e.g. "Mon-Fri 08:00-20:00" or "22:00-06:00"';
  const start = minutes(Number(m[2]), Number(m[3]));
  const end = minutes(Number(m[4]), Number(m[5]));
  if (start === null || end === null || start === 1440) return 'times run from 00:00 to 24:00 (24:00 only as an end)';
  if (start === end) return 'the start and the end are the same; for the whole day write 00:00-24:00';
  const days = m[1] === undefined ? new Set([0, 1, 2, 3, 4, 5, 6]) : parseDays(m[1]);
  if (typeof days === 'string') return days;
  return { days, start, end, text: text.trim() };
}

function minutes(h: number, mi: number): number | null {
  if (mi > 59 || h > 24 || (h === 24 && mi !== 0)) return null;
  return h * 60 + mi;
}

function parseDays(spec: string): Set<number> | string {
  const out = new Set<number>();
  for (const part of spec.split(',').map((s) => s.trim().toLowerCase())) {
    const [a, b] = part.split('-').map((s) => s.trim().slice(0, 3));
    const from = DAY_NAMES.indexOf(a as (typeof DAY_NAMES)[number]);
    const to = b === undefined ? from : DAY_NAMES.indexOf(b as (typeof DAY_NAMES)[number]);
    if (from < 0 || to < 0) return `"${part}" is not a day; use Mon, Tue, Wed, Thu, Fri, Sat, Sun, a span (Mon-Fri) or a list (Mon,Wed)`;
    for (let d = from; ; d = (d + 1) % 7) {
      out.add(d);
      if (d === to) break;
    }
  }
  return out;
}

/** The zone, if this runtime knows it; null otherwise. */
export function knownZone(zone: string): string | null {
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
}

/** The machine's own zone (TZ, else the system's). */
export function localZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}
