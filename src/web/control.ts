// The page's buttons: stop, cancel (serve/control.ts, as the verbs do) and a note (queued for the next round's
// prompt, as `agent-runner note` does: state/notes.ts),
// each only when [dashboard] enables it. The caller checked the token and the CSRF token.
import type { StatePaths } from '../state/paths.js';
import { clip, collapseWhitespace, terminalSafe } from '../util/text.js';
import type { Controls } from './options.js';

/** a stop or cancel waits this long for serve to end before answering "still stopping" (it goes on) */
const ANSWER_WAIT_S = 2;
export const NOTE_MAX = 500;

export type ControlAction = keyof Controls;

export interface ControlAnswer {
  status: number;
  body: { ok: boolean; said: string };
}

export async function runControl(action: string, paths: StatePaths, controls: Controls, body: string): Promise<ControlAnswer> {
  if (action !== 'stop' && action !== 'cancel' && action !== 'note') return { status: 404, body: { ok: false, said: 'no such action' } };
  if (!controls[action]) return { status: 403, body: { ok: false, said: `${action} is not enabled ([dashboard] allow_${action})` } };
  if (action === 'note') {
    let text = '';
    try {
      text = String((JSON.parse(body) as { text?: unknown }).text ?? '');
    } catch {
      return { status: 400, body: { ok: false, said: 'send {"text": "…"}' } };
    }
    const line = clip(collapseWhitespace(terminalSafe(text)), NOTE_MAX);
    if (!line) return { status: 400, body: { ok: false, said: 'the note is empty' } };
    const { queueNote, noteQueuedEvent } = await import('../state/notes.js');
    queueNote(paths, line);
    noteQueuedEvent(paths, line, 'dashboard');
    return { status: 200, body: { ok: true, said: 'queued for the next round' } };
  }
  const { cancelServe, stopServe } = await import('../serve/control.js');
  const said: string[] = [];
  const say = (t: string) => said.push(t.trim());
  const code = await (action === 'stop' ? stopServe : cancelServe)(paths, ANSWER_WAIT_S, say);
  // 1 here is "still stopping": asked, and going on in the background
  return { status: 200, body: { ok: code === 0 || code === 1, said: said.filter(Boolean).join('; ') } };
}
