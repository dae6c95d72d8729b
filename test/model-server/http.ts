// The small pieces every API module uses: what a handler gets, JSON and SSE replies, ids.
import type * as http from 'node:http';
import type { Fault, Turn, TurnUsage } from './scenarios.js';

export interface Exchange {
  req: http.IncomingMessage;
  res: http.ServerResponse;
  /** the path with the query */
  url: URL;
  /** the request body, parsed when it is JSON (else the raw text, or null when empty) */
  body: unknown;
  /** the work tree the CLI runs in: where scripted files go */
  workDir: string;
  /** notes for the request's record: a tool the script wanted that the CLI did not offer, … */
  note(text: string): void;
}

/** A request the scenario's agent loop made (not a side call: titles, routing, quota checks). */
export interface MainCall {
  /** the script's turn this request asks for (0 = the first) */
  turn: number;
  /** the model the CLI asked for */
  model: string;
}

/** One API dialect: which requests are its, and how it answers them. */
export interface Dialect {
  name: 'anthropic' | 'openai' | 'gemini';
  /** true when the request is for this API (method + path) */
  claims(method: string, path: string): boolean;
  /** the agent loop's request, with its turn; null for a side call or a request to answer as is */
  mainCall(x: Exchange): MainCall | null;
  /** answer a turn of the script, streaming when the request asked for it */
  answer(x: Exchange, call: MainCall, turn: Turn): TurnUsage;
  /** answer with a fault instead */
  fault(x: Exchange, call: MainCall, fault: Fault, now: number): void;
  /** anything else of this API: side calls (count_tokens, JSON-schema classifiers), HEAD probes */
  other(x: Exchange): boolean;
}

export function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text).toString(), ...headers });
  res.end(text);
}

export function startSse(res: http.ServerResponse, headers: Record<string, string> = {}): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', ...headers });
  res.flushHeaders();
}

/** One server-sent event; `event` null for data-only streams (Gemini). */
export function sse(res: http.ServerResponse, event: string | null, data: unknown): void {
  res.write(`${event ? `event: ${event}\n` : ''}data: ${JSON.stringify(data)}\n\n`);
}

let counter = 0;
/** A fresh id with a recognisable prefix (msg_srv_…, resp_srv_…). */
export function newId(prefix: string): string {
  counter += 1;
  return `${prefix}_srv_${Date.now().toString(36)}${counter.toString(36).padStart(4, '0')}`;
}

/** The id of the j-th tool call of turn t: the turn of a later request is read back from these. */
export function callId(prefix: string, turn: number, j: number): string {
  return `${prefix}_srv_t${turn}_${j}`;
}

/** 1 + the highest turn named by a call id in the text (0 when none): the turn a request asks for. */
export function turnFromCallIds(text: string, prefix: string): number {
  const re = new RegExp(`${prefix}_srv_t(\\d+)_\\d+`, 'g');
  let max = -1;
  for (const m of text.matchAll(re)) max = Math.max(max, Number(m[1]));
  return max + 1;
}

export function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Whole seconds from now (ms) to an epoch second, rounded up (a wait read from it never ends early), at least 1. */
export function secondsUntil(epochS: number, now: number): number {
  return Math.max(1, Math.ceil(epochS - now / 1000));
}
