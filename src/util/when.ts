// When serve should end, as a person writes it: a span ("8h", "1h30m", "2d", "45s", "3600") for max_runtime,
// a moment ("2026-12-24 18:00", "2026-12-24T18:00:00+01:00", "2026-12-24", "18:00") for until. Pure.

const SPAN = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;

/** Seconds in a span ("1h30m" → 5400, a bare number is seconds); null when it is not one, or is 0. */
export function parseSpan(text: string): number | null {
  const t = text.trim();
  if (/^\d+$/.test(t)) return Number(t) > 0 ? Number(t) : null;
  const m = SPAN.exec(t);
  if (!t || !m) return null;
  const [d, h, mi, s] = m.slice(1).map((x) => Number(x ?? 0));
  const total = d! * 86400 + h! * 3600 + mi! * 60 + s!;
  return total > 0 && Number.isSafeInteger(total) ? total : null;
}

/** The formats `until` takes, as its errors name them. */
export const MOMENT_FORMATS = '"YYYY-MM-DD HH:MM" (local time), an ISO time with a zone ("2026-12-24T18:00:00Z", "…+01:00"), "YYYY-MM-DD" (its start), or "HH:MM" (the next one)';

const LOCAL = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?$/;
const ZONED = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})$/;
const CLOCK = /^(\d{1,2}):(\d{2})$/;

/**
 * The moment (ms since the epoch) a text names, in the machine's zone unless it carries one; `HH:MM` is its
 * next occurrence after `now`. null when it is not one of MOMENT_FORMATS, or names a date that does not exist.
 */
export function parseMoment(text: string, now = Date.now()): number | null {
  const t = text.trim();
  if (ZONED.test(t)) {
    const ms = Date.parse(t.replace(' ', 'T'));
    return Number.isNaN(ms) ? null : ms;
  }
  const c = CLOCK.exec(t);
  if (c) {
    const [h, mi] = [Number(c[1]), Number(c[2])];
    if (h > 23 || mi > 59) return null;
    const d = new Date(now);
    d.setHours(h, mi, 0, 0);
    if (d.getTime() <= now) d.setDate(d.getDate() + 1);
    return d.getTime();
  }
  const m = LOCAL.exec(t);
  if (!m) return null;
  const [y, mo, d, h, mi, s] = m.slice(1).map((x) => Number(x ?? 0)) as [number, number, number, number, number, number];
  const at = new Date(y, mo - 1, d, h, mi, s);
  // new Date rolls 2026-02-30 over into March: a date that does not exist is refused, not moved
  if (at.getFullYear() !== y || at.getMonth() !== mo - 1 || at.getDate() !== d || h > 23 || mi > 59 || s > 59) return null;
  return at.getTime();
}
