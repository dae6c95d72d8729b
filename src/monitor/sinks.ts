// Where alert lines go: one line per transition for people, or NDJSON.
import type { AlertLine } from './types.js';
import { clockTime } from '../util/time-display.js';

export type Sink = (line: AlertLine) => void;

export function humanLine(l: AlertLine): string {
  const ts = clockTime(l.ts, Date.now(), { seconds: true });
  if (l.state === 'ok') return `${ts} ${'OK'.padEnd(8)} ${'ok'.padEnd(8)} ${l.host} ${l.detector}`;
  const sev = l.severity.toUpperCase().padEnd(8);
  const act = l.auto_action ? ` [auto-stop: ${l.auto_action.result}${l.auto_action.detail ? `: ${l.auto_action.detail}` : ''}]` : '';
  return `${ts} ${sev} ${l.state.padEnd(8)} ${l.host} ${l.detector}: ${l.message}${act}`;
}

export function jsonLine(l: AlertLine): string {
  return JSON.stringify(l);
}

export function streamSink(out: NodeJS.WritableStream, json: boolean): Sink {
  return (l) => {
    out.write((json ? jsonLine(l) : humanLine(l)) + '\n');
  };
}
