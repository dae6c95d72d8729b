// Times for people: local, with the zone, and how far from now — "14:30 CET (in 2h53m)". A person reading
// `status` at a terminal thinks in their own clock; ISO-8601 in UTC stays for --json. `--utc` shows UTC.
// Pure but for the one switch below, which the command line sets once before anything is shown.

let inUtc = false;

/** `--utc`: every time shown to a person in UTC instead of the local zone. */
export function showTimesInUtc(on: boolean): void {
  inUtc = on;
}

/** A span as people say it: 45s, 3m05s, 2h53m, 4d02h. */
export function fmtDuration(totalS: number): string {
  const s = Math.max(0, Math.round(totalS));
  if (s < 60) return `${s}s`;
  const pad = (x: number) => String(x).padStart(2, '0');
  if (s < 3600) return `${Math.floor(s / 60)}m${pad(s % 60)}s`;
  if (s < 86400) return `${Math.floor(s / 3600)}h${pad(Math.floor((s % 3600) / 60))}m`;
  return `${Math.floor(s / 86400)}d${pad(Math.floor((s % 86400) / 3600))}h`;
}

/** "in 2h53m", "3m05s ago", "now" */
export function relative(ms: number, now: number): string {
  const d = (ms - now) / 1000;
  if (Math.abs(d) < 1) return 'now';
  return d > 0 ? `in ${fmtDuration(d)}` : `${fmtDuration(-d)} ago`;
}

const zone = () => (inUtc ? 'UTC' : undefined);

/** The zone's short name: an abbreviation where the locale data has one (CET, EST), else GMT+1. */
function zoneName(d: Date): string {
  const names = ['en-GB', 'en-US'].map(
    (loc) => new Intl.DateTimeFormat(loc, { timeZone: zone(), timeZoneName: 'short' }).formatToParts(d).find((p) => p.type === 'timeZoneName')?.value ?? '',
  );
  return names.find((n) => /^[A-Z]{2,5}$/.test(n)) ?? names[0];
}

function parts(d: Date, seconds: boolean): Record<string, string> {
  const f = new Intl.DateTimeFormat('en-GB', {
    timeZone: zone(),
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    ...(seconds ? { second: '2-digit' } : {}),
    hourCycle: 'h23',
  });
  return Object.fromEntries(f.formatToParts(d).map((p) => [p.type, p.value]));
}

/** The clock time with its zone; the date too when it is not today's: "14:30 CET", "2026-12-04 09:05 CET". */
export function clockTime(iso: string | number, now = Date.now(), o: { seconds?: boolean } = {}): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  const p = parts(d, !!o.seconds);
  const today = parts(new Date(now), false);
  const day = `${p.year}-${p.month}-${p.day}`;
  const time = `${p.hour}:${p.minute}${o.seconds ? `:${p.second}` : ''}`;
  return `${day === `${today.year}-${today.month}-${today.day}` ? '' : `${day} `}${time} ${zoneName(d)}`;
}

/** For people: "14:30 CET (in 2h53m)"; an unreadable time as it is. */
export function shownTime(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return '?';
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  return `${clockTime(ms, now)} (${relative(ms, now)})`;
}
