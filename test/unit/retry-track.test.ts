// The CLI's API retries as the round reads them (src/round/retry-track.ts): the announced back-off, and an auth
// failure its retries made certain. Pure; the real Claude Code is in real-cli-claude.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AUTH_REFUSALS_CERTAIN, RetryTrack } from '../../src/round/retry-track.js';
import type { AgentEvent } from '../../src/agents/events.js';

const ev = (type: AgentEvent['type'], more: Partial<AgentEvent> = {}): AgentEvent => ({ type, stream: 'stdout', format: 'claude', raw: '', bytes: 0, ...more });

test('a retry announcing its back-off keeps the round quiet until then; progress clears it', () => {
  const t = new RetryTrack();
  t.note(ev('retry', { status: 529, retry_delay_ms: 4000 }), () => 1000);
  assert.equal(t.quietUntil, 5000);
  t.note(ev('retry', { status: 529, retry_delay_ms: null }), () => 6000);
  assert.equal(t.quietUntil, null, 'no back-off announced: none assumed');
  t.note(ev('retry', { status: 529, retry_delay_ms: 8000 }), () => 7000);
  t.note(ev('message'), () => 7500);
  assert.equal(t.quietUntil, null);
});

test(`${AUTH_REFUSALS_CERTAIN} refusals of the credential in a row make auth certain, once; other statuses or progress between do not`, () => {
  const seen: string[] = [];
  const t = new RetryTrack();
  t.whenCertain((c) => seen.push(c));
  t.note(ev('retry', { status: 401 }), () => 0);
  t.note(ev('message'), () => 0);
  t.note(ev('retry', { status: 401 }), () => 0);
  t.note(ev('retry', { status: 529 }), () => 0);
  t.note(ev('retry', { status: 403 }), () => 0);
  assert.deepEqual(seen, []);
  t.note(ev('retry', { status: 401 }), () => 0);
  assert.deepEqual(seen, ['auth']);
  t.note(ev('retry', { status: 401 }), () => 0);
  assert.deepEqual(seen, ['auth'], 'reported once');
  const late: string[] = [];
  t.whenCertain((c) => late.push(c));
  assert.deepEqual(late, ['auth'], 'a listener added after the fact hears it at once');
});
