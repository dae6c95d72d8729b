// One line of the results table, and the formatting of figures.
import type { Stats } from './measure.js';

export type Verdict = 'met' | 'MISSED' | '–' | 'not measured' | 'not built';

export interface Row {
  /** the section number of the spec (1 CLI latency … 8 monitor poll, 9 stop latency, 10 dashboard first render) */
  section: number;
  measure: string;
  /** the figure: median (min–max) */
  value: string;
  /** the floor measured beside it, same format; '–' when none applies */
  floor: string;
  /** subject against floor: a ratio or a difference */
  vs: string;
  target: string;
  verdict: Verdict;
  note?: string;
}

export interface BenchOptions {
  quick: boolean;
  /** progress lines go here (stderr), so stdout is only the table */
  log: (msg: string) => void;
}

export function fmt(s: Stats, unit: string, digits = 1): string {
  if (s.n === 0 || Number.isNaN(s.median)) return '–';
  const f = (x: number) => x.toFixed(digits);
  return s.n === 1 ? `${f(s.median)} ${unit}` : `${f(s.median)} ${unit} (${f(s.min)}–${f(s.max)}, n=${s.n})`;
}

export function verdict(ok: boolean): Verdict {
  return ok ? 'met' : 'MISSED';
}

export function notMeasured(section: number, measure: string, target: string, why: string, v: Verdict = 'not measured'): Row {
  return { section, measure, value: `${v}: ${why}`, floor: '–', vs: '–', target, verdict: v };
}

/** A case that threw: the table says so instead of inventing a figure. */
export function failed(section: number, measure: string, target: string, e: unknown): Row {
  const msg = (e instanceof Error ? e.message : String(e)).split('\n')[0].slice(0, 160);
  return notMeasured(section, measure, target, `failed: ${msg}`);
}
