// The CLI's API retries as the round reads them (src/round/retry-track.ts): the announced back-off, and an auth
// failure its retries made certain. Pure; the real Claude Code is in real-cli-claude.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AUTH_REFUSALS_CERTAIN, RetryTrack } from '../../src/round/retry-track.js';
import type { AgentEvent } from '../../src/agents/events.js';
import { StreamParser } from '../../src/agents/stream-parser.js';
import { opencodeRetry } from '../../src/agents/opencode-stream.js';

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

// opencode 1.18.33 with --print-logs, a 429 from the model server (retry_after_long): the line it logs before its silent retry
const OPENCODE_429 =
  'timestamp=2026-12-06T10:37:48.382Z level=ERROR run=d091120c message="stream error" providerID=anthropic modelID=claude-sonnet-4-5 session.id=ses_db511d581ffeA1o2CXTQwVDUXF small=false agent=build mode=primary error.error="AI_APICallError: This request would exceed the rate limit for your organization of 50 requests per minute. For details, refer to: https://docs.claude.com/en/api/rate-limits."';

test("opencode's logged stream error is a retry event with the API's words; other log lines stay text", () => {
  const p = new StreamParser();
  const evs = p.feed(Buffer.from(`timestamp=2026-12-06T10:37:48.338Z level=INFO run=d091120c message="llm runtime selected"\n${OPENCODE_429}\n`), 'stderr');
  assert.deepEqual(evs.map((e) => e.type), ['text', 'retry']);
  assert.equal(evs[1].format, 'opencode');
  assert.equal(evs[1].status, null);
  assert.match(evs[1].summary ?? '', /^This request would exceed the rate limit for your organization/);
});

test('a retry on a rate limit (by its words: no status) marks the CLI as waiting on it until progress; a usage limit is certain at once', () => {
  const seen: string[] = [];
  const t = new RetryTrack();
  t.whenCertain((c) => seen.push(c));
  t.note(ev('retry', { status: null, summary: opencodeRetry(OPENCODE_429) ?? '' }), () => 0);
  assert.equal(t.limited, 'rate_limit');
  assert.deepEqual(seen, [], 'a rate limit may lift within the back-off: the silence guard decides');
  t.note(ev('message'), () => 0);
  assert.equal(t.limited, null);
  t.note(ev('retry', { status: null, summary: 'Overloaded' }), () => 0);
  assert.equal(t.limited, null, 'an overload is not a limit');
  t.note(ev('retry', { status: null, summary: "You've hit your usage limit. Upgrade to Pro or try again at 4:38 AM." }), () => 0);
  assert.equal(t.limited, 'usage_limit');
  assert.deepEqual(seen, ['usage_limit']);
});
